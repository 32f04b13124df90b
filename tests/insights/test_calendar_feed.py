"""The private ICS feed: a valid calendar for Outlook and Google, behind a revocable secret address."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from contacts.models import Activity
from crm.accounts.feed_tokens import active_feed_token, issue_calendar_feed_token
from crm.accounts.models import CalendarFeedToken
from tests.factories import ActivityFactory, CustomerFactory, TaskFactory
from tests.helpers import text
from tests.leads.factories import LeadFactory

CALENDAR = reverse("insights:calendar")
ADDRESS = reverse("insights:calendar_feed_address")
NOW = datetime(2026, 3, 11, 13, 0, tzinfo=UTC)  # 8 in the morning in Bogotá


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def feed_url(token: str) -> str:
    return reverse("insights:calendar_feed", args=[token])


def parse(response) -> Calendar:
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_is_a_valid_calendar_with_the_users_entries(client, rep, customer):
    visit = ActivityFactory(
        customer=customer,
        user=rep,
        kind=Activity.Kind.VISIT,
        subject="Visita a Andina",
        notes="Llevar muestras",
        occurred_at=datetime(2026, 3, 12, 15, 0, tzinfo=UTC),
        duration_minutes=90,
    )
    TaskFactory(customer=customer, assignee=rep, title="Enviar catálogo", due_date=date(2026, 3, 13))
    LeadFactory(customer=customer, assigned_to=rep, callback_at=datetime(2026, 3, 11, 20, 0, tzinfo=UTC))
    token = issue_calendar_feed_token(user=rep).token

    response = client.get(feed_url(token))  # no log-in: calendar apps have no session

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = parse(response)
    assert calendar["version"] == "2.0"
    assert calendar["prodid"]
    found = events(calendar)
    assert set(found) == {
        "Visit: Visita a Andina",
        "Task: Enviar catálogo",
        "Callback: Call back Distribuidora Andina S.A.S.",
    }
    event = found["Visit: Visita a Andina"]
    assert event.decoded("dtstart") == datetime(2026, 3, 12, 15, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 3, 12, 16, 30, tzinfo=UTC)
    assert str(event["uid"]) == f"activity-{visit.pk}@127.0.0.1"
    assert str(event["url"]).endswith(customer.get_absolute_url())
    assert "Llevar muestras" in str(event["description"])
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(minutes=60)
    task = found["Task: Enviar catálogo"]
    assert task.decoded("dtstart") == date(2026, 3, 13)  # an all-day event
    assert task.decoded("dtend") == date(2026, 3, 14)
    for event in found.values():
        assert event["dtstamp"]


def test_any_text_reads_back_exactly_and_lines_stay_short(client, rep, customer):
    notes = "Llevar: muestras, catálogo; precios\\descuentos\r\nY también\x0c " + "ñandú " * 60
    ActivityFactory(
        customer=customer,
        user=rep,
        kind=Activity.Kind.MEETING,
        subject="Reunión, cierre; firma",
        notes=notes,
        occurred_at=NOW + timedelta(hours=2),
    )
    token = issue_calendar_feed_token(user=rep).token

    response = client.get(feed_url(token))

    body = response.content
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    body.decode()  # folding never splits a character
    [event] = parse(response).walk("VEVENT")
    assert str(event["summary"]) == "Meeting: Reunión, cierre; firma"
    name = customer.trade_name or customer.legal_name
    expected = notes.replace("\r\n", "\n").replace("\x0c", "")
    assert str(event["description"]) == f"{name}\n{rep}\n{expected}"
    assert "VALARM" not in body.decode()  # only visits have an alarm


def test_every_event_keeps_its_uid_from_one_download_to_the_next(client, rep, customer):
    ActivityFactory(
        customer=customer, user=rep, kind=Activity.Kind.MEETING, occurred_at=NOW + timedelta(days=1)
    )
    token = issue_calendar_feed_token(user=rep).token

    first = [str(event["uid"]) for event in parse(client.get(feed_url(token))).walk("VEVENT")]
    second = [str(event["uid"]) for event in parse(client.get(feed_url(token))).walk("VEVENT")]

    assert first == second
    assert len(first) == 1


def test_the_feed_holds_only_the_owners_entries_on_records_they_may_see(
    client, rep, teammate, other_team_rep
):
    ActivityFactory(
        customer=CustomerFactory(owner=rep), user=rep, kind="visit", subject="Mía", occurred_at=NOW
    )
    ActivityFactory(
        customer=CustomerFactory(owner=teammate),
        user=teammate,
        kind="visit",
        subject="Del compañero",
        occurred_at=NOW,
    )
    # A visit the rep logged on a customer since handed to another team.
    ActivityFactory(
        customer=CustomerFactory(owner=other_team_rep),
        user=rep,
        kind="visit",
        subject="Ajena",
        occurred_at=NOW,
    )
    token = issue_calendar_feed_token(user=rep).token

    assert set(events(parse(client.get(feed_url(token))))) == {"Visit: Mía"}


def test_a_new_address_revokes_the_old_one(client, rep):
    old = issue_calendar_feed_token(user=rep).token
    client.force_login(rep)

    response = client.post(ADDRESS, {"action": "new"}, follow=True)

    new = active_feed_token(rep).token
    assert new != old
    assert CalendarFeedToken.objects.filter(user=rep).count() == 2
    assert "any previous one no longer works" in text(response)
    assert f"/insights/calendar/{new}.ics" in text(response)
    anonymous = Client()
    assert anonymous.get(feed_url(old)).status_code == 404
    assert anonymous.get(feed_url(new)).status_code == 200


def test_turning_the_address_off_stops_it(client, rep):
    token = issue_calendar_feed_token(user=rep).token
    client.force_login(rep)

    client.post(ADDRESS, {"action": "off"})

    assert active_feed_token(rep) is None
    assert Client().get(feed_url(token)).status_code == 404
    assert "Create my private address" in text(client.get(CALENDAR))


def test_unknown_tokens_and_deactivated_users_get_404(client, rep):
    token = issue_calendar_feed_token(user=rep).token
    assert client.get(feed_url("not-a-real-token")).status_code == 404
    assert client.get(f"/insights/calendar/{token}.ics.bak").status_code == 404
    rep.is_active = False
    rep.save()
    assert client.get(feed_url(token)).status_code == 404


def test_a_user_without_a_role_gets_an_empty_calendar(client, no_role):
    token = issue_calendar_feed_token(user=no_role).token
    response = client.get(feed_url(token))
    assert response.status_code == 200
    assert events(parse(response)) == {}


def test_only_people_with_a_role_may_make_an_address(client, no_role):
    client.force_login(no_role)
    assert client.post(ADDRESS, {"action": "new"}).status_code == 403
    assert not CalendarFeedToken.objects.exists()
    assert Client().post(ADDRESS, {"action": "new"}).status_code == 302  # to the log-in page


def test_making_an_address_needs_a_post(client, rep):
    client.force_login(rep)
    assert client.get(ADDRESS).status_code == 405


def test_each_user_has_at_most_one_live_address(rep):
    for _ in range(3):
        issue_calendar_feed_token(user=rep)
    assert CalendarFeedToken.objects.filter(user=rep, revoked_at__isnull=True).count() == 1


def test_the_feed_costs_the_same_for_more_entries(client, rep, django_assert_max_num_queries):
    def fill(count: int) -> None:
        for number in range(count):
            customer = CustomerFactory(owner=rep)
            ActivityFactory(
                customer=customer, user=rep, kind="visit", occurred_at=NOW + timedelta(days=number)
            )
            TaskFactory(
                customer=customer, assignee=rep, due_date=timezone.localdate() + timedelta(days=number)
            )
            LeadFactory(customer=customer, assigned_to=rep, callback_at=NOW + timedelta(hours=number))

    fill(2)
    url = feed_url(issue_calendar_feed_token(user=rep).token)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    fill(20)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert len(parse(response).walk("VEVENT")) == 66


def test_the_feed_speaks_the_users_language(client, rep, customer):
    rep.language = "es"
    rep.save()
    ActivityFactory(customer=customer, user=rep, kind="visit", subject="Ver bodega", occurred_at=NOW)
    token = issue_calendar_feed_token(user=rep).token

    assert set(events(parse(client.get(feed_url(token))))) == {"Visita: Ver bodega"}


def test_an_overfull_past_never_pushes_out_what_is_ahead(client, rep, customer, monkeypatch):
    monkeypatch.setattr("crm.insights.calendar.entries.LIMIT", 3)
    for day in range(1, 6):
        ActivityFactory(
            customer=customer,
            user=rep,
            kind=Activity.Kind.VISIT,
            subject=f"Visita pasada {day}",
            occurred_at=NOW - timedelta(days=day),
        )
    ActivityFactory(
        customer=customer,
        user=rep,
        kind=Activity.Kind.VISIT,
        subject="Visita de mañana",
        occurred_at=NOW + timedelta(days=1),
    )
    token = issue_calendar_feed_token(user=rep).token

    found = events(parse(client.get(feed_url(token))))

    assert "Visit: Visita de mañana" in found
    assert len([name for name in found if "pasada" in name]) == 3
