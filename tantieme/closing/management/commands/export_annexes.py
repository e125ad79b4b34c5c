"""`export_annexes --condominium CODE --year YYYY --output-dir DIR`: the five annexes and the statements.

Writes `annexes-<code>-<year>.pdf`, `annexes-<code>-<year>.xlsx` and `releves/<reference>.pdf`, one
individual distribution statement per co-owner of the closing (draft or approved).
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tantieme.closing.annexes import build_annexes
from tantieme.closing.models import Closing
from tantieme.closing.renderers import render_annexes_pdf, render_annexes_xlsx, render_individual_statement_pdf
from tantieme.closing.statements import individual_statements
from tantieme.condominiums.cli import add_target_arguments, resolve_condominium
from tantieme.ledger.models import FiscalYear
from tantieme.tenancy.scoping import firm_scope


class Command(BaseCommand):
    help = (
        "Écrit les cinq annexes des comptes de l'exercice clos l'année YYYY (PDF et XLSX) et le relevé "
        "individuel de répartition de chaque copropriétaire (releves/<référence>.pdf)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_target_arguments(parser)
        parser.add_argument("--year", type=int, required=True, help="Année de clôture de l'exercice.")
        parser.add_argument("--output-dir", type=Path, default=Path(), help="Dossier où écrire les fichiers.")

    def handle(self, *args: Any, **options: Any) -> None:
        condominium = resolve_condominium(options["firm"], options["condominium"])
        year_number: int = options["year"]
        output: Path = options["output_dir"]
        with firm_scope(condominium.firm):
            years = list(FiscalYear.objects.filter(condominium=condominium, end_date__year=year_number))
            if len(years) != 1:
                raise CommandError(
                    _("La copropriété %(code)s n'a pas d'exercice clos en %(year)s.")
                    % {"code": condominium.code, "year": year_number}
                    if not years
                    else _("Plusieurs exercices se terminent en %(year)s.") % {"year": year_number}
                )
            year = years[0]
            closing = Closing.objects.filter(fiscal_year=year).first()
            if closing is None:
                raise CommandError(
                    _(
                        "L'exercice %(year)s n'a pas de clôture. Calculez d'abord le projet de clôture : "
                        "close_fiscal_year --year %(year)s --draft"
                    )
                    % {"year": year.label}
                )
            annexes = build_annexes(fiscal_year=year, closing=closing)
            statements = individual_statements(closing)
        stem = f"annexes-{condominium.code}-{year.label}"
        output.mkdir(parents=True, exist_ok=True)
        (output / f"{stem}.pdf").write_bytes(render_annexes_pdf(annexes))
        (output / f"{stem}.xlsx").write_bytes(render_annexes_xlsx(annexes))
        folder = output / "releves"
        folder.mkdir(exist_ok=True)
        for statement in statements:
            (folder / f"{statement.reference}.pdf").write_bytes(render_individual_statement_pdf(statement))
        for warning in annexes.warnings:
            self.stderr.write(warning)
        self.stdout.write(
            _("%(path)s.pdf et .xlsx (%(status)s) ; %(count)s relevé(s) individuel(s) dans %(folder)s.")
            % {
                "path": output / stem,
                "status": annexes.header.status,
                "count": len(statements),
                "folder": folder,
            }
        )
