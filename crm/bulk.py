"""Inserting many plain rows fast: PostgreSQL's COPY, or Django's ``bulk_create`` elsewhere.

``bulk_create`` prepares every value of every object in Python and sends them as query
parameters; for tens of thousands of orders that costs more than the database's own work.
COPY streams the rows instead. Each row is a dict of attribute names (``customer_id``) to
Python values; a column the row leaves out takes its field's default, as in ``Model()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone
from psycopg import sql

BATCH_SIZE = 2_000
# Values psycopg sends as they are; any other field prepares its value the Django way.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,  # DateTimeField too
    models.DecimalField,
    models.ForeignKey,
)


def _columns(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[models.Field]:
    first = rows[0]
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and field.attname not in first)  # the database numbers them
    ]


def _is_automatic(field: models.Field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _rows(columns: list[models.Field], rows: Iterable[dict[str, Any]]) -> Iterable[Sequence[Any]]:
    now = timezone.now()
    defaults = {field.attname: now if _is_automatic(field) else field.get_default() for field in columns}
    names = [field.attname for field in columns]
    pick = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    # Only these columns need more than the row's own value (most imports have none).
    fixes = [
        (index, field, _is_automatic(field))
        for index, field in enumerate(columns)
        if _is_automatic(field) or not isinstance(field, _PLAIN_FIELDS)
    ]
    for row in rows:
        values = pick({**defaults, **row})
        if fixes:
            values = list(values)
            for index, field, automatic in fixes:
                if automatic and values[index] is None:
                    values[index] = now  # an unsaved instance's auto_now field
                elif not automatic:
                    values[index] = field.get_db_prep_save(values[index], connection)
        yield values


def insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``model``'s table, without signals or ``save()``, like ``bulk_create``."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create([model(**row) for row in rows], batch_size=BATCH_SIZE)
        return
    columns = _columns(model, rows)
    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
        table=sql.Identifier(model._meta.db_table),
        columns=sql.SQL(", ").join(sql.Identifier(field.column) for field in columns),
    )
    # The raw psycopg cursor: its errors are turned into Django's (IntegrityError...) here.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(statement) as copy,
    ):
        for values in _rows(columns, rows):
            copy.write_row(values)


def plain_values(instance: models.Model) -> dict[str, Any]:
    """An unsaved instance as a row for ``insert``."""
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """The next ``count`` primary keys of ``model``'s table, taken from its sequence (PostgreSQL)."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]
