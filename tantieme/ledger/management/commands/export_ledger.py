"""`export_ledger --condominium CODE --year YYYY --report trial-balance|general-ledger|journal --format csv|pdf`."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tantieme.condominiums.cli import add_target_arguments, resolve_condominium
from tantieme.ledger import renderers, reports
from tantieme.ledger.models import FiscalYear
from tantieme.tenancy.scoping import firm_scope

REPORTS = ("trial-balance", "general-ledger", "journal")


class Command(BaseCommand):
    help = "Exporte la balance générale, le grand livre ou le journal d'un exercice, en CSV ou PDF."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_target_arguments(parser)
        parser.add_argument("--year", type=int, required=True, help="Année de clôture de l'exercice.")
        parser.add_argument("--report", choices=REPORTS, required=True)
        parser.add_argument("--format", choices=("csv", "pdf"), default="csv")
        parser.add_argument("--journal", help="Code du journal (rapport journal seulement).")
        parser.add_argument("--output-dir", type=Path, default=Path())

    def handle(self, *args: Any, **options: Any) -> None:
        condominium = resolve_condominium(options["firm"], options["condominium"])
        report, output = options["report"], options["format"]
        with firm_scope(condominium.firm):
            year = FiscalYear.objects.filter(condominium=condominium, end_date__year=options["year"]).first()
            if year is None:
                raise CommandError(f"La copropriété {condominium.code} n'a pas d'exercice clos en {options['year']}.")
            title = f"{condominium.code} {condominium.name} — exercice {year}"
            reference = f"Copropriété {condominium.code}"
            firm = condominium.firm
            if report == "trial-balance":
                rows = reports.trial_balance(year)
                content = (
                    renderers.render_trial_balance_csv(rows)
                    if output == "csv"
                    else renderers.render_trial_balance_pdf(
                        rows, firm=firm, reference=reference, title=f"Balance générale — {title}"
                    )
                )
            elif report == "general-ledger":
                accounts = reports.general_ledger(year)
                content = (
                    renderers.render_general_ledger_csv(accounts)
                    if output == "csv"
                    else renderers.render_general_ledger_pdf(
                        accounts, firm=firm, reference=reference, title=f"Grand livre — {title}"
                    )
                )
            else:
                lines = reports.journal_lines(year, journal=options["journal"])
                content = (
                    renderers.render_journal_csv(lines)
                    if output == "csv"
                    else renderers.render_journal_pdf(lines, firm=firm, reference=reference, title=f"Journal — {title}")
                )
        path = options["output_dir"] / f"{condominium.code}-{report}-{year.end_date:%Y%m%d}.{output}"
        path.write_bytes(content)
        self.stdout.write(str(path))
