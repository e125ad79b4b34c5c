"""What every page of the co-owner file shares: the co-owner of the URL (portfolio-checked) and the layout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tantieme.backoffice.policy import check_in_portfolio
from tantieme.condominiums.models import CoOwner
from tantieme.ledger.queries import balance

MENU = "co_owners"


@dataclass(frozen=True)
class Section:
    url_name: str
    label: Any


SECTIONS = (
    Section("co_owner_file", _("Identité et coordonnées")),
    Section("co_owner_lots", _("Lots")),
    Section("co_owner_statement", _("Relevé de compte")),
    Section("co_owner_open_items", _("Écritures non lettrées")),
    Section("co_owner_card_payments", _("Paiements par carte")),
    Section("co_owner_transfers", _("Virements et chèques")),
    Section("co_owner_tickets", _("Demandes")),
    Section("co_owner_documents", _("Documents")),
    Section("co_owner_access", _("Accès extranet")),
    Section("co_owner_notes", _("Notes internes")),
)


def co_owner_for(request: HttpRequest, pk: int) -> CoOwner:
    """The co-owner `pk` of the firm in scope, in the staff member's portfolio; anything else is a 404."""
    co_owner = CoOwner.objects.select_related("condominium__firm").filter(pk=pk).first()
    if co_owner is None:
        raise Http404
    check_in_portfolio(request, co_owner.condominium_id)
    return co_owner


def render_section(
    request: HttpRequest,
    co_owner: CoOwner,
    section: str,
    template: str,
    *,
    status: int = 200,
    with_balance: bool = True,
    **context: Any,
) -> HttpResponse:
    """A page of the file: header (name, reference, condominium, balance), section links, content."""
    return render(
        request,
        f"backoffice/co_owner_file/{template}",
        {
            "co_owner": co_owner,
            "condominium": co_owner.condominium,
            "sections": SECTIONS,
            "section": section,
            "balance": balance(co_owner) if with_balance else None,
            "menu": MENU,
            **context,
        },
        status=status,
    )
