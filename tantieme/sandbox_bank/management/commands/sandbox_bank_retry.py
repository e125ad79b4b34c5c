"""Retry the test bank's due notifications (IPN) that could not be delivered."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tantieme.sandbox_bank.bank import retry_due


class Command(BaseCommand):
    help = "Banque de test : renvoie les notifications (IPN) en attente dont l'heure est venue."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{retry_due()} notification(s) renvoyée(s).")
