"""Back office « Paiements »: card payments with their states and event history, filters, sorting,
pages, CSV and XLSX exports, and the refund of a paid payment (through its provider; reversal entry when done)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, can, condominiums_for_staff
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.payments.enums import PaymentState
from tantieme.payments.exceptions import PaymentError
from tantieme.payments.models import Payment
from tantieme.payments.queries import events_of, payments_for_staff
from tantieme.payments.services import request_refund


class PaymentFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous")), *PaymentState.choices])
    condominium = forms.TypedChoiceField(label=_("Copropriété"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("Référence ou nom"), required=False, max_length=64)
    start = forms.DateField(label=_("Du"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    end = forms.DateField(label=_("Au"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"])

    def __init__(self, *args: object, condominiums: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["condominium"].choices = [("", _("Toutes")), *condominiums]  # type: ignore[attr-defined]


def _filtered(request: HttpRequest) -> tuple[PaymentFilterForm, QuerySet[Payment]]:
    allowed = condominiums_for_staff(staff_user(request))
    choices = [(condominium.pk, f"{condominium.code} {condominium.name}") for condominium in allowed]
    form = PaymentFilterForm(request.GET or None, condominiums=choices)
    filters: dict[str, object] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "state": data["state"] or "",
            "condominium_id": data["condominium"],
            "search": data["q"].strip(),
            "start": data["start"],
            "end": data["end"],
        }
    payments = payments_for_staff(**filters).filter(condominium_id__in=[pk for pk, _label in choices])  # type: ignore[arg-type]
    return form, payments


COLUMNS = (
    Column("date", _("Date"), lambda p: p.created_at, order_by="created_at"),
    Column("order", _("Référence commande"), lambda p: p.order_id, order_by="order_id"),
    Column("condominium", _("Copropriété"), lambda p: p.condominium.code, order_by="condominium__code"),
    Column("reference", _("Copropriétaire"), lambda p: p.co_owner.reference_display, order_by="co_owner__reference"),
    Column("name", _("Nom"), lambda p: p.co_owner.display_name, order_by="co_owner__last_name"),
    Column("amount", _("Montant"), lambda p: p.amount, order_by="amount", numeric=True),
    Column("state", _("État"), lambda p: p.get_state_display(), order_by="state"),
    Column("entry", _("Comptabilisé"), lambda p: p.posted_entry.code if p.posted_entry else ""),
)
# The export adds what the table leaves to the detail page.
EXPORT_COLUMNS = (
    *COLUMNS,
    Column("paid", _("Payé le"), lambda p: p.paid_at),
    Column("provider", _("Prestataire"), lambda p: p.provider),
    Column("transaction", _("Transaction"), lambda p: p.provider_transaction_id),
    Column("card", _("Carte"), lambda p: f"{p.card_brand} {p.card_last4}".strip()),
    Column("refunded", _("Remboursé le"), lambda p: p.refunded_at),
)


@staff_required
@require_GET
def payments_list(request: HttpRequest) -> HttpResponse:
    form, payments = _filtered(request)
    if wants_export(request):
        return export_listing(request, payments, EXPORT_COLUMNS, title=_("Paiements par carte"), filename="paiements")
    return render(
        request,
        "backoffice/payments_list.html",
        {
            "form": form,
            "listing": build_listing(request, payments, COLUMNS, default_sort="date", default_descending=True),
            "menu": "payments",
            "can_configure": can(request, Can.FIRM_SETTINGS),
        },
    )


@staff_required
@require_GET
def payments_export(request: HttpRequest) -> HttpResponse:
    """`/gestion/paiements/export.csv`, kept for bookmarks: the list's CSV export with the same filters."""
    _form, payments = _filtered(request)
    return export_listing(
        request, payments, EXPORT_COLUMNS, title=_("Paiements par carte"), filename="paiements", fmt="csv"
    )


def _payment_for(request: HttpRequest, pk: int) -> Payment:
    allowed = {condominium.pk for condominium in condominiums_for_staff(staff_user(request))}
    payment = (
        Payment.objects.select_related("condominium", "co_owner", "posted_entry", "reversal_entry", "payer")
        .filter(pk=pk, condominium_id__in=allowed)
        .first()
    )
    if payment is None:
        raise Http404
    return payment


@staff_required
@require_GET
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment_for(request, pk)
    return render(
        request,
        "backoffice/payments_detail.html",
        {
            "payment": payment,
            "events": list(events_of(payment)),
            "can_refund": can(request, Can.REFUND_PAYMENTS) and payment.state == PaymentState.PAID,
            "menu": "payments",
        },
    )


@staff_required(can=Can.REFUND_PAYMENTS)
@require_POST
def payment_refund(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment_for(request, pk)
    try:
        refunded = request_refund(payment=payment, actor=staff_user(request))
    except PaymentError as error:
        messages.error(request, str(error))
    else:
        if refunded.reversal_entry_id:
            messages.success(request, _("Paiement remboursé ; l'écriture a été contre-passée."))
        else:
            messages.success(request, _("Paiement remboursé."))
    return redirect("backoffice:payment_detail", pk=payment.pk)
