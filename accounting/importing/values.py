"""The cells of an order-history row: each turns into a value or a message the user can act on."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.models import Order
from contacts.models import Customer

# Imported numbers keep the previous system's number behind this prefix, so they can never
# clash with the CRM's own series ("PED-2026-00001") and a second import recognises them.
HISTORY_PREFIX = "HIS-"
MAX_REF = Customer._meta.get_field("external_ref").max_length
MAX_NAME = Customer._meta.get_field("legal_name").max_length
MAX_ORDER_NUMBER = Order._meta.get_field("number").max_length - len(HISTORY_PREFIX)
# max_digits 16 with 2 decimals: 14 digits before the decimal mark.
MAX_TOTAL = Decimal("1e14")
EARLIEST = date(1900, 1, 1)

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
# One optional decimal mark (dot or comma) with at most two decimals; no thousands separators.
_TOTAL = re.compile(r"[+-]?(\d+)(?:[.,](\d{1,2}))?")


class CellError(ValueError):
    """The cell's message, shown next to its column in the preview."""


def stored_number(order_number: str) -> str:
    return f"{HISTORY_PREFIX}{order_number}"


def customer_ref(value: str) -> str:
    if not value:
        raise CellError(_("The customer reference is required."))
    if len(value) > MAX_REF:
        raise CellError(_("At most %(max)s characters.") % {"max": MAX_REF})
    return value


def customer_name(value: str) -> str:
    if len(value) > MAX_NAME:
        raise CellError(_("At most %(max)s characters.") % {"max": MAX_NAME})
    return " ".join(value.split())


def order_date(value: str, *, today: date | None = None) -> date:
    if not value:
        raise CellError(_("The order date is required."))
    match = _DATE.fullmatch(value)
    if not match:
        raise CellError(
            _("%(value)s is not a date in ISO format; write it as YYYY-MM-DD, e.g. 2024-01-31.")
            % {"value": value}
        )
    try:
        parsed = date(*(int(part) for part in match.groups()))
    except ValueError as error:
        raise CellError(_("%(value)s is not a real date.") % {"value": value}) from error
    if parsed > (today or timezone.localdate()):
        raise CellError(_("%(value)s is in the future; history holds past orders.") % {"value": value})
    if parsed < EARLIEST:
        raise CellError(_("%(value)s is too long ago to be an order date.") % {"value": value})
    return parsed


def order_number(value: str) -> str:
    if len(value) > MAX_ORDER_NUMBER:
        raise CellError(_("At most %(max)s characters.") % {"max": MAX_ORDER_NUMBER})
    return value


def total(value: str) -> Decimal:
    """``1234.5``, ``1234,50`` and ``0`` (a free order) are totals; ``-5`` and ``1.234.567`` are not."""
    cleaned = value.replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise CellError(_("The total is required; write 0 for a free order."))
    match = _TOTAL.fullmatch(cleaned)
    if not match:
        raise CellError(
            _(
                "%(value)s is not an amount. Write digits with a dot or a comma before at most two "
                "decimals and no thousands separators, e.g. 1234567.50."
            )
            % {"value": value}
        )
    try:
        amount = Decimal(cleaned.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover (the pattern only lets numbers through)
        raise CellError(_("%(value)s is not an amount.") % {"value": value}) from error
    if amount < 0:
        raise CellError(
            _("A total cannot be negative (%(value)s); a refund is a credit note, not an order.")
            % {"value": value}
        )
    if amount >= MAX_TOTAL:
        raise CellError(_("%(value)s is too large for a total.") % {"value": value})
    return amount.copy_abs()  # "-0" is a free order too
