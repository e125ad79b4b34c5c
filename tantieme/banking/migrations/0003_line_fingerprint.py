"""A statement line's fingerprint: the same movement whatever the file format (issue 15, item 2).

Nullable so that SQLite adds the column with ALTER TABLE instead of rebuilding the table (which
would drop the foreign keys 0002 keeps there); NULL marks the lines imported before.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("banking", "0002_line_owner_composite_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="statementline",
            name="fingerprint",
            field=models.CharField(blank=True, max_length=32, null=True, verbose_name="empreinte du mouvement"),
        ),
        migrations.AddIndex(
            model_name="statementline",
            index=models.Index(
                fields=["booking_date", "account_iban", "condominium", "fingerprint"], name="banking_line_fingerprint"
            ),
        ),
    ]
