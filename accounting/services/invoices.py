"""Invoices, payments and credit notes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounting.models import PAYMENT_TERM, CreditNote, Invoice, Order, Payment
from contacts.models import Activity
from contacts.services import log_activity

if TYPE_CHECKING:
    from crm.accounts.models import User
from accounting.services.common import (
    CENT,
    CREDIT_NOTE_SERIES,
    INVOICE_SERIES,
    AccountingError,
    _money,
    next_number,
)


@transaction.atomic
def create_invoice(*, order: Order, by: User | None, issue_date: date | None = None) -> Invoice:
    """Invoice the order with the next number of the year's series; due 30 days after issue.

    An order is invoiced once: calling again returns the invoice already made.
    """
    current = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    existing = Invoice.objects.filter(order=current).first()
    if existing is not None:
        return existing
    if current.is_cancelled:
        raise AccountingError(_("A cancelled order cannot be invoiced."))
    if current.is_history:
        raise AccountingError(_("An order imported as history was invoiced in the previous system."))
    issued = issue_date or timezone.localdate()
    series = f"{INVOICE_SERIES}-{issued.year}"
    return Invoice.objects.create(
        order=current,
        series=series,
        number=next_number(series=series),
        issue_date=issued,
        due_date=issued + PAYMENT_TERM,
        currency=current.currency,
        subtotal=current.subtotal,
        discount_total=current.discount_total,
        tax_total=current.tax_total,
        total=current.total,
        created_by=by,
    )


@transaction.atomic
def record_payment(
    *,
    invoice: Invoice,
    amount: Decimal,
    paid_on: date,
    method: str,
    by: User | None,
    reference: str = "",
) -> Payment:
    """Record a (possibly partial) payment; more than the balance is refused."""
    current = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if amount <= 0:
        raise AccountingError(_("A payment must be more than zero."))
    if amount > current.balance:
        raise AccountingError(
            _("The payment of %(amount)s is more than the balance of %(balance)s.")
            % {"amount": amount, "balance": current.balance}
        )
    payment = Payment.objects.create(
        invoice=current, amount=amount, paid_on=paid_on, method=method, reference=reference, recorded_by=by
    )
    current.amount_paid += amount
    current.save(update_fields=["amount_paid"])
    invoice.amount_paid = current.amount_paid
    return payment


def creditable(invoice: Invoice) -> Decimal:
    """What a credit note may still take back: the open balance (paid money needs a refund)."""
    return max(invoice.balance, Decimal(0))


@transaction.atomic
def issue_credit_note(invoice: Invoice, *, amount: Decimal, reason: str, by: User | None) -> CreditNote:
    """Credit part or all of the invoice's open balance, numbered without gaps in ``NC-<year>``.

    The invoice row is locked while its credited amount grows, so two credit notes (or a
    credit note and a payment) at once can never take back more than the invoice is owed.
    The credit note is noted on the customer's timeline.
    """
    reason = reason.strip()
    if not reason:
        raise AccountingError(_("Say why the invoice is credited."))
    if amount <= 0:
        raise AccountingError(_("A credit note must be more than zero."))
    if amount != amount.quantize(CENT):
        raise AccountingError(_("A credit note is in whole cents."))
    current = (
        Invoice.objects.select_for_update(of=("self",)).select_related("order__customer").get(pk=invoice.pk)
    )
    if amount > creditable(current):
        raise AccountingError(
            _(
                "The credit note of %(amount)s is more than the %(open)s still open on the invoice; "
                "money already paid is given back by a refund, not a credit note."
            )
            % {"amount": _money(amount), "open": _money(creditable(current))}
        )
    today = timezone.localdate()
    series = f"{CREDIT_NOTE_SERIES}-{today.year}"
    note = CreditNote.objects.create(
        invoice=current,
        series=series,
        number=next_number(series=series),
        issue_date=today,
        amount=amount,
        reason=reason,
        created_by=by,
    )
    current.amount_credited += amount
    current.save(update_fields=["amount_credited"])
    invoice.amount_credited = current.amount_credited
    _log_credit_note(note, current, by)
    return note


def _log_credit_note(note: CreditNote, invoice: Invoice, by: User | None) -> None:
    # The timeline is read by every department: written in the company's language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Credit note %(number)s on invoice %(invoice)s") % {
            "number": note.number,
            "invoice": invoice.number,
        }
        notes = _("%(amount)s %(currency)s credited: %(reason)s") % {
            "amount": _money(note.amount),
            "currency": invoice.currency,
            "reason": note.reason,
        }
    log_activity(
        customer=invoice.order.customer,
        by=by,
        kind=Activity.Kind.NOTE,
        subject=subject,
        notes=notes,
        related=invoice,
    )
