"""Suppliers of the firm's directory: list, detail (bank details with their history), create, edit."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tantieme.backoffice.expenses.forms import (
    BankAccountForm,
    ContactForm,
    SupplierFilterForm,
    SupplierForm,
    VerifyForm,
)
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, portfolio_condominium_ids
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.expenses import identity, services
from tantieme.expenses.enums import BankAccountStatus
from tantieme.expenses.exceptions import ExpenseError
from tantieme.expenses.models import Contract, Invoice, Supplier, SupplierBankAccount

MENU = "expenses"

COLUMNS = (
    Column("code", _("Code"), lambda s: s.code, order_by="code"),
    Column("name", _("Raison sociale"), lambda s: s.legal_name, order_by="legal_name"),
    Column("category", _("Catégorie"), lambda s: s.get_category_display(), order_by="category"),
    Column("siret", _("SIRET"), lambda s: s.siret, order_by="siret"),
    Column("town", _("Ville"), lambda s: s.town, order_by="town"),
    Column("iban", _("IBAN vérifié"), lambda s: s.verified_count > 0),
)


@require_GET
@staff_required
def supplier_list(request: HttpRequest) -> HttpResponse:
    form = SupplierFilterForm(request.GET or None)
    suppliers = Supplier.objects.all()
    if form.is_valid():
        if text := form.cleaned_data["q"].strip():
            suppliers = suppliers.filter(
                Q(legal_name__icontains=text) | Q(trade_name__icontains=text) | Q(code__iexact=text) | Q(siret=text)
            )
        if form.cleaned_data["category"]:
            suppliers = suppliers.filter(category=form.cleaned_data["category"])

    suppliers = suppliers.annotate(
        verified_count=Count("bank_accounts", filter=Q(bank_accounts__status=BankAccountStatus.VERIFIED))
    )
    if wants_export(request):
        return export_listing(request, suppliers, COLUMNS, title=_("Fournisseurs"), filename="fournisseurs")
    listing = build_listing(request, suppliers, COLUMNS, default_sort="code")
    return render(request, "backoffice/expenses/suppliers.html", {"form": form, "listing": listing, "menu": MENU})


def _supplier_data(form: SupplierForm, *, is_syndic: bool = False) -> services.SupplierData:
    data = form.cleaned_data
    return services.SupplierData(
        legal_name=data["legal_name"],
        trade_name=data["trade_name"],
        kind=data["kind"],
        category=data["category"],
        siren=data["siren"],
        siret=data["siret"],
        vat_number=data["vat_number"],
        vat_regime=data["vat_regime"],
        street=data["street"],
        building_number=data["building_number"],
        postal_code=data["postal_code"],
        town=data["town"],
        country=data["country"],
        email=data["email"],
        phone=data["phone"],
        payment_terms_days=data["payment_terms_days"],
        payment_means=data["payment_means"],
        linked_to_syndic=data["linked_to_syndic"],
        is_syndic=is_syndic,
        notes=data["notes"],
    )


@staff_required(can=Can.ENTER_INVOICES)
def supplier_create(request: HttpRequest) -> HttpResponse:
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier = services.create_supplier(
                firm=request.firm,  # type: ignore[attr-defined]
                data=_supplier_data(form, is_syndic=form.cleaned_data["is_syndic"]),
                actor=staff_user(request),
            )
        except ExpenseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Fournisseur %(code)s créé.") % {"code": supplier.code})
            return redirect("backoffice:expenses_supplier_detail", pk=supplier.pk)
    return render(request, "backoffice/expenses/supplier_form.html", {"form": form, "supplier": None, "menu": MENU})


@staff_required(can=Can.ENTER_INVOICES)
def supplier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(Supplier.objects.all(), pk=pk)
    initial = {name: getattr(supplier, name) for name in SupplierForm.base_fields}
    form = SupplierForm(request.POST or None, initial=initial)
    form.fields["is_syndic"].disabled = True  # chosen at creation: the code FRN00001 depends on it
    if request.method == "POST" and form.is_valid():
        try:
            services.update_supplier(
                supplier=supplier, data=_supplier_data(form, is_syndic=supplier.is_syndic), actor=staff_user(request)
            )
        except ExpenseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Fournisseur %(code)s enregistré.") % {"code": supplier.code})
            return redirect("backoffice:expenses_supplier_detail", pk=supplier.pk)
    return render(request, "backoffice/expenses/supplier_form.html", {"form": form, "supplier": supplier, "menu": MENU})


@require_GET
@staff_required
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(Supplier.objects.all(), pk=pk)
    condominium_ids = portfolio_condominium_ids(staff_user(request))
    bank_accounts = list(
        SupplierBankAccount.objects.filter(supplier=supplier).select_related("created_by", "verified_by")
    )
    invoices = list(
        Invoice.objects.filter(supplier=supplier, condominium_id__in=condominium_ids)
        .select_related("condominium")
        .order_by("-issue_date", "-pk")[:20]
    )
    contracts = list(
        Contract.objects.filter(supplier=supplier, condominium_id__in=condominium_ids).select_related("condominium")
    )
    warnings = []
    if identity.vat_siren_mismatch(supplier.vat_number, supplier.siren):
        warnings.append(_("Le numéro de TVA ne correspond pas au SIREN du fournisseur."))
    for account in bank_accounts:
        if account.status != BankAccountStatus.REVOKED and identity.bic_mismatch(account.iban, account.bic):
            warnings.append(
                _("Le BIC %(bic)s ne correspond pas à la banque de l'IBAN …%(end)s (vérifiez-le).")
                % {"bic": account.bic, "end": account.iban[-4:]}
            )
    context = {
        "supplier": supplier,
        "contacts": list(supplier.contacts.all()),
        "bank_accounts": bank_accounts,
        "invoices": invoices,
        "contracts": contracts,
        "warnings": warnings,
        "bank_form": BankAccountForm(),
        "contact_form": ContactForm(),
        "verify_form": VerifyForm(),
        "user_id": request.user.pk,
        "menu": MENU,
    }
    return render(request, "backoffice/expenses/supplier_detail.html", context)


@require_POST
@staff_required(can=Can.ENTER_INVOICES)
def bank_account_add(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(Supplier.objects.all(), pk=pk)
    form = BankAccountForm(request.POST)
    if form.is_valid():
        try:
            services.add_bank_account(supplier=supplier, actor=staff_user(request), **form.cleaned_data)
        except ExpenseError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("IBAN enregistré, en attente de vérification par une autre personne : il ne paie rien d'ici là."),
            )
    else:
        messages.error(request, _("Indiquez l'IBAN."))
    return redirect("backoffice:expenses_supplier_detail", pk=supplier.pk)


def _bank_account(pk: int) -> SupplierBankAccount:
    account = SupplierBankAccount.objects.select_related("supplier").filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


@require_POST
@staff_required(can=Can.ENTER_INVOICES)
def bank_account_verify(request: HttpRequest, pk: int) -> HttpResponse:
    account = _bank_account(pk)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Décrivez la vérification faite."))
    else:
        try:
            services.verify_bank_account(
                bank_account=account, evidence=form.cleaned_data["evidence"], actor=staff_user(request)
            )
        except ExpenseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("IBAN vérifié : il remplace le précédent pour les paiements."))
    return redirect("backoffice:expenses_supplier_detail", pk=account.supplier_id)


@require_POST
@staff_required(can=Can.ENTER_INVOICES)
def bank_account_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    account = _bank_account(pk)
    try:
        services.revoke_bank_account(bank_account=account, actor=staff_user(request))
    except ExpenseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("IBAN révoqué."))
    return redirect("backoffice:expenses_supplier_detail", pk=account.supplier_id)


@require_POST
@staff_required(can=Can.ENTER_INVOICES)
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(Supplier.objects.all(), pk=pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez au moins le nom du contact (et un e-mail valide s'il y en a un)."))
    else:
        try:
            services.add_contact(supplier=supplier, actor=staff_user(request), **form.cleaned_data)
        except ExpenseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Contact ajouté."))
    return redirect("backoffice:expenses_supplier_detail", pk=supplier.pk)
