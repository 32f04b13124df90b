"""How many customers a viewer's unfiltered list holds, shared between requests.

Counting a hundred thousand rows was the costliest query of the customer list. The number a
viewer sees without filters (their scope) is remembered until a customer is created, saved
or deleted (see ``crm.caching``). Writes that send no signals (bulk imports) call
``customer_rows.bump()``. A filtered list is always counted: its rows depend on contacts,
tags and scores as well.
"""

from __future__ import annotations

from django.db.models import QuerySet

from crm.caching import Generation

customer_rows = Generation("customer-rows", timeout=600)


def scope_count(customers: QuerySet) -> int:
    """``customers.count()``, from the cache when no customer changed since it was counted."""
    return customer_rows.remember(customers.order_by(), customers.count)
