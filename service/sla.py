"""The SLA clock: deadlines counted in business hours (Monday to Friday, 8:00 to 18:00,
local time), skipping the holidays kept in the admin. Pure functions, no database."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

DAY_STARTS = time(8)
DAY_ENDS = time(18)


def _is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def _next_opening(moment: datetime, holidays: Collection[date]) -> datetime:
    """``moment`` if the office is open then, else when it next opens (naive local time)."""
    day = moment.date()
    if moment.time() >= DAY_ENDS:
        day += timedelta(days=1)
        moment = datetime.combine(day, DAY_STARTS)
    while not _is_working_day(day, holidays):
        day += timedelta(days=1)
        moment = datetime.combine(day, DAY_STARTS)
    return max(moment, datetime.combine(day, DAY_STARTS))


def business_deadline(start: datetime, hours: float, holidays: Collection[date] = ()) -> datetime:
    """The moment ``hours`` business hours after ``start`` (an aware datetime)."""
    tz = timezone.get_current_timezone()
    moment = timezone.localtime(start, tz).replace(tzinfo=None)
    remaining = timedelta(hours=hours)
    moment = _next_opening(moment, holidays)
    while True:
        available = datetime.combine(moment.date(), DAY_ENDS) - moment
        if remaining <= available:
            return timezone.make_aware(moment + remaining, tz)
        remaining -= available
        moment = _next_opening(datetime.combine(moment.date(), DAY_ENDS), holidays)


def business_time_between(start: datetime, end: datetime, holidays: Collection[date] = ()) -> timedelta:
    """Business time from ``start`` to ``end``; negative when ``end`` is earlier."""
    if end < start:
        return -business_time_between(end, start, holidays)
    tz = timezone.get_current_timezone()
    moment = timezone.localtime(start, tz).replace(tzinfo=None)
    stop = timezone.localtime(end, tz).replace(tzinfo=None)
    total = timedelta()
    moment = _next_opening(moment, holidays)
    while moment < stop:
        closing = datetime.combine(moment.date(), DAY_ENDS)
        total += min(closing, stop) - moment
        moment = _next_opening(closing, holidays)
    return total


@dataclass(frozen=True)
class Target:
    """One SLA target of a ticket: when it is due, and how it stands."""

    due: datetime
    done_at: datetime | None
    left: timedelta  # business time left (negative once breached); zero when done

    @property
    def met(self) -> bool:
        return self.done_at is not None and self.done_at <= self.due

    @property
    def breached(self) -> bool:
        if self.done_at is not None:
            return not self.met
        return self.left < ZERO

    @property
    def left_hours(self) -> int:
        return int(abs(self.left).total_seconds() // 3600)

    @property
    def left_minutes(self) -> int:
        return int(abs(self.left).total_seconds() % 3600 // 60)


ZERO = timedelta()


def target(
    *, opened_at: datetime, hours: float, done_at: datetime | None, now: datetime, holidays: Collection[date]
) -> Target:
    due = business_deadline(opened_at, hours, holidays)
    left = ZERO if done_at else business_time_between(now, due, holidays)
    return Target(due=due, done_at=done_at, left=left)
