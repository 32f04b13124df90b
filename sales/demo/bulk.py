"""Bulk writing for demo data: plain value rows, and back-dated creation timestamps."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, models
from django.utils import timezone


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
    """Insert value tuples for ``fields`` into ``model``'s table, without building instances.

    Building model instances is most of ``bulk_create``'s cost at this size. Fields not named
    get their default (``auto_now`` ones: now). PostgreSQL takes the rows through ``COPY``;
    other databases through one prepared ``INSERT`` run for every row.
    """
    if not rows:
        return
    opts = model._meta
    given = [opts.get_field(name) for name in fields]
    now = timezone.now()
    rest = [field_ for field_ in opts.concrete_fields if not field_.primary_key and field_ not in given]
    defaults = tuple(
        now
        if getattr(field_, "auto_now", False) or getattr(field_, "auto_now_add", False)
        else field_.get_default()
        for field_ in rest
    )
    columns = [*given, *rest]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg import sql

            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(opts.db_table), sql.SQL(", ").join(sql.Identifier(f.column) for f in columns)
            )
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row((*row, *defaults))
            return
        quote = connection.ops.quote_name
        # Names from the model's metadata, quoted; values go as parameters.
        statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(opts.db_table),
            ", ".join(quote(f.column) for f in columns),
            ", ".join(["%s"] * len(columns)),
        )
        cursor.executemany(
            statement,
            [
                [
                    f.get_db_prep_save(value, connection)
                    for f, value in zip(columns, (*row, *defaults), strict=True)
                ]
                for row in rows
            ],
        )


@contextmanager
def given_timestamps(*fields: models.DateTimeField) -> Iterator[None]:
    """Let ``bulk_create`` keep the back-dated values of ``auto_now_add`` fields."""
    saved = [(field, field.auto_now_add) for field in fields]
    try:
        for field_ in fields:
            field_.auto_now_add = False
        yield
    finally:
        for field_, value in saved:
            field_.auto_now_add = value
