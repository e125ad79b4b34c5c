"""The condominiums of the staff member's portfolio: code, name, town, lots, co-owners, debtors (from the
index of balances, refreshed every few minutes)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tantieme.backoffice.condominium_file.base import MENU, TEMPLATES
from tantieme.backoffice.condominium_file.forms import ListFilterForm
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, portfolio_condominiums
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import Condominium, CoOwner, Lot
from tantieme.ledger.models import ZERO, cents
from tantieme.search.models import CoOwnerBalance


@dataclass(frozen=True)
class Debtors:
    count: int = 0
    owed: Decimal = ZERO
    computed_at: datetime.datetime | None = None  # when the balances were added up (None: nobody owed then)


def debtors_by_condominium(condominium_ids: Iterable[int]) -> dict[int, Debtors]:
    """How many co-owners owe money and how much, per condominium, from the index of balances
    (`search.CoOwnerBalance`: co-owners whose balance — Σ debit − Σ credit of their lines dated that day
    or before — was > 0 when `search.refresh_balances` last ran, every few minutes).

    Adding up the books on each request read every co-owner line of the page's condominiums: 0.8–1.9 s
    for one of 15 years and 1.8 M lines. The index holds one row per debtor: one grouped query on
    (condominium, balance). The co-owner file shows the balance at the instant."""
    ids = list(condominium_ids)
    if not ids:
        return {}
    rows = (
        CoOwnerBalance.objects.filter(condominium_id__in=ids, balance__gt=0)
        .values("condominium_id")
        .annotate(count=Count("pk"), owed=Sum("balance"), computed_at=Min("computed_at"))
        .order_by()
        .values_list("condominium_id", "count", "owed", "computed_at")
    )
    return {pk: Debtors(count, cents(owed), computed_at) for pk, count, owed, computed_at in rows}


def balances_computed_at(debtors: Iterable[Debtors]) -> datetime.datetime | None:
    """The oldest refresh among the rows shown: what « au <date> » on the page says."""
    moments = [row.computed_at for row in debtors if row.computed_at is not None]
    return min(moments) if moments else None


def _count(model: type[Lot] | type[CoOwner]) -> Coalesce:
    counted = model.objects.filter(condominium=OuterRef("pk")).order_by().values("condominium").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


@require_GET
@staff_required(can=Can.VIEW)
def condominium_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None)
    condominiums = portfolio_condominiums(staff_user(request)).annotate(
        lot_count=_count(Lot), co_owner_count=_count(CoOwner)
    )
    if form.is_valid() and form.cleaned_data["q"]:
        text = form.cleaned_data["q"].strip()
        condominiums = condominiums.filter(Q(code__icontains=text) | Q(name__icontains=text) | Q(city__icontains=text))
    debtors: dict[int, Debtors] = {}

    def of(condominium: Condominium) -> Debtors:
        return debtors.get(condominium.pk, Debtors())

    columns = (
        Column("code", str(_("Code")), lambda c: c.code, order_by="code"),
        Column("name", str(_("Nom")), lambda c: c.name, order_by="name"),
        Column("city", str(_("Ville")), lambda c: c.city, order_by="city"),
        Column("lots", str(_("Lots")), lambda c: c.lot_count, order_by="lot_count", numeric=True),
        Column(
            "co_owners", str(_("Copropriétaires")), lambda c: c.co_owner_count, order_by="co_owner_count", numeric=True
        ),
        Column("debtors", str(_("Débiteurs")), lambda c: of(c).count, numeric=True),
        Column("owed", str(_("Total dû")), lambda c: of(c).owed, numeric=True),
    )
    if wants_export(request):
        debtors.update(debtors_by_condominium(condominiums.values_list("pk", flat=True)))
        return export_listing(request, condominiums, columns, title=str(_("Copropriétés")), filename="coproprietes")
    listing = build_listing(request, condominiums, columns, default_sort="code")
    debtors.update(debtors_by_condominium(condominium.pk for condominium in listing.page))
    rows = [(condominium, of(condominium)) for condominium in listing.page]
    context = {
        "listing": listing,
        "rows": rows,
        "form": form,
        "menu": MENU,
        "balances_at": balances_computed_at(debtors.values()),
    }
    return render(request, TEMPLATES + "list.html", context)
