"""Orders: from an accepted quote, typed in for a sale closed by phone, cancelled, fulfilled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounting.models import Invoice, Order, OrderLine
from contacts.models import Activity
from contacts.services import log_activity
from sales import pricing
from sales.models import InstalledProduct, Product, Quote
from sales.services.catalog import add_to_installed_base

if TYPE_CHECKING:
    from contacts.models import Customer
    from crm.accounts.models import User
from accounting.services.common import ORDER_SERIES, AccountingError, _money, next_number
from accounting.services.invoices import issue_credit_note


@transaction.atomic
def create_order_from_quote(*, quote: Quote, by: User | None) -> Order:
    """Make the order of an accepted quote, carrying its lines and totals over exactly.

    Only an accepted quote makes an order, and only one: calling again returns the order
    already made. Each product ordered enters the customer's installed base from the
    order date (licences expire after the product's term).
    """
    current = Quote.objects.select_for_update(of=("self",)).select_related("customer").get(pk=quote.pk)
    existing = Order.objects.filter(quote=current).first()
    if existing is not None:
        return existing
    if current.status != Quote.Status.ACCEPTED:
        raise AccountingError(_("Only an accepted quote becomes an order."))
    today = timezone.localdate()
    order = Order.objects.create(
        customer=current.customer,
        quote=current,
        number=next_number(series=f"{ORDER_SERIES}-{today.year}"),
        order_date=today,
        currency=current.currency,
        subtotal=current.subtotal,
        discount_total=current.discount_total,
        tax_total=current.tax_total,
        total=current.total,
        created_by=by,
    )
    lines = list(current.lines.select_related("product"))
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=line.position,
            product=line.product,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            unit_cost=line.unit_cost,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_rate,
        )
        for line in lines
    )
    for product in {line.product_id: line.product for line in lines}.values():
        add_to_installed_base(customer=current.customer, product=product, since=order.order_date, by=by)
    return order


@dataclass(frozen=True)
class OrderLineInput:
    """A line typed into a new order; a unit price or tax rate of None takes the product's."""

    product: Product
    quantity: Decimal
    unit_price: Decimal | None = None
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal | None = None


def _order_line(entry: OrderLineInput, position: int) -> OrderLine:
    product = entry.product
    if entry.quantity <= 0:
        raise AccountingError(_("The quantity must be more than zero."))
    if entry.unit_price is not None and entry.unit_price < 0:
        raise AccountingError(_("The price cannot be negative."))
    if not 0 <= entry.discount_percent <= 100:
        raise AccountingError(_("The discount must be between 0 and 100."))
    if entry.tax_rate is not None and not 0 <= entry.tax_rate <= 100:
        raise AccountingError(_("The tax rate must be between 0 and 100."))
    # Snapshot: the price and tax agreed on the phone, or the catalogue's of the day.
    return OrderLine(
        position=position,
        product=product,
        description=product.name,
        quantity=entry.quantity,
        unit_price=product.unit_price if entry.unit_price is None else entry.unit_price,
        unit_cost=product.unit_cost,
        discount_percent=entry.discount_percent,
        tax_rate=product.tax_rate if entry.tax_rate is None else entry.tax_rate,
    )


@transaction.atomic
def create_order(
    customer: Customer,
    *,
    lines: Sequence[OrderLineInput],
    order_date: date,
    notes: str,
    by: User | None,
) -> Order:
    """An order typed in by hand (a sale closed by phone), with no quote behind it.

    Totals follow the quotes' arithmetic (``sales.pricing``), so the same lines cost the
    same as on a quote; the number comes from the order date's ``PED-<year>`` series, as
    for orders made from quotes, and each product enters the customer's installed base.
    """
    if not lines:
        raise AccountingError(_("Add at least one line to the order."))
    if order_date > timezone.localdate():
        raise AccountingError(_("The order date cannot be in the future."))
    order_lines = [_order_line(entry, position) for position, entry in enumerate(lines)]
    totals = pricing.compute_totals(
        pricing.Line(
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            tax_rate=line.tax_rate,
            unit_cost=line.unit_cost,
        )
        for line in order_lines
    )
    order = Order.objects.create(
        customer=customer,
        number=next_number(series=f"{ORDER_SERIES}-{order_date.year}"),
        order_date=order_date,
        subtotal=totals.subtotal,
        discount_total=totals.discount,
        tax_total=totals.tax,
        total=totals.total,
        notes=notes.strip(),
        created_by=by,
    )
    for line in order_lines:
        line.order = order
    OrderLine.objects.bulk_create(order_lines)
    for product in {line.product_id: line.product for line in order_lines}.values():
        add_to_installed_base(customer=customer, product=product, since=order_date, by=by)
    _log_order(order, by)
    return order


def _log_order(order: Order, by: User | None) -> None:
    # The timeline is read by every department: written in the company's language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Order %(number)s taken") % {"number": order.number}
        notes = _("Total %(total)s %(currency)s, without a quote.") % {
            "total": _money(order.total),
            "currency": order.currency,
        }
    log_activity(
        customer=order.customer, by=by, kind=Activity.Kind.NOTE, subject=subject, notes=notes, related=order
    )


@transaction.atomic
def cancel_order(*, order: Order, by: User | None) -> Order:
    """Cancel the order and take out of the installed base what the customer had only from it.

    The rule is simple on purpose: a product of this order leaves the installed base unless
    another order of the customer that is not cancelled also contains it. Products ticked by
    hand on the customer page and never ordered are removed too when this order contained
    them, because the order is then the only record of the purchase.

    An invoiced order gets a credit note for what is still open on its invoice, in the same
    transaction. Money already paid stays paid: giving it back is a refund, not done here.
    """
    current = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if current.is_cancelled:
        return current
    invoice = Invoice.objects.filter(order=current).first()
    if invoice is not None:
        open_amount = Invoice.objects.select_for_update().get(pk=invoice.pk).balance
        if open_amount > 0:
            with translation.override(settings.LANGUAGE_CODE):
                reason = _("Order %(number)s cancelled.") % {"number": current.number}
            issue_credit_note(invoice, amount=open_amount, reason=reason, by=by)
    current.status = Order.Status.CANCELLED
    current.cancelled_at = timezone.now()
    current.save(update_fields=["status", "cancelled_at"])
    products = set(current.lines.values_list("product_id", flat=True))
    still_ordered = set(
        OrderLine.objects.filter(order__customer_id=current.customer_id, product_id__in=products)
        .exclude(order__status=Order.Status.CANCELLED)
        .values_list("product_id", flat=True)
    )
    InstalledProduct.objects.filter(
        customer_id=current.customer_id, product_id__in=products - still_ordered
    ).delete()
    return current


@transaction.atomic
def fulfil_order(*, order: Order, by: User | None) -> Order:
    current = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if current.status != Order.Status.CONFIRMED:
        raise AccountingError(_("Only a confirmed order can be fulfilled."))
    current.status = Order.Status.FULFILLED
    current.save(update_fields=["status"])
    return current
