"""CSV import of customers and their contacts: parse, validate into a preview, then import once.

The flow is ``read_csv`` (bytes → rows) → ``validate`` (rows → ``Preview``) →
``preview_import`` (stores a ``CustomerImport`` for the user to check) →
``import_customers`` (re-validates and writes everything in one transaction).

Rules a user can rely on:

* Rows with the same customer key (the tax id, else the legal name) are one customer;
  each row may add one contact to it.
* A customer that already exists (same tax id, email or phone) is never created again:
  its rows are skipped and reported as "already exists", and their contacts are not
  added. A later customer in the file that shares an email or phone with an earlier
  one is skipped the same way.
* Any row with an error blocks the whole import: nothing is half-imported.
"""

from contacts.importing.preview import Preview, RowStatus
from contacts.importing.reading import (
    COLUMNS,
    MAX_ROWS,
    ImportFileError,
    ImportUploadForm,
    ParsedFile,
    decode,
    parse,
    read_csv,
)
from contacts.importing.service import import_customers, preview_import
from contacts.importing.validation import validate

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "ImportFileError",
    "ImportUploadForm",
    "ParsedFile",
    "Preview",
    "RowStatus",
    "decode",
    "import_customers",
    "parse",
    "preview_import",
    "read_csv",
    "validate",
]
