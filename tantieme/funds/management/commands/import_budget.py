"""`import_budget FILE --firm SLUG --condominium CODE --year-start 2026-01-01 --general-meeting 2025-06-12`:
the budget voted by the AG, from CSV or XLSX (cle ; compte ; libelle ; montant). All or nothing."""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tantieme.condominiums.cli import add_target_arguments, resolve_condominium
from tantieme.core.money import AmountError, format_amount, parse_amount
from tantieme.funds.enums import Frequency
from tantieme.funds.exceptions import BudgetError
from tantieme.funds.importer import BudgetImportError, read_budget_file
from tantieme.funds.services import save_budget
from tantieme.tenancy.scoping import firm_scope


def _date(text: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    raise CommandError(f"Date « {text} » invalide (AAAA-MM-JJ ou JJ/MM/AAAA).")


def _amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return parse_amount(text)
    except AmountError as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = "Importe le budget prévisionnel voté (CSV ou XLSX : cle ; compte ; libelle ; montant). Tout ou rien."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="Fichier .csv ou .xlsx.")
        add_target_arguments(parser)
        parser.add_argument("--year-start", required=True, help="Premier jour de l'exercice (2026-01-01).")
        parser.add_argument("--general-meeting", required=True, help="Date de l'AG qui a voté le budget.")
        parser.add_argument("--frequency", choices=Frequency.values, default=Frequency.QUARTERLY)
        parser.add_argument("--works-fund", default="0", help="Fonds de travaux annuel voté (art. 14-2-1).")
        parser.add_argument("--works-plan", default=None, help="Montant des travaux du plan pluriannuel adopté.")
        parser.add_argument("--works-fund-reason", default="", help="Motif d'un fonds inférieur au minimum légal.")

    def handle(self, *args: Any, **options: Any) -> None:
        condominium = resolve_condominium(options["firm"], options["condominium"])
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Lecture de {path} impossible : {error}") from None
        works_fund = _amount(options["works_fund"]) or Decimal("0.00")
        try:
            with firm_scope(condominium.firm):
                imported = read_budget_file(condominium=condominium, filename=path.name, content=content)
                budget = save_budget(
                    condominium=condominium,
                    start_date=_date(options["year_start"]),
                    general_meeting_date=_date(options["general_meeting"]),
                    lines=imported.lines,
                    frequency=options["frequency"],
                    works_fund_amount=works_fund,
                    works_plan_amount=_amount(options["works_plan"]),
                    works_fund_reason=options["works_fund_reason"],
                )
        except BudgetImportError as error:
            raise CommandError(
                "Rien n'a été importé :\n" + "\n".join(f"  - {problem}" for problem in error.problems)
            ) from None
        except BudgetError as error:
            raise CommandError(f"Rien n'a été importé : {error}") from None
        self.stdout.write(
            f"Budget {budget.label} de la copropriété {condominium.code} : {len(imported.lines)} lignes, "
            f"{format_amount(imported.total, language='fr')}, fonds de travaux "
            f"{format_amount(works_fund, language='fr')}, appels {budget.get_frequency_display().lower()}s."
        )
