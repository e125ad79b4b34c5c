"""Bâtiments, Lots (with the tantièmes grid: one row per lot, one column per key, paginated) and their edits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tantieme.backoffice.condominium_file.base import add_errors, co_owner_url, condominium_for, page
from tantieme.backoffice.condominium_file.forms import BuildingForm, LotFilterForm, LotForm
from tantieme.backoffice.listing import PAGE_SIZE, Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can
from tantieme.backoffice.views import staff_required
from tantieme.condominiums import editing
from tantieme.condominiums.models import AllocationKey, Building, Condominium, Lot, LotShare, Ownership
from tantieme.condominiums.queries import current_owners, shares_of

CHANGES_APPLY = gettext_lazy(
    "Les tantièmes modifiés servent aux appels émis ensuite : un appel déjà émis garde les tantièmes sur "
    "lesquels il a été calculé."
)


# --- Buildings ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.VIEW, post=Can.EDIT_FILES)
def condominium_buildings(request: HttpRequest, pk: int) -> HttpResponse:
    """The buildings with their number of lots; the form adds one (POST: `Can.EDIT_FILES`)."""
    condominium = condominium_for(request, pk)
    form = BuildingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            editing.create_building(condominium=condominium, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Le bâtiment est ajouté."))
            return redirect("backoffice:condominium_buildings", pk=condominium.pk)
    buildings = list(
        Building.objects.filter(condominium=condominium).annotate(lot_count=Count("lots")).order_by("code")
    )
    return page(request, "buildings.html", condominium, "buildings", buildings=buildings, form=form)


def _building(condominium: Condominium, building_pk: int) -> Building:
    return get_object_or_404(Building, pk=building_pk, condominium=condominium)


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.EDIT_FILES)
def condominium_building_edit(request: HttpRequest, pk: int, building_pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    building = _building(condominium, building_pk)
    form = BuildingForm(request.POST or None, instance=building)
    if request.method == "POST" and form.is_valid():
        try:
            editing.update_building(building=building, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Le bâtiment est enregistré."))
            return redirect("backoffice:condominium_buildings", pk=condominium.pk)
    return page(
        request,
        "form.html",
        condominium,
        "buildings",
        form=form,
        title=_("Modifier le bâtiment %(code)s") % {"code": building.code},
        cancel_url="backoffice:condominium_buildings",
        delete_url="backoffice:condominium_building_delete",
        delete_args=[condominium.pk, building.pk],
        delete_label=_("Supprimer le bâtiment"),
    )


@require_POST
@staff_required(can=Can.EDIT_FILES)
def condominium_building_delete(request: HttpRequest, pk: int, building_pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    building = _building(condominium, building_pk)
    try:
        editing.delete_building(building=building, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Le bâtiment %(code)s est supprimé.") % {"code": building.code})
    return redirect("backoffice:condominium_buildings", pk=condominium.pk)


# --- Lots and the tantièmes grid ----------------------------------------------------------------


def _filtered_lots(
    request: HttpRequest, condominium: Condominium, buildings: list[Building]
) -> tuple[LotFilterForm, QuerySet[Lot]]:
    form = LotFilterForm(request.GET or None, condominium=condominium, buildings=buildings)
    lots = Lot.objects.filter(condominium=condominium).select_related("building")
    if form.is_valid():
        if form.cleaned_data["building"] is not None:
            lots = lots.filter(building=form.cleaned_data["building"])
        if form.cleaned_data["number"]:
            lots = lots.filter(number=form.cleaned_data["number"])
    return form, lots


def _lot_columns(
    keys: list[AllocationKey], shares: dict[tuple[int, int], int], owners: dict[int, list[Any]]
) -> list[Column]:
    columns = [
        Column("number", _("Lot"), lambda lot: lot.number, order_by="number", numeric=True),
        Column("kind", _("Nature"), lambda lot: lot.get_kind_display(), order_by="kind"),
        Column(
            "building", _("Bâtiment"), lambda lot: lot.building.code if lot.building else "", order_by="building__code"
        ),
        Column("staircase", _("Escalier"), lambda lot: lot.staircase, order_by="staircase"),
        Column("floor", _("Étage"), lambda lot: lot.floor_label, order_by="floor"),
        Column(
            "owners",
            _("Propriétaire(s)"),
            lambda lot: ", ".join(f"{o.reference_display} {o.display_name}" for o in owners.get(lot.pk, [])),
        ),
    ]
    columns += [Column(f"key_{key.pk}", key.code, _share_cell(shares, key.pk), numeric=True) for key in keys]
    return columns


def _share_cell(shares: dict[tuple[int, int], int], key_id: int) -> Callable[[Lot], int]:
    return lambda lot: shares.get((lot.pk, key_id), 0)


@require_GET
@staff_required(can=Can.VIEW)
def condominium_lots(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    buildings = list(Building.objects.filter(condominium=condominium).order_by("code"))
    keys = list(AllocationKey.objects.filter(condominium=condominium).order_by("code"))
    form, lots = _filtered_lots(request, condominium, buildings)
    today = timezone.localdate()
    shares: dict[tuple[int, int], int] = {}
    owners: dict[int, list[Any]] = {}
    columns = _lot_columns(keys, shares, owners)
    if wants_export(request):
        all_lots = list(lots.order_by("number"))
        shares.update(shares_of(condominium, [key.pk for key in keys]))
        owners.update(current_owners(condominium, today))
        return export_listing(request, all_lots, columns, title=_("Lots"), filename=f"lots-{condominium.code}")
    listing = build_listing(request, lots, columns, default_sort="number")
    page_lots = list(listing.page)
    lot_ids = [lot.pk for lot in page_lots]
    shares.update(shares_of(lot_ids, [key.pk for key in keys]))
    owners.update(current_owners(lot_ids, today))
    rows = [
        {
            "lot": lot,
            "owners": [(owner, co_owner_url(owner.pk)) for owner in owners.get(lot.pk, [])],
            "shares": [shares.get((lot.pk, key.pk), 0) for key in keys],
        }
        for lot in page_lots
    ]
    return page(
        request,
        "lots.html",
        condominium,
        "lots",
        listing=listing,
        rows=rows,
        keys=keys,
        form=form,
        changes_apply=CHANGES_APPLY,
    )


def _lot(condominium: Condominium, lot_pk: int) -> Lot:
    return get_object_or_404(Lot.objects.select_related("building"), pk=lot_pk, condominium=condominium)


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.EDIT_FILES)
def condominium_lot_new(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    form = LotForm(request.POST or None, condominium=condominium)
    if request.method == "POST" and form.is_valid():
        try:
            lot = editing.create_lot(condominium=condominium, values=form.cleaned_data, request=request)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Le lot %(number)s est créé, sans tantièmes : répartissez-les dans la grille.")
                % {"number": lot.number},
            )
            return redirect("backoffice:condominium_lots", pk=condominium.pk)
    return page(
        request,
        "form.html",
        condominium,
        "lots",
        form=form,
        title=_("Nouveau lot"),
        cancel_url="backoffice:condominium_lots",
    )


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.EDIT_FILES)
def condominium_lot_edit(request: HttpRequest, pk: int, lot_pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    lot = _lot(condominium, lot_pk)
    form = LotForm(request.POST or None, instance=lot, condominium=condominium)
    if request.method == "POST" and form.is_valid():
        try:
            editing.update_lot(lot=lot, values=form.cleaned_data, request=request)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Le lot est enregistré."))
            return redirect("backoffice:condominium_lots", pk=condominium.pk)
    return page(
        request,
        "form.html",
        condominium,
        "lots",
        form=form,
        title=_("Modifier le lot %(number)s") % {"number": lot.number},
        cancel_url="backoffice:condominium_lots",
        # What the lot carries, for the record: who owned it when, its tantièmes in each key.
        ownerships=[
            (ownership, co_owner_url(ownership.co_owner_id))
            for ownership in Ownership.objects.filter(lot=lot).select_related("co_owner").order_by("-start_date")
        ],
        lot_shares=list(LotShare.objects.filter(lot=lot).select_related("key").order_by("key__code")),
        delete_url="backoffice:condominium_lot_delete",
        delete_args=[condominium.pk, lot.pk],
        delete_label=_("Supprimer le lot"),
    )


@require_POST
@staff_required(can=Can.EDIT_FILES)
def condominium_lot_delete(request: HttpRequest, pk: int, lot_pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    lot = _lot(condominium, lot_pk)
    try:
        editing.delete_lot(lot=lot, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Le lot %(number)s est supprimé.") % {"number": lot.number})
    return redirect("backoffice:condominium_lots", pk=condominium.pk)


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.EDIT_FILES)
def condominium_shares_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The tantièmes of one page of lots in every key, as inputs named `s-<lot id>-<key id>`.

    Every key changed must still add up to its total: move tantièmes from lot to lot within the page
    (a whole key at once: its own page; a whole condominium: the spreadsheet import)."""
    condominium = condominium_for(request, pk)
    keys = list(AllocationKey.objects.filter(condominium=condominium).order_by("code"))
    lots = Lot.objects.filter(condominium=condominium).order_by("number")
    page_obj = Paginator(lots, PAGE_SIZE).get_page(request.GET.get("page"))
    page_lots = list(page_obj)
    current = shares_of([lot.pk for lot in page_lots], [key.pk for key in keys])
    errors: list[str] = []
    posted: dict[tuple[int, int], str] = {}
    if request.method == "POST":
        wanted: dict[tuple[int, int], int] = {}
        for lot in page_lots:
            for key in keys:
                text = request.POST.get(f"s-{lot.pk}-{key.pk}", "").strip()
                posted[(lot.pk, key.pk)] = text
                if not text.isdigit():
                    errors.append(
                        _("Lot %(number)s, clé %(code)s : un nombre entier positif ou nul est attendu.")
                        % {"number": lot.number, "code": key.code}
                    )
                    continue
                if int(text) != current.get((lot.pk, key.pk), 0):
                    wanted[(lot.pk, key.pk)] = int(text)
        if not errors:
            try:
                changes = editing.set_shares(condominium=condominium, shares=wanted, request=request)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, _("%(count)s tantième(s) modifié(s).") % {"count": len(changes)})
                return redirect(f"{request.path}?page={page_obj.number}")
    rows = [
        {
            "lot": lot,
            "cells": [
                {
                    "name": f"s-{lot.pk}-{key.pk}",
                    "key": key,
                    "value": posted.get((lot.pk, key.pk), current.get((lot.pk, key.pk), 0)),
                }
                for key in keys
            ],
        }
        for lot in page_lots
    ]
    if not keys:
        messages.info(request, _("Créez d'abord une clé de répartition."))
        return redirect("backoffice:condominium_keys", pk=condominium.pk)
    return page(
        request,
        "shares_form.html",
        condominium,
        "lots",
        keys=keys,
        rows=rows,
        page_obj=page_obj,
        errors=errors,
        changes_apply=CHANGES_APPLY,
    )
