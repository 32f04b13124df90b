"""Report periods: presets relative to today or custom dates, and the buckets inside them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

PRESETS = [
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_quarter", _("This quarter")),
    ("last_quarter", _("Last quarter")),
    ("this_year", _("This year")),
    ("last_year", _("Last year")),
    ("last_12_months", _("Last 12 months")),
    ("custom", _("Custom dates")),
]
GRANULARITIES = [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))]


def add_months(day: date, count: int) -> date:
    """The first day of the month ``count`` months after ``day``'s."""
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the last day, included

    @property
    def stop(self) -> date:
        """The day after the period, for ``< stop`` comparisons."""
        return self.end + timedelta(days=1)

    @property
    def label(self) -> str:
        return (
            f"{date_format(self.start, 'SHORT_DATE_FORMAT')} – {date_format(self.end, 'SHORT_DATE_FORMAT')}"
        )

    def moments(self) -> tuple[datetime, datetime]:
        """The period's first moment and the moment after it, in the site's time zone."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.stop, time.min, tzinfo=zone),
        )

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        months, month = [], month_of(self.start)
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    def buckets(self, granularity: str) -> Iterator[date]:
        """The first day of each day, week (Monday) or month the period touches."""
        if granularity == "month":
            yield from self.months()
            return
        step = timedelta(days=7 if granularity == "week" else 1)
        day = self.start - timedelta(days=self.start.weekday()) if granularity == "week" else self.start
        while day <= self.end:
            yield day
            day += step


def bucket_label(day: date, granularity: str) -> str:
    if granularity == "month":
        return date_format(day, "YEAR_MONTH_FORMAT")
    if granularity == "week":
        return str(_("Week of %(day)s") % {"day": date_format(day, "SHORT_DATE_FORMAT")})
    return date_format(day, "SHORT_DATE_FORMAT")


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def preset_period(key: str, today: date) -> Period:
    """The period a preset names, as of ``today``; "this ..." periods run to their end."""
    month = month_of(today)
    quarter = _quarter_start(today)
    last_day = timedelta(days=1)
    periods = {
        "this_month": (month, add_months(month, 1) - last_day),
        "last_month": (add_months(month, -1), month - last_day),
        "this_quarter": (quarter, add_months(quarter, 3) - last_day),
        "last_quarter": (add_months(quarter, -3), quarter - last_day),
        "this_year": (date(today.year, 1, 1), date(today.year, 12, 31)),
        "last_year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        "last_12_months": (add_months(month, -11), add_months(month, 1) - last_day),
    }
    start, end = periods[key]
    return Period(start, end)
