"""Reading an order-history CSV: encoding, delimiter, the five named columns, size limits."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.importing.reading import ImportFileError, decode
from contacts.search import fold

MAX_ROWS = 100_000
COLUMNS = ("customer_ref", "customer_name", "order_date", "order_number", "total")
REQUIRED_COLUMNS = ("customer_ref", "customer_name", "order_date", "total")
# Spanish headers, as people type them in a spreadsheet (accents and case do not matter).
HEADER_ALIASES = {
    "referencia_cliente": "customer_ref",
    "codigo_cliente": "customer_ref",
    "nombre_cliente": "customer_name",
    "cliente": "customer_name",
    "fecha": "order_date",
    "fecha_pedido": "order_date",
    "numero_pedido": "order_number",
    "pedido": "order_number",
    "valor": "total",
    "valor_total": "total",
}

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "ImportFileError",
    "OrderFile",
    "OrderImportUploadForm",
    "parse",
    "read_csv",
]


@dataclass
class OrderFile:
    text: str
    delimiter: str
    ignored_columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as a spreadsheet shows it, values)


def _header_key(header: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", fold(header).strip()).strip("_")
    return HEADER_ALIASES.get(key, key)


def _sniff_delimiter(first_line: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    indexes: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        key = _header_key(name)
        if key in COLUMNS and key not in indexes:
            indexes[key] = index
        elif name.strip():
            ignored.append(name.strip())
    missing = [column for column in REQUIRED_COLUMNS if column not in indexes]
    if missing:
        raise ImportFileError(
            _(
                "The file lacks the columns %(missing)s. Its first row must name the columns "
                "%(columns)s (order_number may be left out)."
            )
            % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)}
        )
    return indexes, ignored


def parse(text: str) -> OrderFile:
    """Rows keyed by our column names; unknown columns are listed, not fatal."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_line = text.lstrip().partition("\n")[0]
    # Excel may write its own "sep=;" line first, and hides it when it opens the file.
    declared = re.fullmatch(r"sep=([,;\t|])", first_line.strip(" "))
    if declared:
        text = text.lstrip().partition("\n")[2]
        first_line = text.partition("\n")[0]
    delimiter = declared.group(1) if declared else _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, dict[str, str]]] = []
    indexes: dict[str, int] | None = None
    ignored: list[str] = []
    first_number = 2 if declared else 1
    try:
        for number, record in enumerate(reader, start=first_number):
            if not any(cell.strip() for cell in record):
                continue
            if indexes is None:
                indexes, ignored = _columns(record)
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)s orders. Split it into smaller files.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            values = {
                key: record[index].strip() if index < len(record) else "" for key, index in indexes.items()
            }
            rows.append((number, values))
    except csv.Error as error:
        raise ImportFileError(
            _("The file could not be read as CSV near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error
    if indexes is None:
        raise ImportFileError(_("The file is empty."))
    if not rows:
        raise ImportFileError(_("The file has a header row but no orders."))
    return OrderFile(text=text, delimiter=delimiter, ignored_columns=ignored, rows=rows)


def read_csv(data: bytes) -> OrderFile:
    """UTF-8 (with or without BOM), UTF-16, or the Latin encoding Excel writes; see ``decode``."""
    text, _encoding = decode(data)
    return parse(text)


class OrderImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("Comma, semicolon or tab separated; UTF-8 or the Latin encoding Excel uses."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CRM_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is too large (%(size)s KB); the limit is %(limit)s KB. "
                    "Split it into smaller files."
                )
                % {"size": upload.size // 1024, "limit": limit // 1024}
            )
        try:
            self.order_file = read_csv(upload.read())
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload
