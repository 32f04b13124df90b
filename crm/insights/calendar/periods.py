"""The month, week or day a calendar page shows, and its neighbours."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

MONTH, WEEK, DAY = "month", "week", "day"
VIEWS = (MONTH, WEEK, DAY)


@dataclass(frozen=True)
class Period:
    view: str
    anchor: date
    first: date  # first day shown (a month's grid starts on the Monday before the 1st)
    last: date
    previous: date
    next: date

    def days(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range((self.last - self.first).days + 1)]

    def weeks(self) -> list[list[date]]:
        days = self.days()
        return [days[index : index + 7] for index in range(0, len(days), 7)]


def _add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, 1)


def period_for(view: str, anchor: date) -> Period:
    if view == DAY:
        return Period(DAY, anchor, anchor, anchor, anchor - timedelta(days=1), anchor + timedelta(days=1))
    if view == WEEK:
        monday = anchor - timedelta(days=anchor.weekday())
        return Period(
            WEEK,
            anchor,
            monday,
            monday + timedelta(days=6),
            anchor - timedelta(days=7),
            anchor + timedelta(days=7),
        )
    first_of_month = anchor.replace(day=1)
    last_of_month = first_of_month.replace(day=calendar.monthrange(anchor.year, anchor.month)[1])
    grid_first = first_of_month - timedelta(days=first_of_month.weekday())
    grid_last = last_of_month + timedelta(days=6 - last_of_month.weekday())
    return Period(
        MONTH, anchor, grid_first, grid_last, _add_months(first_of_month, -1), _add_months(first_of_month, 1)
    )
