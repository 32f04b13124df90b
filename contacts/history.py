"""Change history of a customer and its contacts, as people read it: who, when, which fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from contacts.models import Contact, Customer

IGNORED_FIELDS = {"version", "updated_at", "search_text"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class ChangeEntry:
    when: datetime
    who: str
    what: str
    reason: str
    changes: list[FieldChange]


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field that no longer exists
        return name


def _describe(records, model, what) -> list[ChangeEntry]:
    """Turn consecutive historical records into entries with their field differences."""
    entries = []
    records = list(records)
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None and previous.id == record.id:
            delta = record.diff_against(previous, excluded_fields=IGNORED_FIELDS)
            changes = [
                FieldChange(_label(model, change.field), str(change.old or "—"), str(change.new or "—"))
                for change in delta.changes
            ]
        kind = {"+": _("created"), "~": _("changed"), "-": _("deleted")}[record.history_type]
        entries.append(
            ChangeEntry(
                when=record.history_date,
                who=str(record.history_user or _("system")),
                what=f"{what(record)} {kind}",
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def customer_changes(customer: Customer, *, limit: int = 20) -> list[ChangeEntry]:
    """The newest ``limit`` changes to the customer and its contacts, newest first."""
    customer_records = customer.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    contact_records = (
        Contact.history.filter(customer_id=customer.pk)
        .select_related("history_user")
        .order_by("id", "-history_date")
    )
    entries = _describe(customer_records, Customer, lambda record: _("Customer"))
    by_contact: dict[int, list] = {}
    for record in contact_records[:500]:
        by_contact.setdefault(record.id, []).append(record)
    for records in by_contact.values():
        entries += _describe(records, Contact, lambda record: _("Contact %(name)s") % {"name": record.name})
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
