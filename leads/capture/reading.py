"""Reading a purchased list or trade-show scan: any headers, mapped by the user onto our fields."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.importing.reading import ImportFileError, decode
from contacts.search import fold

MAX_ROWS = 200_000
IGNORE = ""
# Our fields, in the order the mapping step offers them.
FIELDS = {
    "legal_name": gettext_lazy("Company or person (legal name)"),
    "trade_name": gettext_lazy("Trade name"),
    "tax_id": gettext_lazy("Tax id (NIT)"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "city": gettext_lazy("City"),
    "contact_name": gettext_lazy("Contact name"),
    "contact_role": gettext_lazy("Contact role"),
    "contact_email": gettext_lazy("Contact email"),
    "contact_phone": gettext_lazy("Contact phone"),
    "notes": gettext_lazy("Notes"),
}
REQUIRED = "legal_name"
# Header words people use, in Spanish and English, folded (lower case, no accents, "_" between words).
SYNONYMS = {
    "legal_name": [
        "legal_name",
        "razon_social",
        "empresa",
        "company",
        "company_name",
        "organization",
        "organisation",
        "account",
        "account_name",
        "nombre_empresa",
        "nombre_de_la_empresa",
        "cliente",
        "customer",
        "name",
        "nombre",
    ],
    "trade_name": ["trade_name", "nombre_comercial", "marca", "brand", "dba"],
    "tax_id": ["tax_id", "nit", "vat", "vat_number", "rut", "identificacion", "documento", "cedula", "tin"],
    "email": ["email", "e_mail", "mail", "correo", "correo_electronico", "email_address", "company_email"],
    "phone": ["phone", "telefono", "tel", "phone_number", "telephone", "celular", "movil", "mobile", "pbx"],
    "city": ["city", "ciudad", "municipio", "town", "localidad"],
    "contact_name": [
        "contact_name",
        "contact",
        "contacto",
        "nombre_contacto",
        "nombre_del_contacto",
        "full_name",
        "first_and_last_name",
        "persona_de_contacto",
        "attendee",
        "asistente",
    ],
    "contact_role": ["contact_role", "cargo", "role", "title", "job_title", "position", "puesto"],
    "contact_email": ["contact_email", "correo_contacto", "email_contacto", "correo_del_contacto"],
    "contact_phone": [
        "contact_phone",
        "telefono_contacto",
        "celular_contacto",
        "telefono_del_contacto",
        "contact_mobile",
    ],
    "notes": ["notes", "notas", "observaciones", "comments", "comentarios", "nota", "note"],
}
_BY_SYNONYM = {word: field for field, words in SYNONYMS.items() for word in words}


@dataclass
class Table:
    """The file as the user sees it in a spreadsheet: its headers and its rows of cells."""

    encoding: str
    delimiter: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number as the spreadsheet shows it, cells)


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(header).strip()).strip("_")


def guess_mapping(headers: list[str]) -> list[str]:
    """One of our fields (or ``IGNORE``) for each header, each field used at most once.

    An exact synonym wins; otherwise a header that contains a synonym's words
    ("Correo electrónico del contacto") is tried, contact fields before company ones.
    """
    guessed = [_BY_SYNONYM.get(header_key(header), IGNORE) for header in headers]
    used: set[str] = set()
    for index, field in enumerate(guessed):
        if field in used:
            guessed[index] = IGNORE
        used.add(field)
    for index, header in enumerate(headers):
        if guessed[index]:
            continue
        words = set(header_key(header).split("_"))
        is_contact = bool(words & {"contact", "contacto", "persona"})
        for field, synonyms in SYNONYMS.items():
            if field in used or field.startswith("contact_") != is_contact:
                continue
            if any(set(word.split("_")) <= words for word in synonyms if len(word) > 3):
                guessed[index] = field
                used.add(field)
                break
    return guessed


def _sniff_delimiter(first_line: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in (",", ";", "\t", "|")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def read_table(data: bytes) -> Table:
    """Decode (UTF-8, BOM, UTF-16, Windows-1252), find the delimiter, split into rows.

    Raises ``ImportFileError`` with a message for the user when the file cannot be used.
    """
    text, encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_line = text.lstrip().partition("\n")[0]
    declared = re.fullmatch(r"sep=([,;\t|])", first_line.strip(" "))
    if declared:
        text = text.lstrip().partition("\n")[2]
    delimiter = declared.group(1) if declared else _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            if not any(cell.strip() for cell in record):
                continue
            if headers is None:
                headers = [cell.strip() for cell in record]
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)s rows. Split it into smaller files.") % {"max": MAX_ROWS}
                )
            rows.append((number, record))
    except csv.Error as error:
        raise ImportFileError(
            _("The file could not be read as CSV near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error
    if headers is None:
        raise ImportFileError(_("The file is empty."))
    if not rows:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return Table(encoding=encoding, delimiter=delimiter, headers=headers, rows=rows)


def mapped_rows(table: Table, mapping: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Each row as {our field: stripped value}, by the user's mapping."""
    pairs = [(index, field) for index, field in enumerate(mapping) if field]
    result = []
    for number, record in table.rows:
        width = len(record)
        result.append(
            (number, {field: record[index].strip() if index < width else "" for index, field in pairs})
        )
    return result
