"""The start page: my open tasks and my newest customers, for every role."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CustomerFactory, TaskFactory


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_user_without_role_is_told_to_ask_for_one(client, no_role):
    client.force_login(no_role)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"no role yet" in response.content


@pytest.mark.parametrize(
    "persona",
    ["rep", "telemarketer", "marketer", "service_agent", "accountant", "manager", "admin_user"],
    indirect=True,
)
def test_every_role_gets_a_start_page(client, persona):
    client.force_login(persona)
    assert client.get(reverse("home")).status_code == 200


def test_shows_my_open_tasks_and_not_others(client, rep, teammate, customer):
    TaskFactory(customer=customer, assignee=rep, title="Call back about the renewal")
    TaskFactory(customer=customer, assignee=teammate, title="Teammate's own task")
    client.force_login(rep)
    content = client.get(reverse("home")).content.decode()
    assert "Call back about the renewal" in content
    assert "Teammate&#x27;s own task" not in content


def test_task_on_a_customer_i_cannot_open_is_listed_without_a_link(client, rep, other_team_rep):
    theirs = CustomerFactory(owner=other_team_rep, legal_name="Ferretería del Sur")
    TaskFactory(customer=theirs, assignee=rep, title="Help with the visit")
    client.force_login(rep)
    content = client.get(reverse("home")).content.decode()
    assert "Help with the visit" in content
    assert theirs.get_absolute_url() not in content


def test_query_count_does_not_grow_with_tasks_and_customers(client, rep):
    client.force_login(rep)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        return len(queries)

    CustomerFactory(owner=rep)
    TaskFactory(customer=CustomerFactory(owner=rep), assignee=rep)
    few = count()
    for _ in range(15):
        TaskFactory(customer=CustomerFactory(owner=rep), assignee=rep)
    assert count() == few
