"""Copropriétaires: every co-owner with the lots they hold today and their balance, sortable (balance
included), filtered on « débiteurs », exportable; each opens the co-owner file.

The balance is the ledger's (`ledger.queries.balance`: Σ debit − Σ credit of the co-owner's lines dated
up to today), computed in the same query as the list, as a correlated subquery on the index
(co_owner, date) of the lines: sorting and filtering on it happen in the database, and only the page's
50 co-owners are read, whatever the size of the condominium."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tantieme.backoffice.condominium_file.base import co_owner_url, condominium_for, page
from tantieme.backoffice.condominium_file.forms import CoOwnerFilterForm
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can
from tantieme.backoffice.views import staff_required
from tantieme.condominiums.models import Condominium, CoOwner, Ownership
from tantieme.core.references import InvalidReferenceError, parse_reference
from tantieme.ledger.models import MONEY_OUTPUT, ZERO, Line, cents


def balance_on(day: datetime.date) -> Coalesce:
    """A co-owner's balance on `day`, for `.annotate()` (the formula of `ledger.queries.balance`)."""
    total = (
        Line.objects.filter(co_owner=OuterRef("pk"), date__lte=day)
        .order_by()
        .values("co_owner")
        .annotate(total=Sum(F("debit") - F("credit"), output_field=MONEY_OUTPUT))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY_OUTPUT), Value(ZERO), output_field=DecimalField())


def _lots_held(condominium: Condominium, day: datetime.date, co_owner_ids: list[int] | None) -> dict[int, list[int]]:
    """The lot numbers each co-owner holds on `day` (those of the page, or everyone's for an export)."""
    ownerships = Ownership.objects.filter(lot__condominium=condominium, start_date__lte=day).exclude(end_date__lt=day)
    if co_owner_ids is not None:
        ownerships = ownerships.filter(co_owner_id__in=co_owner_ids)
    lots: dict[int, list[int]] = {}
    for co_owner_id, number in ownerships.order_by("lot__number").values_list("co_owner_id", "lot__number"):
        lots.setdefault(co_owner_id, []).append(number)
    return lots


def _columns(lots: dict[int, list[int]]) -> tuple[Column, ...]:
    def held(co_owner: Any) -> str:
        return ", ".join(str(number) for number in lots.get(co_owner.pk, ()))

    return (
        Column("reference", _("Référence"), lambda c: c.reference_display, order_by="reference"),
        Column("name", _("Nom"), lambda c: c.display_name, order_by="last_name"),
        Column("lots", _("Lots"), held),
        Column("email", _("E-mail"), lambda c: c.email, order_by="email"),
        Column("balance", _("Solde"), lambda c: cents(c.balance), order_by="balance", numeric=True),
    )


@require_GET
@staff_required(can=Can.VIEW)
def condominium_co_owners(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    today = timezone.localdate()
    form = CoOwnerFilterForm(request.GET or None)
    co_owners = (
        CoOwner.objects.filter(condominium=condominium)
        .only("pk", "reference", "civility", "last_name", "first_name", "email", "condominium_id")
        .annotate(balance=balance_on(today))
    )
    if form.is_valid():
        if form.cleaned_data["debtors"]:
            co_owners = co_owners.filter(balance__gt=0)
        text = form.cleaned_data["q"].strip()
        if text:
            wanted = Q(last_name__icontains=text) | Q(first_name__icontains=text)
            with contextlib.suppress(InvalidReferenceError):  # not a reference: names only
                wanted |= Q(reference=parse_reference(text))
            co_owners = co_owners.filter(wanted)
    lots: dict[int, list[int]] = {}
    columns = _columns(lots)
    if wants_export(request):
        lots.update(_lots_held(condominium, today, None))
        return export_listing(
            request, co_owners, columns, title=_("Copropriétaires"), filename=f"coproprietaires-{condominium.code}"
        )
    listing = build_listing(request, co_owners, columns, default_sort="reference")
    page_co_owners = list(listing.page)
    lots.update(_lots_held(condominium, today, [co_owner.pk for co_owner in page_co_owners]))
    rows = [
        {
            "co_owner": co_owner,
            "lots": ", ".join(str(number) for number in lots.get(co_owner.pk, ())),
            "balance": cents(co_owner.balance),
            "url": co_owner_url(co_owner.pk),
        }
        for co_owner in page_co_owners
    ]
    return page(request, "co_owners.html", condominium, "co_owners", listing=listing, rows=rows, form=form, today=today)
