"""`manage.py refresh_balances [--firm SLUG]`: rebuild the index of co-owner balances now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tantieme.search.balances import refresh_balances
from tantieme.tenancy.models import Firm


class Command(BaseCommand):
    help = "Recalcule l'index des soldes débiteurs des copropriétaires (impayés de « À traiter »)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", help="le sous-domaine d'un cabinet (tous les cabinets actifs sinon)")

    def handle(self, *args: Any, **options: Any) -> None:
        firms = Firm.objects.filter(is_active=True).order_by("pk")
        if options["firm"]:
            firms = firms.filter(slug=options["firm"])
            if not firms:
                raise CommandError(f"Aucun cabinet actif « {options['firm']} ».")
        for firm in firms:
            count = refresh_balances(firm=firm)
            self.stdout.write(f"{firm.slug}: {count} copropriétaires débiteurs")
