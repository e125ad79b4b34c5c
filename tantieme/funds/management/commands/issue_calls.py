"""`issue_calls --condominium CODE --period 2026-Q2 [--firm SLUG]` (or `--firm SLUG` alone for all
its condominiums): issue the calls due in the period, post them, publish and mail the notices.

Safe to run again, also after a crash: what was issued is not issued twice, missing notices are
completed (an unfinished batch of the same target is resumed).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tantieme.condominiums.cli import add_target_arguments, resolve_condominium, resolve_firm
from tantieme.core.money import format_amount
from tantieme.funds.batches import run_batch, start_batch
from tantieme.funds.enums import BatchState
from tantieme.funds.exceptions import FundsError
from tantieme.funds.models import CallBatch
from tantieme.funds.rendering import pool_renderer
from tantieme.tenancy.scoping import firm_scope

BAR = 30


class Command(BaseCommand):
    help = "Émet les appels de fonds d'une période (budget, fonds de travaux, travaux) et leurs avis."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_target_arguments(parser, condominium_required=False)
        parser.add_argument("--period", required=True, help="Période : 2026-Q2 (ou 2026-T2), 2026-S1, 2026-04.")
        parser.add_argument("--workers", type=int, default=1, help="Processus de rendu des PDF (2 sur 2 cœurs).")
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["condominium"]:
            condominium = resolve_condominium(options["firm"], options["condominium"])
            firm = condominium.firm
        elif options["firm"]:
            condominium, firm = None, resolve_firm(options["firm"])
        else:
            raise CommandError("Indiquez --condominium CODE, ou --firm SLUG pour toutes ses copropriétés.")
        show = not options["no_progress"]
        try:
            with firm_scope(firm):
                batch = start_batch(firm=firm, period=options["period"], condominium=condominium)
        except FundsError as error:
            raise CommandError(str(error)) from None
        with pool_renderer(options["workers"]) as render:
            batch = run_batch(batch_id=batch.pk, render=render, progress=self._bar if show else None)
        if show:
            self.stdout.write("")
        self.stdout.write(
            f"Période {batch.period} : {batch.calls_created} appel(s) émis, {batch.calls_existing} déjà émis, "
            f"{batch.notices_published} avis publiés, {batch.emails_queued} e-mails, "
            f"montant appelé {format_amount(batch.total_amount, language='fr')}."
        )
        if batch.state == BatchState.DONE and not batch.steps_total and not batch.errors:
            self.stdout.write(
                f"Rien à émettre : aucun appel n'était dû sur la période {batch.period} "
                "(pas de budget voté couvrant la période ni d'échéance de travaux)."
            )
        for problem in batch.errors:
            self.stderr.write(f"  - {problem['where']} : {problem['message']}")
        if batch.state != BatchState.DONE or batch.errors:
            raise CommandError(f"{len(batch.errors)} erreur(s).")

    def _bar(self, batch: CallBatch) -> None:
        done = BAR * batch.percent // 100
        self.stdout.write(
            f"\r[{'#' * done}{'.' * (BAR - done)}] {batch.percent:3d} % "
            f"({batch.steps_done}/{batch.steps_total}) {batch.get_state_display()}   ",
            ending="",
        )
        self.stdout.flush()
