"""Keeping a previewed file, and importing it once: one transaction, bulk writes, history rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from contacts.counts import customer_rows
from contacts.importing.preview import Preview, RowStatus
from contacts.importing.reading import ImportFileError, ParsedFile, parse
from contacts.importing.validation import chunks, validate
from contacts.models import Contact, Customer, CustomerImport, Tag
from contacts.search import build_search_text
from contacts.validators import normalize_phone
from crm.accounts.models import User
from crm.accounts.services import notify


def _record_preview(record: CustomerImport, preview: Preview) -> None:
    record.row_count = len(preview.rows)
    record.customer_count = len(preview.customers)
    record.contact_count = preview.contact_count
    record.duplicate_count = preview.count(RowStatus.DUPLICATE)
    record.error_count = preview.count(RowStatus.ERROR)
    record.ignored_columns = preview.parsed.ignored_columns
    record.row_results = preview.shown_rows()


def preview_import(*, parsed: ParsedFile, file_name: str, by: User) -> CustomerImport:
    """Validate the file and keep it, with its preview, until its uploader confirms it."""
    preview = validate(parsed)
    record = CustomerImport(uploaded_by=by, file_name=file_name[:255], csv_text=parsed.text)
    _record_preview(record, preview)
    record.save()
    return record


def import_customers(*, customer_import: CustomerImport, by: User) -> CustomerImport:
    """Create the customers and contacts of a previewed file, all or nothing, exactly once.

    The file is validated again first, since customers may have been added since the
    preview: new duplicates are skipped, and any error leaves the import failed with
    nothing written.
    """
    with transaction.atomic():
        record = CustomerImport.objects.select_for_update().get(pk=customer_import.pk, uploaded_by=by)
        if record.status != CustomerImport.Status.PREVIEWED:
            return record
        record.status = CustomerImport.Status.FAILED
        try:
            preview = validate(parse(record.csv_text))
        except ImportFileError as error:
            record.failure = str(error)
            record.save()
            return record
        _record_preview(record, preview)
        if preview.count(RowStatus.ERROR):
            record.failure = _(
                "Some rows have errors now. Nothing was imported: fix the file and upload it again."
            )
        elif not preview.customers:
            record.failure = _("Nothing to import: every customer in the file already exists.")
        else:
            try:
                with transaction.atomic():
                    _write(preview, by=by, file_name=record.file_name)
            except IntegrityError:
                record.failure = _(
                    "Someone created some of these customers at the same moment. Nothing was imported: "
                    "upload the file again to see them as duplicates."
                )
            else:
                record.status = CustomerImport.Status.IMPORTED
                record.imported_at = timezone.now()
        record.save()
    return record


def _ensure_tags(names: Iterable[str]) -> dict[str, int]:
    """Tag ids by lower-cased name, creating the tags that do not exist yet."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(name.lower(), name)
    if not wanted:
        return {}
    Tag.objects.bulk_create([Tag(name=name) for name in wanted.values()], ignore_conflicts=True)
    tags = Tag.objects.annotate(key=Lower("name"))
    found: dict[str, int] = {}
    for chunk in chunks(wanted.values(), uses=2):
        lowered = [name.lower() for name in chunk]
        for pk, name in tags.filter(Q(name__in=chunk) | Q(key__in=lowered)).values_list("pk", "name"):
            # "VIP" and "vip" may both exist: the spelling validation chose wins.
            if name.lower() not in found or name == wanted.get(name.lower()):
                found[name.lower()] = pk
    return found


def _link(relation: Any, pairs: Iterable[tuple[int, int]]) -> None:
    """Bulk insert many-to-many rows (customer id, other id) through ``relation``'s table."""
    through = relation.through
    source, target = relation.field.m2m_field_name(), relation.field.m2m_reverse_field_name()
    through.objects.bulk_create(
        [through(**{f"{source}_id": left, f"{target}_id": right}) for left, right in pairs], batch_size=2000
    )


def _write(preview: Preview, *, by: User, file_name: str) -> list[Customer]:
    now = timezone.now()
    reason = (_("Imported from %(file)s") % {"file": file_name})[:100]
    tag_ids = _ensure_tags(name for planned in preview.customers for name in planned.tag_names)
    customers = []
    for planned in preview.customers:
        owner = planned.owner or by
        customer = Customer(**planned.data, owner=owner, team_id=owner.team_id, created_at=now)
        words = [w for c in planned.contacts for w in (c["name"], c["email"], normalize_phone(c["phone"]))]
        customer.search_text = build_search_text(customer, words)
        customers.append(customer)
    history = {"batch_size": 1000, "default_user": by, "default_change_reason": reason, "default_date": now}
    customers = bulk_create_with_history(customers, Customer, **history)
    customer_rows.bump()  # bulk_create sends no signal
    contacts = [
        Contact(customer=customer, created_at=now, **data)
        for customer, planned in zip(customers, preview.customers, strict=True)
        for data in planned.contacts
    ]
    bulk_create_with_history(contacts, Contact, **history)
    _link(
        Customer.relationship_types,
        [
            (customer.pk, pk)
            for customer, planned in zip(customers, preview.customers, strict=True)
            for pk in planned.relationship_type_ids
        ],
    )
    _link(
        Customer.tags,
        [
            (customer.pk, tag_ids[name.lower()])
            for customer, planned in zip(customers, preview.customers, strict=True)
            for name in planned.tag_names
        ],
    )
    _tell_owners(customers, by=by, file_name=file_name)
    return customers


def _tell_owners(customers: list[Customer], *, by: User, file_name: str) -> None:
    """One notification per other owner, not one per customer."""
    counts: dict[int, int] = {}
    owners: dict[int, User] = {}
    for customer in customers:
        if customer.owner_id != by.pk:
            counts[customer.owner_id] = counts.get(customer.owner_id, 0) + 1
            owners[customer.owner_id] = customer.owner
    for owner_id, count in counts.items():
        notify(
            recipient=owners[owner_id],
            message=ngettext(
                "%(user)s imported %(count)s customer for you from %(file)s.",
                "%(user)s imported %(count)s customers for you from %(file)s.",
                count,
            )
            % {"user": by, "count": count, "file": file_name},
            url=f"{reverse('contacts:customer_list')}?owner={owner_id}",
        )
