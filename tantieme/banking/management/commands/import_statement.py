"""`manage.py import_statement FILE [--condominium CODE] [--firm SLUG]`: import a bank statement.

Without --condominium the condominium is the one whose IBAN is the statement's. Prints what was
imported, matched, sent to review or suspense and skipped; a refused file exits non-zero and
writes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tantieme.banking.exceptions import ImportRefusedError
from tantieme.banking.parsers import StatementParseError, open_statement
from tantieme.banking.services import import_statement
from tantieme.condominiums.cli import add_target_arguments, resolve_condominium, resolve_firm
from tantieme.condominiums.models import Condominium
from tantieme.tenancy.scoping import firm_scope


def _statement_iban(content: bytes) -> str:
    """The IBAN of the file's first statement (reads until the account is known)."""
    reader = open_statement(content)
    entries = reader.entries()
    for _entry in entries:
        if reader.statements and reader.statements[0].iban:
            break
    if not reader.statements or not reader.statements[0].iban:
        raise StatementParseError("fichier", "compte du relevé introuvable.")
    return reader.statements[0].iban


class Command(BaseCommand):
    help = "Importe un relevé bancaire (CAMT.053, CFONB 120 ou OFX) pour une copropriété."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE", help="Fichier du relevé.")
        add_target_arguments(parser, condominium_required=False)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Lecture de {path} impossible : {error.strerror}.") from None
        if options["condominium"]:
            condominium = resolve_condominium(options["firm"], options["condominium"])
        else:
            condominium = self._by_iban(content, options["firm"])
        with firm_scope(condominium.firm):
            try:
                result = import_statement(condominium=condominium, content=content, filename=path.name, actor=None)
            except ImportRefusedError as error:
                raise CommandError(f"Relevé refusé, rien n'a été enregistré. {error}") from None
        target = f"{condominium.firm.slug}/{condominium.code}"
        if result.already_imported:
            self.stdout.write(f"{path.name} : déjà importé pour {target}. imported=0 skipped={result.skipped}")
            return
        self.stdout.write(f"{path.name} → {target} : {result.summary()}")
        for warning in result.warnings:
            self.stdout.write(f"Attention : {warning}")

    @staticmethod
    def _by_iban(content: bytes, firm_slug: str | None) -> Condominium:
        try:
            iban = _statement_iban(content)
        except StatementParseError as error:
            raise CommandError(f"Relevé refusé, rien n'a été enregistré. {error}") from None
        candidates = Condominium.all_firms.filter(iban=iban).select_related("firm")
        if firm_slug:
            candidates = candidates.filter(firm=resolve_firm(firm_slug))
        found = list(candidates[:2])
        if not found:
            raise CommandError(f"Aucune copropriété n'a le compte {iban} : précisez --condominium CODE.")
        if len(found) > 1:
            raise CommandError(f"Plusieurs copropriétés ont le compte {iban} : précisez --firm et --condominium.")
        return found[0]
