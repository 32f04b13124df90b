"""Finding likely duplicates before a customer is typed in twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from contacts.models import Customer
from contacts.search import fold
from contacts.validators import normalize_phone
from crm.accounts.models import User

MAX_CANDIDATES = 10
# Words ending a company name that say nothing about which company it is ("S.A.S.",
# "Ltda.", "y Cía. S. en C."), compared without their dots.
LEGAL_SUFFIXES = {
    "s",
    "a",
    "sa",
    "sas",
    "ltda",
    "limitada",
    "cia",
    "en",
    "c",
    "sca",
    "scs",
    "eu",
    "bic",
    "y",
    "e",
    "&",
}


@dataclass
class Duplicate:
    customer: Customer
    reasons: list[str] = field(default_factory=list)


def _name_key(name: str) -> str:
    words = [word for word in (word.strip(".,") for word in fold(name).split()) if word]
    # Only trailing suffixes go: words inside the name ("Café de la Sierra") stay, so the
    # key remains a contiguous piece of the other customer's search text.
    while words and words[-1].replace(".", "") in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def find_duplicates(
    data: dict[str, Any], *, visible_to: User | None = None, exclude_pk: int | None = None
) -> list[Duplicate]:
    """Customers that share the tax id, email or phone, or whose name looks the same.

    Every customer is checked, even those the user cannot see, because a duplicate
    hidden from one rep is still a duplicate; only visible ones are shown as links.
    """
    conditions = Q()
    tax_id, email = data.get("tax_id"), (data.get("email") or "").strip()
    phone = normalize_phone(data.get("phone") or "")
    if tax_id:
        conditions |= Q(tax_id=tax_id)
    if email:
        conditions |= Q(email__iexact=email)
    if len(phone) >= 7:
        conditions |= Q(search_text__contains=phone[-7:])
    name_key = _name_key(data.get("legal_name") or "")
    if len(name_key) >= 3:
        conditions |= Q(search_text__contains=name_key)
    if not conditions:
        return []
    candidates = Customer.objects.filter(conditions).select_related("owner")
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    duplicates = []
    for customer in candidates[:MAX_CANDIDATES]:
        reasons = []
        if tax_id and customer.tax_id == tax_id:
            reasons.append(_("same tax id"))
        if email and customer.email.lower() == email.lower():
            reasons.append(_("same email"))
        if len(phone) >= 7 and normalize_phone(customer.phone).endswith(phone[-7:]):
            reasons.append(_("same phone"))
        if name_key and name_key in fold(customer.legal_name + " " + customer.trade_name):
            reasons.append(_("similar name"))
        duplicates.append(Duplicate(customer, reasons or [_("similar data")]))
    if visible_to is not None:
        visible = set(
            Customer.objects.visible_to(visible_to)
            .filter(pk__in=[d.customer.pk for d in duplicates])
            .values_list("pk", flat=True)
        )
        for duplicate in duplicates:
            duplicate.customer.is_visible = duplicate.customer.pk in visible
    return duplicates
