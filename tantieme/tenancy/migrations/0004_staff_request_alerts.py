from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0003_staff_role_assistant"),
    ]

    operations = [
        migrations.AddField(
            model_name="staffmembership",
            name="request_alerts",
            field=models.CharField(
                choices=[
                    ("immediate", "Un e-mail à chaque nouvelle demande ou réponse"),
                    ("digest", "Un récapitulatif quotidien"),
                    ("none", "Aucun e-mail"),
                ],
                default="immediate",
                max_length=10,
                verbose_name="e-mails des demandes",
            ),
        ),
        migrations.AddField(
            model_name="staffmembership",
            name="request_digest_sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dernier récapitulatif des demandes"),
        ),
    ]
