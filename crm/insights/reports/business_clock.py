"""The SLA clock of ``service.sla`` in SQL, so that a report judges thousands of tickets in
one query instead of a Python loop over them.

Every moment gets a position on a business clock: the business seconds (Monday to Friday,
8:00 to 18:00 local time, holidays skipped) from Monday 1 January 1900 up to it; outside
business hours the clock stands still. The business time between two moments is the
difference of their positions, as ``service.sla.business_time_between`` counts it.

A target is met when the work took less business time than the target, or exactly as much
and was done at the deadline itself: a reply at 18:30 to a deadline of 18:00 took no more
business time, yet came after the deadline, and the ticket page says so too. Positions
are whole seconds.

The query comes in three layers, so that each ticket's times are converted to local time
once: the ORM reads each moment's local day number and second of the day (and whatever
the caller adds), plain SQL turns them into positions, and then into the verdicts. The
plain SQL is integer arithmetic and CASE, the same on PostgreSQL and SQLite.

``missed`` is the same verdict as a condition on a ticket's own row, with no derived table:
costlier per ticket (each moment is converted as often as the arithmetic names it), but a
page of a drill-down, read in the order of an index, judges only the tickets it walks.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    DateField,
    Expression,
    F,
    Func,
    IntegerField,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, ExtractHour, ExtractMinute, ExtractSecond, Floor, TruncDate
from django.utils import timezone

from service import sla
from service.models import Holiday, SlaPolicy

OPENS = sla.DAY_STARTS.hour * 3600
CLOSES = sla.DAY_ENDS.hour * 3600
DAY = CLOSES - OPENS  # business seconds in a working day
WORKING_DAYS = 5  # Monday (0) to Friday (4) of each week
EPOCH = date(1900, 1, 1)  # a Monday: day 0
DAYS_TO_1970 = (date(1970, 1, 1) - EPOCH).days
# The moments of a ticket the clock reads: column prefix and field.
MOMENTS = {"opened": "opened_at", "responded": "first_response_at", "resolved": "resolved_at"}
# {"responded" or "resolved": [(priority, target in business seconds)]}
Targets = dict[str, list[tuple[str, int]]]


class DayNumber(Func):
    """Whole days from Monday 1 January 1900 to a date (0 is a Monday)."""

    output_field = IntegerField()
    template = "(%(expressions)s - DATE '1900-01-01')"

    def as_sqlite(self, compiler, connection, **extra):
        template = "CAST(julianday(%(expressions)s) - julianday('1900-01-01') AS INTEGER)"
        return super().as_sql(compiler, connection, template=template, **extra)


class _LocalEpoch(Func):
    """PostgreSQL: the local wall-clock time of an aware timestamp, in whole seconds since 1970."""

    arg_joiner = " AT TIME ZONE "
    template = "CAST(FLOOR(date_part('epoch', %(expressions)s)) AS BIGINT)"
    output_field = IntegerField()


def _local_epoch(field: str):
    """The local wall-clock time of ``field`` in seconds since 1970, with one time zone
    conversion on PostgreSQL (a date and three extracts elsewhere, where speed matters less)."""
    if connection.vendor == "postgresql":
        return _LocalEpoch(field, Value(timezone.get_current_timezone_name()))
    seconds = ExtractHour(field) * 3600 + ExtractMinute(field) * 60 + Floor(ExtractSecond(field))
    return Cast((DayNumber(TruncDate(field)) - DAYS_TO_1970) * 86400 + seconds, IntegerField())


def _weekday_holidays() -> QuerySet:
    # Django's week days run from 1 (Sunday) to 7 (Saturday); weekend holidays change nothing.
    return Holiday.objects.order_by("date").exclude(date__week_day__in=(1, 7))


def holidays_since(first: date | None) -> list[date]:
    """The weekday holidays from ``first`` on (every one when None).

    Positions count only the holidays they are given: the business time between two moments
    is exact when every holiday from the earlier one on is among them. Passing just those
    keeps the SQL small.
    """
    holidays = _weekday_holidays()
    if first is not None:
        holidays = holidays.filter(date__gte=first)
    return list(holidays.values_list("date", flat=True))


def relevant_holidays(tickets: QuerySet) -> list[date]:
    """The weekday holidays from the (local) day the first of ``tickets`` was opened on; none
    without tickets. One query: the first day is a subquery of the holidays'."""
    first = (
        tickets.filter(opened_at__isnull=False)
        .order_by("opened_at")
        .values(day=TruncDate("opened_at", tzinfo=timezone.get_current_timezone()))[:1]
    )
    holidays = _weekday_holidays().filter(date__gte=Subquery(first, output_field=DateField()))
    return list(holidays.values_list("date", flat=True))


