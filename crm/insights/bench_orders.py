"""Speed figures of the order history import for ``make bench``: a 50,000-row file read, checked
and written, rolled back afterwards so the bench database does not grow."""

from __future__ import annotations

import csv
import io
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from accounting import importing
from contacts.models import Customer
from crm.accounts.models import User

ORDER_ROWS = 50_000
MATCHED_SHARE = 0.3  # rows whose customer the CRM has, named by its tax id
ORDERS_PER_NEW_CUSTOMER = 5
WITHOUT_NUMBER_SHARE = 0.1
GOAL_ROWS_PER_SECOND = 10_000.0
NAMES = ["Ferretería", "Panadería", "Distribuidora", "Papelería", "Droguería", "Talleres", "Inversiones"]
PLACES = ["Andina", "del Valle", "La Espiga", "El Tornillo", "Ñandú", "San José", "Los Andes"]


class _Rollback(Exception):
    pass


def order_history(rows: int = ORDER_ROWS, *, seed: int = 7) -> bytes:
    """A previous system's order export: a share of the rows name existing customers by tax id,
    the rest new customers by their old id; some rows lack a number; comma and dot decimals."""
    rng = random.Random(seed)  # noqa: S311 - bench data, repeatable on purpose
    matched = int(rows * MATCHED_SHARE)
    tax_ids = list(
        Customer.objects.exclude(tax_id=None)
        .order_by("pk")
        .values_list("tax_id", flat=True)[: max(1, matched // 3)]
    )
    first_day = date(2020, 1, 1)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(importing.COLUMNS)
    for index in range(rows):
        if index < matched and tax_ids:
            ref, name = tax_ids[index % len(tax_ids)], ""
        else:
            number = index // ORDERS_PER_NEW_CUSTOMER
            ref, name = f"OLD-{number:06d}", f"{rng.choice(NAMES)} {rng.choice(PLACES)} {number} S.A.S."
        day = first_day + timedelta(days=rng.randrange(0, 5 * 365))
        cents = rng.randrange(0, 50_000_000)
        total = f"{cents // 100}.{cents % 100:02d}" if index % 2 else f"{cents // 100},{cents % 100:02d}"
        number = "" if rng.random() < WITHOUT_NUMBER_SHARE else f"F-{index:07d}"
        writer.writerow([ref, name, day.isoformat(), number, total])
    return out.getvalue().encode()


@dataclass
class ImportFigures:
    rows: int
    megabytes: float
    preview_seconds: float
    import_seconds: float
    orders: int
    new_customers: int
    without_number: int

    @property
    def preview_rows_per_second(self) -> float:
        return self.rows / self.preview_seconds

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.import_seconds


def import_figures(data: bytes, *, by: User | None) -> ImportFigures:
    """The preview (read and check every row), then the whole import from the bytes (read, check
    again, create customers, number and write the orders), rolled back."""
    started = time.perf_counter()
    preview = importing.validate(importing.read_csv(data))
    preview_seconds = time.perf_counter() - started
    if preview.errors:
        raise ValueError(f"The bench file has {len(preview.errors)} rows with errors.")
    try:
        with transaction.atomic():
            started = time.perf_counter()
            outcome = importing.import_orders(
                order_file=importing.read_csv(data), by=by, file_name="bench.csv"
            )
            import_seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    summary = outcome.preview.summary()
    return ImportFigures(
        rows=summary["row_count"],
        megabytes=len(data) / 1e6,
        preview_seconds=preview_seconds,
        import_seconds=import_seconds,
        orders=outcome.imported,
        new_customers=len(outcome.new_customers),
        without_number=summary["without_number_count"],
    )
