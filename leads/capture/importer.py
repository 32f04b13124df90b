"""Lead imports: keep the upload, map its columns, preview, then import in the background.

The import runs in chunks, each in its own transaction that also advances
``processed_rows``; a task that is run again (a worker lost mid-way) resumes after the
last chunk written, so no row is imported twice.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from contacts.counts import customer_rows
from contacts.importing.reading import ImportFileError
from contacts.models import Contact, Customer, RelationshipType
from contacts.search import build_search_text, fold, refresh_search_text
from contacts.validators import normalize_phone, normalize_tax_id
from crm.accounts.models import Team, User
from crm.accounts.services import notify
from leads.capture.distribution import distribute_leads
from leads.capture.matching import ExistingCustomers
from leads.capture.reading import FIELDS, IGNORE, REQUIRED, Table, guess_mapping, read_table
from leads.capture.validation import MAX_SHOWN_ROWS, Outcome, RowResult, build_preview
from leads.models import Lead, LeadImport
from marketing.models import Campaign, CampaignMember

CHUNK_ROWS = 1_000


def start_import(
    *, campaign: Campaign, upload: UploadedFile, table: Table, distribute_to_team: Team | None, by: User
) -> LeadImport:
    """Keep an uploaded file, with its headers and a guessed mapping, for its mapping step."""
    record = LeadImport(
        campaign=campaign,
        uploaded_by=by,
        file_name=(upload.name or "")[:255],
        distribute_to_team=distribute_to_team or campaign.team,
        total_rows=len(table.rows),
        mapping={"headers": table.headers, "fields": guess_mapping(table.headers)},
    )
    upload.seek(0)
    record.file.save(upload.name or "leads.csv", upload, save=False)
    record.save()
    return record


def load_table(record: LeadImport) -> Table:
    try:
        with record.file.open("rb") as handle:
            data = handle.read()
    except OSError as error:
        raise ImportFileError(_("The uploaded file is no longer available; upload it again.")) from error
    return read_table(data)


def clean_mapping(headers: list[str], fields: list[str]) -> list[str]:
    """The user's choice per header, each of our fields at most once; raises ImportFileError if unusable."""
    if len(fields) != len(headers) or any(field not in FIELDS and field != IGNORE for field in fields):
        raise ImportFileError(_("Choose one field, or Ignore, for each column."))
    chosen = [field for field in fields if field]
    repeated = sorted({str(FIELDS[field]) for field in chosen if chosen.count(field) > 1})
    if repeated:
        raise ImportFileError(
            _("Each field can come from one column only: %(fields)s.") % {"fields": ", ".join(repeated)}
        )
    if REQUIRED not in chosen:
        raise ImportFileError(_("Choose the column that holds the company or person's name."))
    return fields


def preview_import(*, lead_import: LeadImport, fields: list[str]) -> LeadImport:
    """Validate and match every row under this mapping, and keep what the preview shows."""
    record = lead_import
    if record.status not in (LeadImport.Status.UPLOADED, LeadImport.Status.PREVIEWED):
        return record
    mapping = clean_mapping(record.mapping.get("headers", []), fields)
    table = load_table(record)
    preview = build_preview(table, mapping, campaign_id=record.campaign_id)
    record.mapping = {**record.mapping, "fields": mapping}
    record.total_rows = len(preview.rows)
    record.status = LeadImport.Status.PREVIEWED
    record.result = {"counts": preview.counts(), "rows": preview.shown_rows()}
    record.save()
    return record


def confirm_import(*, lead_import: LeadImport, by: User) -> LeadImport:
    """Start the background import of a previewed file, once."""
    from leads.tasks import run_lead_import_task

    with transaction.atomic():
        record = LeadImport.objects.select_for_update().get(pk=lead_import.pk)
        if record.status != LeadImport.Status.PREVIEWED:
            return record
        record.status = LeadImport.Status.IMPORTING
        record.processed_rows = 0
        record.result = {
            **record.result,
            "summary": {"created_customers": 0, "existing_customers": 0, "contacts": 0, "skipped": 0},
            "skipped": [],
        }
        record.save()
        transaction.on_commit(lambda: run_lead_import_task.delay(lead_import_id=record.pk))
    return record


