"""Checking every row of an order-history file, with a few queries per file, into a ``Preview``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.importing import values
from accounting.importing.preview import Match, Preview, RowResult, RowStatus
from accounting.importing.reading import OrderFile
from accounting.models import Order
from contacts.importing.validation import chunks
from contacts.models import Customer
from contacts.validators import normalize_tax_id


def _cell(row: RowResult, column: str, parse: Callable[[str], Any]) -> Any:
    try:
        return parse(row.values.get(column, ""))
    except values.CellError as error:
        row.errors.append((column, str(error)))
        return None


def _read_row(number: int, cells: dict[str, str], today: date) -> RowResult:
    row = RowResult(number, cells)
    row.ref = _cell(row, "customer_ref", values.customer_ref) or ""
    row.values["customer_name"] = _cell(row, "customer_name", values.customer_name) or ""
    row.order_date = _cell(row, "order_date", lambda value: values.order_date(value, today=today))
    row.total = _cell(row, "total", values.total)
    given = _cell(row, "order_number", values.order_number)
    row.stored_number = values.stored_number(given) if given else ""
    return row


def _mark_repeats(rows: list[RowResult]) -> None:
    """A number repeated in the file: the same order again is skipped, a different one is an error."""
    first: dict[str, RowResult] = {}
    for row in rows:
        if not row.stored_number or row.errors:
            continue
        earlier = first.setdefault(row.stored_number, row)
        if earlier is row:
            continue
        same = (earlier.ref, earlier.order_date, earlier.total) == (row.ref, row.order_date, row.total)
        if same:
            row.status = RowStatus.DUPLICATE
            row.note = _("The same order as row %(row)s; skipped.") % {"row": earlier.number}
        else:
            row.errors.append(
                (
                    "order_number",
                    _("Row %(row)s has this order number with another customer, date or total.")
                    % {"row": earlier.number},
                )
            )


def _among(queryset: QuerySet, field: str, wanted: set[Any], *, ids: bool = False) -> Iterator[QuerySet]:
    """``queryset``'s rows whose ``field`` is one of ``wanted``, in as few queries as the database
    allows: one array parameter on PostgreSQL (sending 50,000 parameters costs more than the
    query), lists small enough for SQLite's parameter limit elsewhere."""
    queryset = queryset.order_by()
    if connection.vendor == "postgresql":
        values = (sorted(wanted),)
        if ids:
            array = RawSQL("SELECT unnest(%s::bigint[])", values)
        else:
            array = RawSQL("SELECT unnest(%s::text[])", values)
        yield queryset.filter(**{f"{field}__in": array})
        return
    for chunk in chunks(wanted):
        yield queryset.filter(**{f"{field}__in": chunk})


def _mark_imported(rows: list[RowResult]) -> None:
    numbers = {row.stored_number for row in rows if row.stored_number and row.status == RowStatus.NEW}
    imported = {
        number
        for matching in _among(Order.objects.all(), "number", numbers)
        for number in matching.values_list("number", flat=True)
    }
    for row in rows:
        if row.status == RowStatus.NEW and row.stored_number in imported:
            row.status = RowStatus.DUPLICATE
            row.note = _("Already imported as order %(number)s; skipped.") % {"number": row.stored_number}


def _find_customers(refs: set[str]) -> tuple[dict[str, Customer], dict[str, str]]:
    """Existing customers by external reference first, then by tax id."""
    customers = Customer.objects.only("pk", "legal_name", "trade_name", "tax_id", "external_ref")
    found: dict[str, Customer] = {}
    matches: dict[str, str] = {}
    for matching in _among(customers, "external_ref", refs):
        for customer in matching:
            found[customer.external_ref] = customer
            matches[customer.external_ref] = Match.REF
    rest = {ref: normalize_tax_id(ref) for ref in refs - set(found)}
    by_tax_id: dict[str, Customer] = {}
    for matching in _among(customers, "tax_id", {*rest, *rest.values()}):
        by_tax_id.update((customer.tax_id, customer) for customer in matching)
    for ref, tax_id in rest.items():
        customer = by_tax_id.get(ref) or by_tax_id.get(tax_id)
        if customer is not None:
            found[ref] = customer
            matches[ref] = Match.TAX_ID
    return found, matches


def _resolve_customers(preview: Preview) -> None:
    names: dict[str, str] = {}
    for row in preview.rows:
        if row.ref and row.values["customer_name"]:
            names.setdefault(row.ref, row.values["customer_name"])
    notes: dict[str, str] = {}  # one per customer, not one translation per row
    for row in preview.rows:
        if not row.ref or row.status != RowStatus.NEW:
            continue
        if row.ref in notes:
            row.note = notes[row.ref]
            continue
        customer = preview.customers.get(row.ref)
        if customer is not None:
            found_by_tax_id = preview.matches[row.ref] == Match.TAX_ID
            message = _("Customer %(name)s, found by tax id.") if found_by_tax_id else _("Customer %(name)s.")
            row.note = notes[row.ref] = message % {"name": customer.display_name}
        elif row.ref in names:
            preview.matches[row.ref] = Match.NEW
            row.note = notes[row.ref] = _("New customer %(name)s.") % {"name": names[row.ref]}
        else:
            row.errors.append(
                (
                    "customer_name",
                    _("No customer has the reference %(ref)s; give its name so the import creates it.")
                    % {"ref": row.ref},
                )
            )
    for row in preview.rows:
        if row.errors:
            row.status = RowStatus.ERROR
    for row in preview.orders:
        if row.ref not in preview.customers:
            preview.new_customers.setdefault(row.ref, names[row.ref])


def _note_look_alikes(preview: Preview) -> None:
    """Rows without a number are new orders each time, so importing a file twice doubles them:
    say so for those that match a history order of the customer on the same day and total."""
    rows = [row for row in preview.orders if not row.stored_number and row.ref in preview.customers]
    customer_ids = {preview.customers[row.ref].pk for row in rows}
    history = Order.objects.filter(is_history=True)
    imported = {
        key
        for matching in _among(history, "customer_id", customer_ids, ids=True)
        for key in matching.values_list("customer_id", "order_date", "total")
    }
    for row in rows:
        if (preview.customers[row.ref].pk, row.order_date, row.total) in imported:
            row.look_alike = True
            row.note = _(
                "%(note)s An order of this customer with this date and total was imported before; "
                "without an order number this row is imported again."
            ) % {"note": row.note}


def validate(order_file: OrderFile, *, today: date | None = None) -> Preview:
    """Check every row, find what was imported before and each row's customer."""
    today = today or timezone.localdate()
    rows = [_read_row(number, cells, today) for number, cells in order_file.rows]
    _mark_repeats(rows)
    _mark_imported(rows)
    customers, matches = _find_customers({row.ref for row in rows if row.ref})
    preview = Preview(
        order_file=order_file, rows=rows, customers=customers, matches=matches, new_customers={}
    )
    _resolve_customers(preview)
    _note_look_alikes(preview)
    return preview
