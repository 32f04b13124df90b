"""A segment's members: the customer list's filters, stored, plus a few that only segments have.

Members are computed each time a segment is used, never stored, so a segment follows the
customer base as it changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict

from contacts.filters import CustomerFilter
from contacts.models import Customer
from marketing.models import EmailOptOut, Segment

if TYPE_CHECKING:
    from crm.accounts.models import User

HAS_EMAIL = "has_email"
NOT_OPTED_OUT = "not_opted_out"
SEGMENT_ONLY_PARAMS = (HAS_EMAIL, NOT_OPTED_OUT)
# Parameters of the customer list that say how to show it, not whom to show.
IGNORED_PARAMS = frozenset({"page", "sort"})


def customer_filter_params() -> list[str]:
    """The customer-list query parameters a segment keeps."""
    return [name for name in CustomerFilter.base_filters if name not in IGNORED_PARAMS]


def clean_filters(params: dict) -> dict[str, str]:
    """Only the parameters segments know, with a value, as plain strings."""
    known = [*customer_filter_params(), *SEGMENT_ONLY_PARAMS]
    return {name: str(params[name]).strip() for name in known if str(params.get(name, "")).strip()}


def customer_filter(filters: dict, *, user: User) -> CustomerFilter:
    """The customer list's FilterSet bound to a segment's stored parameters."""
    data = QueryDict(mutable=True)
    for name in customer_filter_params():
        if filters.get(name):
            data[name] = str(filters[name])
    return CustomerFilter(data, queryset=Customer.objects.visible_to(user))


def filters_are_valid(filters: dict, *, user: User) -> bool:
    """False when a stored value no longer exists (a deleted tag, an unknown stage)."""
    return customer_filter(filters, user=user).is_valid()


def members_for_filters(filters: dict, *, user: User) -> QuerySet[Customer]:
    """The customers ``user`` can see that match ``filters``."""
    customers = customer_filter(filters, user=user).qs
    if filters.get(HAS_EMAIL):
        customers = customers.exclude(email="")
    if filters.get(NOT_OPTED_OUT):
        customers = customers.filter(~Exists(EmailOptOut.objects.filter(customer=OuterRef("pk"))))
    return customers


def segment_members(segment: Segment, *, user: User) -> QuerySet[Customer]:
    """The segment's members as ``user`` sees them (marketing and managers see everyone)."""
    return members_for_filters(segment.filters or {}, user=user)


def segment_customers(segment: Segment, user: User) -> QuerySet[Customer]:
    """The members for a send: nobody when a stored filter went stale, never a wider audience."""
    if not filters_are_valid(segment.filters or {}, user=user):
        return Customer.objects.none()
    return segment_members(segment, user=user)
