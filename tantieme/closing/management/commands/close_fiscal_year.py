"""`close_fiscal_year --year YYYY --draft` and `close_fiscal_year --year YYYY --approve --date YYYY-MM-DD`."""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tantieme.closing.publishing import publish_closing_documents
from tantieme.closing.services import approve_closing, draft_closing
from tantieme.condominiums.cli import add_target_arguments, resolve_condominium
from tantieme.core.money import format_amount
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.models import FiscalYear
from tantieme.tenancy.scoping import firm_scope

BAR = 30


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Date « {text} » illisible : AAAA-MM-JJ attendu.") from error


class Command(BaseCommand):
    help = (
        "Clôture l'exercice qui se termine l'année YYYY, en deux temps : --draft calcule le projet "
        "(répartition des charges par clé, régularisations, points de contrôle), --approve --date "
        "AAAA-MM-JJ passe les régularisations à la date de l'assemblée générale et verrouille l'exercice."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_target_arguments(parser)
        parser.add_argument("--year", type=int, required=True, help="Année de clôture de l'exercice.")
        step = parser.add_mutually_exclusive_group(required=True)
        step.add_argument("--draft", action="store_true", help="Calculer (à nouveau) le projet de clôture.")
        step.add_argument("--approve", action="store_true", help="Approuver : comptabiliser et verrouiller.")
        parser.add_argument("--date", help="Date de l'assemblée générale qui approuve les comptes (AAAA-MM-JJ).")

    def handle(self, *args: Any, **options: Any) -> None:
        condominium = resolve_condominium(options["firm"], options["condominium"])
        if options["approve"] and not options["date"]:
            raise CommandError("--approve demande --date AAAA-MM-JJ, la date de l'assemblée générale.")
        with firm_scope(condominium.firm):
            year = FiscalYear.objects.filter(condominium=condominium, end_date__year=options["year"]).first()
            if year is None:
                raise CommandError(f"La copropriété {condominium.code} n'a pas d'exercice clos en {options['year']}.")
            try:
                if options["draft"]:
                    closing = draft_closing(fiscal_year=year)
                else:
                    if year.approved_on is not None:
                        self.stdout.write(f"Exercice {year.label} déjà approuvé le {year.approved_on:%d/%m/%Y}.")
                        return
                    closing = approve_closing(fiscal_year=year, approval_date=_date(options["date"]), publish=False)
            except LedgerError as error:
                raise CommandError(str(error)) from error
            for item in closing.checklist:
                mark = "ok" if item["ok"] else ("BLOQUANT" if item["blocking"] else "à voir")
                self.stdout.write(f"[{mark}] {item['label']} — {item['detail']}")
            for key in closing.key_totals:
                figures = ", ".join(
                    f"{name} {format_amount(Decimal(key[field]))}"
                    for name, field in (
                        ("charges", "charges"),
                        ("produits", "income"),
                        ("provisions", "provisions"),
                        ("régularisation", "regularisation"),
                    )
                )
                self.stdout.write(f"{key['code']} : {figures}")
            if not closing.is_draft:
                # The statements and annexes are published here, with a bar, rather than by a task.
                publish_closing_documents(closing_id=closing.pk, progress=self._bar)
                self.stdout.write("")
            state = "approuvée" if not closing.is_draft else "en projet"
            self.stdout.write(
                f"Clôture {year.label} {state} : {closing.lines.count()} ligne(s) de répartition, "
                f"régularisations {format_amount(closing.regularisation_total)}."
            )

    def _bar(self, done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        filled = BAR * percent // 100
        self.stdout.write(
            f"\rPublication [{'#' * filled}{'.' * (BAR - filled)}] {percent:3d} % ({done}/{total})", ending=""
        )
        self.stdout.flush()
