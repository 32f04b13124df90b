"""Writing a checked order-history file: all of it in one transaction, in bulk, or nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounting.importing.preview import Preview, RowResult
from accounting.importing.reading import OrderFile
from accounting.importing.validation import validate
from accounting.models import NumberSequence, Order
from accounting.services import ORDER_SERIES, next_number
from contacts.models import Customer, RelationshipType
from contacts.search import build_search_text

if TYPE_CHECKING:
    from crm.accounts.models import User

# Each import takes the next number of this series: it names the batch in the orders' notes,
# and its row lock makes two imports of the same file wait for each other.
IMPORT_SERIES = "IMP"
BATCH_SIZE = 2_000


class OrderImportError(Exception):
    """Nothing was imported; ``preview`` (when there is one) shows the rows at fault."""

    def __init__(self, message: str, preview: Preview | None = None):
        super().__init__(message)
        self.preview = preview


@dataclass
class ImportOutcome:
    batch: str
    preview: Preview
    imported: int
    skipped_numbers: list[str]
    new_customers: list[Customer] = field(default_factory=list)
    recorded_refs: int = 0


def _reserve_numbers(dates: list[date]) -> list[str]:
    """Numbers of the order series of each date's year, for orders the file gives none.

    One locked update per year reserves the whole block, so the numbers are the series' next
    ones without gaps, and no order made meanwhile can take one of them.
    """
    needed = Counter(f"{ORDER_SERIES}-{day.year}" for day in dates)
    for series in sorted(needed):
        NumberSequence.objects.get_or_create(series=series)
    sequences = list(NumberSequence.objects.select_for_update().filter(series__in=needed).order_by("series"))
    following = {}
    for sequence in sequences:
        following[sequence.series] = sequence.last
        sequence.last += needed[sequence.series]
    NumberSequence.objects.bulk_update(sequences, ["last"])
    numbers = []
    for day in dates:
        series = f"{ORDER_SERIES}-{day.year}"
        following[series] += 1
        numbers.append(f"{series}-{following[series]:05d}")
    return numbers


def _create_customers(preview: Preview, *, by: User | None, reason: str) -> dict[str, Customer]:
    """The customers the file names and the CRM lacks: owned by the importer, marked as imported."""
    now = timezone.now()
    customers = []
    for ref, name in preview.new_customers.items():
        customer = Customer(
            legal_name=name,
            external_ref=ref,
            is_imported=True,
            lifecycle_stage=Customer.Stage.RETENTION,
            owner=by,
            team_id=by.team_id if by else None,
            created_at=now,
        )
        customer.search_text = build_search_text(customer)
        customers.append(customer)
    history = {"default_user": by, "default_change_reason": reason, "default_date": now}
    created = bulk_create_with_history(customers, Customer, batch_size=BATCH_SIZE, **history)
    buyer = RelationshipType.objects.filter(code="customer").first()
    if buyer is not None:
        through = Customer.relationship_types.through
        through.objects.bulk_create(
            [through(customer_id=customer.pk, relationshiptype_id=buyer.pk) for customer in created],
            batch_size=BATCH_SIZE,
        )
    return {customer.external_ref: customer for customer in created}


def _record_refs(preview: Preview, *, by: User | None, reason: str) -> int:
    """Customers found by tax id keep the file's reference, so the next import finds them by it."""
    customers = list(
        Customer.objects.filter(pk__in=list(preview.refs_to_record), external_ref="").select_for_update()
    )
    taken = set(
        Customer.objects.filter(external_ref__in=list(preview.refs_to_record.values())).values_list(
            "external_ref", flat=True
        )
    )
    changed = []
    for customer in customers:
        ref = preview.refs_to_record[customer.pk]
        if ref not in taken:
            customer.external_ref = ref
            customer.version += 1
            changed.append(customer)
    if changed:
        bulk_update_with_history(
            changed,
            Customer,
            ["external_ref", "version"],
            batch_size=BATCH_SIZE,
            default_user=by,
            default_change_reason=reason,
        )
    return len(changed)


def _orders(
    rows: list[RowResult], customers: dict[str, Customer], *, by: User | None, notes: str
) -> list[Order]:
    unnumbered = sorted(
        (row for row in rows if not row.stored_number), key=lambda row: (row.order_date, row.number)
    )
    numbers = dict(
        zip(
            (row.number for row in unnumbered),
            _reserve_numbers([row.order_date for row in unnumbered]),
            strict=True,
        )
    )
    return [
        Order(
            customer_id=customers[row.ref].pk,
            number=row.stored_number or numbers[row.number],
            status=Order.Status.FULFILLED,
            order_date=row.order_date,
            # The previous system gives only the total: no lines, no tax breakdown.
            subtotal=row.total,
            total=row.total,
            created_by=by,
            is_history=True,
            notes=notes,
        )
        for row in rows
    ]


def import_orders(*, order_file: OrderFile, by: User | None, file_name: str) -> ImportOutcome:
    """Import every order of the file as history, or nothing.

    The file is checked again inside the transaction (someone may have imported some of its
    orders since the preview): orders already imported are skipped; any row with an error
    raises ``OrderImportError`` with nothing written. Unknown customers are created; history
    orders fill no installed base and get no invoice.
    """
    try:
        with transaction.atomic():
            batch = next_number(series=IMPORT_SERIES)
            preview = validate(order_file)
            if preview.errors:
                raise OrderImportError(
                    _("%(count)s rows have errors. Nothing was imported: fix the file and import it again.")
                    % {"count": len(preview.errors)},
                    preview,
                )
            rows = preview.orders
            if not rows:
                # Nothing new (a file imported before): keep no trace of this run.
                transaction.set_rollback(True)
                return ImportOutcome(
                    batch="", preview=preview, imported=0, skipped_numbers=preview.skipped_numbers
                )
            reason = (_("Imported from %(file)s (%(batch)s)") % {"file": file_name, "batch": batch})[:100]
            created = _create_customers(preview, by=by, reason=reason)
            recorded = _record_refs(preview, by=by, reason=reason)
            customers = {**preview.customers, **created}
            Order.objects.bulk_create(_orders(rows, customers, by=by, notes=reason), batch_size=BATCH_SIZE)
    except IntegrityError as error:
        raise OrderImportError(
            _(
                "Some of these orders or customers were created by someone else at the same moment. "
                "Nothing was imported: check the file again to see them as duplicates."
            )
        ) from error
    return ImportOutcome(
        batch=batch,
        preview=preview,
        imported=len(rows),
        skipped_numbers=preview.skipped_numbers,
        new_customers=list(created.values()),
        recorded_refs=recorded,
    )
