"""Writing a checked order-history file: all of it in one transaction, in bulk, or nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounting.importing.customers import create_customers
from accounting.importing.preview import Preview, RowResult
from accounting.importing.reading import OrderFile
from accounting.importing.validation import validate
from accounting.models import NumberSequence, Order
from accounting.services import ORDER_SERIES, next_number
from contacts.models import Customer
from crm import bulk

if TYPE_CHECKING:
    from crm.accounts.models import User

# Each import takes the next number of this series: it names the batch in the orders' notes,
# and its row lock makes two imports of the same file wait for each other.
IMPORT_SERIES = "IMP"


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


def _order_rows(
    rows: list[RowResult], customers: dict[str, Customer], *, by: User | None, notes: str
) -> list[dict[str, Any]]:
    unnumbered = sorted(
        (row for row in rows if not row.stored_number), key=lambda row: (row.order_date, row.number)
    )
    reserved = _reserve_numbers([row.order_date for row in unnumbered])
    numbers = {row.number: number for row, number in zip(unnumbered, reserved, strict=True)}
    common = {
        "status": Order.Status.FULFILLED,
        "created_by_id": by.pk if by else None,
        "is_history": True,
        "notes": notes,
    }
    return [
        {
            **common,
            "customer_id": customers[row.ref].pk,
            "number": row.stored_number or numbers[row.number],
            "order_date": row.order_date,
            # The previous system gives only the total: no lines, no tax breakdown.
            "subtotal": row.total,
            "total": row.total,
        }
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
                    ngettext(
                        "%(count)s row has errors. Nothing was imported: fix the file and import it again.",
                        "%(count)s rows have errors. Nothing was imported: fix the file and import it again.",
                        len(preview.errors),
                    )
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
            now = timezone.now()
            created = create_customers(preview, by=by, reason=reason, when=now)
            customers = {**preview.customers, **created}
            bulk.insert(Order, _order_rows(rows, customers, by=by, notes=reason))
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
    )
