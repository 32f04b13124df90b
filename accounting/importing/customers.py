"""The customers an order-history import creates, written in bulk like the orders.

They get the change history ``save()`` would give them through django-simple-history, and
the search text the customer list searches.

A customer found by tax id keeps its external reference as it is: the file's reference is
then that tax id, so the next import finds the customer the same way, and writing it would
only rewrite every matched customer (and its history) for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection

from accounting.importing.preview import Preview
from contacts.counts import customer_rows
from contacts.models import Customer, RelationshipType
from contacts.search import build_search_text
from crm import bulk

if TYPE_CHECKING:
    from crm.accounts.models import User


def _write_history(
    customers: Sequence[Customer], *, kind: str, by: User | None, reason: str, when: datetime
) -> None:
    """One history entry per customer, ``+`` created or ``~`` changed, as simple-history records."""
    model = Customer.history.model
    names = {field.attname for field in Customer._meta.concrete_fields}
    tracked = [field.attname for field in model._meta.concrete_fields if field.attname in names]
    extra = {
        "history_date": when,
        "history_change_reason": reason,
        "history_type": kind,
        "history_user_id": by.pk if by else None,
    }
    bulk.insert(
        model, [{**{name: getattr(customer, name) for name in tracked}, **extra} for customer in customers]
    )


def create_customers(
    preview: Preview, *, by: User | None, reason: str, when: datetime
) -> dict[str, Customer]:
    """The customers the file names and the CRM lacks: owned by the importer, marked as imported,
    at the retention stage and of the "customer" relationship type, since they have bought."""
    customers = []
    for ref, name in preview.new_customers.items():
        customer = Customer(
            legal_name=name,
            external_ref=ref,
            is_imported=True,
            lifecycle_stage=Customer.Stage.RETENTION,
            owner_id=by.pk if by else None,
            team_id=by.team_id if by else None,
            created_at=when,
            updated_at=when,
        )
        customer.search_text = build_search_text(customer)
        customers.append(customer)
    if not customers:
        return {}
    if connection.vendor == "postgresql":
        for customer, pk in zip(customers, bulk.reserve_ids(Customer, len(customers)), strict=True):
            customer.pk = pk
        bulk.insert(Customer, [bulk.plain_values(customer) for customer in customers])
    else:
        Customer.objects.bulk_create(customers, batch_size=bulk.BATCH_SIZE)
    _write_history(customers, kind="+", by=by, reason=reason, when=when)
    customer_rows.bump()  # bulk inserts send no signal
    buyer = RelationshipType.objects.filter(code="customer").first()
    if buyer is not None:
        through = Customer.relationship_types.through
        bulk.insert(
            through, [{"customer_id": customer.pk, "relationshiptype_id": buyer.pk} for customer in customers]
        )
    return {customer.external_ref: customer for customer in customers}
