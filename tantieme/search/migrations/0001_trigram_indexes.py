"""Indexes of the search (PostgreSQL only; SQLite scans its small development tables).

- pg_trgm, then trigram GIN indexes on the expressions Django's `icontains` compares on
  PostgreSQL (`UPPER(col::text) LIKE UPPER('%…%')`): co-owners' last and first names and e-mail,
  condominiums' names and towns; a plain trigram index on the co-owner reference (stored upper
  case, searched with `contains`). Each is named `search_*` and created IF NOT EXISTS.
- a B-tree index on bank lines' amounts (search by amount: `amount IN (x, -x)`).

The tables belong to `condominiums` and `banking`; the indexes live here so that those apps' own
migrations stay theirs. Reversed, the indexes are dropped (the extension stays: others may use it).
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "search_coowner_last_name_trgm": "condominiums_coowner USING gin ((UPPER(last_name::text)) gin_trgm_ops)",
    "search_coowner_first_name_trgm": "condominiums_coowner USING gin ((UPPER(first_name::text)) gin_trgm_ops)",
    "search_coowner_email_trgm": "condominiums_coowner USING gin ((UPPER(email::text)) gin_trgm_ops)",
    "search_coowner_reference_trgm": "condominiums_coowner USING gin (reference gin_trgm_ops)",
    "search_condominium_name_trgm": "condominiums_condominium USING gin ((UPPER(name::text)) gin_trgm_ops)",
    "search_condominium_city_trgm": "condominiums_condominium USING gin ((UPPER(city::text)) gin_trgm_ops)",
    "search_statementline_amount": "banking_statementline (amount)",
}


def create_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("condominiums", "0003_initial"),
        ("banking", "0003_line_fingerprint"),
    ]

    operations = [
        TrigramExtension(),  # a no-op on other databases
        migrations.RunPython(create_indexes, drop_indexes),
    ]
