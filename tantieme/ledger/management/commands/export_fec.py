"""`export_fec --condominium CODE --year YYYY`: the FEC of a fiscal year (18 columns)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tantieme.condominiums.cli import add_target_arguments, resolve_condominium
from tantieme.ledger.fec import (
    ENCODINGS,
    SEPARATORS,
    fec_description_filename,
    fec_filename,
    fec_rows,
    render_fec,
    render_fec_description,
)
from tantieme.ledger.models import FiscalYear
from tantieme.tenancy.scoping import firm_scope


class Command(BaseCommand):
    help = (
        "Écrit le fichier des écritures comptables (FEC) de l'exercice clos l'année YYYY : "
        "<id>FEC<date de clôture>.txt, et son descriptif (champs, codes, jeu de caractères) à côté."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_target_arguments(parser)
        parser.add_argument("--year", type=int, required=True, help="Année de clôture de l'exercice.")
        parser.add_argument("--separator", choices=sorted(SEPARATORS), default="pipe")
        parser.add_argument("--encoding", choices=ENCODINGS, default="iso-8859-15")
        parser.add_argument("--output-dir", type=Path, default=Path(), help="Dossier où écrire le fichier.")

    def handle(self, *args: Any, **options: Any) -> None:
        condominium = resolve_condominium(options["firm"], options["condominium"])
        with firm_scope(condominium.firm):
            years = list(FiscalYear.objects.filter(condominium=condominium, end_date__year=options["year"]))
            if len(years) != 1:
                raise CommandError(
                    f"La copropriété {condominium.code} n'a pas d'exercice clos en {options['year']}."
                    if not years
                    else f"Plusieurs exercices se terminent en {options['year']}."
                )
            separator, encoding = SEPARATORS[options["separator"]], options["encoding"]
            rows = list(fec_rows(years[0]))
            name = fec_filename(condominium, years[0])
            content = render_fec(years[0], separator=separator, encoding=encoding, rows=rows)
            description = render_fec_description(
                years[0], filename=name, rows=rows, separator=separator, encoding=encoding
            )
        path = options["output_dir"] / name
        path.write_bytes(content)
        described = options["output_dir"] / fec_description_filename(name)
        described.write_bytes(description)
        self.stdout.write(f"{path} : {len(rows)} ligne(s) d'écriture ; descriptif : {described}.")