def position_at(moment: datetime, holidays: Collection[date]) -> int:
    """The clock's position at ``moment``, as the SQL below computes it for a ticket.

    ``holidays``: the same holidays as the positions it is compared with.
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


# --- the SQL layers ---------------------------------------------------------------------


def _local_parts(tickets: QuerySet, extra: dict) -> QuerySet:
    """Layer 1: the ticket's id and priority, each moment's local time, and ``extra``."""
    parts = {f"{prefix}_epoch": _local_epoch(field) for prefix, field in MOMENTS.items()}
    return tickets.order_by().values("id", "priority", **extra, **parts)


def _position(prefix: str, holiday_days: list[int]) -> tuple[str, str]:
    """Layer 2 SQL of one moment: its position, and whether the clock ran up to it (1 or 0)."""
    # The local day number (0: 1 January 1900) and second of the day; integer arithmetic.
    day = f"({prefix}_epoch / 86400 + {DAYS_TO_1970})"
    seconds = f"({prefix}_epoch %% 86400)"  # the modulo, escaped: the query has parameters
    weekday = f"({day} %% 7)"
    before = " + ".join(f"CASE WHEN {day} > {number} THEN 1 ELSE 0 END" for number in holiday_days) or "0"
    working = f"{weekday} < {WORKING_DAYS}"
    if holiday_days:
        working += f" AND {day} NOT IN ({', '.join(map(str, holiday_days))})"
    days_before = (
        f"({day} / 7 * {WORKING_DAYS} + CASE WHEN {weekday} < {WORKING_DAYS} THEN {weekday} "
        f"ELSE {WORKING_DAYS} END - ({before}))"
    )
    today = (
        f"CASE WHEN {working} THEN CASE WHEN {seconds} <= {OPENS} THEN 0 WHEN {seconds} >= {CLOSES} "
        f"THEN {DAY} ELSE {seconds} - {OPENS} END ELSE 0 END"
    )
    ran = f"CASE WHEN {working} AND {seconds} > {OPENS} AND {seconds} <= {CLOSES} THEN 1 ELSE 0 END"
    return f"{days_before} * {DAY} + {today}", ran


def policy_targets() -> Targets:
    """Each policy's targets in business seconds: {"responded": [(priority, seconds)], "resolved": [...]}."""
    hours = SlaPolicy.objects.values_list("priority", "first_response_hours", "resolution_hours")
    return {
        "responded": [(priority, round(float(first) * 3600)) for priority, first, _last in hours],
        "resolved": [(priority, round(float(last) * 3600)) for priority, _first, last in hours],
    }


def _target(policies: list[tuple[str, int]], priority: str = "priority") -> str:
    """The target in business seconds for the ticket's priority; NULL where no policy says."""
    # Typed: in a derived table PostgreSQL would take a bare NULL column for text.
    if not policies:
        return "CAST(NULL AS INTEGER)"
    whens = " ".join(f"WHEN %s THEN {seconds}" for _priority, seconds in policies)
    return f"CASE {priority} {whens} ELSE CAST(NULL AS INTEGER) END"


def _met(done: str, target: str) -> str:
    taken = f"({done}_pos - opened_pos)"
    return f"({taken} < {target} OR ({taken} = {target} AND ({target} = 0 OR {done}_ran = 1)))"


