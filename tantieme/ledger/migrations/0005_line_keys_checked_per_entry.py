"""A line's `firm`, `condominium`, `date` and `entry` are checked once per entry at COMMIT (PostgreSQL).

Django gave `ledger_line` a foreign key per column: five checks per line at COMMIT, which were
most of the time spent committing a bulk posting (a 100,000-movement bank import: ≈ 2.5 s of its
commits). Three of them said nothing the database does not already prove:

- `entry_id`: the key (entry_id, posted_txid) -> ledger_entry (0004) proves the entry exists.
- `firm_id`, `condominium_id` (and `date`): they repeat the entry's, and a plain foreign key only
  proved that *some* firm or condominium had that id. The entry's deferred check
  (`ledger_entry_has_lines_trigger`, once per new entry at COMMIT, and by 0004 every new line
  belongs to an entry inserted in the same transaction) now also refuses a line whose firm,
  condominium or date differs from its entry's: a stronger guarantee, for one aggregate the
  check already ran.

The models declare `db_constraint=False` on those three fields. SQLite keeps its foreign keys
(its table is not rebuilt; a later rebuild of the table would leave them out).
"""

from django.db import migrations, models

from tantieme.core.pg_constraints import (
    add_column_foreign_key,
    drop_column_foreign_keys,
    unconstrained_foreign_key,
)

CHECK_NEW_ENTRY = """
CREATE OR REPLACE FUNCTION ledger_entry_has_lines_trigger() RETURNS trigger AS $$
DECLARE
    total_debit numeric;
    total_credit numeric;
    line_count integer;
    strangers integer;
BEGIN
    -- Once per new entry, at COMMIT: its lines can only have been inserted in this transaction.
    SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0), COUNT(*),
           COUNT(*) FILTER (WHERE firm_id <> NEW.firm_id OR condominium_id <> NEW.condominium_id
                                  OR date <> NEW.date)
      INTO total_debit, total_credit, line_count, strangers
      FROM ledger_line WHERE entry_id = NEW.id;
    IF line_count < 2 OR total_debit <> total_credit THEN
        RAISE EXCEPTION 'Unbalanced ledger entry % (id %): % line(s), debits %, credits %',
            NEW.code, NEW.id, line_count, total_debit, total_credit
            USING ERRCODE = 'check_violation';
    END IF;
    IF strangers > 0 THEN
        RAISE EXCEPTION 'Ledger entry % (id %): % line(s) with another firm, condominium or date than the entry',
            NEW.code, NEW.id, strangers
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

CHECK_BALANCE_ONLY = """
CREATE OR REPLACE FUNCTION ledger_entry_has_lines_trigger() RETURNS trigger AS $$
BEGIN
    PERFORM ledger_check_entry_balance(NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

TARGETS = {"firm_id": "tenancy_firm", "condominium_id": "condominiums_condominium", "entry_id": "ledger_entry"}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        drop_column_foreign_keys(cursor, "ledger_line", list(TARGETS))
        cursor.execute(CHECK_NEW_ENTRY)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CHECK_BALANCE_ONLY)
        for column, target in TARGETS.items():
            add_column_foreign_key(cursor, "ledger_line", column, target)


class Migration(migrations.Migration):
    dependencies = [
        ("condominiums", "0003_initial"),
        ("ledger", "0004_balance_check_per_entry"),
        ("tenancy", "0002_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField("line", "condominium", unconstrained_foreign_key("condominiums.condominium", "+")),
                migrations.AlterField("line", "entry", unconstrained_foreign_key("ledger.entry", "lines")),
                migrations.AlterField("line", "firm", unconstrained_foreign_key("tenancy.firm", "+")),
            ],
            database_operations=[migrations.RunPython(forward, backward, elidable=False)],
        )
    ]
