"""The SQL business clock judges every ticket as the ticket page (``service.sla``) does."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from crm.insights.reports.business_clock import (
    holidays_since,
    missed,
    policy_targets,
    position_at,
    sla_table,
)
from service import sla
from service.models import Holiday, SlaPolicy, Ticket
from tests.service.factories import TicketFactory

pytestmark = pytest.mark.django_db
BOG = ZoneInfo("America/Bogota")
# Hours to the first response and to the resolution, per priority: zero, fractions, days.
TARGETS = {
    Ticket.Priority.LOW: ("0", "10"),
    Ticket.Priority.NORMAL: ("4", "20"),
    Ticket.Priority.HIGH: ("1.5", "8"),
    Ticket.Priority.URGENT: ("0.25", "3.33"),
}


@pytest.fixture
def policies():
    for priority, (response, resolution) in TARGETS.items():
        SlaPolicy.objects.create(
            priority=priority, first_response_hours=Decimal(response), resolution_hours=Decimal(resolution)
        )


def python_verdicts(ticket: Ticket, holidays: set[date]) -> tuple[bool, bool]:
    response, resolution = (float(hours) for hours in TARGETS[ticket.priority])
    common = {"opened_at": ticket.opened_at, "now": ticket.opened_at, "holidays": holidays}
    return (
        sla.target(hours=response, done_at=ticket.first_response_at, **common).met,
        sla.target(hours=resolution, done_at=ticket.resolved_at, **common).met,
    )


def table_rows(columns: str) -> list[tuple]:
    table, params = sla_table(Ticket.objects.all())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {columns} FROM ({table}) sla", params)  # noqa: S608
        return cursor.fetchall()


def sql_verdicts() -> dict[int, tuple[bool, bool]]:
    rows = table_rows("responded_in_time, resolved_in_time")
    return {pk: (response == 1, resolution == 1) for pk, response, resolution in rows}


def edge_tickets() -> list[Ticket]:
    """Deadlines at closing time, work done at, just after and long after them, and at night."""
    friday_14 = datetime(2026, 3, 6, 14, tzinfo=BOG)  # NORMAL: first response due Friday 18:00
    saturday_night = datetime(2026, 3, 7, 22, tzinfo=BOG)  # LOW: resolution due Monday 18:00
    made = [
        (Ticket.Priority.NORMAL, friday_14, friday_14 + timedelta(hours=4), None),
        (Ticket.Priority.NORMAL, friday_14, friday_14 + timedelta(hours=4, minutes=30), None),
        (Ticket.Priority.NORMAL, friday_14, datetime(2026, 3, 9, 8, tzinfo=BOG), None),
        (Ticket.Priority.NORMAL, friday_14, datetime(2026, 3, 9, 8, 0, 1, tzinfo=BOG), None),
        (Ticket.Priority.LOW, saturday_night, saturday_night + timedelta(hours=1), None),
        (Ticket.Priority.LOW, saturday_night, datetime(2026, 3, 9, 8, tzinfo=BOG), None),
        (Ticket.Priority.LOW, saturday_night, datetime(2026, 3, 9, 8, 1, tzinfo=BOG), None),
        (
            Ticket.Priority.LOW,
            saturday_night,
            datetime(2026, 3, 9, 9, tzinfo=BOG),
            datetime(2026, 3, 9, 18, tzinfo=BOG),
        ),
        (
            Ticket.Priority.LOW,
            saturday_night,
            datetime(2026, 3, 9, 9, tzinfo=BOG),
            datetime(2026, 3, 9, 18, 30, tzinfo=BOG),
        ),
        (
            Ticket.Priority.LOW,
            datetime(2026, 3, 6, 18, tzinfo=BOG),
            datetime(2026, 3, 6, 19, tzinfo=BOG),
            None,
        ),
    ]
    return [
        TicketFactory(priority=priority, opened_at=opened, first_response_at=responded, resolved_at=resolved)
        for priority, opened, responded, resolved in made
    ]


def random_tickets(count: int) -> list[Ticket]:
    rng = random.Random(20260301)
    start = datetime(2026, 2, 23, tzinfo=BOG)  # a Monday
    tickets = []
    for _index in range(count):
        opened = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 21))
        responded = opened + timedelta(minutes=rng.randrange(0, 60 * 24 * 3)) if rng.random() < 0.8 else None
        resolved = opened + timedelta(minutes=rng.randrange(0, 60 * 24 * 8)) if rng.random() < 0.7 else None
        tickets.append(
            TicketFactory(
                priority=rng.choice(list(TARGETS)),
                opened_at=opened,
                first_response_at=responded,
                resolved_at=resolved,
            )
        )
    return tickets


@pytest.mark.parametrize("with_holidays", [False, True], ids=["no holidays", "holidays"])
def test_sql_verdicts_match_the_ticket_page(policies, with_holidays):
    holidays: set[date] = set()
    if with_holidays:
        # A Monday, a Thursday and a Sunday (which changes nothing); one before every
        # ticket, which the SQL leaves out and which changes nothing either.
        for day in (date(2026, 3, 9), date(2026, 3, 12), date(2026, 3, 1), date(2025, 12, 25)):
            Holiday.objects.create(date=day)
            holidays.add(day)
    tickets = edge_tickets() + random_tickets(150)

    found = sql_verdicts()

    expected = {ticket.pk: python_verdicts(ticket, holidays) for ticket in tickets}
    differences = {pk: (found[pk], expected[pk]) for pk in expected if found[pk] != expected[pk]}
    assert not differences
    # The data set exercises both outcomes of both targets.
    assert {verdict[0] for verdict in expected.values()} == {True, False}
    assert {verdict[1] for verdict in expected.values()} == {True, False}


def test_the_edges_are_judged_like_the_ticket_page(policies):
    tickets = edge_tickets()

    found = sql_verdicts()

    # Friday 14:00 + 4 business hours is due at 18:00: done at 18:00 is in time, at 18:30 or
    # on Monday at 8:00 (no business time later) it is late.
    assert [found[ticket.pk][0] for ticket in tickets[:4]] == [True, False, False, False]
    # Opened on Saturday night with a target of 0 h: due when the office opens on Monday.
    assert [found[ticket.pk][0] for ticket in tickets[4:7]] == [True, True, False]
    # Ten business hours from Saturday night: due Monday 18:00.
    assert [found[ticket.pk][1] for ticket in tickets[7:9]] == [True, False]
    # Opened at closing time, answered that evening: before the office opened again.
    assert found[tickets[9].pk][0] is True


def test_tickets_without_a_policy_or_not_done_are_not_in_time():
    ticket = TicketFactory(priority=Ticket.Priority.HIGH, first_response_at=None, resolved_at=None)

    assert sql_verdicts()[ticket.pk] == (False, False)


@pytest.mark.parametrize("with_holidays", [False, True], ids=["no holidays", "holidays"])
def test_the_python_clock_stands_where_the_sql_clock_does(with_holidays):
    if with_holidays:
        for day in (date(2026, 3, 9), date(2026, 3, 12), date(2026, 3, 1)):
            Holiday.objects.create(date=day)
    tickets = edge_tickets() + random_tickets(60)

    holidays = holidays_since(None)
    positions = dict(table_rows("opened_pos"))

    assert {ticket.pk: position_at(ticket.opened_at, holidays) for ticket in tickets} == positions


@pytest.mark.parametrize("with_holidays", [False, True], ids=["no holidays", "holidays"])
def test_the_verdict_on_a_tickets_own_row_is_the_tables(policies, with_holidays):
    if with_holidays:
        for day in (date(2026, 3, 9), date(2026, 3, 12), date(2026, 3, 1)):
            Holiday.objects.create(date=day)
    edge_tickets()
    random_tickets(150)
    TicketFactory(priority=Ticket.Priority.HIGH, first_response_at=None, resolved_at=None)  # no policy
    verdicts = sql_verdicts()
    holidays, targets = holidays_since(None), policy_targets()

    for index, done in enumerate(("responded", "resolved")):
        late = Ticket.objects.filter(missed(done, holidays=holidays, targets=targets))

        assert set(late.values_list("pk", flat=True)) == {
            pk for pk, found in verdicts.items() if not found[index]
        }
    # Both verdicts of both kinds are in the data set.
    assert {verdict for pair in verdicts.values() for verdict in pair} == {True, False}
