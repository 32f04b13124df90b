"""Calendar arithmetic for the rules: months back, whole months between dates, calendar periods."""

from __future__ import annotations

import calendar
from datetime import date

from django.utils.translation import gettext


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier, or that month's last day if it is shorter."""
    return months_after(day, -months)


def months_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end``: the largest n with months_before(end, n) >= start."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months_before(end, months) < start:
        months -= 1
    return months


def period_start(day: date, months: int) -> date:
    """The first day of the calendar period of ``months`` months (a quarter for 3) that holds ``day``."""
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def period_key(day: date, months: int) -> str:
    return period_start(day, months).strftime("%Y-%m")


def period_label(day: date, months: int) -> str:
    """The period as people say it: 2026 Q2 for a quarter, 2026 for a year, else a range of months."""
    start = period_start(day, months)
    if months == 12:
        return str(start.year)
    if months == 3:
        return gettext("%(year)s Q%(quarter)s") % {"year": start.year, "quarter": (start.month - 1) // 3 + 1}
    if months == 1:
        return start.strftime("%Y-%m")
    last = months_after(start, months - 1)
    return f"{start:%Y-%m} – {last:%Y-%m}"


def period_end(day: date, months: int) -> date:
    """The last day of the calendar period that holds ``day``."""
    start = period_start(day, months)
    last_month = months_after(start, months - 1)
    return date(last_month.year, last_month.month, calendar.monthrange(last_month.year, last_month.month)[1])
