"""Copropriétaires: every co-owner with their lots and balance (one aggregated query of the books), sortable,
filtered on « débiteurs », exportable; each opens the co-owner file."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tantieme.backoffice.condominium_file.base import co_owner_url, condominium_for, page, sort_rows
from tantieme.backoffice.condominium_file.forms import CoOwnerFilterForm
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can
from tantieme.backoffice.views import staff_required
from tantieme.condominiums.models import CoOwner, Ownership
from tantieme.core.references import InvalidReferenceError, parse_reference
from tantieme.ledger.models import ZERO
from tantieme.ledger.queries import co_owner_balances


@dataclass(frozen=True)
class CoOwnerRow:
    co_owner: CoOwner
    lots: tuple[int, ...]
    balance: Decimal
    url: str

    @property
    def lots_label(self) -> str:
        return ", ".join(str(number) for number in self.lots)


def columns() -> tuple[Column, ...]:
    return (
        Column("reference", _("Référence"), lambda row: row.co_owner.reference_display, order_by="reference"),
        Column("name", _("Nom"), lambda row: row.co_owner.display_name, order_by="name"),
        Column("lots", _("Lots"), lambda row: row.lots_label, order_by="lots"),
        Column("email", _("E-mail"), lambda row: row.co_owner.email, order_by="email"),
        Column("balance", _("Solde"), lambda row: row.balance, order_by="balance", numeric=True),
    )


@require_GET
@staff_required(can=Can.VIEW)
def condominium_co_owners(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    form = CoOwnerFilterForm(request.GET or None)
    co_owners = CoOwner.objects.filter(condominium=condominium).only(
        "pk", "reference", "civility", "last_name", "first_name", "email", "condominium_id"
    )
    debtors_only = False
    if form.is_valid():
        debtors_only = form.cleaned_data["debtors"]
        text = form.cleaned_data["q"].strip()
        if text:
            wanted = Q(last_name__icontains=text) | Q(first_name__icontains=text)
            with contextlib.suppress(InvalidReferenceError):  # not a reference: names only
                wanted |= Q(reference=parse_reference(text))
            co_owners = co_owners.filter(wanted)
    today = timezone.localdate()
    balances = co_owner_balances(condominium)
    lots: dict[int, list[int]] = {}
    for co_owner_id, number in (
        Ownership.objects.filter(lot__condominium=condominium, start_date__lte=today)
        .exclude(end_date__lt=today)
        .order_by("lot__number")
        .values_list("co_owner_id", "lot__number")
    ):
        lots.setdefault(co_owner_id, []).append(number)
    rows = [
        CoOwnerRow(
            co_owner, tuple(lots.get(co_owner.pk, ())), balances.get(co_owner.pk, ZERO), co_owner_url(co_owner.pk)
        )
        for co_owner in co_owners
    ]
    if debtors_only:
        rows = [row for row in rows if row.balance > 0]
    shown = columns()
    rows = sort_rows(request, rows, shown, default_sort="reference")
    if wants_export(request):
        return export_listing(
            request, rows, shown, title=_("Copropriétaires"), filename=f"coproprietaires-{condominium.code}"
        )
    listing = build_listing(request, rows, shown, default_sort="reference")
    owed = sum((row.balance for row in rows if row.balance > 0), ZERO)
    debtor_count = sum(1 for row in rows if row.balance > 0)
    return page(
        request,
        "co_owners.html",
        condominium,
        "co_owners",
        listing=listing,
        form=form,
        count=len(rows),
        owed=owed,
        debtor_count=debtor_count,
    )
