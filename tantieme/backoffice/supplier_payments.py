"""Back office « Règlements fournisseurs » (issue 14 item 5), under /gestion/reglements-fournisseurs/.

The due invoices of a condominium of the portfolio to select, a payment batch built from them
(`Can.PAY_SUPPLIERS`): its pain.001.001.09 file to download and hand to the bank, its status until
the bank's debit arrives on a statement (posted and lettered by the bank import); cheques sent to
suppliers. The rules live in `tantieme.supplier_payments.services`; docs/supplier-payments.md.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, condominiums_for_staff, in_portfolio, portfolio_condominium
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import Condominium
from tantieme.core.money import format_amount
from tantieme.expenses.enums import PAYABLE_STATUSES, InvoiceKind, PaymentMeans
from tantieme.expenses.models import Invoice
from tantieme.formats.pain001 import next_target_business_day
from tantieme.supplier_payments import services
from tantieme.supplier_payments.enums import BatchStatus
from tantieme.supplier_payments.exceptions import PaymentError
from tantieme.supplier_payments.models import PaymentBatch, SupplierCheque
from tantieme.tenancy.models import StaffMembership

MENU = "supplier_payments"
HORIZON_DAYS = 7  # spec §6.1: invoices due within a week are proposed by default

BATCH_COLUMNS = (
    Column(
        "created", gettext_lazy("Créée le"), lambda b: timezone.localtime(b.created_at).date(), order_by="created_at"
    ),
    Column("condominium", gettext_lazy("Copropriété"), lambda b: b.condominium.code, order_by="condominium__code"),
    Column("message_id", gettext_lazy("Remise"), lambda b: b.message_id, order_by="message_id"),
    Column("execution", gettext_lazy("Exécution"), lambda b: b.execution_date, order_by="execution_date"),
    Column("count", gettext_lazy("Virements"), lambda b: b.nb_of_txs, order_by="nb_of_txs", numeric=True),
    Column("total", gettext_lazy("Montant"), lambda b: b.ctrl_sum, order_by="ctrl_sum", numeric=True),
    Column("status", gettext_lazy("État"), lambda b: b.get_status_display(), order_by="status"),
)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DueForm(forms.Form):
    due_by = forms.DateField(label=gettext_lazy("Échues au plus tard le"), required=False, widget=DATE)


class BatchForm(forms.Form):
    invoices = forms.MultipleChoiceField(label=gettext_lazy("Factures à payer"), widget=forms.CheckboxSelectMultiple)
    execution_date = forms.DateField(
        label=gettext_lazy("Date d'exécution demandée"),
        help_text=gettext_lazy("Un jour ouvré TARGET (ni week-end ni jour férié bancaire), aujourd'hui ou après."),
        widget=DATE,
    )
    second_approver = forms.TypedChoiceField(
        label=gettext_lazy("Second approbateur (IBAN vérifié depuis moins de 5 jours ouvrés)"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args: Any, invoice_ids: list[int], approvers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invoices"].choices = [(str(pk), str(pk)) for pk in invoice_ids]  # type: ignore[attr-defined]
        self.fields["second_approver"].choices = [("", _("Aucun")), *approvers]  # type: ignore[attr-defined]


class ChequeForm(forms.Form):
    invoice = forms.TypedChoiceField(label=gettext_lazy("Facture"), coerce=int)
    number = forms.CharField(label=gettext_lazy("Numéro du chèque"), max_length=20)
    issue_date = forms.DateField(label=gettext_lazy("Émis le"), widget=DATE)

    def __init__(self, *args: Any, invoices: list[Invoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invoice"].choices = [  # type: ignore[attr-defined]
            (invoice.pk, f"{invoice.supplier.display_name} — {invoice.number} — {format_amount(invoice.total_ttc)}")
            for invoice in invoices
        ]


def _approvers(request: HttpRequest) -> list[tuple[int, str]]:
    """The firm's other staff members (a second person approves a batch paying a new IBAN)."""
    me = staff_user(request).pk
    return [
        (membership.user_id, membership.user.get_full_name() or membership.user.login)
        for membership in StaffMembership.objects.select_related("user").exclude(user_id=me).order_by("user__login")
    ]


def _cheque_invoices(condominium: Condominium) -> list[Invoice]:
    return list(
        Invoice.objects.filter(
            condominium=condominium,
            status__in=PAYABLE_STATUSES,
            payment_block="",
            kind=InvoiceKind.INVOICE,
            payment_means=PaymentMeans.CHEQUE,
        )
        .select_related("supplier")
        .order_by("due_date", "pk")[:100]
    )


