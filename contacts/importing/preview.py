"""What an import would do, row by row: the result of validation, shown before confirming."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contacts.importing.reading import ParsedFile
from crm.accounts.models import User

# Rows kept for the preview table: every problem row up to this many, plus a few good ones.
MAX_SHOWN_PROBLEMS = 1_000
SHOWN_GOOD_ROWS = 10


class RowStatus:
    NEW = "new"
    CONTACT = "contact"
    DUPLICATE = "duplicate"
    ERROR = "error"


@dataclass
class RowResult:
    number: int
    values: dict[str, str]
    status: str = RowStatus.NEW
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.number,
            "status": self.status,
            "legal_name": self.values.get("legal_name", ""),
            "tax_id": self.values.get("tax_id", ""),
            "contact_name": self.values.get("contact_name", ""),
            "errors": [list(error) for error in self.errors],
            "note": self.note,
        }


@dataclass
class PlannedCustomer:
    """One customer to create, with what the database needs and no further lookups."""

    rows: list[RowResult]
    data: dict[str, Any] = field(default_factory=dict)
    relationship_type_ids: list[int] = field(default_factory=list)
    tag_names: list[str] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    match_keys: dict[str, str] = field(default_factory=dict)
    owner: User | None = None

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)


@dataclass
class Preview:
    parsed: ParsedFile
    rows: list[RowResult]
    customers: list[PlannedCustomer]  # only those that will be created

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def contact_count(self) -> int:
        return sum(len(customer.contacts) for customer in self.customers)

    def shown_rows(self) -> list[dict[str, Any]]:
        problems = [row for row in self.rows if row.status in (RowStatus.ERROR, RowStatus.DUPLICATE)]
        good = [row for row in self.rows if row.status in (RowStatus.NEW, RowStatus.CONTACT)]
        shown = problems[:MAX_SHOWN_PROBLEMS] + good[:SHOWN_GOOD_ROWS]
        return [row.as_dict() for row in sorted(shown, key=lambda row: row.number)]
