"""`check_ledger [--firm SLUG] [--condominium CODE]`: verify every invariant of the books."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tantieme.condominiums.cli import add_target_arguments, resolve_condominium, resolve_firm
from tantieme.condominiums.models import Condominium
from tantieme.ledger.checks import check_books
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope


class Command(BaseCommand):
    help = (
        "Vérifie les livres : écritures équilibrées, numérotation sans trou, comptes copropriétaires égaux aux "
        "comptes 450/459, exercices clôturés inchangés, lettrage cohérent. Code de sortie 1 en cas d'anomalie."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_target_arguments(parser, condominium_required=False)

    def handle(self, *args: Any, **options: Any) -> None:
        targets: list[tuple[Firm, Condominium]]
        if options["condominium"]:
            condominium = resolve_condominium(options["firm"], options["condominium"])
            targets = [(condominium.firm, condominium)]
        else:
            firms = [resolve_firm(options["firm"])] if options["firm"] else list(Firm.objects.order_by("slug"))
            targets = [
                (firm, condominium)
                for firm in firms
                for condominium in Condominium.all_firms.filter(firm=firm).order_by("code")
            ]
        failed = 0
        for firm, condominium in targets:
            with firm_scope(firm):
                problems = check_books(condominium)
            if problems:
                failed += 1
                self.stdout.write(f"✗ {firm.slug} {condominium.code} {condominium.name} : {len(problems)} anomalie(s)")
                for problem in problems:
                    self.stdout.write(f"    - {problem}")
            else:
                self.stdout.write(f"✓ {firm.slug} {condominium.code} {condominium.name}")
        if failed:
            raise CommandError(f"{failed} copropriété(s) sur {len(targets)} ont des livres en anomalie.", returncode=1)
        self.stdout.write(f"Livres en ordre ({len(targets)} copropriété(s)).")
