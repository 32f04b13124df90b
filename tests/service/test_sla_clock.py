"""The SLA clock across nights, weekends and holidays (Bogotá time, Monday 2 March 2026)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from service.sla import business_deadline, business_time_between

BOG = ZoneInfo("America/Bogota")


@pytest.fixture(autouse=True)
def _bogota():
    with timezone.override(BOG):
        yield


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=BOG)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (at(2, 9), 4, at(2, 13)),  # within the day
        (at(2, 16), 4, at(3, 10)),  # across the night
        (at(2, 20), 1, at(3, 9)),  # opened after closing
        (at(2, 6), 1, at(2, 9)),  # opened before opening
        (at(6, 17), 2, at(9, 9)),  # Friday evening to Monday
        (at(7, 11), 1, at(9, 9)),  # opened on a Saturday
        (at(2, 8), 10, at(2, 18)),  # exactly one working day
        (at(2, 8), 50, at(6, 18)),  # a whole working week
        (at(2, 9, 30), 0.5, at(2, 10)),  # fractions of an hour
        (at(2, 18), 0, at(3, 8)),  # zero hours at closing waits for opening
    ],
)
def test_business_deadline(start, hours, expected):
    assert business_deadline(start, hours) == expected


def test_holidays_are_skipped():
    holidays = {date(2026, 3, 3), date(2026, 3, 4)}
    assert business_deadline(at(2, 16), 4, holidays) == at(5, 10)


def test_a_holiday_on_monday_after_a_weekend():
    assert business_deadline(at(6, 17), 2, {date(2026, 3, 9)}) == at(10, 9)


def test_a_start_in_another_time_zone_is_read_in_local_time():
    utc_start = datetime(2026, 3, 2, 14, tzinfo=ZoneInfo("UTC"))  # 9:00 in Bogotá
    assert business_deadline(utc_start, 1) == at(2, 10)


def test_business_time_between_counts_only_office_hours():
    assert business_time_between(at(2, 17), at(3, 9)) == timedelta(hours=2)
    assert business_time_between(at(6, 17), at(9, 9)) == timedelta(hours=2)
    assert business_time_between(at(3, 9), at(2, 17)) == -timedelta(hours=2)
    assert business_time_between(at(2, 9), at(4, 9), {date(2026, 3, 3)}) == timedelta(hours=10)


@pytest.mark.parametrize("hours", [1, 3.5, 9, 10, 23, 47.25])
def test_time_between_start_and_deadline_is_the_target(hours):
    start = at(6, 15, 20)
    holidays = {date(2026, 3, 9)}
    assert business_time_between(start, business_deadline(start, hours, holidays), holidays) == timedelta(
        hours=hours
    )
