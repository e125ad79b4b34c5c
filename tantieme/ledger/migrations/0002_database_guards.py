"""The database guards the books itself (PostgreSQL only; other backends rely on the CHECKs of 0001).

1. A deferred constraint trigger (the django-hordak pattern) checks at COMMIT that every entry
   that received lines has at least two and that its debits equal its credits. To keep bulk
   posting linear, the check of an entry runs once, for its last line (highest position).
   A second deferred trigger on the entries refuses an entry that got no line at all.
2. BEFORE UPDATE OR DELETE triggers refuse any change to a posted entry or line.
3. BEFORE INSERT on entries: the fiscal year must be open and contain the entry's date.
4. The two line indexes are rebuilt with INCLUDE (debit, credit, firm_id): a co-owner's balance
   is then an index-only scan.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION ledger_check_entry_balance(checked_entry bigint) RETURNS void AS $$
    DECLARE
        total_debit numeric;
        total_credit numeric;
        line_count integer;
        entry_code text;
    BEGIN
        SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0), COUNT(*)
          INTO total_debit, total_credit, line_count
          FROM ledger_line WHERE entry_id = checked_entry;
        IF line_count < 2 OR total_debit <> total_credit THEN
            SELECT code INTO entry_code FROM ledger_entry WHERE id = checked_entry;
            RAISE EXCEPTION 'Unbalanced ledger entry % (id %): % line(s), debits %, credits %',
                entry_code, checked_entry, line_count, total_debit, total_credit
                USING ERRCODE = 'check_violation';
        END IF;
    END;
    $$ LANGUAGE plpgsql;
    """,
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
    """
    CREATE CONSTRAINT TRIGGER ledger_entry_has_lines
        AFTER INSERT ON ledger_entry
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ledger_entry_has_lines_trigger();
    """,
    """
    CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'Posted ledger rows are immutable (% on %): post a reversing entry instead',
            TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER ledger_line_immutable BEFORE UPDATE OR DELETE ON ledger_line
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
    """,
    """
    CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_entry
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
    """,
    """
    CREATE OR REPLACE FUNCTION ledger_entry_open_year_trigger() RETURNS trigger AS $$
    DECLARE
        year_row ledger_fiscalyear%ROWTYPE;
    BEGIN
        SELECT * INTO year_row FROM ledger_fiscalyear WHERE id = NEW.fiscal_year_id;
        IF year_row.state <> 'open' THEN
            RAISE EXCEPTION 'Fiscal year % – % is closed: no entry may be added to it',
                year_row.start_date, year_row.end_date USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.date < year_row.start_date OR NEW.date > year_row.end_date THEN
            RAISE EXCEPTION 'Entry date % is outside its fiscal year % – %',
                NEW.date, year_row.start_date, year_row.end_date USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER ledger_entry_open_year BEFORE INSERT ON ledger_entry
        FOR EACH ROW EXECUTE FUNCTION ledger_entry_open_year_trigger();
    """,
    "DROP INDEX IF EXISTS ledger_line_co_owner_date;",
    """
    CREATE INDEX ledger_line_co_owner_date ON ledger_line (co_owner_id, date)
        INCLUDE (debit, credit, firm_id) WHERE co_owner_id IS NOT NULL;
    """,
    "DROP INDEX IF EXISTS ledger_line_account_date;",
    "CREATE INDEX ledger_line_account_date ON ledger_line (account_id, date) INCLUDE (debit, credit);",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_entry_open_year ON ledger_entry;",
    "DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_entry;",
    "DROP TRIGGER IF EXISTS ledger_line_immutable ON ledger_line;",
    "DROP TRIGGER IF EXISTS ledger_entry_has_lines ON ledger_entry;",
    "DROP TRIGGER IF EXISTS ledger_line_balanced ON ledger_line;",
    "DROP FUNCTION IF EXISTS ledger_entry_open_year_trigger();",
    "DROP FUNCTION IF EXISTS ledger_refuse_change();",
    "DROP FUNCTION IF EXISTS ledger_entry_has_lines_trigger();",
    "DROP FUNCTION IF EXISTS ledger_line_balance_trigger();",
    "DROP FUNCTION IF EXISTS ledger_check_entry_balance(bigint);",
    "DROP INDEX IF EXISTS ledger_line_co_owner_date;",
    "CREATE INDEX ledger_line_co_owner_date ON ledger_line (co_owner_id, date) WHERE co_owner_id IS NOT NULL;",
    "DROP INDEX IF EXISTS ledger_line_account_date;",
    "CREATE INDEX ledger_line_account_date ON ledger_line (account_id, date);",
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
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
