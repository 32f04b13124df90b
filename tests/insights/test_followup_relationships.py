"""The relationship page: managers see, per rep, the customers overdue for their follow-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.insights.followup.models import FollowUpRule
from crm.insights.followup.periods import months_after, months_before
from tests.factories import CustomerFactory, TaskFactory, UserFactory
from tests.helpers import text
from tests.insights.followup_data import activity, sale

URL = reverse("insights:relationships")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def overdue_task(customer, days: int, **kwargs):
    return TaskFactory(customer=customer, due_date=timezone.localdate() - timedelta(days=days), **kwargs)


def test_overdue_tasks_are_listed_per_rep_most_overdue_first(manager_client, rep, teammate, customer):
    overdue_task(customer, 3, title="Llamar por la renovación")
    overdue_task(customer, 10, title="Revisar el producto")
    other = CustomerFactory(owner=teammate, legal_name="Ferretería El Tornillo")
    overdue_task(other, 5)
    TaskFactory(customer=other, due_date=timezone.localdate())  # due today: not overdue yet
    TaskFactory(customer=other, due_date=timezone.localdate() - timedelta(days=30), done_at=timezone.now())

    response = manager_client.get(URL)

    assert response.status_code == 200
    page = text(response)
    assert page.index("Distribuidora Andina") < page.index("Ferretería El Tornillo")
    assert "Revisar el producto" in page  # the oldest of the customer's overdue tasks
    assert f'data-testid="days-{customer.pk}">10<' in page
    assert f'data-testid="days-{other.pk}">5<' in page
    summary = response.context["summary"]
    assert [(rep.name, rep.customers, rep.tasks, rep.days_overdue) for rep in summary] == [
        (str(rep), 1, 2, 10),
        (str(teammate), 1, 1, 5),
    ]


def test_after_sale_contacts_nobody_has_are_listed_with_no_owner_first(manager_client, rep, today):
    unowned = CustomerFactory(owner=None, legal_name="Sin Dueño Ltda.")
    sale(unowned, months_before(today, 5))
    forgotten = CustomerFactory(owner=rep, legal_name="Olvidada S.A.S.")
    sale(forgotten, months_before(today, 4))
    on_a_list = CustomerFactory(owner=rep, legal_name="Con Tarea S.A.S.")
    sale(on_a_list, months_before(today, 4))
    TaskFactory(customer=on_a_list, due_date=today + timedelta(days=3))
    called = CustomerFactory(owner=rep, legal_name="Llamada Hace Poco")
    sale(called, months_before(today, 4))
    activity(called, today - timedelta(days=10))
    recent = CustomerFactory(owner=rep, legal_name="Compra Reciente")
    sale(recent, today - timedelta(days=20))

    response = manager_client.get(URL, {"show": "after_sale"})

    page = text(response)
    assert "Sin Dueño Ltda." in page
    assert "Olvidada S.A.S." in page
    assert page.index("Sin Dueño Ltda.") < page.index("Olvidada S.A.S.")
    for name in ["Con Tarea", "Llamada Hace Poco", "Compra Reciente"]:
        assert name not in page
    due_since = months_after(months_before(today, 5), 3)
    assert f'data-testid="days-{unowned.pk}">{(today - due_since).days}<' in page
    no_owner = next(rep for rep in response.context["summary"] if rep.rep_id is None)
    assert no_owner.after_sale == 1


def test_a_rep_who_left_is_marked_so_their_customers_are_handed_over(manager_client, north):
    gone = UserFactory(username="gone", team=north, is_active=False)
    customer = CustomerFactory(owner=gone)
    overdue_task(customer, 4, assignee=gone)

    page = text(manager_client.get(URL))

    assert "left the company" in page


def test_the_page_filters_by_rep_and_sorts(manager_client, rep, teammate, customer):
    overdue_task(customer, 3)
    other = CustomerFactory(owner=teammate, legal_name="Aaa Primera")
    overdue_task(other, 1)

    by_rep = text(manager_client.get(URL, {"rep": teammate.pk}))
    by_name = manager_client.get(URL, {"sort": "customer"})

    assert "Aaa Primera" in by_rep.split('id="relationship-rows"')[1]
    assert "Distribuidora Andina" not in by_rep.split('id="relationship-rows"')[1]
    rows = text(by_name).split('id="relationship-rows"')[1]
    assert rows.index("Aaa Primera") < rows.index("Distribuidora Andina")


def test_the_no_owner_filter_shows_customers_without_owner(manager_client, rep, today):
    sale(CustomerFactory(owner=None, legal_name="Huérfana S.A."), months_before(today, 4))
    sale(CustomerFactory(owner=rep, legal_name="Con Dueño S.A."), months_before(today, 4))

    rows = text(manager_client.get(URL, {"show": "after_sale", "rep": "none"})).split(
        'id="relationship-rows"'
    )[1]

    assert "Huérfana S.A." in rows
    assert "Con Dueño S.A." not in rows


@pytest.mark.parametrize(
    "params", [{"rep": "abc"}, {"sort": "zzz"}, {"show": "everything"}, {"page": "-3"}, {"rep": "999999"}]
)
def test_a_bad_address_gets_a_message_and_the_default_list(manager_client, customer, params):
    overdue_task(customer, 2)

    response = manager_client.get(URL, params)

    assert response.status_code == 200
    assert "Distribuidora Andina" in text(response)
    if "page" not in params:
        assert "Part of this address is not valid" in text(response)


def test_with_the_after_sale_rule_off_the_tab_says_so(manager_client):
    FollowUpRule.objects.filter(kind="after_sale").update(is_active=False)

    page = text(manager_client.get(URL, {"show": "after_sale"}))

    assert "The after-sale rule is switched off" in page


def test_renders_in_spanish(manager_client, customer, today):
    overdue_task(customer, 2)
    sale(CustomerFactory(owner=None), months_before(today, 4))

    for show in ["tasks", "after_sale"]:
        response = manager_client.get(URL, {"show": show}, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200
        assert '<html lang="es"' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 200),
        ("admin_user", 200),
        ("rep", 403),
        ("telemarketer", 403),
        ("marketer", 403),
        ("accountant", 403),
        ("service_agent", 403),
        ("no_role", 403),
    ],
    indirect=["persona"],
)
def test_only_managers_and_admins_open_the_page(client, persona, status):
    client.force_login(persona)

    assert client.get(URL).status_code == status


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_navbar_links_the_page_for_managers_only(client, manager, rep):
    client.force_login(manager)
    assert URL in text(client.get(reverse("home")))
    client.force_login(rep)
    assert URL not in text(client.get(reverse("home")))


def _overdue_world(reps, count: int, today) -> None:
    for number in range(count):
        owner = reps[number % len(reps)]
        customer = CustomerFactory(owner=owner if number % 3 else None)
        sale(customer, months_before(today, 4 + number % 5))
        if customer.owner:
            overdue_task(customer, 1 + number % 20, assignee=owner)
            activity(customer, months_before(today, 6))


@pytest.mark.parametrize("show", ["tasks", "after_sale"])
def test_queries_stay_the_same_for_ten_and_a_hundred_customers(manager_client, rep, teammate, today, show):
    _overdue_world([rep, teammate], 10, today)
    with CaptureQueriesContext(connection) as few:
        assert manager_client.get(URL, {"show": show}).status_code == 200

    _overdue_world([rep, teammate, UserFactory()], 90, today)
    with CaptureQueriesContext(connection) as many:
        response = manager_client.get(URL, {"show": show})

    assert len(response.context["page_obj"].object_list) > 10
    assert len(many.captured_queries) == len(few.captured_queries) <= 12
