from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounting import services
from tests.accounting.factories import invoice_for, order_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = "accounting:invoice_list"


def _numbers(response) -> list[str]:
    return [invoice.number for invoice in response.context["page_obj"]]


def test_the_list_shows_invoices_with_totals_and_filters_by_state(client, accountant, customer):
    paid, open_, overdue = invoice_for(customer), invoice_for(customer), invoice_for(customer)
    services.record_payment(
        invoice=paid, amount=paid.total, paid_on=timezone.localdate(), method="cash", by=accountant
    )
    overdue.due_date = timezone.localdate() - timedelta(days=1)
    overdue.save()
    client.force_login(accountant)

    response = client.get(reverse(URL))
    assert response.status_code == 200
    assert response.context["totals"]["count"] == 3
    assert response.context["totals"]["paid"] == paid.total
    assert _numbers(client.get(reverse(URL), {"state": "paid"})) == [paid.number]
    assert sorted(_numbers(client.get(reverse(URL), {"state": "open"}))) == sorted(
        [open_.number, overdue.number]
    )
    assert _numbers(client.get(reverse(URL), {"state": "overdue"})) == [overdue.number]
    assert _numbers(client.get(reverse(URL), {"q": open_.number})) == [open_.number]


def test_bad_filters_show_a_message_and_no_error(client, accountant, customer):
    invoice_for(customer)
    client.force_login(accountant)
    response = client.get(reverse(URL), {"state": "nonsense", "q": "x" * 500})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert _numbers(response) == []


def test_permissions(client, rep, other_team_rep, no_role, customer):
    mine = invoice_for(customer)
    theirs = invoice_for(CustomerFactory(owner=other_team_rep))
    client.force_login(rep)
    assert _numbers(client.get(reverse(URL))) == [mine.number]
    client.force_login(other_team_rep)
    assert _numbers(client.get(reverse(URL))) == [theirs.number]
    client.force_login(no_role)
    assert client.get(reverse(URL)).status_code == 403


def test_the_list_costs_the_same_queries_with_more_invoices(
    client, accountant, customer, django_assert_max_num_queries
):
    invoice_for(customer)
    order_for(customer)
    client.force_login(accountant)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(URL))
    baseline = len(few.captured_queries)
    for _ in range(5):
        invoice = invoice_for(CustomerFactory(owner=customer.owner))
        services.record_payment(
            invoice=invoice, amount=Decimal("1.00"), paid_on=timezone.localdate(), method="cash", by=None
        )
    with django_assert_max_num_queries(baseline):
        client.get(reverse(URL))
