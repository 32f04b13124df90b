"""Credit notes: numbered without gaps, never more than the invoice still owes, and on cancellation."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from accounting import services
from accounting.models import CreditNote, Invoice, Order
from contacts.models import Activity
from sales.models import InstalledProduct
from tests.accounting.factories import invoice_for, order_for
from tests.factories import CustomerFactory
from tests.sales.factories import ProductFactory

D = Decimal


def _pay(invoice, amount, by=None):
    return services.record_payment(
        invoice=invoice, amount=D(amount), paid_on=timezone.localdate(), method="transfer", by=by
    )


@pytest.fixture
def invoice(customer):
    """An invoice of 1,190.00: one line of 1,000.00 with 19 % tax."""
    return invoice_for(customer, lines=[{"product": ProductFactory(unit_price=D(1000), tax_rate=D(19))}])


@pytest.mark.django_db
def test_credit_notes_are_numbered_per_year_without_gaps(customer, accountant, invoice):
    other = invoice_for(customer)
    year = timezone.localdate().year

    first = services.issue_credit_note(invoice, amount=D("10.00"), reason="Price agreed", by=accountant)
    with pytest.raises(services.AccountingError):
        services.issue_credit_note(invoice, amount=D("99999.00"), reason="Too much", by=accountant)
    second = services.issue_credit_note(other, amount=D("1.00"), reason="Damaged box", by=accountant)

    assert [first.number, second.number] == [f"NC-{year}-00001", f"NC-{year}-00002"]
    assert first.series == f"NC-{year}"
    assert (first.invoice, first.amount, first.reason, first.created_by) == (
        invoice,
        D("10.00"),
        "Price agreed",
        accountant,
    )
    assert first.issue_date == timezone.localdate()


@pytest.mark.django_db
def test_a_credit_note_lowers_the_balance_and_settles_the_rest_after_payments(accountant, invoice):
    _pay(invoice, "190.00", by=accountant)

    services.issue_credit_note(invoice, amount=D("400.00"), reason="Discount granted", by=accountant)
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.amount_credited, invoice.balance) == (D(190), D(400), D(600))
    assert not invoice.is_paid

    services.issue_credit_note(invoice, amount=D("600.00"), reason="Rest waived", by=accountant)
    invoice.refresh_from_db()
    assert invoice.balance == 0
    assert invoice.is_paid
    with pytest.raises(services.AccountingError, match="more than the balance"):
        _pay(invoice, "0.01")


@pytest.mark.django_db
def test_more_than_the_open_balance_is_refused_with_a_clear_message(accountant, invoice):
    _pay(invoice, "1000.00")

    with pytest.raises(services.AccountingError) as refused:
        services.issue_credit_note(invoice, amount=D("190.01"), reason="Too much", by=accountant)

    assert str(refused.value) == (
        "The credit note of 190.01 is more than the 190.00 still open on the invoice; "
        "money already paid is given back by a refund, not a credit note."
    )
    invoice.refresh_from_db()
    assert invoice.amount_credited == 0
    assert not CreditNote.objects.exists()
    # Exactly the open balance is fine.
    services.issue_credit_note(invoice, amount=D("190.00"), reason="Goodwill", by=accountant)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        (D(0), "Why", "more than zero"),
        (D("-5.00"), "Why", "more than zero"),
        (D("1.005"), "Why", "whole cents"),
        (D("5.00"), "   ", "Say why"),
    ],
)
def test_bad_credit_notes_are_refused(accountant, invoice, amount, reason, message):
    with pytest.raises(services.AccountingError, match=message):
        services.issue_credit_note(invoice, amount=amount, reason=reason, by=accountant)
    invoice.refresh_from_db()
    assert invoice.amount_credited == 0
    assert not CreditNote.objects.exists()


@pytest.mark.django_db
def test_a_credit_note_is_noted_on_the_customers_timeline(customer, accountant, invoice):
    note = services.issue_credit_note(invoice, amount=D("123.45"), reason="Returned goods", by=accountant)

    activity = Activity.objects.get(customer=customer, kind=Activity.Kind.NOTE, subject__contains=note.number)
    assert activity.subject == f"Credit note {note.number} on invoice {invoice.number}"
    assert "Returned goods" in activity.notes
    assert activity.user == accountant
    assert activity.related_type == ContentType.objects.get_for_model(Invoice)
    assert activity.related_id == invoice.pk


# --- Cancelling an invoiced order ----------------------------------------------------------


@pytest.mark.django_db
def test_cancelling_an_invoiced_order_credits_its_open_balance(customer, accountant, invoice):
    order = invoice.order

    services.cancel_order(order=order, by=accountant)

    order.refresh_from_db()
    invoice.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    note = invoice.credit_notes.get()
    assert note.amount == D("1190.00")
    assert note.reason == f"Order {order.number} cancelled."
    assert invoice.balance == 0
    assert not InstalledProduct.objects.filter(customer=customer).exists()


@pytest.mark.django_db
def test_cancelling_a_partly_paid_order_credits_only_what_is_unpaid(accountant, invoice):
    _pay(invoice, "190.00")

    services.cancel_order(order=invoice.order, by=accountant)

    invoice.refresh_from_db()
    assert invoice.credit_notes.get().amount == D("1000.00")
    assert (invoice.amount_paid, invoice.balance) == (D(190), 0)


@pytest.mark.django_db
def test_cancelling_a_paid_order_needs_no_credit_note_and_twice_is_harmless(accountant, invoice):
    _pay(invoice, "1190.00")

    services.cancel_order(order=invoice.order, by=accountant)
    services.cancel_order(order=invoice.order, by=accountant)

    invoice.order.refresh_from_db()
    assert invoice.order.is_cancelled
    assert not CreditNote.objects.exists()


@pytest.mark.django_db
def test_cancelling_twice_issues_one_credit_note(accountant, invoice):
    services.cancel_order(order=invoice.order, by=accountant)
    services.cancel_order(order=invoice.order, by=accountant)
    assert CreditNote.objects.count() == 1


@pytest.mark.django_db
def test_an_order_without_invoice_is_cancelled_without_credit_note(customer, accountant):
    order = services.cancel_order(order=order_for(customer), by=accountant)
    assert order.is_cancelled
    assert not CreditNote.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite writes one at a time"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_credits_and_payments_never_take_back_more_than_the_total(rep):
    invoice = invoice_for(
        CustomerFactory(owner=rep), lines=[{"product": ProductFactory(unit_price=D(100), tax_rate=D(0))}]
    )
    start = threading.Barrier(6)
    refused = []

    def act(index: int) -> None:
        try:
            start.wait()
            if index % 2:
                services.issue_credit_note(invoice, amount=D(30), reason="Goodwill", by=None)
            else:
                _pay(invoice, "30.00")
        except services.AccountingError:
            refused.append(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    invoice.refresh_from_db()
    assert len(refused) == 3  # three of 30.00 fit in 100.00
    assert invoice.amount_paid + invoice.amount_credited == D(90)
    assert invoice.amount_credited == sum(note.amount for note in invoice.credit_notes.all())
    numbers = sorted(invoice.credit_notes.values_list("number", flat=True))
    year = timezone.localdate().year
    assert numbers == [f"NC-{year}-{n:05d}" for n in range(1, len(numbers) + 1)]
