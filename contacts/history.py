"""Change history of a customer and its contacts, as people read it: who, when, which fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
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


def _field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field that no longer exists
        return None


def _deltas(records) -> list[tuple[Any, list]]:
    """Each historical record with its raw differences from the record before it."""
    records = list(records)
    pairs = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and previous.id == record.id:
            changes = record.diff_against(previous, excluded_fields=IGNORED_FIELDS).changes
        pairs.append((record, changes))
    return pairs


def _related_rows(model: type[models.Model], pairs) -> dict[tuple[type, Any], models.Model]:
    """The rows that changed foreign keys point at, one query per related model."""
    wanted: dict[type[models.Model], set] = {}
    for _record, changes in pairs:
        for change in changes:
            field = _field(model, change.field)
            if field is not None and field.many_to_one:
                ids = {value for value in (change.old, change.new) if value is not None}
                wanted.setdefault(field.related_model, set()).update(ids)
    return {
        (related_model, pk): row
        for related_model, ids in wanted.items()
        for pk, row in related_model._base_manager.in_bulk(ids).items()
    }


def _shown(field: models.Field | None, value: Any, related: dict) -> str:
    """A value as people know it: a name rather than an id, a label rather than a code."""
    if value is None or value == "":
        return "—"
    if field is not None and field.many_to_one:
        row = related.get((field.related_model, value))
        return str(row) if row is not None else f"#{value}"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _describe(pairs, model, what, related: dict) -> list[ChangeEntry]:
    """Turn historical records and their differences into entries people read."""
    entries = []
    for record, delta in pairs:
        changes = []
        for change in delta:
            field = _field(model, change.field)
            changes.append(
                FieldChange(
                    str(field.verbose_name) if field is not None else change.field,
                    _shown(field, change.old, related),
                    _shown(field, change.new, related),
                )
            )
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
    customer_pairs = _deltas(customer_records)
    entries = _describe(
        customer_pairs, Customer, lambda record: _("Customer"), _related_rows(Customer, customer_pairs)
    )
    # The newest contact records, grouped per contact (still newest first) to diff each
    # against its predecessor; a contact's oldest record here may lack one and show no fields.
    contact_records = (
        Contact.history.filter(customer_id=customer.pk)
        .select_related("history_user")
        .order_by("-history_date")
    )
    by_contact: dict[int, list] = {}
    for record in contact_records[: limit * 25]:
        by_contact.setdefault(record.id, []).append(record)
    contact_pairs = [pair for records in by_contact.values() for pair in _deltas(records)]
    entries += _describe(
        contact_pairs,
        Contact,
        lambda record: _("Contact %(name)s") % {"name": record.name},
        _related_rows(Contact, contact_pairs),
    )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
