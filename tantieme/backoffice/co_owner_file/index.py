"""« Copropriétaires »: the co-owners of the staff member's portfolio, to open their file.

Filtered by condominium and by a reference in any spacing (`a6060001`, `A-606-0001`), a name or an
e-mail; paginated, sortable, exportable. The balance is read for the rows shown (one correlated
subquery per row on the (co_owner, date) index), so it is not a sort key: the search page
(issue 13, item 5) finds co-owners across the firm.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tantieme.backoffice.co_owner_file.base import MENU
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import portfolio_condominiums
from tantieme.backoffice.views import staff_required
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.references import InvalidReferenceError, parse_reference
from tantieme.ledger.models import ZERO, Line
from tantieme.users.models import User


class CoOwnerFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Référence, nom ou e-mail"), max_length=100, required=False)
    copropriete = forms.ChoiceField(label=gettext_lazy("Copropriété"), required=False)

    def __init__(self, *args: Any, condominiums: list[Condominium], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["copropriete"].choices = [  # type: ignore[attr-defined]
            ("", _("Toutes")),
            *[(str(condominium.pk), str(condominium)) for condominium in condominiums],
        ]


def _columns() -> tuple[Column, ...]:
    return (
        Column("reference", _("Référence"), lambda c: c.reference_display, order_by="reference"),
        Column("name", _("Nom"), lambda c: c.display_name, order_by="last_name"),
        Column("condominium", _("Copropriété"), lambda c: str(c.condominium), order_by="condominium__code"),
        Column("email", _("E-mail"), lambda c: c.email, order_by="email"),
        Column("balance", _("Solde"), lambda c: c.balance, numeric=True),
    )


def _filtered(co_owners: QuerySet[CoOwner], text: str) -> QuerySet[CoOwner]:
    text = text.strip()
    if not text:
        return co_owners
    try:
        return co_owners.filter(reference=parse_reference(text))
    except InvalidReferenceError:
        pass
    found = Q(email__iexact=text)
    for word in text.split():
        found |= Q(last_name__icontains=word) | Q(first_name__icontains=word)
    return co_owners.filter(found)


@require_GET
@staff_required
def co_owner_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    condominiums = list(portfolio_condominiums(request.user))
    form = CoOwnerFilterForm(request.GET or None, condominiums=condominiums)
    co_owners = CoOwner.objects.filter(condominium__in=[c.pk for c in condominiums]).select_related("condominium")
    if form.is_valid():
        if form.cleaned_data["copropriete"]:
            co_owners = co_owners.filter(condominium_id=int(form.cleaned_data["copropriete"]))
        co_owners = _filtered(co_owners, form.cleaned_data["q"])
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
    owed = (
        Line.objects.filter(co_owner_id=OuterRef("pk"))
        .values("co_owner_id")
        .annotate(total=Sum(F("debit") - F("credit"), output_field=money))
        .values("total")
    )
    co_owners = co_owners.annotate(
        balance=Coalesce(Subquery(owed, output_field=money), Value(ZERO), output_field=money)
    )
    if wants_export(request):
        return export_listing(request, co_owners.order_by("reference"), _columns(), title=_("Copropriétaires"),
                              filename="coproprietaires")  # fmt: skip
    listing = build_listing(request, co_owners, _columns(), default_sort="reference")
    return render(request, "backoffice/co_owner_file/index.html", {"form": form, "listing": listing, "menu": MENU})
