"""What every page of the condominium file shares: the condominium of the URL (portfolio, else 404),
the sections' navigation, links to the co-owner file, sorting of in-memory lists, form errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tantieme.backoffice.policy import portfolio_condominium
from tantieme.condominiums.models import Condominium

MENU = "condominiums"
TEMPLATES = "backoffice/condominium_file/"


@dataclass(frozen=True)
class Section:
    name: str  # the URL name, after "condominium_"
    label: str | Promise


SECTIONS: tuple[Section, ...] = (
    Section("file", _("Identité")),
    Section("buildings", _("Bâtiments")),
    Section("lots", _("Lots et tantièmes")),
    Section("keys", _("Clés de répartition")),
    Section("co_owners", _("Copropriétaires")),
    Section("bank", _("Comptes bancaires")),
    Section("years", _("Exercices")),
    Section("budgets", _("Budgets et appels")),
    Section("council", _("Conseil syndical")),
    Section("contacts", _("Contacts syndic")),
    Section("documents", _("Documents")),
    Section("history", _("Historique")),
)


def condominium_for(request: HttpRequest, pk: int) -> Condominium:
    """The condominium of the URL if it is in the staff member's portfolio (another firm's, or outside: 404)."""
    return portfolio_condominium(request, pk)


def page(request: HttpRequest, template: str, condominium: Condominium, section: str, **context: Any) -> HttpResponse:
    """A page of the file: its header shows the condominium and the sections, `section` current."""
    return render(
        request,
        TEMPLATES + template,
        {
            "condominium": condominium,
            "sections": [
                {"url": reverse(f"backoffice:condominium_{item.name}", args=[condominium.pk]), **item.__dict__}
                for item in SECTIONS
            ],
            "section": section,
            "staff_can": request.staff_can,  # type: ignore[attr-defined]
            "menu": MENU,
            **context,
        },
    )


def co_owner_url(pk: int) -> str:
    """The co-owner file (built alongside: its URL name may not exist yet in this checkout)."""
    try:
        return reverse("backoffice:co_owner_file", kwargs={"pk": pk})
    except NoReverseMatch:
        return f"/gestion/coproprietaires/{pk}/"


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form: on the field it names when the form has it, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
