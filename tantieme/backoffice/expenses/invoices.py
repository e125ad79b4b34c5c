"""Supplier invoices: list, entry (upload the PDF → Factur-X prefill → allocation lines → validate),
detail with its trail, the PDF, approval (« bon à payer »), blocks, and each condominium's settings.

The uploaded PDF waits between the two steps in private storage under a random token kept in the
session (never a path from the browser); it becomes the invoice's file when the invoice is saved.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.forms import formset_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tantieme.backoffice.expenses.forms import (
    AccrualForm,
    BlockForm,
    InvoiceFilterForm,
    InvoiceForm,
    LineForm,
    RejectForm,
    SettingsForm,
    UploadForm,
    allocation_targets,
)
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, can, check_in_portfolio, portfolio_condominium, portfolio_condominiums
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import AllocationKey, Condominium
from tantieme.expenses import services
from tantieme.expenses.downloads import invoice_pdf_response
from tantieme.expenses.enums import InvoiceKind
from tantieme.expenses.exceptions import ExpenseError
from tantieme.expenses.facturx_reader import Prefill, extract_xml, read_facturx
from tantieme.expenses.models import Accrual, Invoice, Supplier, SupplierAccount
from tantieme.expenses.queries import amounts_due, approval_queue, match_supplier
from tantieme.funds.enums import OperationState
from tantieme.funds.models import WorksOperation
from tantieme.ledger.enums import FiscalYearState
from tantieme.ledger.models import FiscalYear

MENU = "expenses"
SESSION_KEY = "expenses_uploads"
MAX_UPLOAD_BYTES = services.MAX_PDF_BYTES
BLANK_LINES = 3

COLUMNS = (
    Column("condominium", _("Copropriété"), lambda i: i.condominium.code, order_by="condominium__code"),
    Column("supplier", _("Fournisseur"), lambda i: i.supplier.display_name, order_by="supplier__legal_name"),
    Column("number", _("N°"), lambda i: i.number, order_by="number"),
    Column("kind", _("Type"), lambda i: i.get_kind_display(), order_by="kind"),
    Column("date", _("Date"), lambda i: i.issue_date, order_by="issue_date"),
    Column("due", _("Échéance"), lambda i: i.due_date, order_by="due_date"),
    Column("total", _("TTC"), lambda i: i.signed_total, order_by="total_ttc", numeric=True),
    Column("status", _("État"), lambda i: i.get_status_display(), order_by="status"),
    Column("block", _("Blocage"), lambda i: i.get_payment_block_display() if i.payment_block else ""),
)


def _invoice(request: HttpRequest, pk: int) -> Invoice:
    invoice = Invoice.objects.select_related("supplier", "condominium", "entry").filter(pk=pk).first()
    if invoice is None:
        raise Http404
    check_in_portfolio(request, invoice.condominium_id)
    return invoice


@require_GET
@staff_required
def expenses_home(request: HttpRequest) -> HttpResponse:
    return redirect("backoffice:expenses_invoices")


@require_GET
@staff_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    condominiums = portfolio_condominiums(staff_user(request))
    form = InvoiceFilterForm(request.GET or None, condominiums=condominiums, suppliers=Supplier.objects.all())
    invoices = (
        Invoice.objects.filter(condominium__in=condominiums)
        .select_related("condominium", "supplier")
        .defer("einvoice_xml")  # kilobytes of CII per e-invoice that the list never shows
    )
    if form.is_valid():
        if form.cleaned_data["copropriete"] is not None:
            invoices = invoices.filter(condominium=form.cleaned_data["copropriete"])
        if form.cleaned_data["statut"]:
            invoices = invoices.filter(status=form.cleaned_data["statut"])
        if form.cleaned_data["fournisseur"] is not None:
            invoices = invoices.filter(supplier=form.cleaned_data["fournisseur"])
    if wants_export(request):
        return export_listing(request, invoices, COLUMNS, title=_("Factures fournisseurs"), filename="factures")
    listing = build_listing(request, invoices, COLUMNS, default_sort="date", default_descending=True)
    return render(request, "backoffice/expenses/invoices.html", {"form": form, "listing": listing, "menu": MENU})


# --- Entry --------------------------------------------------------------------------------------


def _uploads(request: HttpRequest) -> dict[str, Any]:
    uploads = request.session.get(SESSION_KEY)
    return uploads if isinstance(uploads, dict) else {}


def _stored_upload(request: HttpRequest, token: str, condominium: Condominium) -> tuple[bytes, str] | None:
    entry = _uploads(request).get(token) if token else None
    if not isinstance(entry, dict) or entry.get("condominium") != condominium.pk:
        return None
    try:
        with default_storage.open(entry["path"], "rb") as handle:
            return handle.read(), str(entry["name"])
    except (OSError, KeyError):
        return None


def _forget_upload(request: HttpRequest, token: str) -> None:
    uploads = _uploads(request)
    entry = uploads.pop(token, None)
    if isinstance(entry, dict) and entry.get("path"):
        default_storage.delete(entry["path"])
    request.session[SESSION_KEY] = uploads


@staff_required(can=Can.ENTER_INVOICES)
def invoice_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: the condominium and the PDF (optional: a paper invoice is typed)."""
    condominiums = portfolio_condominiums(staff_user(request))
    form = UploadForm(request.POST or None, request.FILES or None, condominiums=condominiums)
    if request.method == "POST" and form.is_valid():
        condominium = form.cleaned_data["condominium"]
        upload = form.cleaned_data.get("file")
        if upload is None:
            return redirect("backoffice:expenses_invoice_enter", pk=condominium.pk)
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("Le PDF de la facture dépasse 20 Mo."))
        else:
            content = upload.read()
            if content[:5] != b"%PDF-":
                form.add_error("file", _("La facture doit être un fichier PDF."))
            else:
                token = secrets.token_urlsafe(16)
                path = default_storage.save(f"expenses/{condominium.firm_id}/uploads/{token}.pdf", ContentFile(content))
                uploads = _uploads(request)
                uploads[token] = {"path": path, "name": upload.name[:150], "condominium": condominium.pk}
                request.session[SESSION_KEY] = uploads
                return redirect(f"{_url('backoffice:expenses_invoice_enter', condominium.pk)}?piece={token}")
    return render(request, "backoffice/expenses/invoice_upload.html", {"form": form, "menu": MENU})


