"""What an order-history import would do, row by row, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from accounting.importing.reading import OrderFile
from contacts.models import Customer

# Rows kept for the preview table: every problem row up to this many, plus the first good ones.
MAX_SHOWN_PROBLEMS = 1_000
SHOWN_GOOD_ROWS = 10


class RowStatus:
    NEW = "new"  # an order to import
    DUPLICATE = "duplicate"  # already imported, or repeated in the file: skipped
    ERROR = "error"


class Match:
    REF = "ref"  # the customer's external reference
    TAX_ID = "tax_id"  # the reference is the customer's tax id
    NEW = "new"  # unknown: the import creates the customer


@dataclass
class RowResult:
    number: int
    values: dict[str, str]
    status: str = RowStatus.NEW
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    note: str = ""
    ref: str = ""
    order_date: date | None = None
    total: Decimal | None = None
    stored_number: str = ""  # "HIS-<order_number>", empty when the row has none
    look_alike: bool = False  # without a number, and like a history order already imported

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.number,
            "status": self.status,
            "customer_ref": self.values.get("customer_ref", ""),
            "customer_name": self.values.get("customer_name", ""),
            "order_date": self.values.get("order_date", ""),
            "order_number": self.values.get("order_number", ""),
            "total": self.values.get("total", ""),
            "errors": [list(error) for error in self.errors],
            "note": self.note,
            "look_alike": self.look_alike,
        }


@dataclass
class Preview:
    order_file: OrderFile
    rows: list[RowResult]
    customers: dict[str, Customer]  # reference → existing customer
    matches: dict[str, str]  # reference → Match.REF / Match.TAX_ID / Match.NEW
    new_customers: dict[str, str]  # reference → name, for the customers the import creates

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def orders(self) -> list[RowResult]:
        return [row for row in self.rows if row.status == RowStatus.NEW]

    @property
    def skipped_numbers(self) -> list[str]:
        return [row.values["order_number"] for row in self.rows if row.status == RowStatus.DUPLICATE]

    @property
    def errors(self) -> list[RowResult]:
        return [row for row in self.rows if row.status == RowStatus.ERROR]

    def summary(self) -> dict[str, Any]:
        """The counts people check before confirming; JSON-simple, to be kept with the file."""
        orders = self.orders
        dates = [row.order_date for row in orders if row.order_date]
        matched = {ref for row in orders if (ref := row.ref) in self.customers}
        return {
            "row_count": len(self.rows),
            "order_count": len(orders),
            "order_total": str(sum((row.total or Decimal(0) for row in orders), Decimal(0))),
            "first_date": min(dates).isoformat() if dates else "",
            "last_date": max(dates).isoformat() if dates else "",
            "without_number_count": sum(1 for row in orders if not row.stored_number),
            "look_alike_count": sum(1 for row in orders if row.look_alike),
            "new_customer_count": len(self.new_customers),
            "matched_customer_count": len({self.customers[ref].pk for ref in matched}),
            "duplicate_count": self.count(RowStatus.DUPLICATE),
            "error_count": self.count(RowStatus.ERROR),
            "ignored_columns": self.order_file.ignored_columns,
        }

    def shown_rows(self) -> list[dict[str, Any]]:
        problems = [row for row in self.rows if row.status != RowStatus.NEW or row.look_alike]
        good = [row for row in self.rows if row.status == RowStatus.NEW and not row.look_alike]
        shown = problems[:MAX_SHOWN_PROBLEMS] + good[:SHOWN_GOOD_ROWS]
        return [row.as_dict() for row in sorted(shown, key=lambda row: row.number)]