def run_import(*, lead_import_id: int) -> LeadImport | None:
    """Import a confirmed file chunk by chunk; safe to run twice (it resumes, or does nothing)."""
    record = (
        LeadImport.objects.select_related("campaign", "distribute_to_team", "uploaded_by")
        .filter(pk=lead_import_id)
        .first()
    )
    if record is None or record.status != LeadImport.Status.IMPORTING:
        return record
    try:
        preview = build_preview(load_table(record), record.mapping["fields"], campaign_id=record.campaign_id)
    except ImportFileError as error:
        record.status = LeadImport.Status.FAILED
        record.result = {**record.result, "failure": str(error)}
        record.finished_at = timezone.now()
        record.save()
        return record
    rows, start = preview.rows, record.processed_rows
    for offset in range(start, len(rows), CHUNK_ROWS):
        if not _import_chunk(record, rows[offset : offset + CHUNK_ROWS], expected=offset):
            return record  # another run of this task got ahead of this one
    with transaction.atomic():
        record = LeadImport.objects.select_for_update().get(pk=record.pk)
        if record.status != LeadImport.Status.IMPORTING:
            return record
        record.status = LeadImport.Status.DONE
        record.processed_rows = record.total_rows = len(rows)
        record.finished_at = timezone.now()
        record.save()
        if record.uploaded_by_id:
            _tell_uploader(record)
    return record


def _import_chunk(record: LeadImport, rows: list[RowResult], *, expected: int) -> bool:
    for attempt in range(2):
        try:
            with transaction.atomic():
                locked = LeadImport.objects.select_for_update().get(pk=record.pk)
                if locked.status != LeadImport.Status.IMPORTING or locked.processed_rows != expected:
                    return False
                written = _write_rows(record, rows)
                summary = locked.result.setdefault("summary", {})
                for key, value in written.items():
                    summary[key] = summary.get(key, 0) + value
                skipped = locked.result.setdefault("skipped", [])
                problems = [row for row in rows if row.status in (Outcome.ERROR, Outcome.DUPLICATE)]
                summary["skipped"] = summary.get("skipped", 0) + len(problems)
                room = MAX_SHOWN_ROWS - len(skipped)
                skipped += [row.as_dict({}) for row in problems[: max(room, 0)]]
                locked.processed_rows = expected + len(rows)
                locked.created_leads += written["created_customers"] + written["existing_customers"]
                locked.matched_customers += written["existing_customers"]
                locked.save()
                record.processed_rows = locked.processed_rows
                return True
        except IntegrityError:
            # A customer with one of these tax ids was created meanwhile: match again and retry.
            if attempt:
                raise
            for row in rows:
                if row.status == Outcome.NEW:
                    row.customer_id = None
    return False  # pragma: no cover


