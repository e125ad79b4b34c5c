"""The condominiums of the staff member's portfolio: code, name, town, lots, co-owners, debtors."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tantieme.backoffice.condominium_file.base import MENU, TEMPLATES
from tantieme.backoffice.condominium_file.forms import ListFilterForm
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, portfolio_condominiums
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import Condominium, CoOwner, Lot
from tantieme.ledger.models import MONEY_OUTPUT, ZERO, Line, cents


@dataclass(frozen=True)
class Debtors:
    count: int = 0
    owed: Decimal = ZERO


def debtors_by_condominium(condominium_ids: Iterable[int], day: datetime.date) -> dict[int, Debtors]:
    """How many co-owners owe money on `day` and how much, per condominium, from one aggregated query of the
    books (balances as `ledger.queries.co_owner_balances` computes them: Σ debit − Σ credit of their lines)."""
    ids = list(condominium_ids)
    if not ids:
        return {}
    rows = (
        Line.objects.filter(condominium_id__in=ids, co_owner__isnull=False, date__lte=day)
        .values("condominium_id", "co_owner_id")
        .annotate(balance=Sum(F("debit") - F("credit"), output_field=MONEY_OUTPUT))
        .filter(balance__gt=0)
        .order_by()
        .values_list("condominium_id", "balance")
    )
    counts: dict[int, int] = {}
    owed: dict[int, Decimal] = {}
    for condominium_id, balance in rows:
        counts[condominium_id] = counts.get(condominium_id, 0) + 1
        owed[condominium_id] = owed.get(condominium_id, ZERO) + cents(balance)
    return {pk: Debtors(counts[pk], owed[pk]) for pk in counts}


def _count(model: type[Lot] | type[CoOwner]) -> Coalesce:
    counted = model.objects.filter(condominium=OuterRef("pk")).order_by().values("condominium").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


@require_GET
@staff_required(can=Can.VIEW)
def condominium_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None)
    today = timezone.localdate()
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
        debtors.update(debtors_by_condominium(condominiums.values_list("pk", flat=True), today))
        return export_listing(request, condominiums, columns, title=str(_("Copropriétés")), filename="coproprietes")
    listing = build_listing(request, condominiums, columns, default_sort="code")
    debtors.update(debtors_by_condominium((condominium.pk for condominium in listing.page), today))
    rows = [(condominium, of(condominium)) for condominium in listing.page]
    return render(request, TEMPLATES + "list.html", {"listing": listing, "rows": rows, "form": form, "menu": MENU})
