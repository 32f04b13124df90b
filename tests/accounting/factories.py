"""Accounting records, made through the real services from an accepted quote."""

from __future__ import annotations

from collections.abc import Sequence

from accounting import services
from sales.models import Quote
from sales.services.quotes import totals_of
from tests.sales.factories import OpportunityFactory, ProductFactory, QuoteFactory, QuoteLineFactory


def accepted_quote(
    *, customer, lines: Sequence[dict] | None = None, products: Sequence | None = None
) -> Quote:
    """An accepted quote for ``customer`` whose stored totals are those of its lines."""
    quote = QuoteFactory(opportunity=OpportunityFactory(customer=customer), status=Quote.Status.ACCEPTED)
    if lines is None:
        lines = [{"product": product} for product in (products or [ProductFactory()])]
    for position, values in enumerate(lines):
        QuoteLineFactory(quote=quote, position=position, **values)
    totals = totals_of(quote.lines.all())
    quote.subtotal, quote.discount_total = totals.subtotal, totals.discount
    quote.tax_total, quote.total, quote.cost_total = totals.tax, totals.total, totals.cost
    quote.save()
    return quote


def order_for(customer, *, by=None, **kwargs):
    return services.create_order_from_quote(quote=accepted_quote(customer=customer, **kwargs), by=by)


def invoice_for(customer, *, by=None, **kwargs):
    return services.create_invoice(order=order_for(customer, by=by, **kwargs), by=by)