@require_GET
@staff_required(can=Can.VIEW)
def supplier_payments_home(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    batches = in_portfolio(PaymentBatch.objects.select_related("condominium"), user)
    if wants_export(request):
        return export_listing(
            request,
            batches,
            BATCH_COLUMNS,
            title=_("Remises de virements fournisseurs"),
            filename="remises-fournisseurs",
        )
    listing = build_listing(request, batches, BATCH_COLUMNS, default_sort="created", default_descending=True)
    return render(
        request,
        "backoffice/supplier_payments/home.html",
        {"condominiums": condominiums_for_staff(user), "listing": listing, "menu": MENU},
    )


@staff_required(can=Can.VIEW, post=Can.PAY_SUPPLIERS)
def supplier_payments_condominium(request: HttpRequest, pk: int) -> HttpResponse:
    """The due invoices to select (GET), and the batch built from the selection (POST)."""
    condominium = portfolio_condominium(request, pk)
    user = staff_user(request)
    today = timezone.localdate()
    due_form = DueForm(request.GET or None)
    due_by = today + datetime.timedelta(days=HORIZON_DAYS)
    if due_form.is_valid() and due_form.cleaned_data["due_by"]:
        due_by = due_form.cleaned_data["due_by"]
    candidates = services.candidates(condominium, due_by=due_by, today=today, actor=user)
    # A second approver is asked for only when a freshly verified IBAN is paid (one query saved otherwise).
    approvers = _approvers(request) if any(c.needs_second_approver for c in candidates) else []
    form = BatchForm(
        request.POST or None,
        invoice_ids=[candidate.invoice.pk for candidate in candidates],
        approvers=approvers,
        initial={
            "execution_date": next_target_business_day(today + datetime.timedelta(days=1)),
            "invoices": [str(c.invoice.pk) for c in candidates if c.is_payable],
        },
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        chosen = {int(value) for value in form.cleaned_data["invoices"]}
        approver_id = form.cleaned_data["second_approver"]
        approver = next(
            (m.user for m in StaffMembership.objects.select_related("user").filter(user_id=approver_id)), None
        )
        try:
            batch = services.build_batch(
                condominium=condominium,
                execution_date=form.cleaned_data["execution_date"],
                invoices=[candidate.invoice for candidate in candidates if candidate.invoice.pk in chosen],
                actor=user,
                second_approver=approver,
                today=today,
            )
        except PaymentError as error:
            errors = error.problems
        else:
            messages.success(
                request,
                _("Remise %(id)s créée : %(count)s virement(s). Téléchargez le fichier et remettez-le à la banque.")
                % {"id": batch.message_id, "count": batch.nb_of_txs},
            )
            return redirect("backoffice:supplier_payments_batch", pk=batch.pk)
    cheque_invoices = _cheque_invoices(condominium)
    return render(
        request,
        "backoffice/supplier_payments/condominium.html",
        {
            "condominium": condominium,
            "candidates": candidates,
            "due_form": due_form,
            "due_by": due_by,
            "form": form,
            "errors": errors,
            "batches": PaymentBatch.objects.filter(condominium=condominium).order_by("-created_at", "-pk")[:20],
            "cheque_form": ChequeForm(invoices=cheque_invoices, initial={"issue_date": today}),
            "cheque_invoices": cheque_invoices,
            "cheques": SupplierCheque.objects.filter(condominium=condominium).select_related("supplier")[:20],
            "menu": MENU,
        },
    )


@require_GET
@staff_required(can=Can.VIEW)
def supplier_payments_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(
        in_portfolio(
            PaymentBatch.objects.select_related("condominium", "created_by", "second_approver"), staff_user(request)
        ),
        pk=pk,
    )
    items = batch.items.select_related("invoice", "supplier", "entry", "statement_line").order_by("position")
    return render(
        request,
        "backoffice/supplier_payments/batch.html",
        {"batch": batch, "items": items, "can_act": batch.status == BatchStatus.BUILT, "menu": MENU},
    )


@require_GET
@staff_required(can=Can.PAY_SUPPLIERS)
def supplier_payments_file(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(in_portfolio(PaymentBatch.objects.all(), staff_user(request)), pk=pk)
    try:
        content = services.batch_content(batch)
    except PaymentError as error:
        messages.error(request, " ".join(error.problems))
        return redirect("backoffice:supplier_payments_batch", pk=batch.pk)
    response = HttpResponse(content, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.message_id}.pain001.xml"'
    response["Cache-Control"] = "private, no-store"
    return response


def _batch_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    batch = get_object_or_404(in_portfolio(PaymentBatch.objects.all(), staff_user(request)), pk=pk)
    try:
        if action == "sent":
            services.mark_sent(batch=batch, actor=staff_user(request))
            messages.success(request, _("Remise marquée transmise : son débit sera rapproché au prochain relevé."))
        else:
            services.cancel_batch(batch=batch, actor=staff_user(request))
            messages.success(request, _("Remise annulée : ses factures peuvent être payées à nouveau."))
    except PaymentError as error:
        messages.error(request, " ".join(error.problems))
    return redirect("backoffice:supplier_payments_batch", pk=batch.pk)


@require_POST
@staff_required(can=Can.PAY_SUPPLIERS)
def supplier_payments_sent(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, "sent")


@require_POST
@staff_required(can=Can.PAY_SUPPLIERS)
def supplier_payments_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, "cancel")


@require_POST
@staff_required(can=Can.PAY_SUPPLIERS)
def supplier_payments_cheque(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    form = ChequeForm(request.POST, invoices=_cheque_invoices(condominium))
    if not form.is_valid():
        messages.error(request, _("Chèque non enregistré : choisissez la facture, le numéro et la date."))
        return redirect("backoffice:supplier_payments_condominium", pk=condominium.pk)
    invoice = Invoice.objects.get(pk=form.cleaned_data["invoice"], condominium=condominium)
    try:
        cheque = services.record_cheque(
            invoice=invoice,
            number=form.cleaned_data["number"],
            issue_date=form.cleaned_data["issue_date"],
            actor=staff_user(request),
        )
    except PaymentError as error:
        messages.error(request, " ".join(error.problems))
    else:
        messages.success(
            request,
            _("Chèque n° %(number)s enregistré et comptabilisé (401 / 512).") % {"number": cheque.number},
        )
    return redirect("backoffice:supplier_payments_condominium", pk=condominium.pk)
