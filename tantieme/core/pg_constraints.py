"""Foreign keys dropped or restored by hand in migrations (PostgreSQL), where Django's own
operations cannot express the replacement (a composite key, a check at COMMIT)."""

from __future__ import annotations

from typing import Any

from django.db import models


def drop_column_foreign_keys(cursor: Any, table: str, columns: list[str]) -> None:
    """Drop the single-column foreign keys on `columns` of `table`, whatever Django named them."""
    cursor.execute(
        """
        SELECT constraint_row.conname FROM pg_constraint AS constraint_row
        JOIN pg_attribute AS attribute
          ON attribute.attrelid = constraint_row.conrelid AND attribute.attnum = constraint_row.conkey[1]
        WHERE constraint_row.conrelid = %s::regclass AND constraint_row.contype = 'f'
          AND cardinality(constraint_row.conkey) = 1 AND attribute.attname = ANY(%s)
        """,
        [table, columns],
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')


def add_column_foreign_key(cursor: Any, table: str, column: str, target: str) -> None:
    """Restore a single-column foreign key as Django creates them (deferred to COMMIT)."""
    cursor.execute(
        f'ALTER TABLE {table} ADD CONSTRAINT "{table}_{column}_fk" FOREIGN KEY ({column}) '
        f"REFERENCES {target} (id) DEFERRABLE INITIALLY DEFERRED"
    )


def unconstrained_foreign_key(to: str, related_name: str, *, db_index: bool = False) -> models.ForeignKey[Any, Any]:
    """The field state of a PROTECT foreign key declared `db_constraint=False` (for AlterField)."""
    return models.ForeignKey(
        to, on_delete=models.PROTECT, related_name=related_name, db_index=db_index, db_constraint=False
    )
