"""Clés de répartition: totals, the sum of their lots' tantièmes (flagged when it differs), and the key form
(code, label, kind, total and the tantièmes of every lot, checked to add up)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tantieme.backoffice.condominium_file.base import add_errors, condominium_for, page
from tantieme.backoffice.condominium_file.forms import KeyForm
from tantieme.backoffice.condominium_file.lots import CHANGES_APPLY
from tantieme.backoffice.policy import Can
from tantieme.backoffice.views import staff_required
from tantieme.condominiums import editing
from tantieme.condominiums.models import AllocationKey, Condominium, Lot, LotShare
from tantieme.condominiums.queries import key_share_sums

# Above this many lots a key's tantièmes are changed page by page in the grid, or by the import.
KEY_FORM_MAX_LOTS = 1000


@require_GET
@staff_required(can=Can.VIEW)
def condominium_keys(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    keys = list(
        AllocationKey.objects.filter(condominium=condominium)
        .annotate(lot_count=Count("shares", filter=Q(shares__shares__gt=0)))
        .order_by("code")
    )
    sums = key_share_sums(condominium)
    rows = [{"key": key, "sum": sums.get(key.pk, 0), "ok": sums.get(key.pk, 0) == key.total} for key in keys]
    return page(request, "keys.html", condominium, "keys", rows=rows, changes_apply=CHANGES_APPLY)


def _key(condominium: Condominium, key_pk: int) -> AllocationKey:
    return get_object_or_404(AllocationKey, pk=key_pk, condominium=condominium)


def _share_rows(
    request: HttpRequest, condominium: Condominium, key: AllocationKey | None
) -> tuple[list[dict[str, Any]], dict[int, int], list[str]]:
    """The lots with the key's tantièmes (posted ones first), what was posted {lot id: shares}, and errors."""
    lots = list(Lot.objects.filter(condominium=condominium).order_by("number").values_list("pk", "number", "kind"))
    current: dict[int, int] = {}
    if key is not None:
        current = dict(LotShare.objects.filter(key=key).values_list("lot_id", "shares"))
    posted: dict[int, int] = {}
    errors: list[str] = []
    rows = []
    for lot_id, number, kind in lots:
        value: Any = current.get(lot_id, 0)
        if request.method == "POST":
            text = request.POST.get(f"lot-{lot_id}", "").strip() or "0"
            value = text
            if text.isdigit():
                posted[lot_id] = int(text)
            else:
                errors.append(_("Lot %(number)s : un nombre entier positif ou nul est attendu.") % {"number": number})
        rows.append(
            {"name": f"lot-{lot_id}", "number": number, "kind": Lot(kind=kind).get_kind_display(), "value": value}
        )
    return rows, posted, errors


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.EDIT_FILES)
def condominium_key_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _key_form(request, condominium_for(request, pk), None)


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.EDIT_FILES)
def condominium_key_edit(request: HttpRequest, pk: int, key_pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    return _key_form(request, condominium, _key(condominium, key_pk))


def _key_form(request: HttpRequest, condominium: Condominium, key: AllocationKey | None) -> HttpResponse:
    form = KeyForm(request.POST or None, instance=key)
    too_many = Lot.objects.filter(condominium=condominium).count() > KEY_FORM_MAX_LOTS
    rows: list[dict[str, Any]] = []
    posted: dict[int, int] = {}
    errors: list[str] = []
    if not too_many:
        rows, posted, errors = _share_rows(request, condominium, key)
    if request.method == "POST" and form.is_valid() and not errors:
        try:
            if key is None:
                key = editing.create_key(
                    condominium=condominium, values=form.cleaned_data, shares=posted, request=request
                )
            else:
                editing.update_key(key=key, values=form.cleaned_data, shares=posted or None, request=request)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("La clé %(code)s est enregistrée.") % {"code": key.code})
            return redirect("backoffice:condominium_keys", pk=condominium.pk)
    return page(
        request,
        "key_form.html",
        condominium,
        "keys",
        form=form,
        key=key,
        rows=rows,
        errors=errors,
        too_many=too_many,
        changes_apply=CHANGES_APPLY,
    )


@require_POST
@staff_required(can=Can.EDIT_FILES)
def condominium_key_delete(request: HttpRequest, pk: int, key_pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    key = _key(condominium, key_pk)
    try:
        editing.delete_key(key=key, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("La clé %(code)s est supprimée.") % {"code": key.code})
    return redirect("backoffice:condominium_keys", pk=condominium.pk)
