"""Names found without their accents (PostgreSQL only): « helene » finds « Hélène ».

- the `unaccent` extension (`UnaccentExtension`, a no-op elsewhere; trusted since PostgreSQL 13);
- `search_fold(text)`: `upper(unaccent(text))`, declared IMMUTABLE so that it can be indexed (the
  dictionary is named, so the result does not depend on the search path);
- the trigram indexes of 0001 on `UPPER(col::text)` for co-owners' last and first names and
  condominiums' names and towns are replaced by indexes on `search_fold(col)`, which the search
  now compares (`tantieme.search.queries.Folded`). E-mails and references keep theirs.

Reversed: the 0001 indexes come back, the function is dropped (the extension stays).
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION search_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT upper(public.unaccent('public.unaccent'::regdictionary, $1)) $$
"""

COLUMNS = {
    "coowner_last_name": ("condominiums_coowner", "last_name"),
    "coowner_first_name": ("condominiums_coowner", "first_name"),
    "condominium_name": ("condominiums_condominium", "name"),
    "condominium_city": ("condominiums_condominium", "city"),
}


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, (table, column) in COLUMNS.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS search_{name}_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS search_{name}_fold ON {table} USING gin (search_fold({column}) gin_trgm_ops)"
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, column) in COLUMNS.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS search_{name}_fold")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS search_{name}_trgm ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS search_fold(text)")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_co_owner_balance")]

    operations = [
        UnaccentExtension(),  # a no-op on other databases
        migrations.RunPython(forwards, backwards),
    ]
