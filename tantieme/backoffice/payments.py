"""Back office « Paiements »: card payments with their states and event history, filters, CSV
export, and the refund of a paid payment (through its provider; reversal entry when done)."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tantieme.backoffice.policy import Can, can, condominiums_for_staff
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.payments.enums import PaymentState
from tantieme.payments.exceptions import PaymentError
from tantieme.payments.models import Payment
from tantieme.payments.queries import events_of, payments_for_staff
from tantieme.payments.services import request_refund

PAGE_SIZE = 50
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


@staff_required
@require_GET
def payments_list(request: HttpRequest) -> HttpResponse:
    form, payments = _filtered(request)
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/payments_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "menu": "payments",
            "can_configure": can(request, Can.FIRM_SETTINGS),
        },
    )


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(CSV_FORMULA_PREFIXES) else text


@staff_required
@require_GET
def payments_export(request: HttpRequest) -> HttpResponse:
    _form, payments = _filtered(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        [
            "reference_commande",
            "copropriete",
            "coproprietaire",
            "nom",
            "montant",
            "etat",
            "cree_le",
            "paye_le",
            "prestataire",
            "transaction",
            "carte",
            "ecriture",
            "rembourse_le",
        ]
    )
    for payment in payments.iterator(chunk_size=2000):
        writer.writerow(
            [
                _cell(payment.order_id),
                _cell(payment.condominium.code),
                _cell(payment.co_owner.reference_display),
                _cell(payment.co_owner.display_name),
                f"{payment.amount:.2f}".replace(".", ","),
                payment.get_state_display(),
                timezone.localtime(payment.created_at).strftime("%d/%m/%Y %H:%M"),
                timezone.localtime(payment.paid_at).strftime("%d/%m/%Y %H:%M") if payment.paid_at else "",
                payment.provider,
                _cell(payment.provider_transaction_id),
                _cell(f"{payment.card_brand} {payment.card_last4}".strip()),
                payment.posted_entry.code if payment.posted_entry else "",
                timezone.localtime(payment.refunded_at).strftime("%d/%m/%Y %H:%M") if payment.refunded_at else "",
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="paiements-{timezone.localdate():%Y%m%d}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


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
