"""Folding a duplicate customer into the one that survives: nothing is lost, and it is recorded."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import services
from contacts.history import customer_changes
from contacts.merging import MergeError, merge_customers
from contacts.models import (
    Activity,
    Contact,
    Customer,
    CustomerMerge,
    EconomicActivity,
    RelationshipType,
    Tag,
    Task,
)
from tests.factories import ActivityFactory, CustomerFactory, TaskFactory
from tests.helpers import text


def url(customer) -> str:
    return reverse("contacts:customer_merge", args=[customer.pk])


@pytest.fixture
def survivor(rep):
    customer = CustomerFactory(
        owner=rep, legal_name="Distribuidora Andina S.A.S.", email="compras@andina.co", phone=""
    )
    customer.tags.add(Tag.objects.create(name="mayorista"))
    customer.relationship_types.add(RelationshipType.objects.get(code="customer"))
    return customer


@pytest.fixture
def duplicate(teammate):
    activity = EconomicActivity.objects.create(code="4645", name="Comercio al por mayor")
    customer = CustomerFactory(
        owner=teammate,
        legal_name="Distribuidora Andina",
        tax_id="900123456-8",
        email="otro@andina.co",
        phone="601 444 5555",
        website="https://andina.co",
        economic_activity=activity,
        employees=40,
    )
    customer.tags.add(Tag.objects.create(name="feria"), Tag.objects.get(name="mayorista"))
    customer.relationship_types.add(*RelationshipType.objects.filter(code__in=["customer", "supplier"]))
    services.save_contact(contact=Contact(customer=customer, name="Rosa Téllez"), by=teammate)
    ActivityFactory(customer=customer, subject="Llamada al duplicado")
    ActivityFactory(customer=customer, subject="Visita al duplicado")
    TaskFactory(customer=customer, title="Tarea del duplicado")
    return customer


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def merge(client, survivor, duplicate, **extra):
    return client.post(url(survivor), {"duplicate": duplicate.pk, "confirm": "on", **extra}, follow=True)


def test_merging_moves_every_record_and_deletes_the_duplicate(manager_client, survivor, duplicate, manager):
    duplicate_pk = duplicate.pk
    response = merge(manager_client, survivor, duplicate)
    assert response.redirect_chain[-1][0] == survivor.get_absolute_url()
    assert "Distribuidora Andina was merged into Distribuidora Andina S.A.S." in text(response)

    assert not Customer.objects.filter(pk=duplicate_pk).exists()
    assert list(Contact.objects.values_list("customer", "name")) == [(survivor.pk, "Rosa Téllez")]
    assert set(Activity.objects.values_list("customer", flat=True)) == {survivor.pk}
    assert Activity.objects.count() == 2
    assert list(Task.objects.values_list("customer", "title")) == [(survivor.pk, "Tarea del duplicado")]
    content = text(response)
    for shown in ("Rosa Téllez", "Llamada al duplicado", "Tarea del duplicado"):
        assert shown in content


def test_merging_unions_tags_and_relationship_types(manager_client, survivor, duplicate):
    merge(manager_client, survivor, duplicate)
    assert set(survivor.tags.values_list("name", flat=True)) == {"mayorista", "feria"}
    assert set(survivor.relationship_types.values_list("code", flat=True)) == {"customer", "supplier"}


def test_merging_fills_only_the_survivors_blank_fields(manager_client, survivor, duplicate, rep):
    merge(manager_client, survivor, duplicate)
    survivor.refresh_from_db()
    assert survivor.tax_id == "900123456-8"
    assert survivor.phone == "601 444 5555"
    assert survivor.website == "https://andina.co"
    assert survivor.employees == 40
    assert survivor.economic_activity.code == "4645"
    # What the survivor already had stays.
    assert survivor.email == "compras@andina.co"
    assert survivor.legal_name == "Distribuidora Andina S.A.S."
    assert survivor.owner == rep
    assert survivor.version == 2


def test_the_merged_customer_is_found_by_the_survivors_search(manager_client, survivor, duplicate):
    merge(manager_client, survivor, duplicate)
    assert list(Customer.objects.search("rosa tellez")) == [survivor]
    assert list(Customer.objects.search("900123456")) == [survivor]


def test_the_merge_is_recorded_with_who_and_what_moved(manager_client, survivor, duplicate, manager):
    duplicate_pk = duplicate.pk
    merge(manager_client, survivor, duplicate)
    record = CustomerMerge.objects.get()
    assert record.survivor == survivor
    assert record.merged_by == manager
    assert record.merged_customer_id == duplicate_pk
    assert record.merged_name == "Distribuidora Andina"
    assert record.moved == {"contacts.contact": 1, "contacts.activity": 2, "contacts.task": 1}
    assert "tax_id" in record.merged_data["filled"]
    assert record.merged_data["tax_id"] == "900123456-8"
    kept = record.merged_data["customer"]
    assert (kept["legal_name"], kept["email"]) == ("Distribuidora Andina", "otro@andina.co")
    assert sorted(kept["tags"]) == ["feria", "mayorista"]
    assert sorted(kept["relationship_types"]) == ["customer", "supplier"]


def test_the_merge_shows_in_the_change_history(manager_client, survivor, duplicate, manager):
    duplicate_pk = duplicate.pk
    response = merge(manager_client, survivor, duplicate)
    history = text(response).split("Change history")[1]
    assert f"merged #{duplicate_pk} Distribuidora Andina into this customer" in history
    assert "Contact Rosa Téllez changed (moved by merge)" in history
    assert str(manager) in history
    entries = customer_changes(survivor)
    merged = next(entry for entry in entries if "into this customer" in entry.reason)
    assert merged.who == str(manager)
    assert {change.field for change in merged.changes} >= {"tax id", "phone", "website"}


def test_earlier_merges_into_the_duplicate_follow_it(manager, survivor, duplicate, teammate):
    older = CustomerFactory(owner=teammate, legal_name="Andina Vieja")
    merge_customers(survivor=duplicate, duplicate=older, by=manager)
    merge_customers(survivor=survivor, duplicate=duplicate, by=manager)
    assert set(CustomerMerge.objects.values_list("survivor", flat=True)) == {survivor.pk}


def test_a_customer_cannot_be_merged_into_itself(manager_client, survivor):
    response = merge(manager_client, survivor, survivor)
    assert response.status_code == 200
    assert "A customer cannot be merged into itself." in text(response)
    assert Customer.objects.filter(pk=survivor.pk).exists()
    with pytest.raises(MergeError):
        merge_customers(survivor=survivor, duplicate=survivor, by=None)


@pytest.mark.parametrize("value", ["999999", "abc", ""])
def test_a_duplicate_that_does_not_exist_is_a_form_error(manager_client, survivor, value):
    response = manager_client.post(url(survivor), {"duplicate": value, "confirm": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["duplicate"]
    assert not CustomerMerge.objects.exists()


def test_a_duplicate_merged_away_meanwhile_is_a_form_error(manager_client, survivor, duplicate, manager):
    """Two managers merging the same duplicate: the second is told, nothing crashes."""
    other_survivor = CustomerFactory(owner=manager, legal_name="Otra Andina")
    merge_customers(survivor=other_survivor, duplicate=Customer.objects.get(pk=duplicate.pk), by=manager)
    response = manager_client.post(url(survivor), {"duplicate": duplicate.pk, "confirm": "on"})
    assert response.status_code == 200
    assert "it may have been merged or deleted already" in text(response)
    assert CustomerMerge.objects.count() == 1


def test_the_merge_must_be_confirmed(manager_client, survivor, duplicate):
    response = manager_client.post(url(survivor), {"duplicate": duplicate.pk})
    assert response.status_code == 200
    assert "This field is required." in text(response)
    assert Customer.objects.filter(pk=duplicate.pk).exists()


# -- The page ------------------------------------------------------------------------------------


def test_the_page_lists_likely_duplicates_to_choose_from(manager_client, survivor, duplicate):
    response = manager_client.get(url(survivor))
    content = text(response)
    assert f"?duplicate={duplicate.pk}" in content
    assert "similar name" in content
    chosen = manager_client.get(url(survivor), {"duplicate": duplicate.pk})
    assert f'value="{duplicate.pk}"' in chosen.content.decode()


def test_admins_may_merge(client, admin_user, survivor, duplicate):
    client.force_login(admin_user)
    assert merge(client, survivor, duplicate).status_code == 200
    assert not Customer.objects.filter(pk=duplicate.pk).exists()


@pytest.mark.parametrize("persona", ["rep", "teammate", "marketer", "accountant"], indirect=True)
def test_people_who_are_not_managers_get_403(client, persona, survivor, duplicate):
    client.force_login(persona)
    assert client.get(url(survivor)).status_code == 403
    assert client.post(url(survivor), {"duplicate": duplicate.pk, "confirm": "on"}).status_code == 403
    assert Customer.objects.filter(pk=duplicate.pk).exists()


def test_user_without_role_gets_403(client, no_role, survivor):
    client.force_login(no_role)
    assert client.get(url(survivor)).status_code == 403


def test_anonymous_is_sent_to_login(client, survivor):
    response = client.get(url(survivor))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_survivor_that_does_not_exist_is_404(manager_client):
    assert manager_client.get(reverse("contacts:customer_merge", args=[999999])).status_code == 404


def test_renders_in_spanish(manager_client, survivor, duplicate):
    response = manager_client.get(url(survivor), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()


def test_query_count_does_not_grow_with_the_candidates(manager_client, survivor, rep):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(url(survivor)).status_code == 200
        return len(captured)

    CustomerFactory(owner=rep, legal_name="Distribuidora Andina Norte")
    queries()
    few = queries()
    for number in range(30):
        CustomerFactory(owner=rep, legal_name=f"Distribuidora Andina {number}", email="compras@andina.co")
    assert queries() == few
