"""The calendar page: visits, meetings, tasks and callbacks by month, week and day, per person and team."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Activity
from crm.insights.calendar import entries as calendar_entries
from crm.insights.calendar import views as calendar_views
from leads.models import Lead
from tests.factories import ActivityFactory, CustomerFactory, TaskFactory
from tests.helpers import text
from tests.leads.factories import LeadFactory

CALENDAR = reverse("insights:calendar")
# A Wednesday in the middle of a month, at 8 in the morning in Bogotá.
BOGOTA = ZoneInfo("America/Bogota")
NOW = datetime(2026, 3, 11, 8, 0, tzinfo=BOGOTA)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BOGOTA)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def entries(response) -> list[str]:
    found = re.findall(r'data-testid="calendar-entry">(.*?)</a>', text(response), re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", entry)).strip() for entry in found]


def visit(user, customer, when: datetime, subject: str, kind=Activity.Kind.VISIT) -> Activity:
    return ActivityFactory(customer=customer, user=user, kind=kind, subject=subject, occurred_at=when)


def test_a_reps_month_shows_visits_meetings_tasks_and_callbacks(rep, telemarketer, customer):
    today = NOW.date()
    visit(rep, customer, at(today, 10), "Visita a Andina")
    visit(rep, customer, at(today + timedelta(days=2), 15, 30), "Reunión de cierre", Activity.Kind.MEETING)
    visit(rep, customer, at(today, 9), "Llamada de seguimiento", Activity.Kind.CALL)  # not an appointment
    TaskFactory(customer=customer, assignee=rep, title="Enviar catálogo", due_date=today + timedelta(days=1))
    LeadFactory(customer=customer, assigned_to=rep, callback_at=at(today, 16))

    response = client_for(rep).get(CALENDAR)

    assert response.status_code == 200
    shown = entries(response)
    assert shown == [
        "10 a.m. Visita a Andina",
        "4 p.m. Call back Distribuidora Andina S.A.S.",
        "Enviar catálogo",
        "3:30 p.m. Reunión de cierre",
    ]
    assert "March 2026" in text(response)


def test_week_and_day_views_show_their_period_and_link_to_their_neighbours(rep, customer):
    today = NOW.date()
    visit(rep, customer, at(today, 10), "Visita de hoy")
    visit(rep, customer, at(today + timedelta(days=7), 10), "Visita la semana próxima")

    week = client_for(rep).get(CALENDAR, {"view": "week", "date": "2026-03-11"})
    day = client_for(rep).get(CALENDAR, {"view": "day", "date": "2026-03-11"})
    next_week = client_for(rep).get(CALENDAR, {"view": "week", "date": "2026-03-18"})

    assert [e for e in entries(week) if "Visita" in e] == [e for e in entries(week) if "hoy" in e]
    assert any("Visita de hoy" in entry for entry in entries(day))
    assert any("Visita la semana próxima" in entry for entry in entries(next_week))
    assert "?view=week&date=2026-03-04&show=me" in text(week)  # previous
    assert "?view=week&date=2026-03-18&show=me" in text(week)  # next
    assert "?view=day&date=2026-03-10&show=me" in text(day)


def test_a_month_cell_shows_four_entries_and_links_to_the_rest(rep, customer):
    today = NOW.date()
    for hour in range(8, 14):
        visit(rep, customer, at(today, hour), f"Visita {hour}")

    response = client_for(rep).get(CALENDAR)

    assert len([entry for entry in entries(response) if "Visita" in entry]) == 4
    assert "2 more" in text(response)


def test_a_full_day_shows_its_first_entries_and_counts_every_other_one(rep, telemarketer, customer):
    today = NOW.date()
    for hour in range(8, 15):
        visit(rep, customer, at(today, hour), f"Visita {hour}")
    for number in range(3):
        TaskFactory(customer=customer, assignee=rep, title=f"Tarea {number}", due_date=today)
    LeadFactory(customer=customer, assigned_to=rep, callback_at=at(today, 7))

    shown = entries(client_for(rep).get(CALENDAR))

    # Tasks (all day) first, then by time: the 7 o'clock callback before the visits.
    assert shown == ["Tarea 0", "Tarea 1", "Tarea 2", "7 a.m. Call back Distribuidora Andina S.A.S."]
    assert "7 more" in text(client_for(rep).get(CALENDAR))


def test_an_overfull_month_shows_every_day_with_its_count(rep, customer, monkeypatch):
    # Far more entries than a list reads (LIMIT) on the 2nd: the later days still show.
    monkeypatch.setattr(calendar_entries, "LIMIT", 3)
    first = NOW.date().replace(day=2)
    for minute in range(0, 50, 5):
        visit(rep, customer, at(first, 9, minute), f"Temprano {minute}")
    visit(rep, customer, at(NOW.date().replace(day=20), 10), "Visita del 20")

    response = client_for(rep).get(CALENDAR)

    shown = entries(response)
    assert [entry for entry in shown if "Temprano" in entry] == [
        "9 a.m. Temprano 0",
        "9:05 a.m. Temprano 5",
        "9:10 a.m. Temprano 10",
        "9:15 a.m. Temprano 15",
    ]
    assert "10 a.m. Visita del 20" in shown
    assert "6 more" in text(response)
    assert 'data-testid="calendar-truncated"' not in response.content.decode()


def test_a_full_day_of_the_week_links_to_the_rest(rep, customer, monkeypatch):
    monkeypatch.setattr(calendar_views, "WEEK_DAY_ENTRIES", 2)
    for hour in range(8, 13):
        visit(rep, customer, at(NOW.date(), hour), f"Visita {hour}")
    visit(rep, customer, at(NOW.date() + timedelta(days=1), 9), "Visita de mañana")

    response = client_for(rep).get(CALENDAR, {"view": "week"})

    assert entries(response) == ["8 a.m. Visita 8", "9 a.m. Visita 9", "9 a.m. Visita de mañana"]
    assert "3 more" in text(response)
    assert '?view=day&amp;date=2026-03-11&amp;show=me">3 more' in response.content.decode()


def test_tasks_on_customers_of_another_team(rep, teammate, other_team_rep, customer):
    elsewhere = CustomerFactory(owner=other_team_rep)
    # A task assigned to the rep is the rep's to see, whoever owns the customer.
    TaskFactory(customer=elsewhere, assignee=rep, title="Mía en el sur", due_date=NOW.date())
    TaskFactory(customer=elsewhere, assignee=teammate, title="Del compañero en el sur", due_date=NOW.date())
    TaskFactory(customer=customer, assignee=teammate, title="Del compañero aquí", due_date=NOW.date())
    client = client_for(rep)

    mine = entries(client.get(CALENDAR))
    team = entries(client.get(CALENDAR, {"show": f"team-{rep.team_id}"}))
    teammates = entries(client.get(CALENDAR, {"show": f"user-{teammate.pk}", "view": "day"}))

    assert mine == ["Mía en el sur"]
    assert sorted(team) == [f"Del compañero aquí · {teammate}", f"Mía en el sur · {rep}"]
    assert teammates == ["Del compañero aquí"]


@pytest.mark.parametrize(
    "params",
    [
        {"view": "year"},
        {"date": "2026-13-45"},
        {"date": "mañana"},
        {"show": "user-999999"},
        {"show": "team-abc"},
        {"date": "99999-01-01"},
    ],
)
def test_bad_parameters_are_reported_and_the_default_shown(rep, customer, params):
    visit(rep, customer, at(NOW.date(), 10), "Visita de hoy")

    response = client_for(rep).get(CALENDAR, params)

    assert response.status_code == 200
    assert 'data-testid="calendar-errors"' in response.content.decode()
    assert any("Visita de hoy" in entry for entry in entries(response))


def test_a_rep_sees_their_team_but_not_another_team(rep, teammate, other_team_rep, customer):
    visit(teammate, CustomerFactory(owner=teammate), at(NOW.date(), 11), "Visita del compañero")
    visit(other_team_rep, CustomerFactory(owner=other_team_rep), at(NOW.date(), 12), "Visita del sur")
    client = client_for(rep)

    mine = client.get(CALENDAR)
    team = client.get(CALENDAR, {"show": f"team-{rep.team_id}"})
    teammates = client.get(CALENDAR, {"show": f"user-{teammate.pk}"})
    other = client.get(CALENDAR, {"show": f"user-{other_team_rep.pk}"})
    other_team = client.get(CALENDAR, {"show": f"team-{other_team_rep.team_id}"})

    assert not any("compañero" in entry for entry in entries(mine))
    assert any("Visita del compañero" in entry and str(teammate) in entry for entry in entries(team))
    assert any("Visita del compañero" in entry for entry in entries(teammates))
    for response in (mine, team, teammates, other, other_team):
        assert not any("Visita del sur" in entry for entry in entries(response))
    # Choosing a calendar one may not open is refused like any bad choice.
    assert 'data-testid="calendar-errors"' in other.content.decode()
    assert f'value="user-{other_team_rep.pk}"' not in mine.content.decode()


def test_a_manager_sees_any_team(manager, rep, other_team_rep):
    visit(other_team_rep, CustomerFactory(owner=other_team_rep), at(NOW.date(), 12), "Visita del sur")

    response = client_for(manager).get(CALENDAR, {"show": f"team-{other_team_rep.team_id}"})

    assert any("Visita del sur" in entry for entry in entries(response))
    assert "Team South" in text(response)


def test_entries_on_customers_the_viewer_cannot_see_stay_hidden(rep, teammate, other_team_rep):
    # The teammate visits a customer of another team: the rep may see the teammate's calendar,
    # but not that customer's records.
    visit(teammate, CustomerFactory(owner=other_team_rep), at(NOW.date(), 11), "Visita ajena")
    response = client_for(rep).get(CALENDAR, {"show": f"user-{teammate.pk}"})
    assert not any("Visita ajena" in entry for entry in entries(response))


def test_closed_leads_callbacks_are_not_shown(telemarketer, customer):
    LeadFactory(customer=customer, assigned_to=telemarketer, callback_at=at(NOW.date(), 9))
    LeadFactory(
        customer=CustomerFactory(legal_name="Cerrado S.A.S."),
        assigned_to=telemarketer,
        callback_at=at(NOW.date(), 10),
        status=Lead.Status.DISQUALIFIED,
    )

    shown = entries(client_for(telemarketer).get(CALENDAR, {"view": "day"}))

    assert any("Distribuidora Andina" in entry for entry in shown)
    assert not any("Cerrado" in entry for entry in shown)


def test_who_may_open_the_calendar(client, no_role, rep):
    assert client.get(CALENDAR).status_code == 302
    client.force_login(no_role)
    assert client.get(CALENDAR).status_code == 403
    client.force_login(rep)
    assert client.get(CALENDAR).status_code == 200
    navbar = client.get(reverse("accounts:notifications")).content.decode()
    assert f'href="{CALENDAR}"' in navbar


@pytest.mark.parametrize("view", ["month", "week", "day"])
def test_the_calendar_costs_the_same_for_more_entries(
    manager, rep, teammate, view, django_assert_max_num_queries
):
    def fill(count: int) -> None:
        for number in range(count):
            person = rep if number % 2 else teammate
            customer = CustomerFactory(owner=person)
            visit(person, customer, at(NOW.date(), 8 + number % 10), f"Visita {number}")
            TaskFactory(customer=customer, assignee=person, due_date=NOW.date())
            LeadFactory(customer=customer, assigned_to=person, callback_at=at(NOW.date(), 9))

    fill(2)
    client = client_for(manager)
    params = {"view": view, "show": f"team-{rep.team_id}"}
    with CaptureQueriesContext(connection) as few:
        client.get(CALENDAR, params)
    fill(20)
    with django_assert_max_num_queries(len(few)):
        response = client.get(CALENDAR, params)
    assert response.status_code == 200


def test_the_calendar_renders_in_spanish(rep, customer):
    visit(rep, customer, at(NOW.date(), 15, 30), "Visita a Andina")
    response = client_for(rep).get(CALENDAR, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()
    assert "marzo de 2026" in text(response).lower()
    assert entries(response) == ["15:30 Visita a Andina"]


def test_entry_texts_are_escaped(rep, teammate, customer):
    visit(rep, customer, at(NOW.date(), 10), "<b>Visita</b> & cía")

    for view in ("month", "week", "day"):
        page = client_for(teammate).get(CALENDAR, {"view": view, "show": f"team-{rep.team_id}"})
        assert "&lt;b&gt;Visita&lt;/b&gt; &amp; cía" in page.content.decode()
        assert "<b>Visita</b>" not in page.content.decode()


def test_done_tasks_leave_the_calendar(rep, customer):
    task = TaskFactory(customer=customer, assignee=rep, title="Enviar catálogo", due_date=NOW.date())
    client = client_for(rep)
    assert "Enviar catálogo" in entries(client.get(CALENDAR))

    client.post(reverse("contacts:task_complete", args=[task.pk]))

    assert "Enviar catálogo" not in entries(client.get(CALENDAR))


def test_a_period_with_too_many_entries_says_so(rep, customer, monkeypatch):
    monkeypatch.setattr(calendar_entries, "LIMIT", 3)
    for hour in range(8, 12):
        visit(rep, customer, at(NOW.date(), hour), f"Visita {hour}")

    response = client_for(rep).get(CALENDAR, {"view": "day"})

    assert len(entries(response)) == 3
    assert 'data-testid="calendar-truncated"' in response.content.decode()
