"""manage.py import_condominium FILE [--firm SLUG] [--dry-run]: set up or update a condominium from a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from tantieme.condominiums.importing import (
    KINDS,
    MAX_REPORTED_ISSUES,
    BooksSetUp,
    ImportIssue,
    ImportRefusedError,
    ImportSummary,
    apply_import,
    prepare_import,
)
from tantieme.condominiums.models import Condominium
from tantieme.tenancy.models import Firm

# The ledger's service that gives a new condominium its chart, journals and first fiscal year, in the
# import's transaction. The ledger sits above the condominiums (import-linter layers): this entry
# point names it rather than importing it, so that the condominiums package never depends on it.
SET_UP_BOOKS = "tantieme.ledger.services.set_up_books"


def _set_up_books(condominium: Condominium) -> str:
    year = import_string(SET_UP_BOOKS)(condominium=condominium)
    return f"Comptabilité : plan comptable, journaux et exercice du {year} ouverts." if year is not None else ""


class Command(BaseCommand):
    help = (
        "Crée ou met à jour une copropriété (bâtiments, lots, clés, tantièmes, copropriétaires, propriétés) "
        "à partir d'un fichier CSV ou XLSX décrit dans docs/import-format.md. Tout ou rien : à la moindre "
        "erreur, rien n'est enregistré."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Fichier .csv ou .xlsx")
        parser.add_argument(
            "--firm", metavar="SLUG", help="Sous-domaine du cabinet (facultatif s'il n'y a qu'un cabinet)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Vérifie le fichier et affiche ce qui changerait, sans rien écrire"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        firm = self._firm(options["firm"])
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire le fichier {path} : {error.strerror or error}.") from None

        plan = prepare_import(path.name, content, firm)
        if plan.issues:
            self._refuse(path, plan.issues)
        try:
            books: BooksSetUp = _set_up_books
            summary = apply_import(plan, firm, dry_run=options["dry_run"], set_up_books=books)
        except ImportRefusedError as refused:
            self._refuse(path, refused.issues)
        self._report(summary, firm, int(options["verbosity"]))

    def _firm(self, slug: str | None) -> Firm:
        if slug:
            firm = Firm.objects.filter(slug=slug.strip().lower()).first()
            if firm is None:
                known = ", ".join(Firm.objects.order_by("slug").values_list("slug", flat=True)) or "aucun"
                raise CommandError(f"Cabinet « {slug} » inconnu (cabinets : {known}).")
            return firm
        firms = list(Firm.objects.order_by("slug")[:2])
        if not firms:
            raise CommandError("Aucun cabinet n'existe encore : créez d'abord le cabinet.")
        if len(firms) > 1:
            raise CommandError("Plusieurs cabinets existent : précisez lequel avec --firm SLUG.")
        return firms[0]

    def _refuse(self, path: Path, issues: list[ImportIssue]) -> NoReturn:
        for issue in issues[:MAX_REPORTED_ISSUES]:
            self.stderr.write(str(issue))
        if len(issues) > MAX_REPORTED_ISSUES:
            self.stderr.write(f"… et {len(issues) - MAX_REPORTED_ISSUES} autres erreurs.")
        raise CommandError(f"Import refusé : {len(issues)} erreur(s) dans {path.name} ; rien n'a été enregistré.")

    def _report(self, summary: ImportSummary, firm: Firm, verbosity: int) -> None:
        what = "créée" if summary.condominium_created else "mise à jour"
        if summary.dry_run:
            self.stdout.write("Simulation (--dry-run) : rien n'a été enregistré.")
            what = "serait créée" if summary.condominium_created else "serait mise à jour"
        self.stdout.write(
            f"Copropriété {summary.condominium_code} {summary.condominium_name} ({firm.slug}) {what}."
            if summary.has_changes
            else f"Copropriété {summary.condominium_code} {summary.condominium_name} ({firm.slug}) : "
            "aucun changement, tout était déjà à jour."
        )
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        if verbosity >= 2:
            for change in summary.changes:
                detail = "créé" if change.created else "modifié : " + ", ".join(change.fields)
                self.stdout.write(f"  - {KINDS[change.kind]} {change.label} ({detail})")
        if summary.has_changes and not summary.dry_run:
            self.stdout.write(self.style.SUCCESS("Import terminé."))
