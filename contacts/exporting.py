"""Customer export: the filtered list as CSV (streamed) or XLSX, safe to open in a spreadsheet.

Text that a spreadsheet would run as a formula (it starts with ``= + - @``, a tab or a
carriage return) gets a leading apostrophe, so ``=HYPERLINK(...)`` typed into a
customer's name is shown, never executed. Numbers and dates stay numbers and dates in
XLSX.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

HEADERS = (
    "id",
    "legal_name",
    "trade_name",
    "segment",
    "tax_id",
    "economic_activity",
    "phone",
    "email",
    "city",
    "country",
    "lifecycle_stage",
    "relationship_types",
    "tags",
    "owner",
    "team",
    "created_at",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000  # rows per query; relationship types and tags are prefetched per chunk


def escape_formula(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def customer_rows(customers: QuerySet) -> Iterator[list[Any]]:
    """One list per customer, in ``HEADERS`` order: three queries per chunk, whatever the count."""
    customers = customers.select_related("owner", "team", "economic_activity").prefetch_related(
        "relationship_types", "tags"
    )
    for customer in customers.iterator(chunk_size=CHUNK_SIZE):
        yield [
            customer.pk,
            customer.legal_name,
            customer.trade_name,
            customer.segment,
            customer.tax_id or "",
            customer.economic_activity.code if customer.economic_activity else "",
            customer.phone,
            customer.email,
            customer.city,
            customer.country,
            customer.lifecycle_stage,
            "; ".join(kind.code for kind in customer.relationship_types.all()),
            "; ".join(tag.name for tag in customer.tags.all()),
            customer.owner.username if customer.owner else "",
            customer.team.name if customer.team else "",
            # Spreadsheets have no time zones: the local time the list page shows.
            timezone.localtime(customer.created_at).replace(tzinfo=None),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return escape_formula(value)


def stream_csv(rows: Iterable[list[Any]], *, batch: int = 500) -> Iterator[str]:
    """CSV text in pieces, starting with a BOM so that Excel reads the accents as UTF-8."""
    writer = csv.writer(_Echo())
    piece = ["\ufeff" + writer.writerow(HEADERS)]
    for row in rows:
        piece.append(writer.writerow([_csv_value(value) for value in row]))
        if len(piece) >= batch:
            yield "".join(piece)
            piece = []
    yield "".join(piece)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        # openpyxl refuses control characters; a stray one must not break the whole export.
        return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def write_xlsx(rows: Iterable[list[Any]]) -> IO[bytes]:
    """A temporary file holding the workbook, rewound and ready to stream."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Customers")[:31])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    workbook.save(file)
    file.seek(0)
    return file
