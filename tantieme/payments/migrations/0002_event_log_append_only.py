"""PaymentEvent is append-only: on PostgreSQL the database refuses UPDATE and DELETE of its rows."""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION payments_event_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'payments_paymentevent is append-only (% refused)', TG_OP USING ERRCODE = 'check_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER payments_event_no_change BEFORE UPDATE OR DELETE ON payments_paymentevent
        FOR EACH ROW EXECUTE FUNCTION payments_event_append_only();
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS payments_event_no_change ON payments_paymentevent;",
    "DROP FUNCTION IF EXISTS payments_event_append_only();",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