def sla_table(
    tickets: QuerySet,
    *,
    extra: dict | None = None,
    holidays: list[date] | None = None,
    targets: Targets | None = None,
) -> tuple[str, list]:
    """SQL (and its parameters) of a table of ``tickets``: ``id``, ``priority``, the columns
    of ``extra`` (expressions, as for ``values()``), ``opened_pos`` (the clock's position when
    opened), ``responded_epoch`` (NULL until a first response), ``response_target`` and
    ``resolution_target`` (business seconds, NULL without a policy), and ``responded_in_time``
    and ``resolved_in_time`` (1 when the first response and the resolution met them, else 0).

    ``holidays``: at least the weekday holidays from the first ticket opened on (found when
    not given). ``targets``: the policies' targets, as ``policy_targets`` reads them (read
    when not given).
    """
    if holidays is None:
        holidays = relevant_holidays(tickets)
    holiday_days = [(holiday - EPOCH).days for holiday in holidays]
    inner, params = _local_parts(tickets, extra or {}).query.sql_with_params()
    targets = targets or policy_targets()
    response, resolution = targets["responded"], targets["resolved"]
    # PostgreSQL would fold each layer into the next and compute every expression as often
    # as it is named; OFFSET 0 keeps each layer computed once per ticket.
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    positions = []
    for prefix in MOMENTS:
        position, ran = _position(prefix, holiday_days)
        positions += [f"{position} AS {prefix}_pos", f"{ran} AS {prefix}_ran"]
    # Only fixed fragments, column names and integers are formatted in; values are parameters.
    with_positions = (
        f"SELECT parts.*, {', '.join(positions)}, {_target(response)} AS response_target, "  # noqa: S608
        f"{_target(resolution)} AS resolution_target FROM ({inner}{fence}) parts"
    )
    sql = (
        f"SELECT timed.*, "  # noqa: S608
        f"CASE WHEN {_met('responded', 'response_target')} THEN 1 ELSE 0 END AS responded_in_time, "
        f"CASE WHEN {_met('resolved', 'resolution_target')} THEN 1 ELSE 0 END AS resolved_in_time "
        f"FROM ({with_positions}{fence}) timed"
    )
    # The targets' parameters come first in the text, before the inner query's.
    priorities = [priority for priority, _seconds in [*response, *resolution]]
    return sql, [*priorities, *params]


def sla_rows(tickets: QuerySet, condition: str, **kwargs) -> QuerySet:
    """``tickets`` narrowed to those of ``sla_table`` matching ``condition`` (SQL on its columns)."""
    table, params = sla_table(tickets, **kwargs)
    # ``condition`` is one of our fixed fragments, never user input.
    sql = f"SELECT id FROM ({table}) sla WHERE {condition}"  # noqa: S608
    return tickets.filter(pk__in=RawSQL(sql, params))  # noqa: S611


# --- the verdict on a ticket's own row ------------------------------------------------


def _fill(template: str, values: dict[str, tuple[str, list]]) -> tuple[str, list]:
    """``template`` with each name of ``values`` replaced by its SQL, and their parameters in
    the order they come (the template has none of its own)."""
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, values)) + r")\b")
    parts, params, last = [], [], 0
    for match in pattern.finditer(template):
        sql, found = values[match.group(1)]
        parts += [template[last : match.start()], f"({sql})"]
        params += found
        last = match.end()
    parts.append(template[last:])
    return "".join(parts), params


class _Missed(Expression):
    """True when the ticket's first response or resolution (``done``) did not meet its target:
    where ``sla_table`` says 0 in ``responded_in_time`` or ``resolved_in_time``."""

    conditional = True

    def __init__(self, done: str, holiday_days: list[int], targets: list[tuple[str, int]]) -> None:
        super().__init__(output_field=BooleanField())
        self.done, self.holiday_days, self.targets = done, holiday_days, targets
        self.sources = [_local_epoch(MOMENTS["opened"]), _local_epoch(MOMENTS[done]), F("priority")]

    def get_source_expressions(self) -> list:
        return self.sources

    def set_source_expressions(self, expressions) -> None:
        self.sources = list(expressions)

    def as_sql(self, compiler, connection):
        opened, done, priority = (compiler.compile(source) for source in self.sources)
        values = {}
        for prefix, epoch in (("opened", opened), (self.done, done)):
            position, ran = _position(prefix, self.holiday_days)
            values[f"{prefix}_pos"] = _fill(position, {f"{prefix}_epoch": epoch})
            values[f"{prefix}_ran"] = _fill(ran, {f"{prefix}_epoch": epoch})
        # The priority column comes before the priorities' parameters in the CASE.
        target, params = _fill(_target(self.targets, "ticket_priority"), {"ticket_priority": priority})
        values["target"] = (target, [*params, *(name for name, _seconds in self.targets)])
        # "< 1" rather than "= 0", the same for 0 or 1: the planner then expects a share of
        # the tickets rather than almost none, and reads a page in the index's order.
        return _fill(f"CASE WHEN {_met(self.done, 'target')} THEN 1 ELSE 0 END < 1", values)


def missed(done: str, *, holidays: list[date], targets: Targets) -> Expression:
    """A condition on a ticket's own row: its first response (``done`` "responded") or its
    resolution ("resolved") missed the target, as ``sla_table`` judges it with the same
    ``holidays`` and ``targets``."""
    return _Missed(done, [(holiday - EPOCH).days for holiday in holidays], targets[done])
