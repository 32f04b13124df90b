"""Accounting writes: orders, invoices, payments and credit notes.

Callers import from here; the modules split the work: ``common`` (who may act, numbering),
``orders`` and ``invoices`` (with payments and credit notes).
"""

from accounting.services.common import (
    ACCOUNTING_ROLES,
    CREDIT_NOTE_SERIES,
    INVOICE_SERIES,
    ORDER_SERIES,
    ORDER_TAKERS,
    AccountingError,
    can_act,
    can_take_orders,
    next_number,
)
from accounting.services.invoices import create_invoice, creditable, issue_credit_note, record_payment
from accounting.services.orders import (
    OrderLineInput,
    cancel_order,
    create_order,
    create_order_from_quote,
    fulfil_order,
)

__all__ = [
    "ACCOUNTING_ROLES",
    "CREDIT_NOTE_SERIES",
    "INVOICE_SERIES",
    "ORDER_SERIES",
    "ORDER_TAKERS",
    "AccountingError",
    "OrderLineInput",
    "can_act",
    "can_take_orders",
    "cancel_order",
    "create_invoice",
    "create_order",
    "create_order_from_quote",
    "creditable",
    "fulfil_order",
    "issue_credit_note",
    "next_number",
    "record_payment",
]