def _url(name: str, *args: Any) -> str:

    return reverse(name, args=args)


def _initial(prefill: Prefill | None, supplier: Supplier | None) -> dict[str, Any]:
    if prefill is None:
        return {"kind": InvoiceKind.INVOICE}
    return {
        "supplier": supplier.pk if supplier else None,
        "kind": InvoiceKind.CREDIT_NOTE if prefill.is_credit_note else InvoiceKind.INVOICE,
        "number": prefill.number,
        "issue_date": prefill.issue_date,
        "due_date": prefill.due_date,
        "total_ht": prefill.total_ht,
        "total_vat": prefill.total_vat,
        "total_ttc": prefill.total_ttc,
        "payee_iban": prefill.payee_iban,
        "preceding_number": prefill.preceding_number,
        "label": prefill.lines[0].label if len(prefill.lines) == 1 else "",
    }


def _line_initial(prefill: Prefill | None, supplier_default: tuple[str, str]) -> list[dict[str, Any]]:
    account, target = supplier_default
    if prefill is None or not prefill.lines:
        return [{"account": account, "target": target}]
    return [
        {"account": account, "target": target, "amount": line.amount, "label": line.label} for line in prefill.lines
    ]


def _targets(condominium: Condominium) -> tuple[list[tuple[str, str]], dict[str, AllocationKey | WorksOperation]]:
    keys = list(AllocationKey.objects.filter(condominium=condominium).order_by("code"))
    operations = list(
        WorksOperation.objects.filter(condominium=condominium, state=OperationState.OPEN).order_by("code")
    )
    by_value: dict[str, AllocationKey | WorksOperation] = {f"key:{key.pk}": key for key in keys}
    by_value.update({f"op:{op.pk}": op for op in operations})
    return allocation_targets(keys, operations), by_value


