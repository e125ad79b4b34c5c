"""Bulk inserts without the ORM's per-row cost, for the imports and postings that write thousands of rows.

`bulk_create` builds a model instance per row and, on PostgreSQL, a multi-row INSERT … RETURNING:
about 100 µs a row in Python, and the rows' ids come back only through RETURNING. Here the ids are
taken beforehand (one query), then the rows go in by COPY on PostgreSQL, by one prepared
executemany on SQLite. Callers pass plain tuples already in column order; triggers and constraints
apply exactly as for any INSERT.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.db import connection, models

# Below this many rows, a COPY costs more than it saves (its own round trips).
COPY_THRESHOLD = 200


def _sqlite_writer_locked() -> bool:
    """True when this SQLite connection holds the database's write lock for the whole transaction.

    Inside an atomic block opened with BEGIN IMMEDIATE (or EXCLUSIVE, settings.DATABASES OPTIONS
    `transaction_mode`), SQLite lets no other connection write until COMMIT: ids read from the
    table now cannot be taken by anyone else before this transaction ends.
    """
    return (
        connection.vendor == "sqlite"
        and connection.in_atomic_block
        and getattr(connection, "transaction_mode", None) in ("IMMEDIATE", "EXCLUSIVE")
    )


def can_reserve_ids() -> bool:
    """Whether `reserve_ids` can give ids on this connection now (PostgreSQL, or SQLite write-locked)."""
    return connection.vendor == "postgresql" or _sqlite_writer_locked()


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`'s table, never given to anyone else.

    PostgreSQL: taken from the table's sequence in one query (a rollback leaves a gap in ids, as
    any INSERT would). SQLite, writer lock held (see `_sqlite_writer_locked`): above both the
    largest id present and the AUTOINCREMENT high-water mark, so an id is never reused, as with
    SQLite's own allocation; inserting them moves sqlite_sequence on."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [int(pk) for (pk,) in cursor.fetchall()]
        if not _sqlite_writer_locked():
            raise RuntimeError("reserve_ids needs PostgreSQL or a write-locked SQLite transaction")
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "  # noqa: S608 - name from _meta
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        (last,) = cursor.fetchone()
    return list(range(int(last) + 1, int(last) + 1 + count))


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (tuples in `columns` order, column names as in the table) into `model`'s table.

    PostgreSQL: COPY for batches (psycopg dumps str, int, Decimal, date and datetime as they are;
    JSON goes through Django's adapter). Otherwise one executemany, every value adapted by Django's
    operations for the database in use."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    postgresql = connection.vendor == "postgresql"
    adapted = _adapted(model, columns, rows, json_only=postgresql)
    with connection.cursor() as cursor:
        if postgresql and len(rows) >= COPY_THRESHOLD:
            raw = cursor.cursor  # psycopg's own cursor: COPY … FROM STDIN
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in adapted:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", adapted)  # noqa: S608 - names from _meta


def _adapted(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *, json_only: bool
) -> Sequence[Sequence[Any]]:
    """Rows with the values the driver cannot take as they are adapted by Django's database operations.

    psycopg takes decimals and dates as they are, not dicts (`json_only`); sqlite3 takes none of them."""
    adapters = _column_adapters(model, columns, json_only=json_only)
    converted = [(index, adapt) for index, adapt in enumerate(adapters) if adapt is not None]
    if not converted:
        return rows
    result = []
    for row in rows:
        values = list(row)
        for index, adapt in converted:
            value = values[index]
            if value is not None:
                values[index] = adapt(value)
        result.append(values)
    return result


def _column_adapters(
    model: type[models.Model], columns: Sequence[str], *, json_only: bool = False
) -> list[Callable[[Any], Any] | None]:
    """For each column, Django's adapter for the database in use, or None when the value goes as it is."""
    ops = connection.ops
    fields = {field.column: field for field in model._meta.concrete_fields}
    adapters: list[Callable[[Any], Any] | None] = []
    for column in columns:
        field = fields[column]
        if isinstance(field, models.JSONField):
            adapters.append(partial(ops.adapt_json_value, encoder=field.encoder))
        elif json_only:
            adapters.append(None)
        elif isinstance(field, models.DecimalField):
            adapters.append(
                partial(ops.adapt_decimalfield_value, max_digits=field.max_digits, decimal_places=field.decimal_places)
            )
        elif isinstance(field, models.DateTimeField):
            adapters.append(ops.adapt_datetimefield_value)
        elif isinstance(field, models.DateField):
            adapters.append(ops.adapt_datefield_value)
        else:
            adapters.append(None)
    return adapters
