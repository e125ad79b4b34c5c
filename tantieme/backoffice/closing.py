"""Back office: the closing of a fiscal year — draft (checklist, distribution per key and co-owner,
annexes), approval on the general meeting's date, publication progress, downloads.

Every staff member reads; firm administrators and accountants compute the draft and approve (others
get a 403). A year outside the staff member's portfolio, or of another firm, is a 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, can, in_portfolio
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.closing.annexes import build_annexes
from tantieme.closing.models import Closing, ClosingState, DistributionLine
from tantieme.closing.renderers import render_annexes_pdf, render_annexes_xlsx, render_individual_statement_pdf
from tantieme.closing.services import draft_closing, request_approval
from tantieme.closing.statements import individual_statement
from tantieme.condominiums.models import CoOwner
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.models import FiscalYear, cents


class ApprovalForm(forms.Form):
    approval_date = forms.DateField(
        label=gettext_lazy("Date de l'assemblée générale qui approuve les comptes"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Je confirme : les régularisations seront comptabilisées et l'exercice verrouillé, sans retour possible."
        )
    )


def _reference(row: dict[str, Any]) -> str:
    return CoOwner(reference=row["co_owner__reference"]).reference_display


def _name(row: dict[str, Any]) -> str:
    return " ".join(part for part in (row["co_owner__last_name"], row["co_owner__first_name"]) if part)


def _sum_of(key: str) -> Callable[[dict[str, Any]], Decimal]:
    return lambda row: cents(row[key])


OWNER_COLUMNS = (
    Column("reference", gettext_lazy("Référence"), _reference, order_by="co_owner__reference"),
    Column("name", gettext_lazy("Copropriétaire"), _name, order_by="co_owner__last_name"),
    Column("share", gettext_lazy("Quote-part des charges"), _sum_of("share"), order_by="share", numeric=True),
    Column("called", gettext_lazy("Provisions appelées"), _sum_of("called"), order_by="called", numeric=True),
    Column(
        "regularisation",
        gettext_lazy("Régularisation"),
        _sum_of("regularisation"),
        order_by="regularisation",
        numeric=True,
    ),
)


def _year_for(request: HttpRequest, pk: int) -> FiscalYear:
    """The fiscal year `pk` of a condominium of the staff member's portfolio, else a 404."""
    year = in_portfolio(FiscalYear.objects.select_related("condominium"), staff_user(request)).filter(pk=pk).first()
    if year is None:
        raise Http404
    return year


@require_GET
@staff_required
def closing_year(request: HttpRequest, pk: int) -> HttpResponse:
    year = _year_for(request, pk)
    closing = Closing.objects.filter(fiscal_year=year).first()
    context: dict[str, Any] = {
        "year": year,
        "condominium": year.condominium,
        "closing": closing,
        "can_write": can(request, Can.CLOSE_YEARS),
        "approval_form": ApprovalForm(initial={"approval_date": timezone.localdate()}),
        "menu": "closing",
    }
    if closing is not None:
        owners = (
            DistributionLine.objects.filter(closing=closing)
            .values("co_owner_id", "co_owner__reference", "co_owner__last_name", "co_owner__first_name")
            .annotate(share=Sum("share"), called=Sum("called"), regularisation=Sum("regularisation"))
        )
        if wants_export(request):
            title = _("Régularisations %(year)s") % {"year": year.label}
            name = f"regularisations-{year.condominium.code}-{year.label}"
            return export_listing(request, owners, OWNER_COLUMNS, title=title, filename=name, tiebreak="co_owner_id")
        listing = build_listing(request, owners, OWNER_COLUMNS, default_sort="reference", tiebreak="co_owner_id")
        context["listing"] = listing
        context["owner_rows"] = [
            {
                "pk": row["co_owner_id"],
                "reference": _reference(row),
                "name": _name(row),
                "share": cents(row["share"]),
                "called": cents(row["called"]),
                "regularisation": cents(row["regularisation"]),
            }
            for row in listing.page
        ]
    return render(request, "backoffice/closing/year.html", context)


@require_POST
@staff_required(can=Can.CLOSE_YEARS)
def closing_draft(request: HttpRequest, pk: int) -> HttpResponse:
    year = _year_for(request, pk)
    try:
        closing = draft_closing(fiscal_year=year, actor=staff_user(request))
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        if closing.blockers:
            messages.warning(request, _("Projet calculé : des points bloquent encore l'approbation."))
        else:
            messages.success(request, _("Projet de clôture calculé."))
    return redirect("backoffice:closing_year", pk=year.pk)


@require_POST
@staff_required(can=Can.CLOSE_YEARS)
def closing_approve(request: HttpRequest, pk: int) -> HttpResponse:
    year = _year_for(request, pk)
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez la date de l'assemblée générale et confirmez l'approbation."))
        return redirect("backoffice:closing_year", pk=year.pk)
    approval_date: datetime.date = form.cleaned_data["approval_date"]
    try:
        request_approval(fiscal_year=year, approval_date=approval_date, actor=staff_user(request))
    except LedgerError as error:
        messages.error(request, str(error))
        return redirect("backoffice:closing_year", pk=year.pk)
    closing = Closing.objects.get(fiscal_year=year)
    if closing.state == ClosingState.APPROVED:  # the task ran already (in-process task backend)
        messages.success(
            request,
            _("Comptes %(year)s approuvés le %(date)s : régularisations comptabilisées, exercice verrouillé.")
            % {"year": year.label, "date": f"{approval_date:%d/%m/%Y}"},
        )
    elif closing.approval_error:
        messages.error(request, closing.approval_error)
    else:
        messages.info(request, _("Approbation lancée : la page se met à jour quand elle est terminée."))
    return redirect("backoffice:closing_year", pk=year.pk)


def _closing_of(year: FiscalYear) -> Closing:
    closing = Closing.objects.filter(fiscal_year=year).first()
    if closing is None:
        raise Http404
    return closing


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_required
def closing_annexes(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    year = _year_for(request, pk)
    annexes = build_annexes(fiscal_year=year, closing=_closing_of(year))
    name = f"annexes-{year.condominium.code}-{year.label}"
    if fmt == "xlsx":
        return _download(
            render_annexes_xlsx(annexes),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{name}.xlsx",
        )
    return _download(render_annexes_pdf(annexes), "application/pdf", f"{name}.pdf")


@require_GET
@staff_required
def closing_statement(request: HttpRequest, pk: int, co_owner_pk: int) -> HttpResponse:
    year = _year_for(request, pk)
    closing = _closing_of(year)
    co_owner = CoOwner.objects.filter(pk=co_owner_pk, condominium_id=year.condominium_id).first()
    if co_owner is None:
        raise Http404
    statement = individual_statement(closing, co_owner)
    return _download(
        render_individual_statement_pdf(statement),
        "application/pdf",
        f"repartition-{year.label}-{co_owner.reference}.pdf",
    )
