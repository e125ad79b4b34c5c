"""What management commands share: `--firm SLUG --condominium CODE`, resolved or refused clearly."""

from __future__ import annotations

from argparse import ArgumentParser

from django.core.management.base import CommandError

from tantieme.condominiums.models import Condominium
from tantieme.tenancy.models import Firm


def add_target_arguments(parser: ArgumentParser, *, condominium_required: bool = True) -> None:
    parser.add_argument("--firm", metavar="SLUG", help="Cabinet (sous-domaine), facultatif si le code est unique.")
    parser.add_argument(
        "--condominium", metavar="CODE", required=condominium_required, help="Code à trois chiffres de la copropriété."
    )


def resolve_firm(slug: str | None) -> Firm:
    """The firm named by `--firm`, or the only firm of the installation."""
    if slug:
        firm = Firm.objects.filter(slug=slug.strip().lower()).first()
        if firm is None:
            raise CommandError(f"Cabinet « {slug} » inconnu.")
        return firm
    firms = list(Firm.objects.all()[:2])
    if len(firms) != 1:
        raise CommandError("Précisez le cabinet avec --firm SLUG (l'installation en compte plusieurs ou aucun).")
    return firms[0]


def resolve_condominium(firm_slug: str | None, code: str) -> Condominium:
    """The condominium `code` of `--firm`; without `--firm`, the code must be unique in the installation."""
    if firm_slug:
        firm = resolve_firm(firm_slug)
        condominium = Condominium.all_firms.filter(firm=firm, code=code).select_related("firm").first()
        if condominium is None:
            raise CommandError(f"Le cabinet « {firm.slug} » n'a pas de copropriété {code}.")
        return condominium
    matches = list(Condominium.all_firms.filter(code=code).select_related("firm")[:2])
    if not matches:
        raise CommandError(f"Aucune copropriété {code}.")
    if len(matches) > 1:
        raise CommandError(f"Plusieurs cabinets ont une copropriété {code} : précisez --firm SLUG.")
    return matches[0]
