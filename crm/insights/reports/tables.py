"""What a report answers: tables of figures, each figure linked to the records behind it.

The page, the chart, the CSV and the XLSX all read these, so they always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import get_format, number_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

ZERO = Decimal(0)
CENTS = Decimal("0.01")


def money(value) -> Decimal:
    """A sum from the database as exact cents (SQLite answers floats)."""
    return ZERO if value is None else Decimal(value).quantize(CENTS)


def ratio(part, whole, *, scale: int = 100) -> Decimal | None:
    """``part`` / ``whole`` × ``scale``, one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * scale / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _whole(value: Decimal) -> str:
    separator = get_format("THOUSAND_SEPARATOR")
    return f"{value.quantize(Decimal(1), ROUND_HALF_UP):,f}".replace(",", separator)


FORMATS: dict[str, Callable[[Any], str]] = {
    "money": _whole,
    "count": lambda value: f"{value:,}".replace(",", get_format("THOUSAND_SEPARATOR")),
    "percent": lambda value: f"{number_format(value, 1)} %",
    "points": lambda value: f"{'+' if value > 0 else ''}{number_format(value, 1)}",
    "days": lambda value: number_format(value, 1),
    "number": lambda value: number_format(value, 3),
    "text": str,
}


def register_format(kind: str, format_value: Callable[[Any], str]) -> None:
    """A way to print a figure that a report adds to the common ones above."""
    FORMATS[kind] = format_value


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # a key of FORMATS

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Cell:
    value: Any  # None shows as a dash: nothing to compare or no figure at all
    url: str = ""
    kind: str = "count"

    @property
    def text(self) -> str:
        return "—" if self.value is None else FORMATS[self.kind](self.value)

    @property
    def html(self) -> SafeString:
        # Written here rather than in a template: a report may have a thousand cells.
        if self.url and self.value is not None:
            return format_html('<a href="{}">{}</a>', self.url, self.text)
        return escape(self.text)


@dataclass
class Row:
    label: str
    cells: list[Cell]
    url: str = ""  # the label's own link (an opportunity, a customer), when it has one
    muted: bool = False  # e.g. a rep who left

    @property
    def label_html(self) -> SafeString:
        return format_html('<a href="{}">{}</a>', self.url, self.label) if self.url else escape(self.label)


@dataclass
class Table:
    key: str  # names the table in exports and the page's anchors
    title: str
    label: str  # the heading of the first column
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None
    note: str = ""
    empty_text: str = ""

    def cells_for(self, values: dict[str, Any], link: Callable[[str], str]) -> list[Cell]:
        """The cells of one row: each column's value from ``values``, each linked by
        ``link(column_key)`` (an empty string for no link)."""
        return [Cell(values.get(column.key), link(column.key), column.kind) for column in self.columns]

    def values(self, row: Row) -> list[Any]:
        """The row as a spreadsheet holds it: the label, then the raw numbers."""
        return [row.label, *(cell.value for cell in row.cells)]

    def header(self) -> list[str]:
        units = {"percent": " (%)", "points": " (pp)", "days": ""}
        return [self.label, *(f"{column.label}{units.get(column.kind, '')}" for column in self.columns)]

    def all_rows(self) -> list[Row]:
        return [*self.rows, self.total] if self.total else list(self.rows)


@dataclass
class Chart:
    """A Chart.js chart described as data: the page's script reads it from a JSON island."""

    kind: str  # "bar" or "line"
    labels: list[str]
    datasets: list[dict]
    stacked: bool = False
    horizontal: bool = False
    money: bool = True
    label: str = ""  # read aloud by screen readers

    def data(self) -> dict:
        return {
            "kind": self.kind,
            "labels": self.labels,
            "datasets": self.datasets,
            "stacked": self.stacked,
            "horizontal": self.horizontal,
            "money": self.money,
        }


def series(label: str, values: list, *, kind: str = "", key: str = "") -> dict:
    """One dataset of a chart, with plain numbers (None stays a gap)."""
    return {
        "label": str(label),
        "data": [None if value is None else float(value) for value in values],
        "type": kind,
        "key": key,
    }
