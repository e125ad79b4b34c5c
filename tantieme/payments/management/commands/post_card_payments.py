"""Post accepted card payments of the days before --date (default: today) to the books, once each."""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tantieme.condominiums.cli import resolve_firm
from tantieme.payments.posting import post_all_firms


class Command(BaseCommand):
    help = (
        "Comptabilise les paiements par carte acceptés avant --date (par défaut aujourd'hui) : journal CB, "
        "débit 5128, crédit 450 du copropriétaire, date du paiement, validation à --date, lettrage. "
        "Idempotent : relancer ne passe rien deux fois."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--date", metavar="AAAA-MM-JJ", help="Jour de comptabilisation (par défaut aujourd'hui).")
        parser.add_argument("--firm", metavar="SLUG", help="Un seul cabinet (par défaut tous).")

    def handle(self, *args: Any, **options: Any) -> None:
        on = timezone.localdate()
        if options["date"]:
            try:
                on = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"Date invalide : {options['date']} (AAAA-MM-JJ).") from None
        firm = resolve_firm(options["firm"]) if options["firm"] else None
        report = post_all_firms(on=on, firm=firm)
        for order_id in report.posted:
            self.stdout.write(f"comptabilisé {order_id}")
        for order_id in report.reversed:
            self.stdout.write(f"contre-passé {order_id}")
        for order_id, error in report.failed:
            self.stderr.write(f"échec {order_id} : {error}")
        self.stdout.write(
            f"{len(report.posted)} paiement(s) comptabilisé(s), "
            f"{len(report.reversed)} remboursement(s) contre-passé(s), {len(report.failed)} échec(s)."
        )
        if report.failed:
            raise CommandError("Certains paiements n'ont pas pu être comptabilisés.")
