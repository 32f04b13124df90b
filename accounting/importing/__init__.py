"""Order history import: a company moving to the CRM keeps its sales history from day one.

A CSV with the columns ``customer_ref, customer_name, order_date, order_number, total``
is read (``reading``), checked row by row into a ``Preview`` (``validation``), and then
imported in one transaction (``writing``); the web pages keep the previewed file until it
is confirmed (``pending``), and ``manage.py import_orders`` runs the same steps.

Rules a user can rely on:

* Each row is one order. Its customer is found by external reference, then by tax id;
  an unknown reference creates the customer with the row's name, marked as imported.
* An order number already imported is skipped and reported, so importing a file twice
  adds nothing twice; rows without a number are each a new order, numbered in the
  order series of their year.
* Imported orders are history: fulfilled, with no lines, no installed base, no invoice.
* Any row with an error blocks the whole file: nothing is half-imported.
"""

from accounting.importing.preview import Preview, RowStatus
from accounting.importing.reading import (
    COLUMNS,
    MAX_ROWS,
    ImportFileError,
    OrderFile,
    OrderImportUploadForm,
    read_csv,
)
from accounting.importing.validation import validate
from accounting.importing.writing import ImportOutcome, OrderImportError, import_orders

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "ImportFileError",
    "ImportOutcome",
    "OrderFile",
    "OrderImportError",
    "OrderImportUploadForm",
    "Preview",
    "RowStatus",
    "import_orders",
    "read_csv",
    "validate",
]
