"""`open_fiscal_year --firm SLUG --condominium CODE [--start YYYY-MM-DD] [--end YYYY-MM-DD]`: the next fiscal year.

Without dates: the 12 months after the last year (the first year: the 12 months from the start of
the fiscal year containing today, per the condominium's `fiscal_year_start_month`). Asking for a
year that already exists with the same dates changes nothing and exits 0; anything refused exits 1
with the reason on stderr.
"""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tantieme.condominiums.cli import add_target_arguments, resolve_condominium
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.models import FiscalYear
from tantieme.ledger.services import open_fiscal_year
from tantieme.tenancy.scoping import firm_scope


def _day(text: str | None, option: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"{option} {text} : date invalide, attendu AAAA-MM-JJ (ex. 2027-01-01).") from None


def _state(year: FiscalYear) -> str:
    if year.is_open:
        return "ouvert"
    approved = f", comptes approuvés le {year.approved_on:%d/%m/%Y}" if year.approved_on else ""
    return f"clôturé{approved}"


class Command(BaseCommand):
    help = (
        "Ouvre l'exercice suivant d'une copropriété : 12 mois après le dernier (le premier : de 6 à 18 mois, "
        "par défaut l'exercice qui contient aujourd'hui). Deux exercices au plus sont ouverts ensemble : "
        "clôturez N avant d'ouvrir N+2."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_target_arguments(parser)
        parser.add_argument(
            "--start", metavar="AAAA-MM-JJ", help="Début (le premier exercice ; ensuite, lendemain de la clôture)."
        )
        parser.add_argument("--end", metavar="AAAA-MM-JJ", help="Clôture (par défaut 12 mois après le début).")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _day(options["start"], "--start")
        end = _day(options["end"], "--end")
        condominium = resolve_condominium(options["firm"], options["condominium"])
        with firm_scope(condominium.firm):
            years = list(FiscalYear.objects.filter(condominium=condominium).order_by("start_date"))
            if start is None and not years:
                start = condominium.fiscal_year_start(timezone.localdate())
            if start is not None:
                existing = next((year for year in years if year.start_date == start), None)
                if existing is not None:
                    if end is None or end == existing.end_date:
                        self.stdout.write(
                            f"L'exercice {existing} de la copropriété {condominium.code} existe déjà "
                            f"({_state(existing)}) : rien à faire."
                        )
                        return
                    raise CommandError(
                        f"L'exercice commençant le {start:%d/%m/%Y} existe déjà et se clôture le "
                        f"{existing.end_date:%d/%m/%Y}, pas le {end:%d/%m/%Y} : rien n'a été ouvert."
                    )
            try:
                year = open_fiscal_year(condominium=condominium, start_date=start, end_date=end, one_year_ahead=True)
            except LedgerError as error:
                raise CommandError(f"Exercice non ouvert : {error}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Exercice {year.label} de la copropriété {condominium.code} ouvert, "
                f"du {year.start_date:%d/%m/%Y} au {year.end_date:%d/%m/%Y}."
            )
        )
