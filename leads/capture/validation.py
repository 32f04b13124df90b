"""Row rules and the preview of a lead import: plain functions, fast enough for 100,000 rows.

The rules are the customer form's (lengths, email, the NIT check digit from
``contacts.validators``), applied without a form per row. Each row ends as one of:
a new prospect, a lead on an existing customer, a duplicate of an earlier row, or an
error; rows with errors are skipped and the others import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from contacts.models import Contact, Customer
from contacts.validators import normalize_phone, normalize_tax_id, validate_nit
from leads.capture.matching import ExistingCustomers, MatchKeys
from leads.capture.reading import REQUIRED, Table, mapped_rows
from leads.models import Lead

MAX_SHOWN_ROWS = 1_000
SHOWN_GOOD_ROWS = 10


def _max_length(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


LENGTHS = {
    "legal_name": _max_length(Customer, "legal_name"),
    "trade_name": _max_length(Customer, "trade_name"),
    "tax_id": _max_length(Customer, "tax_id"),
    "email": 254,
    "phone": _max_length(Customer, "phone"),
    "city": _max_length(Customer, "city"),
    "contact_name": _max_length(Contact, "name"),
    "contact_role": _max_length(Contact, "role"),
    "contact_email": 254,
    "contact_phone": _max_length(Contact, "phone"),
}


class Outcome:
    NEW = "new"
    EXISTING = "existing"
    DUPLICATE = "duplicate"
    ERROR = "error"


@dataclass
class RowResult:
    number: int
    values: dict[str, str]
    keys: MatchKeys
    status: str = Outcome.NEW
    errors: list[tuple[str, str]] = field(default_factory=list)
    customer_id: int | None = None
    note: str = ""

    def as_dict(self, names: dict[int, str]) -> dict[str, Any]:
        return {
            "row": self.number,
            "status": self.status,
            "legal_name": self.values.get("legal_name", ""),
            "tax_id": self.values.get("tax_id", ""),
            "email": self.values.get("email", ""),
            "customer_id": self.customer_id,
            "customer": names.get(self.customer_id or 0, ""),
            "errors": [list(error) for error in self.errors],
            "note": self.note,
        }


def _check_email(value: str) -> str | None:
    try:
        validate_email(value)
    except ValidationError:
        return _("Enter a valid email address.")
    return None


def _check_phone(value: str) -> str | None:
    if len(normalize_phone(value)) < 7 or any(char.isalpha() for char in value.replace("ext", "")):
        return _("Enter a phone number with at least 7 digits.")
    return None


def row_errors(values: dict[str, str]) -> list[tuple[str, str]]:
    """What is wrong with one mapped row, as (field, message) pairs; empty when it can import."""
    errors: list[tuple[str, str]] = []
    if not values.get(REQUIRED):
        errors.append((REQUIRED, _("The company or person's name is required.")))
    for name, limit in LENGTHS.items():
        value = values.get(name, "")
        if len(value) > limit:
            errors.append(
                (
                    name,
                    _("At most %(limit)s characters (it has %(length)s).")
                    % {"limit": limit, "length": len(value)},
                )
            )
    tax_id = normalize_tax_id(values.get("tax_id", ""))
    if tax_id:
        try:
            validate_nit(tax_id)
        except ValidationError as error:
            errors.append(("tax_id", error.messages[0]))
    for name, check in (
        ("email", _check_email),
        ("contact_email", _check_email),
        ("phone", _check_phone),
        ("contact_phone", _check_phone),
    ):
        value = values.get(name, "")
        message = value and check(value)
        if message:
            errors.append((name, message))
    has_contact_data = any(values.get(name) for name in ("contact_role", "contact_email", "contact_phone"))
    if has_contact_data and not values.get("contact_name"):
        errors.append(("contact_name", _("Give the contact's name too, or leave the contact columns empty.")))
    return errors


@dataclass
class Preview:
    rows: list[RowResult]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    def counts(self) -> dict[str, int]:
        totals = {Outcome.NEW: 0, Outcome.EXISTING: 0, Outcome.DUPLICATE: 0, Outcome.ERROR: 0}
        for row in self.rows:
            totals[row.status] += 1
        return totals

    def shown_rows(self) -> list[dict[str, Any]]:
        """Every skipped row (up to a limit), then the first rows that will import."""
        skipped = [row for row in self.rows if row.status in (Outcome.ERROR, Outcome.DUPLICATE)]
        good = [row for row in self.rows if row.status in (Outcome.NEW, Outcome.EXISTING)]
        shown = sorted(skipped[:MAX_SHOWN_ROWS] + good[:SHOWN_GOOD_ROWS], key=lambda row: row.number)
        ids = {row.customer_id for row in shown if row.customer_id}
        names = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "legal_name")) if ids else {}
        return [row.as_dict(names) for row in shown]


def build_preview(table: Table, mapping: list[str], *, campaign_id: int) -> Preview:
    """Validate every row, match it against existing customers and earlier rows, in a few queries."""
    rows = []
    for number, values in mapped_rows(table, mapping):
        keys = MatchKeys.of(
            tax_id=values.get("tax_id", ""), email=values.get("email", ""), phone=values.get("phone", "")
        )
        rows.append(RowResult(number, values, keys, errors=row_errors(values)))
    valid = [row for row in rows if not row.errors]
    existing = ExistingCustomers.load(row.keys for row in valid)
    classify(valid, existing, campaign_id=campaign_id)
    for row in rows:
        if row.errors:
            row.status = Outcome.ERROR
            row.note = _("Skipped: fix the row and upload it again.")
    return Preview(rows)


def classify(rows: list[RowResult], existing: ExistingCustomers, *, campaign_id: int | None) -> None:
    """Mark each valid row new, existing or duplicate: rows sharing a tax id, email or phone are one
    customer (the first row's); a customer gets one lead per campaign."""
    reasons = {"tax_id": _("same tax id"), "email": _("same email"), "phone": _("same phone")}
    matched_ids = set()
    for row in rows:
        row.customer_id, kind = existing.match(row.keys)
        if row.customer_id:
            row.status, row.note = Outcome.EXISTING, reasons[kind]
            matched_ids.add(row.customer_id)
    in_campaign = set()
    if campaign_id and matched_ids:
        in_campaign = set(
            Lead.objects.filter(campaign_id=campaign_id, customer_id__in=matched_ids).values_list(
                "customer_id", flat=True
            )
        )
    seen_customers: dict[int, int] = {}
    seen_keys: dict[tuple[str, str], int] = {}
    for row in rows:
        earlier, kind = None, ""
        if row.customer_id:
            earlier = seen_customers.get(row.customer_id)
            kind = "customer"
        if earlier is None:
            for kind, value in row.keys.items():
                earlier = value and seen_keys.get((kind, value))
                if earlier:
                    break
        if earlier:
            row.status = Outcome.DUPLICATE
            reason = _("same customer") if kind == "customer" else reasons[kind]
            row.note = _("Same as row %(row)s (%(reason)s): skipped.") % {"row": earlier, "reason": reason}
            continue
        if row.customer_id in in_campaign:
            row.status = Outcome.DUPLICATE
            row.note = _("This customer already has a lead in this campaign: skipped.")
        if row.customer_id:
            seen_customers[row.customer_id] = row.number
        for kind, value in row.keys.items():
            if value:
                seen_keys.setdefault((kind, value), row.number)