def _write_rows(record: LeadImport, rows: list[RowResult]) -> dict[str, int]:
    now = timezone.now()
    team = record.distribute_to_team or record.campaign.team
    by = record.uploaded_by
    new_rows = [row for row in rows if row.status == Outcome.NEW]
    if new_rows:
        # Customers may have been added since the preview: those rows now get a lead on them.
        again = ExistingCustomers.load(row.keys for row in new_rows)
        for row in new_rows:
            row.customer_id, _kind = again.match(row.keys)
            if row.customer_id:
                row.status = Outcome.EXISTING
        new_rows = [row for row in new_rows if row.status == Outcome.NEW]
    reason = (_("Imported into campaign %(campaign)s") % {"campaign": record.campaign.name})[:100]
    history = {"batch_size": 1000, "default_user": by, "default_change_reason": reason, "default_date": now}
    customers = []
    for row in new_rows:
        values = row.values
        customer = Customer(
            legal_name=values["legal_name"],
            trade_name=values.get("trade_name", ""),
            tax_id=normalize_tax_id(values.get("tax_id", "")) or None,
            email=values.get("email", ""),
            phone=values.get("phone", ""),
            city=values.get("city", ""),
            lifecycle_stage=Customer.Stage.INTEREST,
            team=team,
            created_at=now,
        )
        contact_words = [values.get(name, "") for name in ("contact_name", "contact_email")]
        customer.search_text = build_search_text(
            customer, [*contact_words, normalize_phone(values.get("contact_phone", ""))]
        )
        customers.append(customer)
    customers = bulk_create_with_history(customers, Customer, **history) if customers else []
    customer_rows.bump()  # bulk_create sends no signal
    for row, customer in zip(new_rows, customers, strict=True):
        row.customer_id = customer.pk
    prospect = RelationshipType.objects.filter(code="prospect").values_list("pk", flat=True).first()
    if prospect and customers:
        through = Customer.relationship_types.through
        through.objects.bulk_create(
            [through(customer_id=customer.pk, relationshiptype_id=prospect) for customer in customers],
            batch_size=1000,
        )
    importing = [row for row in rows if row.status in (Outcome.NEW, Outcome.EXISTING)]
    contact_ids, created_contacts, touched = _contacts_for(importing, history)
    leads = Lead.objects.bulk_create(
        [
            Lead(
                customer_id=row.customer_id,
                contact_id=contact_ids.get(row.number),
                campaign=record.campaign,
                source=Lead.Source.IMPORT,
                status=Lead.Status.NEW,
                team=team,
                notes=row.values.get("notes", ""),
            )
            for row in importing
        ],
        batch_size=1000,
    )
    CampaignMember.objects.bulk_create(
        [CampaignMember(campaign=record.campaign, customer_id=row.customer_id) for row in importing],
        batch_size=1000,
        ignore_conflicts=True,
    )
    refresh_search_text(touched)
    if leads:
        distribute_leads(leads_qs=Lead.objects.filter(pk__in=[lead.pk for lead in leads]), team=team)
    return {
        "created_customers": len(customers),
        "existing_customers": len(importing) - len(customers),
        "contacts": created_contacts,
    }


def _contacts_for(rows: list[RowResult], history: dict[str, Any]) -> tuple[dict[int, int], int, list[int]]:
    """The contact of each row that names one (row number → contact id): an existing contact of
    the customer with the same email or name, else a new one. Also returns how many were created
    and which existing customers gained one (their search text needs refreshing)."""
    named = [row for row in rows if row.values.get("contact_name")]
    existing_ids = {row.customer_id for row in named if row.status == Outcome.EXISTING}
    known: dict[tuple[int, str], int] = {}
    if existing_ids:
        for pk, customer_id, name, email in Contact.objects.filter(customer_id__in=existing_ids).values_list(
            "pk", "customer_id", "name", "email"
        ):
            known.setdefault((customer_id, " ".join(fold(name).split())), pk)
            if email:
                known.setdefault((customer_id, email.lower()), pk)
    found: dict[int, int] = {}
    to_create: list[tuple[RowResult, Contact]] = []
    for row in named:
        values = row.values
        email = values.get("contact_email", "").lower()
        pk = (email and known.get((row.customer_id, email))) or known.get(
            (row.customer_id, " ".join(fold(values["contact_name"]).split()))
        )
        if pk:
            found[row.number] = pk
            continue
        contact = Contact(
            customer_id=row.customer_id,
            name=values["contact_name"],
            role=values.get("contact_role", ""),
            email=values.get("contact_email", ""),
            phone=values.get("contact_phone", ""),
            created_at=history["default_date"],
        )
        to_create.append((row, contact))
    created = bulk_create_with_history([c for _row, c in to_create], Contact, **history) if to_create else []
    for (row, _contact), contact in zip(to_create, created, strict=True):
        found[row.number] = contact.pk
    touched = sorted({row.customer_id for row, _contact in to_create if row.status == Outcome.EXISTING})
    return found, len(created), touched


def _tell_uploader(record: LeadImport) -> None:
    summary = record.result.get("summary", {})
    notify(
        recipient=record.uploaded_by,
        message=ngettext(
            "The import of %(file)s is done: %(count)s lead created.",
            "The import of %(file)s is done: %(count)s leads created.",
            record.created_leads,
        )
        % {"file": record.file_name, "count": record.created_leads}
        + (
            " "
            + ngettext(
                "%(skipped)s row was skipped.", "%(skipped)s rows were skipped.", summary.get("skipped", 0)
            )
            % {"skipped": summary.get("skipped", 0)}
            if summary.get("skipped")
            else ""
        ),
        url=reverse("leads:import_detail", args=[record.pk]),
    )
