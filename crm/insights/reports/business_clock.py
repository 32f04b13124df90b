"""The SLA clock of ``service.sla`` as SQL expressions, so that a report judges thousands of
tickets in one query instead of a Python loop over them.

Every moment gets a position on a business clock: the business seconds (Monday to Friday,
8:00 to 18:00 local time, holidays skipped) from Monday 1 January 1900 up to it; outside
business hours the clock stands still. The business time between two moments is the
difference of their positions, as ``service.sla.business_time_between`` counts it.

A target is met when the work took less business time than the target, or exactly as much
and was done at the deadline itself: a reply at 18:30 to a deadline of 18:00 took no more
business time, yet came after the deadline, and the ticket page says so too. Positions
are whole seconds.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractHour,
    ExtractMinute,
    ExtractSecond,
    Floor,
    Greatest,
    Least,
    TruncDate,
)
from django.utils import timezone

from service import sla
from service.models import Holiday, SlaPolicy

OPENS = sla.DAY_STARTS.hour * 3600
CLOSES = sla.DAY_ENDS.hour * 3600
DAY = CLOSES - OPENS  # business seconds in a working day
WORKING_DAYS = 5  # Monday (0) to Friday (4) of each week


class DayNumber(Func):
    """Whole days from Monday 1 January 1900 to a date (0 is a Monday)."""

    output_field = IntegerField()
    template = "(%(expressions)s - DATE '1900-01-01')"

    def as_sqlite(self, compiler, connection, **extra):
        template = "CAST(julianday(%(expressions)s) - julianday('1900-01-01') AS INTEGER)"
        return super().as_sql(compiler, connection, template=template, **extra)


def _weekday_holidays() -> QuerySet:
    # Django's week days run from 1 (Sunday) to 7 (Saturday); weekend holidays change nothing.
    return Holiday.objects.order_by().exclude(date__week_day__in=(1, 7))


def with_position(queryset: QuerySet, field: str, name: str, *, holidays: bool) -> QuerySet:
    """``queryset`` with the aliases ``name`` (the clock's position at ``field``, NULL when
    ``field`` is) and ``name_ran`` (the clock was running up to that moment).

    ``holidays``: whether any weekday holiday is kept; without one the clock needs no subquery.
    """
    day, number = f"{name}_day", f"{name}_number"
    queryset = queryset.alias(**{day: TruncDate(field)}).alias(**{number: DayNumber(F(day))})
    weekday = F(number) % 7
    seconds = ExtractHour(field) * 3600 + ExtractMinute(field) * 60 + Floor(ExtractSecond(field))
    working = Q(**{f"{number}__isnull": False})
    holidays_before = Value(0)
    if holidays:
        working &= ~Exists(Holiday.objects.filter(date=OuterRef(day)))
        holidays_before = Coalesce(
            Subquery(
                _weekday_holidays()
                .filter(date__lt=OuterRef(day))
                .annotate(count=Func(F("pk"), function="COUNT"))
                .values("count"),
                output_field=IntegerField(),
            ),
            Value(0),
        )
    queryset = queryset.alias(**{f"{name}_weekday": weekday, f"{name}_seconds": seconds})
    working &= Q(**{f"{name}_weekday__lt": WORKING_DAYS})
    days_before = F(number) / 7 * WORKING_DAYS + Least(F(f"{name}_weekday"), Value(WORKING_DAYS))
    today = Case(
        When(working, then=Least(Greatest(F(f"{name}_seconds") - OPENS, Value(0)), Value(DAY))),
        default=Value(0),
        output_field=IntegerField(),
    )
    ran = working & Q(**{f"{name}_seconds__gt": OPENS, f"{name}_seconds__lte": CLOSES})
    return queryset.alias(
        **{
            name: (days_before - holidays_before) * DAY + today,
            f"{name}_ran": Case(
                When(ran, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        }
    )


def _target(policies: list[tuple[str, float]]) -> Cast:
    """The target in business seconds for the ticket's priority; NULL where no policy says."""
    # Cast: without any policy PostgreSQL would read the bare NULLs as text.
    return Cast(
        Case(
            *(When(priority=priority, then=Value(round(hours * 3600))) for priority, hours in policies),
            default=None,
            output_field=IntegerField(),
        ),
        output_field=IntegerField(),
    )


def _met(done: str, target: str) -> Q:
    taken = f"{done}_taken"
    return Q(**{f"{taken}__lt": F(target)}) | (
        Q(**{taken: F(target)}) & (Q(**{target: 0}) | Q(**{f"{done}_ran": True}))
    )


def with_sla(tickets: QuerySet) -> QuerySet:
    """Tickets with the aliases ``response_target`` and ``resolution_target`` (business
    seconds, NULL without a policy for the priority) and ``responded_in_time`` and
    ``resolved_in_time`` (whether the first response and the resolution met them)."""
    policies = list(SlaPolicy.objects.values_list("priority", "first_response_hours", "resolution_hours"))
    holidays = _weekday_holidays().exists()
    tickets = with_position(tickets, "opened_at", "opened_pos", holidays=holidays)
    tickets = with_position(tickets, "first_response_at", "responded_pos", holidays=holidays)
    tickets = with_position(tickets, "resolved_at", "resolved_pos", holidays=holidays)
    tickets = tickets.alias(
        response_target=_target([(priority, float(hours)) for priority, hours, _ in policies]),
        resolution_target=_target([(priority, float(hours)) for priority, _, hours in policies]),
        responded_pos_taken=F("responded_pos") - F("opened_pos"),
        resolved_pos_taken=F("resolved_pos") - F("opened_pos"),
    )
    return tickets.alias(
        responded_in_time=Case(
            When(_met("responded_pos", "response_target"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        resolved_in_time=Case(
            When(_met("resolved_pos", "resolution_target"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


EPOCH = date(1900, 1, 1)  # a Monday, day 0 of ``DayNumber``


def weekday_holidays() -> set[date]:
    return set(_weekday_holidays().values_list("date", flat=True))


def position_at(moment: datetime, holidays: Collection[date]) -> int:
    """The clock's position at ``moment``, as ``with_position`` computes it in SQL.

    ``holidays``: the weekday holidays (``weekday_holidays()``).
    """
    local = timezone.localtime(moment)
    day = local.date()
    number = (day - EPOCH).days
    weekday = number % 7
    days_before = number // 7 * WORKING_DAYS + min(weekday, WORKING_DAYS)
    days_before -= sum(1 for holiday in holidays if holiday < day)
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    today = min(max(seconds - OPENS, 0), DAY) if weekday < WORKING_DAYS and day not in holidays else 0
    return days_before * DAY + today
