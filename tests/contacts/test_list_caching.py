"""The customer list reuses its count and dropdown options between requests, never stale ones."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.counts import customer_rows, scope_count
from contacts.models import Customer, Tag
from crm.caching import query_key
from tests.contacts.test_customer_form import new_customer
from tests.contacts.test_import import HEADER, confirm, nit, preview_of
from tests.factories import CustomerFactory, TeamFactory, UserFactory

URL = reverse("contacts:customer_list")


def shown_count(response) -> int:
    match = re.search(r"([\d,.]+) customers?</p>", response.content.decode())
    assert match, "the list says how many customers it holds"
    return int(re.sub(r"\D", "", match[1]))


def list_queries(client, data=None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, data or {}).status_code == 200
    return [query["sql"] for query in captured]


def counts(queries: list[str]) -> list[str]:
    return [sql for sql in queries if "COUNT(" in sql and "contacts_customer" in sql]


def test_second_visit_reads_the_count_and_dropdowns_from_the_cache(rep_client, rep):
    CustomerFactory.create_batch(3, owner=rep)
    first = list_queries(rep_client)
    second = list_queries(rep_client)

    assert counts(first), "the first visit counts"
    assert not counts(second), "the second reuses the count"
    assert not [sql for sql in second if "contacts_tag" in sql], "and the dropdowns"
    assert len(second) < len(first)


def test_a_filtered_list_is_always_counted(rep_client, rep):
    CustomerFactory(owner=rep, city="Cali")
    list_queries(rep_client, {"city": "Cali"})
    assert counts(list_queries(rep_client, {"city": "Cali"}))


def test_a_new_customer_shows_in_the_count_at_once(rep_client, rep):
    CustomerFactory.create_batch(2, owner=rep)
    assert shown_count(rep_client.get(URL)) == 2

    response = rep_client.post(reverse("contacts:customer_create"), new_customer(legal_name="Nueva S.A.S."))
    assert response.status_code == 302
    assert shown_count(rep_client.get(URL)) == 3


def test_a_deleted_customer_leaves_the_count_at_once(rep_client, rep):
    customers = CustomerFactory.create_batch(2, owner=rep)
    assert shown_count(rep_client.get(URL)) == 2
    customers[0].delete()
    assert shown_count(rep_client.get(URL)) == 1


def test_a_reassigned_customer_leaves_the_old_owners_count(rep_client, rep):
    elsewhere = UserFactory(team=TeamFactory())
    customer = CustomerFactory(owner=rep, team=rep.team)
    CustomerFactory(owner=rep, team=rep.team)
    assert shown_count(rep_client.get(URL)) == 2

    customer.owner, customer.team = elsewhere, elsewhere.team
    customer.save()
    assert shown_count(rep_client.get(URL)) == 1


def test_an_import_shows_in_the_count_at_once(client, rep):
    client.force_login(rep)
    CustomerFactory(owner=rep)
    assert shown_count(client.get(URL)) == 1

    record = preview_of(
        client,
        HEADER + f"Importada S.A.S.,,legal_entity,{nit('800111222')},,,,,,,,,,,\n"
        "Juan Importado,,persona natural,,,,,,,,,,,,\n",
    )
    confirm(client, record)
    assert shown_count(client.get(URL)) == 3


def test_each_viewer_has_their_own_count(rep_client, manager, rep, other_team_rep):
    manager_client = Client()
    manager_client.force_login(manager)
    CustomerFactory.create_batch(2, owner=rep)
    CustomerFactory.create_batch(3, owner=other_team_rep)
    assert shown_count(manager_client.get(URL)) == 5
    assert shown_count(rep_client.get(URL)) == 2
    assert shown_count(manager_client.get(URL)) == 5


def test_a_new_tag_is_offered_at_once(rep_client, rep):
    CustomerFactory(owner=rep)
    rep_client.get(URL)
    Tag.objects.create(name="Recién creada")
    assert "Recién creada" in rep_client.get(URL).content.decode()


def test_a_renamed_owner_is_offered_under_the_new_name(rep_client, rep, teammate):
    rep_client.get(URL)
    teammate.first_name = "Renombrada"
    teammate.save()
    assert "Renombrada" in rep_client.get(URL).content.decode()


def test_without_a_shared_cache_every_visit_counts(rep_client, rep, settings):
    settings.CRM_SHARED_CACHE = False
    CustomerFactory(owner=rep)
    list_queries(rep_client)
    assert counts(list_queries(rep_client))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_count_taken_before_a_write_commits_is_not_kept():
    customers = Customer.objects.all()
    CustomerFactory()
    assert scope_count(customers) == 1
    with transaction.atomic():
        CustomerFactory()
        # Another request counting now sees the committed rows only, and caches that.
        key = query_key(customers.order_by())
        customer_rows.fetch({key: lambda: 1})
        assert scope_count(customers) == 1
    # The commit starts a new generation: the count taken in between is not reused.
    assert scope_count(customers) == 2


def test_a_query_that_can_match_nothing_is_computed_not_cached():
    # ``.none()`` has no SQL to name it by; asking must not fail.
    assert customer_rows.remember(Customer.objects.none(), lambda: "computed") == "computed"
    assert query_key(Customer.objects.none()) is None
