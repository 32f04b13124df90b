from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounting import services
from accounting.models import Invoice, Payment
from tests.accounting.factories import invoice_for, order_for
from tests.factories import CustomerFactory


@pytest.mark.django_db
def test_an_invoice_copies_the_order_totals_and_is_due_in_30_days(customer, accountant):
    order = order_for(customer)
    invoice = services.create_invoice(order=order, by=accountant, issue_date=date(2026, 3, 10))

    assert invoice.number == "FAC-2026-00001"
    assert invoice.due_date == date(2026, 4, 9)
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        order.subtotal,
        order.tax_total,
        order.total,
    )
    assert invoice.balance == order.total
    assert not invoice.is_paid


@pytest.mark.django_db
def test_invoices_are_numbered_without_gaps_and_once_per_order(customer, accountant):
    year = timezone.localdate().year
    first = invoice_for(customer)
    second = invoice_for(customer)
    assert [first.number, second.number] == [f"FAC-{year}-00001", f"FAC-{year}-00002"]
    assert services.create_invoice(order=first.order, by=accountant) == first
    assert Invoice.objects.count() == 2


@pytest.mark.django_db
def test_a_cancelled_order_is_not_invoiced(customer, accountant):
    order = services.cancel_order(order=order_for(customer), by=accountant)
    with pytest.raises(services.AccountingError, match="cancelled"):
        services.create_invoice(order=order, by=accountant)
    assert not Invoice.objects.exists()


@pytest.mark.django_db
def test_partial_payments_reduce_the_balance_until_paid(customer, accountant):
    invoice = invoice_for(customer)
    total = invoice.total
    services.record_payment(
        invoice=invoice,
        amount=Decimal("100.00"),
        paid_on=timezone.localdate(),
        method="transfer",
        by=accountant,
    )
    invoice.refresh_from_db()
    assert invoice.balance == total - Decimal("100.00")
    assert not invoice.is_paid

    services.record_payment(
        invoice=invoice, amount=invoice.balance, paid_on=timezone.localdate(), method="cash", by=accountant
    )
    invoice.refresh_from_db()
    assert invoice.balance == 0
    assert invoice.is_paid
    assert invoice.payments.count() == 2


@pytest.mark.django_db
def test_a_payment_larger_than_the_balance_is_refused(customer, accountant):
    invoice = invoice_for(customer)
    with pytest.raises(services.AccountingError, match="more than the balance"):
        services.record_payment(
            invoice=invoice,
            amount=invoice.total + Decimal("0.01"),
            paid_on=timezone.localdate(),
            method="card",
            by=accountant,
        )
    with pytest.raises(services.AccountingError, match="more than zero"):
        services.record_payment(
            invoice=invoice, amount=Decimal(0), paid_on=timezone.localdate(), method="card", by=accountant
        )
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_an_unpaid_invoice_is_overdue_after_its_due_date(customer, accountant):
    invoice = invoice_for(customer)
    assert not invoice.is_overdue
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert invoice.is_overdue
        services.record_payment(
            invoice=invoice, amount=invoice.total, paid_on=timezone.localdate(), method="cash", by=accountant
        )
        invoice.refresh_from_db()
        assert not invoice.is_overdue


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite writes one at a time"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_invoices_get_distinct_consecutive_numbers(rep):
    customer = CustomerFactory(owner=rep)
    orders = [order_for(customer) for _ in range(8)]
    start = threading.Barrier(8)
    numbers, errors = [], []

    def create(order) -> None:
        try:
            start.wait()
            numbers.append(services.create_invoice(order=order, by=None).number)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    year = timezone.localdate().year
    assert errors == []
    assert sorted(numbers) == [f"FAC-{year}-{n:05d}" for n in range(1, 9)]
