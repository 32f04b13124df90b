"""Who sees which customer: a matrix of role × page, answered by one queryset method."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Activity, Contact, Customer, Task
from tests.factories import ActivityFactory, ContactFactory, CustomerFactory, TaskFactory

PAGES = [
    "contacts:customer_detail",
    "contacts:customer_update",
    "contacts:activity_create",
    "contacts:task_create",
    "contacts:contact_create",
    "contacts:timeline",
]

SEES_NORTH_CUSTOMER = {
    "rep": True,  # owner
    "teammate": True,  # same team
    "telemarketer": True,  # same team
    "other_team_rep": False,
    "service_agent": False,  # team South
    "manager": True,
    "admin_user": True,
    "marketer": True,
    "accountant": True,
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("persona", "sees"), SEES_NORTH_CUSTOMER.items(), indirect=["persona"])
def test_customer_pages_by_role(client, customer, persona, sees, page):
    client.force_login(persona)
    response = client.get(reverse(page, args=[customer.pk]))
    assert response.status_code == (200 if sees else 404)


@pytest.mark.parametrize("page", PAGES)
def test_user_without_role_is_refused(client, customer, no_role, page):
    client.force_login(no_role)
    assert client.get(reverse(page, args=[customer.pk])).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, customer, page):
    response = client.get(reverse(page, args=[customer.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_visible_to_limits_every_hub_queryset(rep, teammate, other_team_rep, manager):
    mine = CustomerFactory(owner=rep)
    team_owned = CustomerFactory(owner=None, team=rep.team)
    theirs = CustomerFactory(owner=other_team_rep)
    for customer in (mine, team_owned, theirs):
        ContactFactory(customer=customer)
        ActivityFactory(customer=customer, user=rep)
        TaskFactory(customer=customer, assignee=manager)

    assert set(Customer.objects.visible_to(rep)) == {mine, team_owned}
    assert set(Customer.objects.visible_to(teammate)) == {mine, team_owned}
    assert set(Customer.objects.visible_to(other_team_rep)) == {theirs}
    assert Customer.objects.visible_to(manager).count() == 3
    assert {c.customer for c in Contact.objects.visible_to(rep)} == {mine, team_owned}
    assert {a.customer for a in Activity.objects.visible_to(other_team_rep)} == {theirs}
    assert {t.customer for t in Task.objects.visible_to(rep)} == {mine, team_owned}


def test_a_task_assigned_to_someone_is_visible_to_them(rep, other_team_rep):
    theirs = CustomerFactory(owner=other_team_rep)
    task = TaskFactory(customer=theirs, assignee=rep)
    assert list(Task.objects.visible_to(rep)) == [task]


def test_the_tasks_of_some_people_are_those_visible_among_theirs(
    rep, teammate, other_team_rep, manager, no_role
):
    mine, theirs = CustomerFactory(owner=rep), CustomerFactory(owner=other_team_rep)
    for customer in (mine, theirs):
        for person in (rep, teammate, other_team_rep):
            TaskFactory(customer=customer, assignee=person)
    people = [[rep.pk], [teammate.pk], [rep.pk, teammate.pk, other_team_rep.pk], []]

    for user in (rep, teammate, other_team_rep, manager, no_role):
        for assignees in people:
            expected = set(Task.objects.visible_to(user).filter(assignee__in=assignees))
            assert set(Task.objects.assigned_visible_to(user, assignees)) == expected


def test_customer_list_shows_only_visible_customers(client, rep, other_team_rep):
    CustomerFactory(owner=rep, legal_name="Mine Ltda")
    CustomerFactory(owner=other_team_rep, legal_name="Theirs Ltda")
    client.force_login(rep)
    response = client.get(reverse("contacts:customer_list"))
    assert b"Mine Ltda" in response.content
    assert b"Theirs Ltda" not in response.content
