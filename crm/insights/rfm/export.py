"""The current snapshot as CSV, for ``manage.py rfm_export`` and the managers' download.

customer_ref is the customer's external reference where set, else the customer's id. Text a
spreadsheet would run as a formula gets a leading apostrophe, as in the customer export.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Case, CharField, F, When
from django.db.models.functions import Cast

from contacts.exporting import escape_formula
from crm.insights.models import RfmScore, RfmSnapshot

COLUMNS = (
    "customer_ref",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "value_score",
    "segment",
)
CHUNK_SIZE = 5000


def snapshot_rows(snapshot: RfmSnapshot) -> Iterator[tuple[Any, ...]]:
    """One tuple per scored customer, in ``COLUMNS`` order, by customer id; one query per chunk."""
    customer_ref = Case(
        When(customer__external_ref="", then=Cast("customer_id", CharField())),
        default=F("customer__external_ref"),
        output_field=CharField(),
    )
    scores = (
        RfmScore.objects.filter(snapshot=snapshot)
        .order_by("customer_id")
        .values_list(customer_ref, *COLUMNS[1:])
    )
    yield from scores.iterator(chunk_size=CHUNK_SIZE)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[tuple[Any, ...]], *, bom: bool = False, batch: int = 1000) -> Iterator[str]:
    """CSV text in pieces: the header, then the rows (decimals written as stored: 60.60, 4.700000)."""
    writer = csv.writer(_Echo(), lineterminator="\n")
    piece = [("\ufeff" if bom else "") + writer.writerow(COLUMNS)]
    for ref, *values in rows:
        piece.append(writer.writerow([escape_formula(ref), *values[:-1], escape_formula(values[-1])]))
        if len(piece) >= batch:
            yield "".join(piece)
            piece = []
    yield "".join(piece)
