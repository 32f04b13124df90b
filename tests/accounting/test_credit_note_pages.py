"""Issuing a credit note from the invoice page, and the invoice list counting credits as settled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounting import services
from accounting.models import CreditNote
from tests.accounting.factories import invoice_for
from tests.sales.factories import ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def invoice(customer):
    """An invoice of 1,190.00 for ``customer``, owned by ``rep``."""
    return invoice_for(customer, lines=[{"product": ProductFactory(unit_price=D(1000), tax_rate=D(19))}])


def _credit(client, invoice, **values):
    data = {"credit-amount": "100.00", "credit-reason": "Late delivery", **values}
    return client.post(reverse("accounting:invoice_credit", args=[invoice.pk]), data)


def test_the_accountant_issues_a_credit_note_and_sees_it_on_the_invoice(client, accountant, invoice):
    client.force_login(accountant)
    assert "Issue a credit note" in client.get(invoice.get_absolute_url()).text

    response = _credit(client, invoice, **{"credit-amount": "190.00"})

    assert response.status_code == 302
    assert response.url == invoice.get_absolute_url()
    note = CreditNote.objects.get()
    page = client.get(invoice.get_absolute_url())
    assert note.number in page.text
    assert "Late delivery" in page.text
    assert "Balance: 1,000.00" in page.text
    invoice.refresh_from_db()
    assert invoice.amount_credited == D(190)


def test_crediting_more_than_is_open_is_refused_with_a_message(client, accountant, invoice):
    services.record_payment(
        invoice=invoice, amount=D(1000), paid_on=timezone.localdate(), method="cash", by=accountant
    )
    client.force_login(accountant)

    response = _credit(client, invoice, **{"credit-amount": "190.01"})

    assert response.status_code == 400
    assert "is more than the 190.00 still open on the invoice" in response.text
    assert "late delivery" in response.text.lower()  # what was typed is kept
    assert not CreditNote.objects.exists()


@pytest.mark.parametrize(
    "values",
    [
        {"credit-amount": "0"},
        {"credit-amount": "-5"},
        {"credit-amount": "abc"},
        {"credit-amount": ""},
        {"credit-amount": "1.005"},
        {"credit-amount": "1" * 30},
        {"credit-reason": ""},
        {"credit-reason": "   "},
        {"credit-reason": "x" * 301},
    ],
)
def test_bad_credit_note_input_shows_errors_not_a_crash(client, accountant, invoice, values):
    client.force_login(accountant)
    response = _credit(client, invoice, **values)
    assert response.status_code == 400
    assert response.context["credit_form"].errors
    assert not CreditNote.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("manager", 302), ("admin_user", 302), ("accountant", 302)])
def test_accounting_managers_and_admins_may_credit(client, invoice, persona, status, request):
    client.force_login(request.getfixturevalue(persona))
    assert _credit(client, invoice).status_code == status


def test_a_rep_reads_credit_notes_but_cannot_issue_one(client, rep, accountant, invoice):
    services.issue_credit_note(invoice, amount=D(5), reason="Rounding", by=accountant)
    client.force_login(rep)
    page = client.get(invoice.get_absolute_url())
    assert "Rounding" in page.text
    assert "Issue a credit note" not in page.text
    assert _credit(client, invoice).status_code == 403
    assert CreditNote.objects.count() == 1


def test_outsiders_get_404_or_403(client, other_team_rep, no_role, invoice):
    client.force_login(other_team_rep)
    assert client.get(invoice.get_absolute_url()).status_code == 404
    client.force_login(no_role)
    assert _credit(client, invoice).status_code == 403
    assert not CreditNote.objects.exists()


def test_crediting_needs_post(client, accountant, invoice):
    client.force_login(accountant)
    assert client.get(reverse("accounting:invoice_credit", args=[invoice.pk])).status_code == 405


def test_a_fully_credited_invoice_shows_as_credited_without_forms(client, accountant, invoice):
    services.issue_credit_note(invoice, amount=invoice.total, reason="Cancelled", by=accountant)
    client.force_login(accountant)
    page = client.get(invoice.get_absolute_url())
    assert "Credited" in page.text
    assert "Issue a credit note" not in page.text
    assert "Record a payment" not in page.text


def test_the_invoice_page_costs_the_same_queries_with_more_credit_notes(
    client, accountant, invoice, django_assert_max_num_queries
):
    client.force_login(accountant)
    _credit(client, invoice, **{"credit-amount": "1.00"})
    with CaptureQueriesContext(connection) as few:
        client.get(invoice.get_absolute_url())
    baseline = len(few.captured_queries)
    for _ in range(5):
        _credit(client, invoice, **{"credit-amount": "1.00"})
    with django_assert_max_num_queries(baseline):
        client.get(invoice.get_absolute_url())


def test_the_invoice_page_renders_in_spanish(client, accountant, invoice, settings):
    services.issue_credit_note(invoice, amount=D(5), reason="Redondeo", by=accountant)
    client.force_login(accountant)
    response = client.get(invoice.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "Redondeo" in response.text


# --- The invoice list ------------------------------------------------------------------------


def _numbers(response) -> list[str]:
    return [invoice.number for invoice in response.context["page_obj"]]


def test_the_invoice_list_counts_credit_notes_as_settling(client, accountant, customer):
    credited, part, open_ = invoice_for(customer), invoice_for(customer), invoice_for(customer)
    services.issue_credit_note(credited, amount=credited.total, reason="Cancelled", by=accountant)
    services.issue_credit_note(part, amount=D("10.00"), reason="Discount", by=accountant)
    services.record_payment(
        invoice=part, amount=part.total - D("10.00"), paid_on=timezone.localdate(), method="cash", by=None
    )
    client.force_login(accountant)
    url = reverse("accounting:invoice_list")

    assert sorted(_numbers(client.get(url, {"state": "paid"}))) == sorted([credited.number, part.number])
    assert _numbers(client.get(url, {"state": "open"})) == [open_.number]
    totals = client.get(url).context["totals"]
    assert totals["credited"] == credited.total + D("10.00")
    assert totals["paid"] == part.total - D("10.00")
    assert totals["balance"] == open_.total
