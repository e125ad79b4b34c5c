"""`manage.py seed_demo`: the fictional firms horizon and rivage, ready to sign in to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from tantieme.demo.seeding import DemoSeedError, demo_logins_table, seed_demo


class Command(BaseCommand):
    help = (
        "Crée les données de démonstration (cabinets horizon et rivage, copropriétés, lots, tantièmes, "
        "copropriétaires, accès) ou complète ce qui manque ; relancer ne change rien. Affiche les accès."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Accepter TANTIEME_ENV=production (les mots de passe de la démo sont publics).",
        )
        parser.add_argument(
            "--base-only",
            action="store_true",
            help="Seulement cabinets, copropriétés, copropriétaires et accès : ni comptabilité, ni documents.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION and not options["allow_production"]:
            raise CommandError(
                "Refus : TANTIEME_ENV=production. La démo crée des accès aux mots de passe publics ; "
                "ajoutez --allow-production pour une instance de démonstration."
            )
        try:
            # The history sends about a hundred notice e-mails: they stay in the outbox (listed at
            # /dev/courriels/) instead of burying the demo logins printed below on the console.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                report = seed_demo(activity=not options["base_only"])
        except DemoSeedError as error:
            raise CommandError(f"Démo non créée : {error}") from error
        if report.nothing_added:
            self.stdout.write("La démo existe déjà : rien à ajouter.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Démo ajoutée — {report.summary()}."))
        self.stdout.write("")
        self.stdout.write(demo_logins_table())
