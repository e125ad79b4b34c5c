"""The balance of an entry is checked once per entry at COMMIT, not once per line (PostgreSQL only).

Migration 0002 checked the balance from a deferred FOR EACH ROW trigger on `ledger_line`: one
plpgsql call per inserted line at COMMIT, plus a MAX(position) lookup, which dominated bulk
posting. The check now hangs on the entry, which is sound only if a line can be added to an entry
in the transaction that inserted the entry and in no other. The database proves it:

1. `ledger_entry.posted_txid` and `ledger_line.posted_txid` (bigint, DEFAULT txid_current(): the
   top-level transaction id, the same inside savepoints, 64 bits with the epoch, so it never
   repeats). Rows that exist already get 0 (ADD COLUMN with a constant default: no rewrite).
   The models do not declare the column: Django, COPY and executemany name their columns, so the
   default always applies.
2. UNIQUE (id, posted_txid) on `ledger_entry`, and the foreign key `ledger_line (entry_id,
   posted_txid) -> ledger_entry (id, posted_txid)`: a line carries its entry's transaction id.
3. `CHECK (posted_txid = txid_current()) NOT VALID` on `ledger_line`: a new line carries the
   current transaction id (a forged value is refused). NOT VALID because the existing rows (0, or
   ids of past transactions) would fail it: PostgreSQL then checks only the rows inserted or updated
   from now on, and never re-checks the old ones (no VALIDATE CONSTRAINT, ever). PostgreSQL accepts
   the volatile function (it does not check volatility in a CHECK). An UPDATE would re-evaluate the
   check, but `ledger_line_immutable` (BEFORE UPDATE) refuses it before any constraint is checked.
   A dump restores fine: COPY writes the stored ids and pg_dump adds a NOT VALID check after the
   data.
   Together: a new line's entry was inserted by the current transaction.
4. The deferred per-entry trigger `ledger_entry_has_lines` (AFTER INSERT ON ledger_entry) now
   calls `ledger_check_entry_balance` (at least two lines, debits = credits); the per-line trigger
   `ledger_line_balanced` and its function are dropped. Each new entry is checked once at COMMIT,
   and by (2)+(3) that covers every line inserted in the transaction.
"""

from django.db import migrations

FORWARD = [
    # Step 1: a constant default first (instant, no table rewrite), then the real default.
    "ALTER TABLE ledger_entry ADD COLUMN posted_txid bigint NOT NULL DEFAULT 0;",
    "ALTER TABLE ledger_entry ALTER COLUMN posted_txid SET DEFAULT txid_current();",
    "ALTER TABLE ledger_line ADD COLUMN posted_txid bigint NOT NULL DEFAULT 0;",
    "ALTER TABLE ledger_line ALTER COLUMN posted_txid SET DEFAULT txid_current();",
    # Step 2: a line carries the transaction id of its entry.
    "ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_id_txid_unique UNIQUE (id, posted_txid);",
    """
    ALTER TABLE ledger_line ADD CONSTRAINT ledger_line_entry_same_txid
        FOREIGN KEY (entry_id, posted_txid) REFERENCES ledger_entry (id, posted_txid) NOT VALID;
    """,
    "ALTER TABLE ledger_line VALIDATE CONSTRAINT ledger_line_entry_same_txid;",
    # Step 3: new rows only, see the module docstring.
    """
    ALTER TABLE ledger_line ADD CONSTRAINT ledger_line_posted_in_current_txid
        CHECK (posted_txid = txid_current()) NOT VALID;
    """,
    # Step 4: the balance is checked once per new entry.
    """
    CREATE OR REPLACE FUNCTION ledger_entry_has_lines_trigger() RETURNS trigger AS $$
    BEGIN
        -- Once per new entry, at COMMIT: its lines can only have been inserted in this transaction.
        PERFORM ledger_check_entry_balance(NEW.id);
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    "DROP TRIGGER IF EXISTS ledger_line_balanced ON ledger_line;",
    "DROP FUNCTION IF EXISTS ledger_line_balance_trigger();",
]

BACKWARD = [
    """
    CREATE OR REPLACE FUNCTION ledger_line_balance_trigger() RETURNS trigger AS $$
    BEGIN
        -- Once per entry and transaction: only the line with the highest position checks the sum.
        IF NEW.position = (SELECT MAX(position) FROM ledger_line WHERE entry_id = NEW.entry_id) THEN
            PERFORM ledger_check_entry_balance(NEW.entry_id);
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_line_balanced
        AFTER INSERT ON ledger_line
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ledger_line_balance_trigger();
    """,
    """
    CREATE OR REPLACE FUNCTION ledger_entry_has_lines_trigger() RETURNS trigger AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM ledger_line WHERE entry_id = NEW.id) THEN
            RAISE EXCEPTION 'Ledger entry % (id %) has no line', NEW.code, NEW.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    "ALTER TABLE ledger_line DROP CONSTRAINT IF EXISTS ledger_line_posted_in_current_txid;",
    "ALTER TABLE ledger_line DROP CONSTRAINT IF EXISTS ledger_line_entry_same_txid;",
    "ALTER TABLE ledger_entry DROP CONSTRAINT IF EXISTS ledger_entry_id_txid_unique;",
    "ALTER TABLE ledger_line DROP COLUMN IF EXISTS posted_txid;",
    "ALTER TABLE ledger_entry DROP COLUMN IF EXISTS posted_txid;",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)  # no parameters: the % of RAISE are not placeholders

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_line_position_integer")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
