"""`import_opening_balances FILE --firm SLUG --condominium CODE`: the balances taken over from a previous syndic."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tantieme.condominiums.cli import add_target_arguments, resolve_condominium
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.openings import OpeningImportError, import_opening_balances
from tantieme.tenancy.scoping import firm_scope


class Command(BaseCommand):
    help = (
        "Reprend les soldes des copropriétaires (CSV : référence ; date ; montant ; libellé — montant positif = dû) : "
        "une écriture par copropriétaire au journal AN, contrepartie 4728. Tout ou rien ; réimporter ne change rien."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="Fichier CSV (UTF-8, séparateur ; ou ,).")
        add_target_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        condominium = resolve_condominium(options["firm"], options["condominium"])
        path: Path = options["file"]
        try:
            content = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Lecture de {path} impossible : {error}") from None
        try:
            with firm_scope(condominium.firm):
                report = import_opening_balances(condominium=condominium, content=content)
        except OpeningImportError as error:
            raise CommandError(
                "Rien n'a été importé :\n" + "\n".join(f"  - {problem}" for problem in error.problems)
            ) from None
        except LedgerError as error:
            raise CommandError(f"Rien n'a été importé : {error}") from None
        self.stdout.write(report.summary())
        if report.entries:
            self.stdout.write(f"Écritures {report.entries[0]} à {report.entries[-1]}.")
