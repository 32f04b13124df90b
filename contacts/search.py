"""The customer search box: one normalised text column, one trigram index on PostgreSQL.

``Customer.search_text`` holds the lower-cased, accent-free name, trade name, tax id,
email, phone digits and contact names. Searching is ``LIKE '%term%'`` per term, which
PostgreSQL answers from a ``gin_trgm_ops`` index (created by a migration) and SQLite
answers with a plain scan.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from contacts.models import Contact, Customer
from contacts.validators import normalize_phone


def fold(text: str) -> str:
    """Lower case without accents: ``Café Ñandú`` → ``cafe nandu``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def search_terms(query: str) -> list[str]:
    terms = []
    for word in fold(query).split():
        if not any(ch.isalnum() for ch in word):
            continue
        # A word without letters is a number however it is punctuated: "(300) 123-4567",
        # "900.123.456-8"; search_text keeps phones and tax ids as bare digits too.
        terms.append(word if any(ch.isalpha() for ch in word) else normalize_phone(word))
    return terms[:8]


def build_search_text(customer: Customer, contact_names: Iterable[str] = ()) -> str:
    parts = [
        customer.legal_name,
        customer.trade_name,
        customer.tax_id or "",
        customer.external_ref,
        normalize_phone(customer.tax_id or ""),
        customer.email,
        normalize_phone(customer.phone),
        customer.city,
        *contact_names,
    ]
    return " ".join(fold(part) for part in parts if part)


def refresh_search_text(customer_ids: Iterable[int]) -> None:
    """Recompute ``search_text`` for these customers from their current data and contacts."""
    ids = list(customer_ids)
    if not ids:
        return
    names: dict[int, list[str]] = {}
    for customer_id, name, email, phone in Contact.objects.filter(customer_id__in=ids).values_list(
        "customer_id", "name", "email", "phone"
    ):
        names.setdefault(customer_id, []).extend([name, email, normalize_phone(phone)])
    customers = list(Customer.objects.filter(pk__in=ids))
    for customer in customers:
        customer.search_text = build_search_text(customer, names.get(customer.pk, []))
    Customer.objects.bulk_update(customers, ["search_text"], batch_size=1000)
