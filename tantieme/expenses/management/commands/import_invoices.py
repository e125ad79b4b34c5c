"""`import_invoices --firm SLUG --condominium CODE FILE…`: Factur-X PDFs or a CSV of invoices (docs/expenses.md)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tantieme.condominiums.cli import add_target_arguments, resolve_condominium
from tantieme.expenses.exceptions import ExpenseError
from tantieme.expenses.importing import ImportFile, InvoiceImportError, import_invoices
from tantieme.tenancy.scoping import firm_scope

MAX_PROBLEMS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Importe des factures fournisseurs dans une copropriété : PDF Factur-X, ou CSV (une ligne par ventilation : "
        "supplier_siret;number;kind;issue_date;due_date;received_on;booking_date;total_ttc;label;account;key;"
        "operation;amount;line_label[;preceding_number]). Comptabilisées au journal AC. Tout ou rien ; "
        "un fichier déjà importé est ignoré."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="PDF Factur-X ou CSV.")
        add_target_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        condominium = resolve_condominium(options["firm"], options["condominium"])
        files = []
        for path in options["files"]:
            try:
                files.append(ImportFile(name=path.name, content=path.read_bytes()))
            except OSError as error:
                raise CommandError(f"Lecture de {path} impossible : {error}") from None
        try:
            with firm_scope(condominium.firm):
                report = import_invoices(condominium=condominium, files=files)
        except InvoiceImportError as error:
            shown = error.problems[:MAX_PROBLEMS_SHOWN]
            lines = [f"  - {problem}" for problem in shown]
            if len(error.problems) > len(shown):
                lines.append(f"  … et {len(error.problems) - len(shown)} autre(s) problème(s).")
            raise CommandError(
                f"Rien n'a été importé ({len(error.problems)} problème(s)) :\n" + "\n".join(lines)
            ) from None
        except ExpenseError as error:
            raise CommandError(f"Rien n'a été importé : {error}") from None
        for message in report.messages:
            self.stdout.write(message)
        if report.imported:
            codes = ", ".join(invoice.internal_number for invoice in report.imported)
            self.stdout.write(f"{len(report.imported)} facture(s) comptabilisée(s) au journal AC : {codes}.")
        elif not report.skipped_files:
            self.stdout.write("Aucune facture dans ces fichiers.")
