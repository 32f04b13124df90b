"""A report's tables as CSV (one table) or XLSX (a sheet per table), safe to open in a
spreadsheet: text that would run as a formula gets a leading apostrophe (see
``contacts.exporting.escape_formula``); numbers stay numbers."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable
from typing import IO, Any

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from contacts.exporting import escape_formula
from crm.insights.reports.tables import Table


def _rows(table: Table) -> Iterable[list[Any]]:
    yield table.header()
    for row in table.all_rows():
        yield table.values(row)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    # Only text can be a formula: a negative number stays a number.
    return escape_formula(str(value)) if isinstance(value, (str, Promise)) else value


def csv_text(table: Table) -> str:
    """The table as CSV text, with a BOM so that Excel reads the accents as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _rows(table):
        writer.writerow([_csv_value(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        # openpyxl refuses control characters; a stray one must not break the whole export.
        return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _sheet_title(title: str, taken: set[str]) -> str:
    # Sheet names: 31 characters at most, unique, and none of : \ / ? * [ ]
    base = "".join(" " if char in ":\\/?*[]" else char for char in title)[:31] or "Sheet"
    name, number = base, 2
    while name.casefold() in taken:
        suffix = f" {number}"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def xlsx_file(tables: list[Table]) -> IO[bytes]:
    """A temporary file holding the workbook, rewound and ready to stream."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(title=_sheet_title(table.title, taken))
        for row in _rows(table):
            sheet.append([_xlsx_value(value) for value in row])
    file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    workbook.save(file)
    file.seek(0)
    return file
