"""The customer's 360° page: details, timeline, open tasks, contacts, history, and the owner form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import Contact, Customer, RelationshipType, Tag
from crm.accounts.models import Notification
from tests.factories import ActivityFactory, ContactFactory, CustomerFactory, TaskFactory, UserFactory


def url(customer) -> str:
    return reverse("contacts:customer_detail", args=[customer.pk])


def subjects(response) -> list[str]:
    return re.findall(r'<span class="fw-semibold">([^<]+)</span>', response.content.decode())


def test_shows_the_customers_details(rep_client, customer):
    customer.trade_name = "Andina"
    customer.email = "ventas@andina.co"
    customer.save()
    customer.tags.add(Tag.objects.create(name="mayorista"))
    customer.relationship_types.add(RelationshipType.objects.get(code="supplier"))
    content = rep_client.get(url(customer)).content.decode()
    for text in ("Distribuidora Andina S.A.S.", "900123456-8", "ventas@andina.co", "#mayorista", "Supplier"):
        assert text in content


# -- Timeline ------------------------------------------------------------------------------------


def test_timeline_is_newest_first(rep_client, customer, rep):
    now = timezone.now()
    ActivityFactory(customer=customer, subject="Old call", occurred_at=now - timedelta(days=3))
    ActivityFactory(customer=customer, subject="New visit", occurred_at=now - timedelta(hours=1))
    ActivityFactory(customer=customer, subject="Middle note", occurred_at=now - timedelta(days=1))
    assert subjects(rep_client.get(url(customer))) == ["New visit", "Middle note", "Old call"]


def test_timeline_shows_twenty_five_entries_then_older_ones_on_the_next_page(rep_client, customer):
    start = timezone.now() - timedelta(days=100)
    for number in range(30):
        ActivityFactory(
            customer=customer, subject=f"Entry {number:02}", occurred_at=start + timedelta(days=number)
        )
    first = rep_client.get(url(customer))
    assert len(subjects(first)) == 25
    assert subjects(first)[0] == "Entry 29"
    assert "Older entries" in first.content.decode()
    timeline_url = reverse("contacts:timeline", args=[customer.pk])
    assert f"{timeline_url}?page=2" in first.content.decode()

    older = rep_client.get(timeline_url, {"page": 2}, HTTP_HX_REQUEST="true")
    assert subjects(older) == [f"Entry {number:02}" for number in (4, 3, 2, 1, 0)]
    assert "<html" not in older.content.decode()
    assert "Newer entries" in older.content.decode()
    assert subjects(rep_client.get(url(customer), {"page": 2})) == subjects(older)


def test_an_empty_timeline_says_so(rep_client, customer):
    assert "Nothing has happened with this customer yet." in rep_client.get(url(customer)).content.decode()


def test_a_bad_timeline_page_shows_the_first_page(rep_client, customer):
    ActivityFactory(customer=customer, subject="Only")
    assert subjects(rep_client.get(url(customer), {"page": "x"})) == ["Only"]


def test_timeline_of_another_customer_is_not_mixed_in(rep_client, customer, rep):
    ActivityFactory(customer=CustomerFactory(owner=rep), subject="Elsewhere")
    assert subjects(rep_client.get(url(customer))) == []


# -- Tasks, contacts, history ---------------------------------------------------------------------


def test_shows_open_tasks_but_not_done_ones(rep_client, customer):
    TaskFactory(customer=customer, title="Send the quote")
    TaskFactory(customer=customer, title="Already done", done_at=timezone.now())
    content = rep_client.get(url(customer)).content.decode()
    assert "Send the quote" in content
    assert "Already done" not in content


def test_shows_contacts_legal_representative_first(rep_client, customer):
    ContactFactory(customer=customer, name="Ana Zuluaga", role="Compras")
    ContactFactory(customer=customer, name="Zoe Abril", is_legal_representative=True)
    content = rep_client.get(url(customer)).content.decode()
    assert content.index("Zoe Abril") < content.index("Ana Zuluaga")
    assert "Legal representative" in content


def test_change_history_says_who_changed_which_fields(rep_client, customer, teammate):
    services.update_customer(
        customer=customer, data={"city": "Manizales"}, expected_version=customer.version, by=teammate
    )
    content = rep_client.get(url(customer)).content.decode()
    history = content[content.index("Change history") :]
    assert str(teammate) in history
    assert "city: <del>Bogotá</del> → Manizales" in history


# -- Assigning an owner ---------------------------------------------------------------------------


def assign_url(customer) -> str:
    return reverse("contacts:customer_assign", args=[customer.pk])


def test_assigning_a_teammate_alerts_them_and_says_so(rep_client, customer, teammate):
    response = rep_client.post(assign_url(customer), {"owner": teammate.pk}, follow=True)
    assert response.redirect_chain[-1][0] == url(customer)
    assert f"{teammate} now owns this customer." in response.content.decode()
    customer.refresh_from_db()
    assert customer.owner == teammate
    notification = Notification.objects.get()
    assert notification.recipient == teammate
    assert notification.url == url(customer)


def test_assigning_oneself_alerts_nobody(client, customer, teammate):
    client.force_login(teammate)
    client.post(assign_url(customer), {"owner": teammate.pk})
    customer.refresh_from_db()
    assert customer.owner == teammate
    assert not Notification.objects.exists()


def test_giving_a_customer_to_another_team_returns_the_rep_to_the_list(rep_client, customer, other_team_rep):
    response = rep_client.post(assign_url(customer), {"owner": other_team_rep.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("contacts:customer_list")
    assert f"{other_team_rep} now owns this customer." in response.content.decode()
    customer.refresh_from_db()
    assert customer.owner == other_team_rep


@pytest.mark.parametrize("owner", ["", "abc", "999999"])
def test_assigning_a_bad_owner_changes_nothing_and_says_why(rep_client, customer, rep, owner):
    response = rep_client.post(assign_url(customer), {"owner": owner}, follow=True)
    assert "Choose an active user as the new owner." in response.content.decode()
    customer.refresh_from_db()
    assert customer.owner == rep


def test_assign_is_post_only(rep_client, customer):
    assert rep_client.get(assign_url(customer)).status_code == 405


def test_other_team_cannot_assign(client, customer, other_team_rep, rep):
    client.force_login(other_team_rep)
    assert client.post(assign_url(customer), {"owner": other_team_rep.pk}).status_code == 404
    customer.refresh_from_db()
    assert customer.owner == rep


def test_assign_refuses_users_without_role_and_anonymous(client, customer, no_role):
    response = client.post(assign_url(customer), {"owner": no_role.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(no_role)
    assert client.post(assign_url(customer), {"owner": no_role.pk}).status_code == 403


# -- Deleting ------------------------------------------------------------------------------------


def delete_url(customer) -> str:
    return reverse("contacts:customer_delete", args=[customer.pk])


def test_a_manager_deletes_after_confirming(client, manager, customer):
    client.force_login(manager)
    confirm = client.get(delete_url(customer))
    assert "Delete Distribuidora Andina S.A.S.?" in confirm.content.decode()
    assert Customer.objects.exists()
    response = client.post(delete_url(customer), follow=True)
    assert response.redirect_chain[-1][0] == reverse("contacts:customer_list")
    assert "Customer Distribuidora Andina S.A.S. deleted." in response.content.decode()
    assert not Customer.objects.exists()


@pytest.mark.parametrize("persona", ["rep", "teammate", "no_role"], indirect=True)
def test_only_supervisors_may_delete(client, customer, persona):
    client.force_login(persona)
    assert client.get(delete_url(customer)).status_code == 403
    assert client.post(delete_url(customer)).status_code == 403
    assert Customer.objects.exists()


# -- Who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["rep", "teammate", "manager", "admin_user"], indirect=True)
def test_owner_teammates_and_managers_see_it(client, customer, persona):
    client.force_login(persona)
    assert client.get(url(customer)).status_code == 200


def test_other_teams_rep_gets_404(client, customer, other_team_rep):
    client.force_login(other_team_rep)
    assert client.get(url(customer)).status_code == 404
    assert client.get(reverse("contacts:timeline", args=[customer.pk])).status_code == 404


def test_user_without_role_gets_403(client, customer, no_role):
    client.force_login(no_role)
    assert client.get(url(customer)).status_code == 403


def test_anonymous_is_sent_to_login(client, customer):
    response = client.get(url(customer))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_customer_that_does_not_exist_is_404(rep_client):
    assert rep_client.get(reverse("contacts:customer_detail", args=[999999])).status_code == 404


def test_only_supervisors_see_merge_and_delete(client, customer, rep, manager):
    merge = reverse("contacts:customer_merge", args=[customer.pk])
    client.force_login(rep)
    assert merge not in client.get(url(customer)).content.decode()
    client.force_login(manager)
    assert merge in client.get(url(customer)).content.decode()


def test_renders_in_spanish(rep_client, customer):
    ActivityFactory(customer=customer, duration_minutes=5)
    TaskFactory(customer=customer)
    response = rep_client.get(url(customer), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


# -- Queries -------------------------------------------------------------------------------------


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured)


def _grow(customer: Customer, by, count: int) -> None:
    """Add ``count`` of every kind of record the page shows, each with its own related rows."""
    start = customer.contacts.count()
    for number in range(start, start + count):
        author = UserFactory(team=by.team)
        contact = services.save_contact(
            contact=Contact(customer=customer, name=f"Persona {number}"), by=author
        )
        ActivityFactory(customer=customer, user=author, contact=contact)
        TaskFactory(customer=customer, assignee=author)
        customer.tags.add(Tag.objects.create(name=f"tag-{customer.pk}-{number}"))
        customer.refresh_from_db()
        services.update_customer(
            customer=customer, data={"notes": f"v{number}"}, expected_version=customer.version, by=author
        )
        contact.role = f"Cargo {number}"
        services.save_contact(contact=contact, by=author)
    customer.relationship_types.set(RelationshipType.objects.all()[: min(count, 5)])


def test_query_count_does_not_grow_with_timeline_contacts_tasks_tags_or_history(rep_client, customer, rep):
    _grow(customer, rep, 2)
    _queries(rep_client, url(customer))  # warm caches (content types, sessions)
    few = _queries(rep_client, url(customer))
    _grow(customer, rep, 30)
    assert _queries(rep_client, url(customer)) == few


def test_timeline_fragment_query_count_does_not_grow(rep_client, customer, rep):
    timeline_url = reverse("contacts:timeline", args=[customer.pk])
    _grow(customer, rep, 2)
    _queries(rep_client, timeline_url)
    few = _queries(rep_client, timeline_url)
    _grow(customer, rep, 30)
    assert _queries(rep_client, timeline_url) == few