def _line_inputs(formset: Any, by_value: dict[str, AllocationKey | WorksOperation]) -> list[services.LineInput]:
    lines = []
    for form in formset:
        data = form.cleaned_data
        if not data or (not data.get("account") and data.get("amount") is None):
            continue
        target = by_value.get(data.get("target") or "")
        amount = data.get("amount") or Decimal("0.00")
        lines.append(
            services.LineInput(
                account=(data.get("account") or "").strip(),
                amount=amount,
                key=target if isinstance(target, AllocationKey) else None,
                operation=target if isinstance(target, WorksOperation) else None,
                label=data.get("label") or "",
            )
        )
    return lines


@staff_required(can=Can.ENTER_INVOICES)
def invoice_enter(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: the invoice and its allocation lines; « Valider » posts it in AC at once."""
    condominium = portfolio_condominium(request, pk)
    token = request.POST.get("piece") or request.GET.get("piece") or ""
    stored = _stored_upload(request, token, condominium)
    if token and stored is None:
        messages.error(request, _("Le PDF envoyé n'est plus disponible : envoyez-le à nouveau."))
        return redirect("backoffice:expenses_invoice_upload")
    suppliers = Supplier.objects.filter(is_active=True).order_by("legal_name")
    targets, by_value = _targets(condominium)
    line_formset = formset_factory(LineForm, extra=BLANK_LINES)
    prefill = read_facturx(stored[0]) if stored is not None and request.method != "POST" else None
    if request.method == "POST":
        form = InvoiceForm(request.POST, suppliers=suppliers)
        formset = line_formset(request.POST, prefix="lines", form_kwargs={"targets": targets})
        if form.is_valid() and formset.is_valid():
            response = _save(
                request,
                condominium=condominium,
                form=form,
                formset=formset,
                by_value=by_value,
                stored=stored,
                token=token,
            )
            if response is not None:
                return response
    else:
        supplier = match_supplier(firm_id=condominium.firm_id, prefill=prefill) if prefill is not None else None
        default = ("", "")
        if supplier is not None:
            account = SupplierAccount.objects.filter(condominium=condominium, supplier=supplier).first()
            if account is not None and account.default_account:
                default = (account.default_account, f"key:{account.default_key_id}" if account.default_key_id else "")
        form = InvoiceForm(initial={**_initial(prefill, supplier), "piece": token}, suppliers=suppliers)
        formset = line_formset(
            prefix="lines", form_kwargs={"targets": targets}, initial=_line_initial(prefill, default)
        )
        if prefill is not None and supplier is None:
            messages.warning(
                request,
                _(
                    "Facture électronique de %(name)s (SIRET %(siret)s) : fournisseur absent du répertoire, "
                    "créez-le d'abord ou choisissez-le."
                )
                % {"name": prefill.seller_name, "siret": prefill.seller_siret or prefill.seller_siren or "—"},
            )
    context = {
        "condominium": condominium,
        "form": form,
        "formset": formset,
        "prefill": prefill,
        "has_pdf": stored is not None,
        "menu": MENU,
    }
    return render(request, "backoffice/expenses/invoice_form.html", context)


def _save(
    request: HttpRequest,
    *,
    condominium: Condominium,
    form: InvoiceForm,
    formset: Any,
    by_value: dict[str, AllocationKey | WorksOperation],
    stored: tuple[bytes, str] | None,
    token: str,
) -> HttpResponse | None:
    data = form.cleaned_data
    preceding = None
    if data["preceding_number"]:
        preceding = Invoice.objects.filter(
            condominium=condominium,
            supplier=data["supplier"],
            kind=InvoiceKind.INVOICE,
            number=data["preceding_number"],
        ).first()
    invoice_input = services.InvoiceInput(
        supplier=data["supplier"],
        kind=data["kind"],
        number=data["number"],
        issue_date=data["issue_date"],
        due_date=data["due_date"],
        received_on=data["received_on"],
        booking_date=data["booking_date"],
        label=data["label"],
        total_ht=data["total_ht"],
        total_vat=data["total_vat"],
        total_ttc=data["total_ttc"] or Decimal("0.00"),
        payee_iban=data["payee_iban"],
        preceding_invoice=preceding,
        ag_resolution=data["ag_resolution"],
        lines=_line_inputs(formset, by_value),
    )
    pdf, filename = stored if stored is not None else (None, "")
    xml = ""
    if pdf is not None:
        # Only the embedded XML is kept: parsing it again into a prefill (≈ 10 ms, a second XSD
        # check) is not needed once the form has been typed.
        raw = extract_xml(pdf)
        xml = raw.decode("utf-8", errors="replace") if raw is not None else ""
    draft = "draft" in request.POST
    try:
        if draft:
            invoice = services.create_invoice(
                condominium=condominium,
                data=invoice_input,
                pdf=pdf,
                filename=filename,
                einvoice_xml=xml,
                actor=staff_user(request),
            )
        else:
            invoice = services.enter_invoice(
                condominium=condominium,
                data=invoice_input,
                pdf=pdf,
                filename=filename,
                einvoice_xml=xml,
                actor=staff_user(request),
            )
    except ExpenseError as error:
        form.add_error(None, str(error))
        return None
    if token:
        _forget_upload(request, token)
    if draft:
        messages.success(request, _("Brouillon enregistré : il n'est pas encore comptabilisé."))
    else:
        messages.success(
            request,
            _("Facture comptabilisée (%(entry)s) : %(status)s.")
            % {"entry": invoice.internal_number, "status": invoice.get_status_display()},
        )
    return redirect("backoffice:expenses_invoice_detail", pk=invoice.pk)


# --- One invoice --------------------------------------------------------------------------------


@require_GET
@staff_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    lines = list(invoice.lines.select_related("key", "operation"))
    events = list(invoice.events.select_related("actor", "co_owner"))
    remaining = amounts_due([invoice]).get(invoice.pk)
    context = {
        "invoice": invoice,
        "lines": lines,
        "events": events,
        "remaining": remaining,
        "reject_form": RejectForm(),
        "block_form": BlockForm(),
        "can_approve": can(request, Can.APPROVE_INVOICES),
        "can_enter": can(request, Can.ENTER_INVOICES),
        "menu": MENU,
    }
    return render(request, "backoffice/expenses/invoice_detail.html", context)


@require_GET
@staff_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return invoice_pdf_response(_invoice(request, pk))


def _act(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    invoice = _invoice(request, pk)
    try:
        action(invoice)
    except ExpenseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("backoffice:expenses_invoice_detail", pk=invoice.pk)


@require_POST
@staff_required(can=Can.ENTER_INVOICES)
def invoice_validate(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    return _act(request, pk, lambda i: services.validate_invoice(invoice=i, actor=user), _("Facture comptabilisée."))


@require_POST
@staff_required(can=Can.ENTER_INVOICES)
def invoice_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    return _act(request, pk, lambda i: services.cancel_invoice(invoice=i, actor=user), _("Brouillon annulé."))


@require_POST
@staff_required(can=Can.APPROVE_INVOICES)
def invoice_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    comment = request.POST.get("comment", "")[:1000]
    response = _act(
        request, pk, lambda i: services.approve_invoice(invoice=i, actor=user, comment=comment), _("Bon à payer donné.")
    )
    if request.POST.get("next") == "queue":
        return redirect("backoffice:expenses_approvals")
    return response


@require_POST
@staff_required(can=Can.APPROVE_INVOICES)
def invoice_reject(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    form = RejectForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _act(
        request,
        pk,
        lambda i: services.reject_invoice(invoice=i, actor=user, comment=comment),
        _("Paiement refusé : la facture est en litige."),
    )


@require_POST
@staff_required(can=Can.APPROVE_INVOICES)
def invoice_block(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    form = BlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez le motif du blocage."))
        return redirect("backoffice:expenses_invoice_detail", pk=_invoice(request, pk).pk)
    return _act(
        request,
        pk,
        lambda i: services.block_payment(
            invoice=i, reason=form.cleaned_data["reason"], comment=form.cleaned_data["comment"], actor=user
        ),
        _("Paiement bloqué."),
    )


@require_POST
@staff_required(can=Can.APPROVE_INVOICES)
def invoice_unblock(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    return _act(request, pk, lambda i: services.unblock_payment(invoice=i, actor=user), _("Paiement débloqué."))


@require_GET
@staff_required
def approvals(request: HttpRequest) -> HttpResponse:
    """The invoices waiting for a « bon à payer » in the portfolio, soonest due first."""
    ids = list(portfolio_condominiums(staff_user(request)).values_list("pk", flat=True))
    invoices = list(approval_queue(ids)[:200])
    context = {
        "invoices": invoices,
        "can_approve": can(request, Can.APPROVE_INVOICES),
        "today": datetime.date.today(),  # noqa: DTZ011 — a calendar day for the « late » badge
        "menu": MENU,
    }
    return render(request, "backoffice/expenses/approvals.html", context)


@staff_required(can=Can.APPROVE_INVOICES)
def condominium_settings(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    current = services.settings_for(condominium)
    form = SettingsForm(
        request.POST or None,
        initial={
            "approval_threshold": current.approval_threshold,
            "council_visa_required": current.council_visa_required,
            "invoices_visible_to_co_owners": current.invoices_visible_to_co_owners,
            "cutoff_days": current.cutoff_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(
                condominium=condominium,
                approval_threshold=form.cleaned_data["approval_threshold"] or Decimal("0.00"),
                council_visa_required=form.cleaned_data["council_visa_required"],
                invoices_visible_to_co_owners=form.cleaned_data["invoices_visible_to_co_owners"],
                cutoff_days=form.cleaned_data["cutoff_days"],
                actor=staff_user(request),
            )
        except ExpenseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Paramètres des dépenses enregistrés."))
            return redirect("backoffice:expenses_settings", pk=condominium.pk)
    context = {"condominium": condominium, "form": form, "menu": MENU}
    return render(request, "backoffice/expenses/settings.html", context)


@staff_required(can=Can.ENTER_INVOICES)
def accruals(request: HttpRequest, pk: int) -> HttpResponse:
    """Charges à payer (408, spec §4.6): a service of year N not invoiced by its cut-off, estimated
    at the year end and reversed on the first day of N+1."""
    condominium = portfolio_condominium(request, pk)
    years = list(FiscalYear.objects.filter(condominium=condominium, state=FiscalYearState.OPEN).order_by("start_date"))
    targets, by_value = _targets(condominium)
    form = AccrualForm(
        request.POST or None,
        suppliers=Supplier.objects.filter(is_active=True).order_by("legal_name"),
        years=[(str(year.pk), year.label) for year in years],
        targets=targets,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        year = next(item for item in years if str(item.pk) == data["fiscal_year"])
        target = by_value.get(data["target"])
        try:
            services.record_accrual(
                condominium=condominium,
                supplier=data["supplier"],
                fiscal_year=year,
                account=data["account"],
                amount=data["amount"] or Decimal("0.00"),
                label=data["label"],
                justification=data["justification"],
                key=target if isinstance(target, AllocationKey) else None,
                operation=target if isinstance(target, WorksOperation) else None,
                actor=staff_user(request),
            )
        except ExpenseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Facture non parvenue enregistrée en 408, extournée au premier jour de l'exercice suivant.")
            )
            return redirect("backoffice:expenses_accruals", pk=condominium.pk)
    rows = list(
        Accrual.objects.filter(condominium=condominium)
        .select_related("supplier", "fiscal_year", "entry", "reversal", "key", "operation")
        .order_by("-fiscal_year__start_date", "pk")
    )
    context = {"condominium": condominium, "form": form, "accruals": rows, "menu": MENU}
    return render(request, "backoffice/expenses/accruals.html", context)
