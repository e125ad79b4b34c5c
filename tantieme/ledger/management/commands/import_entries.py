"""`import_entries FILE --firm SLUG --condominium CODE [--dry-run]`: entries from a FEC or a CSV file."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tantieme.condominiums.cli import add_target_arguments, resolve_condominium
from tantieme.ledger.entries_import import EntriesImportError, import_entries
from tantieme.ledger.exceptions import LedgerError
from tantieme.tenancy.scoping import firm_scope

MAX_PROBLEMS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Importe des écritures dans la comptabilité d'une copropriété, depuis un FEC (18 colonnes, | ou tabulation, "
        "ISO-8859-15 ou UTF-8) ou un CSV journal;date;piece;compte;compte_aux;libelle;debit;credit;cle. "
        "Tout ou rien, dans les exercices ouverts ; réimporter le même fichier n'ajoute rien."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="Fichier FEC (.txt) ou CSV des écritures.")
        add_target_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Vérifie le fichier sans rien enregistrer.")

    def handle(self, *args: Any, **options: Any) -> None:
        condominium = resolve_condominium(options["firm"], options["condominium"])
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Lecture de {path} impossible : {error}") from None
        try:
            with firm_scope(condominium.firm):
                report = import_entries(
                    condominium=condominium, content=content, filename=path.name, dry_run=options["dry_run"]
                )
        except EntriesImportError as error:
            shown = error.problems[:MAX_PROBLEMS_SHOWN]
            more = len(error.problems) - len(shown)
            lines = [f"  - {problem}" for problem in shown]
            if more:
                lines.append(f"  … et {more} autre(s) problème(s).")
            raise CommandError(
                f"Rien n'a été importé ({len(error.problems)} problème(s)) :\n" + "\n".join(lines)
            ) from None
        except LedgerError as error:
            raise CommandError(f"Rien n'a été importé : {error}") from None
        self.stdout.write(f"{path.name} : {report.format}, {report.encoding}, séparateur {report.separator}.")
        self.stdout.write(report.summary())
        if report.imported:
            verb = "seraient numérotées" if report.dry_run else "numérotées"
            self.stdout.write(f"Écritures {verb} {report.imported[0]} à {report.imported[-1]}.")
