"""Finding the customers a file's rows (or a web form) already refer to, a few queries per file.

A row matches by tax id first, then email, then phone; phones compare by their last ten
digits, so ``+57 300 123 4567`` and ``3001234567`` are the same number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Lower, Replace, Right

from contacts.importing.validation import PHONE_KEY_DIGITS, chunks
from contacts.models import Customer
from contacts.validators import normalize_phone, normalize_tax_id


def phone_key(value: str) -> str:
    digits = normalize_phone(value)
    return digits[-PHONE_KEY_DIGITS:] if len(digits) >= 7 else ""


@dataclass(frozen=True)
class MatchKeys:
    tax_id: str = ""
    email: str = ""
    phone: str = ""

    @classmethod
    def of(cls, *, tax_id: str = "", email: str = "", phone: str = "") -> MatchKeys:
        return cls(normalize_tax_id(tax_id), (email or "").strip().lower(), phone_key(phone))

    def items(self) -> list[tuple[str, str]]:
        return [("tax_id", self.tax_id), ("email", self.email), ("phone", self.phone)]


@dataclass
class ExistingCustomers:
    """Customer ids by tax id, lower-cased email and phone key."""

    by_tax_id: dict[str, int] = field(default_factory=dict)
    by_email: dict[str, int] = field(default_factory=dict)
    by_phone: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, keys: Iterable[MatchKeys]) -> ExistingCustomers:
        keys = list(keys)
        if connection.vendor == "postgresql":
            return cls._load_postgresql(keys)
        found = cls()
        customers = Customer.objects.order_by()
        for chunk in chunks(key.tax_id for key in keys if key.tax_id):
            found.by_tax_id.update(customers.filter(tax_id__in=chunk).values_list("tax_id", "pk"))
        for chunk in chunks(key.email for key in keys if key.email):
            matches = customers.annotate(email_key=Lower("email")).filter(email_key__in=chunk)
            # The oldest customer wins when several share an email.
            for email, pk in matches.order_by("-pk").values_list("email_key", "pk"):
                found.by_email[email] = pk
        digits = F("phone")
        for char in " -()+./":
            digits = Replace(digits, Value(char), Value(""))
        for chunk in chunks(key.phone for key in keys if key.phone):
            matches = customers.exclude(phone="").annotate(phone_key=Right(digits, PHONE_KEY_DIGITS))
            for phone, pk in (
                matches.filter(phone_key__in=chunk).order_by("-pk").values_list("phone_key", "pk")
            ):
                found.by_phone[phone] = pk
        return found

    @classmethod
    def _load_postgresql(cls, keys: list[MatchKeys]) -> ExistingCustomers:
        """One scan with three arrays as parameters: a 100,000-row file costs one query, not
        fifteen queries of 20,000 placeholders each."""
        found = cls()
        tax_ids = sorted({key.tax_id for key in keys if key.tax_id})
        emails = sorted({key.email for key in keys if key.email})
        phones = sorted({key.phone for key in keys if key.phone})
        if not (tax_ids or emails or phones):
            return found
        table = Customer._meta.db_table
        phone_key = f"right(regexp_replace(phone, '[^0-9]', '', 'g'), {PHONE_KEY_DIGITS})"
        query = (
            f"SELECT id, tax_id, lower(email), CASE WHEN phone <> '' THEN {phone_key} END "  # noqa: S608
            f"FROM {table} WHERE tax_id = ANY(%s) OR lower(email) = ANY(%s) "
            f"OR (phone <> '' AND {phone_key} = ANY(%s)) ORDER BY id DESC"
        )
        wanted_tax, wanted_email, wanted_phone = set(tax_ids), set(emails), set(phones)
        with connection.cursor() as cursor:
            cursor.execute(query, [tax_ids, emails, phones])
            # Newest first, so that the oldest customer wins when several share an email or phone.
            for pk, tax_id, email, phone in cursor.fetchall():
                if tax_id in wanted_tax:
                    found.by_tax_id[tax_id] = pk
                if email in wanted_email:
                    found.by_email[email] = pk
                if phone in wanted_phone:
                    found.by_phone[phone] = pk
        return found

    def match(self, keys: MatchKeys) -> tuple[int | None, str]:
        """The matching customer's id and what matched ("tax_id", "email", "phone"), or (None, "")."""
        for kind, value in keys.items():
            pk = value and getattr(self, f"by_{kind}").get(value)
            if pk:
                return pk, kind
        return None, ""


def find_customer(keys: MatchKeys) -> tuple[int | None, str]:
    """The one existing customer these keys point at, for a single web-form entry."""
    return ExistingCustomers.load([keys]).match(keys)
