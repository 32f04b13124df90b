"""Reading an uploaded customer CSV: encoding, delimiter, header names and size limits."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.search import fold

MAX_ROWS = 20_000
CUSTOMER_COLUMNS = (
    "legal_name",
    "trade_name",
    "segment",
    "tax_id",
    "economic_activity",
    "employees",
    "phone",
    "email",
    "website",
    "address",
    "city",
    "country",
    "lifecycle_stage",
    "relationship_types",
    "tags",
    "owner",
    "notes",
)
CONTACT_COLUMNS = (
    "contact_name",
    "contact_role",
    "contact_phone",
    "contact_email",
    "contact_is_legal_representative",
)
COLUMNS = CUSTOMER_COLUMNS + CONTACT_COLUMNS
# Spanish headers, as people type them in a spreadsheet (accents and case do not matter).
HEADER_ALIASES = {
    "razon_social": "legal_name",
    "nombre": "legal_name",
    "name": "legal_name",
    "nombre_comercial": "trade_name",
    "segmento": "segment",
    "tipo": "segment",
    "nit": "tax_id",
    "identificacion": "tax_id",
    "actividad_economica": "economic_activity",
    "ciiu": "economic_activity",
    "empleados": "employees",
    "telefono": "phone",
    "correo": "email",
    "e_mail": "email",
    "sitio_web": "website",
    "direccion": "address",
    "ciudad": "city",
    "pais": "country",
    "etapa": "lifecycle_stage",
    "relacion": "relationship_types",
    "tipos_de_relacion": "relationship_types",
    "etiquetas": "tags",
    "responsable": "owner",
    "propietario": "owner",
    "notas": "notes",
    "contacto": "contact_name",
    "cargo": "contact_role",
    "telefono_contacto": "contact_phone",
    "correo_contacto": "contact_email",
    "representante_legal": "contact_is_legal_representative",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read: say why, in words the user can act on."""


@dataclass
class ParsedFile:
    text: str
    encoding: str
    delimiter: str
    columns: list[str]
    ignored_columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as the spreadsheet shows it, values)


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 / Latin-1 as Excel writes."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError(
            _("This is an Excel workbook, not a CSV file. In Excel use Save as › CSV, then upload that file.")
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise ImportFileError(_("The file could not be read as text.")) from error
    if b"\x00" in data:
        raise ImportFileError(_("This does not look like a CSV file: it contains binary data."))
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        text = text.rstrip("\x1a")  # the end-of-file mark old DOS programs add
        sample = text[:20_000]
        controls = sum(1 for char in sample if ord(char) < 32 and char not in "\t\r\n")
        if controls > max(2, len(sample) // 200):
            raise ImportFileError(_("This does not look like a CSV file: it contains binary data."))
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise ImportFileError(_("The file could not be read as text."))  # pragma: no cover (latin-1 reads all)


def _header_key(header: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", fold(header).strip()).strip("_")
    return HEADER_ALIASES.get(key, key)


def _sniff_delimiter(first_line: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def parse(text: str, *, encoding: str = "utf-8") -> ParsedFile:
    """Rows keyed by our column names; unknown columns are listed, not fatal."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_line = text.lstrip().partition("\n")[0]
    # Excel may write its own "sep=;" line first, and hides it when it opens the file.
    declared = re.fullmatch(r"sep=([,;\t|])", first_line.strip(" "))
    if declared:
        text = text.lstrip().partition("\n")[2]
    delimiter = declared.group(1) if declared else _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    indexes: dict[str, int] = {}
    ignored: list[str] = []
    try:
        for number, record in enumerate(reader, start=1):
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = record
                for index, name in enumerate(header):
                    key = _header_key(name)
                    if key in COLUMNS and key not in indexes:
                        indexes[key] = index
                    elif name.strip():
                        ignored.append(name.strip())
                if "legal_name" not in indexes:
                    raise ImportFileError(
                        _("The first row must name the columns, and one of them must be legal_name.")
                    )
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)s rows. Split it into smaller files.") % {"max": MAX_ROWS}
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
    if header is None:
        raise ImportFileError(_("The file is empty."))
    if not rows:
        raise ImportFileError(_("The file has a header row but no customers."))
    return ParsedFile(text, encoding, delimiter, list(indexes), ignored, rows)


def read_csv(data: bytes) -> ParsedFile:
    text, encoding = decode(data)
    return parse(text, encoding=encoding)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("Comma, semicolon or tab separated; UTF-8 or the Latin encoding Excel uses."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CRM_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (%(size)s KB); the limit is %(limit)s KB.")
                % {"size": upload.size // 1024, "limit": limit // 1024}
            )
        try:
            self.parsed = read_csv(upload.read())
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload
