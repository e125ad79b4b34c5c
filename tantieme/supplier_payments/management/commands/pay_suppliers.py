"""`manage.py pay_suppliers --firm SLUG --condominium CODE --date YYYY-MM-DD --output FILE [--due-by YYYY-MM-DD]`

Builds the payment batch of the condominium's approved, unblocked invoices paid by transfer and
due by `--due-by` (default: the execution date `--date`), and writes its pain.001.001.09 file to
FILE (the batch is also kept, with its file, in the back office). Invoices that cannot be paid
(IBAN waiting for verification, cooling period…) are listed and left out. Nothing valid to pay,
or a refused file: exit status 1, no batch, FILE not written.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tantieme.condominiums.cli import add_target_arguments, resolve_condominium
from tantieme.core.money import format_amount
from tantieme.supplier_payments.exceptions import PaymentError
from tantieme.supplier_payments.services import batch_content, build_batch, candidates
from tantieme.tenancy.scoping import firm_scope


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Date « {text} » invalide (AAAA-MM-JJ attendu).") from None


def _write_atomically(path: Path, content: bytes) -> None:
    """FILE appears whole or not at all (a temporary file in its folder, then renamed)."""
    folder = path.parent if str(path.parent) else Path()
    handle, temporary = tempfile.mkstemp(prefix=".pain001-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "Crée la remise de virements SEPA (pain.001.001.09) des factures fournisseurs échues et approuvées."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_target_arguments(parser)
        parser.add_argument("--date", required=True, metavar="AAAA-MM-JJ", help="Date d'exécution demandée.")
        parser.add_argument(
            "--due-by", metavar="AAAA-MM-JJ", help="Factures échues au plus tard ce jour (défaut : --date)."
        )
        parser.add_argument("--output", required=True, metavar="FILE", help="Fichier pain.001 à écrire.")

    def handle(self, *args: Any, **options: Any) -> None:
        condominium = resolve_condominium(options["firm"], options["condominium"])
        execution = _date(options["date"])
        due_by = _date(options["due_by"]) if options["due_by"] else execution
        output = Path(options["output"])
        if output.exists() and output.is_dir():
            raise CommandError(f"{output} est un dossier.")
        with firm_scope(condominium.firm):
            left_out = [candidate for candidate in candidates(condominium, due_by=due_by) if not candidate.is_payable]
            try:
                with transaction.atomic():
                    batch = build_batch(condominium=condominium, execution_date=execution, due_by=due_by)
                    content = batch_content(batch)
                    try:
                        _write_atomically(output, content)
                    except OSError as error:
                        batch.file.delete(save=False)
                        raise CommandError(f"Écriture de {output} impossible : {error.strerror}.") from None
            except PaymentError as error:
                raise CommandError(
                    "Rien à payer, aucun fichier écrit. " + " ".join(f"- {problem}" for problem in error.problems)
                ) from None
        for candidate in left_out:
            for problem in candidate.problems:
                self.stdout.write(f"Non payée : {problem}")
        self.stdout.write(
            f"{output} : remise {batch.message_id} de {condominium.firm.slug}/{condominium.code}, "
            f"{batch.nb_of_txs} virement(s), {format_amount(batch.ctrl_sum)}, exécution le {execution:%d/%m/%Y}, "
            f"NbOfTxs={batch.nb_of_txs} CtrlSum={batch.ctrl_sum}"
        )
