from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounting.models import Payment
from tests.accounting.factories import invoice_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(customer):
    return invoice_for(customer)


def _pay(client, invoice, **values):
    data = {"amount": "100.00", "paid_on": timezone.localdate().isoformat(), "method": "transfer", **values}
    return client.post(reverse("accounting:invoice_pay", args=[invoice.pk]), data)


def test_the_invoice_page_shows_balance_and_the_payment_form(client, accountant, invoice):
    client.force_login(accountant)
    response = client.get(invoice.get_absolute_url())
    assert response.status_code == 200
    assert invoice.number in response.text
    assert "Record a payment" in response.text


def test_recording_a_partial_payment_lowers_the_balance(client, accountant, invoice):
    client.force_login(accountant)
    response = _pay(client, invoice, amount="100.00", reference="TRX-1")
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.balance == invoice.total - Decimal("100.00")
    assert "TRX-1" in client.get(invoice.get_absolute_url()).text


def test_a_payment_over_the_balance_is_refused_with_a_message(client, accountant, invoice):
    client.force_login(accountant)
    response = _pay(client, invoice, amount=str(invoice.total + Decimal(1)))
    assert response.status_code == 400
    assert "is more than the balance" in response.text
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "values",
    [
        {"amount": "0"},
        {"amount": "-5"},
        {"amount": "abc"},
        {"amount": ""},
        {"paid_on": "2026-02-30"},
        {"method": "barter"},
        {"amount": "1" * 30},
    ],
)
def test_bad_payment_input_shows_errors_not_a_crash(client, accountant, invoice, values):
    client.force_login(accountant)
    response = _pay(client, invoice, **values)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Payment.objects.exists()


def test_a_rep_reads_the_invoice_but_cannot_record_payments(client, rep, invoice):
    client.force_login(rep)
    response = client.get(invoice.get_absolute_url())
    assert response.status_code == 200
    assert "Record a payment" not in response.text
    assert _pay(client, invoice).status_code == 403


def test_a_rep_of_another_team_gets_404(client, other_team_rep, invoice):
    client.force_login(other_team_rep)
    assert client.get(invoice.get_absolute_url()).status_code == 404


def test_no_role_gets_403(client, no_role, invoice):
    client.force_login(no_role)
    assert client.get(invoice.get_absolute_url()).status_code == 403
    assert _pay(client, invoice).status_code == 403


def test_paying_needs_post(client, accountant, invoice):
    client.force_login(accountant)
    assert client.get(reverse("accounting:invoice_pay", args=[invoice.pk])).status_code == 405


def test_the_invoice_page_costs_the_same_queries_with_more_payments(
    client, accountant, invoice, django_assert_max_num_queries
):
    client.force_login(accountant)
    _pay(client, invoice, amount="1.00")
    with CaptureQueriesContext(connection) as few:
        client.get(invoice.get_absolute_url())
    # Read now: every request clears the connection's query log.
    baseline = len(few.captured_queries)
    for _ in range(5):
        _pay(client, invoice, amount="1.00")
    with django_assert_max_num_queries(baseline):
        client.get(invoice.get_absolute_url())
