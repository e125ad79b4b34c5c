"""Contracts of the condominiums of the portfolio: list with notice deadlines, create, edit."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tantieme.backoffice.expenses.forms import ContractFilterForm, ContractForm
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, check_in_portfolio, portfolio_condominiums
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.expenses import services
from tantieme.expenses.exceptions import ExpenseError
from tantieme.expenses.models import Contract, Supplier
from tantieme.expenses.queries import contracts_with_notice_due

MENU = "expenses"
NOTICE_HORIZON_DAYS = 60

COLUMNS = (
    Column("condominium", _("Copropriété"), lambda c: c.condominium.code, order_by="condominium__code"),
    Column("supplier", _("Fournisseur"), lambda c: c.supplier.legal_name, order_by="supplier__legal_name"),
    Column("kind", _("Catégorie"), lambda c: c.get_kind_display(), order_by="kind"),
    Column("title", _("Objet"), lambda c: c.title, order_by="title"),
    Column("start", _("Début"), lambda c: c.start_date, order_by="start_date"),
    Column("end", _("Échéance"), lambda c: c.end_date, order_by="end_date"),
    Column("amount", _("Montant annuel TTC"), lambda c: c.yearly_amount, order_by="yearly_amount", numeric=True),
    Column("status", _("État"), lambda c: c.get_status_display(), order_by="status"),
)


@require_GET
@staff_required
def contract_list(request: HttpRequest) -> HttpResponse:
    condominiums = portfolio_condominiums(staff_user(request))
    form = ContractFilterForm(request.GET or None, condominiums=condominiums)
    ids = list(condominiums.values_list("pk", flat=True))
    if form.is_valid() and form.cleaned_data["copropriete"] is not None:
        ids = [form.cleaned_data["copropriete"].pk]
    contracts = Contract.objects.filter(condominium_id__in=ids).select_related("condominium", "supplier")
    if wants_export(request):
        return export_listing(request, contracts, COLUMNS, title=_("Contrats"), filename="contrats")
    listing = build_listing(request, contracts, COLUMNS, default_sort="end")
    notices = contracts_with_notice_due(ids, timezone.localdate(), NOTICE_HORIZON_DAYS)
    context = {"form": form, "listing": listing, "notices": notices, "menu": MENU}
    return render(request, "backoffice/expenses/contracts.html", context)


def _data(form: ContractForm) -> services.ContractData:
    data = form.cleaned_data
    return services.ContractData(
        supplier=data["supplier"],
        kind=data["kind"],
        title=data["title"],
        reference=data["reference"],
        signed_on=data["signed_on"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        tacit_renewal=data["tacit_renewal"],
        renewal_months=data["renewal_months"],
        notice_days=data["notice_days"],
        yearly_amount=data["yearly_amount"],
        status=data["status"],
        publish_extranet=data["publish_extranet"],
        notes=data["notes"],
    )


def _upload(form: ContractForm) -> tuple[bytes | None, str]:
    upload = form.cleaned_data.get("file")
    if upload is None:
        return None, ""
    return upload.read(), upload.name


@staff_required(can=Can.ENTER_INVOICES)
def contract_create(request: HttpRequest) -> HttpResponse:
    condominiums = portfolio_condominiums(staff_user(request))
    form = ContractForm(
        request.POST or None,
        request.FILES or None,
        condominiums=condominiums,
        suppliers=Supplier.objects.filter(is_active=True),
        initial={"condominium": request.GET.get("copropriete")},
    )
    if request.method == "POST" and form.is_valid():
        pdf, filename = _upload(form)
        try:
            contract = services.create_contract(
                condominium=form.cleaned_data["condominium"],
                data=_data(form),
                pdf=pdf,
                filename=filename,
                actor=staff_user(request),
            )
        except ExpenseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Contrat enregistré ; l'extranet est à jour."))
            return redirect("backoffice:expenses_contract_edit", pk=contract.pk)
    return render(request, "backoffice/expenses/contract_form.html", {"form": form, "contract": None, "menu": MENU})


@staff_required(can=Can.ENTER_INVOICES)
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract.objects.select_related("condominium", "supplier", "document"), pk=pk)
    check_in_portfolio(request, contract.condominium_id)
    initial = {name: getattr(contract, name) for name in ContractForm.base_fields if name != "file"}
    form = ContractForm(
        request.POST or None,
        request.FILES or None,
        condominiums=portfolio_condominiums(staff_user(request)).filter(pk=contract.condominium_id),
        suppliers=Supplier.objects.all(),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        pdf, filename = _upload(form)
        try:
            services.update_contract(
                contract=contract, data=_data(form), pdf=pdf, filename=filename, actor=staff_user(request)
            )
        except ExpenseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Contrat enregistré ; l'extranet est à jour."))
            return redirect("backoffice:expenses_contract_edit", pk=contract.pk)
    return render(request, "backoffice/expenses/contract_form.html", {"form": form, "contract": contract, "menu": MENU})
