"""What every accounting write shares: who may act, the numbering, the error users see."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.formats import number_format

from accounting.models import NumberSequence
from crm.accounts.roles import Role, has_role

if TYPE_CHECKING:
    from crm.accounts.models import User

# Who may make orders and invoices and record payments; reps read their customers' orders.
ACCOUNTING_ROLES = (Role.ACCOUNTING, Role.MANAGER, Role.ADMIN)
# Who may type in an order for a sale closed by phone: accounting, and reps for their customers.
ORDER_TAKERS = (*ACCOUNTING_ROLES, Role.SALES_REP)
ORDER_SERIES = "PED"
INVOICE_SERIES = "FAC"
CREDIT_NOTE_SERIES = "NC"
CENT = Decimal("0.01")


class AccountingError(Exception):
    """A business rule said no; the message is shown to the user."""


def can_act(user: User) -> bool:
    return has_role(user, *ACCOUNTING_ROLES)


def can_take_orders(user: User) -> bool:
    return has_role(user, *ORDER_TAKERS)


def next_number(*, series: str) -> str:
    """Take the series' next number, e.g. "FAC-2026-00001".

    The counter row stays locked until the caller's transaction ends, so concurrent
    callers wait their turn, and a rolled-back document gives its number back: no gaps.
    """
    with transaction.atomic():
        NumberSequence.objects.get_or_create(series=series)
        sequence = NumberSequence.objects.select_for_update().get(series=series)
        sequence.last += 1
        sequence.save(update_fields=["last"])
    return f"{series}-{sequence.last:05d}"


def _money(amount: Decimal) -> str:
    return number_format(amount, decimal_pos=2, force_grouping=True)
