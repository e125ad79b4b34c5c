"""Back office « Ventes »: the sale of a lot, from the notary's request to the closed file.

Every staff member reads the files of their portfolio; the roles holding `Can.SELL_LOTS` open a
file, send the pre-sale information, issue the état daté, record the mutation (the buyer is then
invited to the extranet) and close the file. A sale outside the portfolio, or of another firm, is
a 404. The rules are in `tantieme.sales` (docs/sales.md); the views only read forms and answer.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tantieme.backoffice.access import AccessError, give_access
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, check_in_portfolio, portfolio_condominium, portfolio_condominiums
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import CoOwner
from tantieme.core.money import AmountError, parse_amount
from tantieme.core.references import InvalidReferenceError, parse_reference
from tantieme.sales.enums import SaleStatus
from tantieme.sales.exceptions import SaleError
from tantieme.sales.figures import SaleFigures, from_json
from tantieme.sales.models import FEE_CAP, Sale
from tantieme.sales.renderers import render_information_pdf, render_opposition_pdf, render_statement_pdf
from tantieme.sales.services import (
    BuyerData,
    close_sale,
    figures_for,
    issue_statement,
    open_sale,
    opposition_figures,
    record_mutation,
    record_opposition,
    send_pre_sale_information,
)
from tantieme.users.letters import render_welcome_letters

MENU = "sales"
_DATE_INPUT = {"input_formats": ["%Y-%m-%d", "%d/%m/%Y"]}


def _date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **_DATE_INPUT,  # type: ignore[arg-type]
    )


# --- Forms ---------------------------------------------------------------------------------------


class SaleRequestForm(forms.Form):
    seller_reference = forms.CharField(
        label=gettext_lazy("Référence du vendeur"), max_length=20, help_text=gettext_lazy("Par exemple A 606 0001.")
    )
    lot_numbers = forms.CharField(
        label=gettext_lazy("Lots vendus"), max_length=200, help_text=gettext_lazy("Numéros séparés par des virgules.")
    )
    requested_on = _date_field(gettext_lazy("Date de la demande du notaire"))
    notary_name = forms.CharField(label=gettext_lazy("Notaire"), max_length=150)
    notary_office = forms.CharField(label=gettext_lazy("Office notarial"), max_length=150, required=False)
    notary_email = forms.EmailField(label=gettext_lazy("E-mail du notaire"), required=False)
    notary_address = forms.CharField(
        label=gettext_lazy("Adresse de l'office"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    planned_date = _date_field(gettext_lazy("Date prévue de la vente"), required=False)
    buyer_name = forms.CharField(label=gettext_lazy("Acquéreur pressenti"), max_length=200, required=False)

    def clean_seller_reference(self) -> str:
        try:
            return parse_reference(self.cleaned_data["seller_reference"])
        except InvalidReferenceError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_lot_numbers(self) -> list[int]:
        parts = [part for part in re.split(r"[\s,;]+", self.cleaned_data["lot_numbers"]) if part]
        if not parts or not all(part.isdigit() for part in parts):
            raise forms.ValidationError(_("Indiquez des numéros de lots, par exemple « 12, 14 »."))
        return [int(part) for part in parts]


class StatementForm(forms.Form):
    fee = forms.CharField(
        label=gettext_lazy("Honoraires de l'état daté (TTC)"),
        max_length=20,
        help_text=gettext_lazy("Au plus 380,00 € TTC (décret n° 2020-153), à la charge du vendeur."),
    )

    def clean_fee(self) -> Any:
        try:
            return parse_amount(self.cleaned_data["fee"])
        except AmountError as error:
            raise forms.ValidationError(str(error)) from None


class MutationForm(forms.Form):
    notification_date = _date_field(gettext_lazy("Date de notification de la mutation au syndic"))
    buyer_reference = forms.CharField(
        label=gettext_lazy("Acquéreur déjà copropriétaire : sa référence"), max_length=20, required=False
    )
    civility = forms.CharField(label=gettext_lazy("Civilité"), max_length=30, required=False)
    last_name = forms.CharField(label=gettext_lazy("Nom ou raison sociale"), max_length=150, required=False)
    first_name = forms.CharField(label=gettext_lazy("Prénom"), max_length=100, required=False)
    address_line1 = forms.CharField(label=gettext_lazy("Adresse"), max_length=200, required=False)
    address_line2 = forms.CharField(label=gettext_lazy("Complément d'adresse"), max_length=200, required=False)
    postal_code = forms.CharField(label=gettext_lazy("Code postal"), max_length=10, required=False)
    city = forms.CharField(label=gettext_lazy("Ville"), max_length=100, required=False)
    email = forms.EmailField(label=gettext_lazy("Adresse e-mail"), required=False)
    phone = forms.CharField(label=gettext_lazy("Téléphone"), max_length=30, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reference = (data.get("buyer_reference") or "").strip()
        if reference:
            try:
                data["buyer_reference"] = parse_reference(reference)
            except InvalidReferenceError as error:
                self.add_error("buyer_reference", str(error))
        elif not data.get("last_name"):
            raise forms.ValidationError(
                _("Indiquez la référence d'un copropriétaire, ou le nom et l'adresse d'un nouvel acquéreur.")
            )
        return data

    def new_buyer(self) -> BuyerData:
        data = self.cleaned_data
        return BuyerData(
            civility=data["civility"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            address_line1=data["address_line1"],
            address_line2=data["address_line2"],
            postal_code=data["postal_code"],
            city=data["city"],
            email=data["email"],
            phone=data["phone"],
        )


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("État"), choices=[("", gettext_lazy("Tous")), *SaleStatus.choices], required=False
    )
    condominium = forms.TypedChoiceField(
        label=gettext_lazy("Copropriété"), coerce=int, empty_value=None, required=False
    )


# --- Helpers -------------------------------------------------------------------------------------


def _sale_for(request: HttpRequest, pk: int) -> Sale:
    """Sale `pk` of the firm in scope, in the staff member's portfolio; any other is a 404."""
    sale = get_object_or_404(Sale.objects.select_related("condominium__firm", "seller", "buyer"), pk=pk)
    check_in_portfolio(request, sale.condominium_id)
    return sale


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stored(data: Any) -> SaleFigures | None:
    return from_json(data) if data else None


# --- Pages ---------------------------------------------------------------------------------------


def _columns() -> tuple[Column, ...]:
    return (
        Column("number", _("Dossier"), lambda sale: sale.pk, order_by="pk"),
        Column("condominium", _("Copropriété"), lambda sale: sale.condominium.code, order_by="condominium__code"),
        Column(
            "seller",
            _("Vendeur"),
            lambda sale: f"{sale.seller.reference_display} {sale.seller.display_name}",
            order_by="seller__reference",
        ),
        Column("lots", _("Lots"), lambda sale: ", ".join(str(lot.number) for lot in sale.lots.all())),
        Column("notary", _("Notaire"), lambda sale: sale.notary_name, order_by="notary_name"),
        Column("requested_on", _("Demande"), lambda sale: sale.requested_on, order_by="requested_on"),
        Column("status", _("État"), lambda sale: sale.get_status_display(), order_by="status"),
        Column("mutation_date", _("Mutation"), lambda sale: sale.mutation_date, order_by="mutation_date"),
    )


@require_GET
@staff_required
def sale_list(request: HttpRequest) -> HttpResponse:
    condominiums = list(portfolio_condominiums(staff_user(request)))
    form = FilterForm(request.GET or None)
    form.fields["condominium"].choices = [("", _("Toutes"))] + [  # type: ignore[attr-defined]
        (condominium.pk, str(condominium)) for condominium in condominiums
    ]
    sales = (
        Sale.objects.filter(condominium__in=[condominium.pk for condominium in condominiums])
        .select_related("condominium", "seller")
        .prefetch_related("lots")
    )
    if form.is_valid():
        if form.cleaned_data["status"]:
            sales = sales.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["condominium"]:
            sales = sales.filter(condominium_id=form.cleaned_data["condominium"])
    if wants_export(request):
        return export_listing(request, sales, _columns(), title=_("Ventes de lots"), filename="ventes")
    listing = build_listing(request, sales, _columns(), default_sort="requested_on", default_descending=True)
    return render(
        request,
        "backoffice/sales/list.html",
        {"listing": listing, "form": form, "condominiums": condominiums, "menu": MENU},
    )


@staff_required(can=Can.SELL_LOTS)
def sale_new(request: HttpRequest) -> HttpResponse:
    """The notary's request: choose the condominium (GET ?copropriete=), then the form."""
    raw = request.GET.get("copropriete") or request.POST.get("copropriete") or ""
    if not raw.isdigit():
        condominiums = list(portfolio_condominiums(staff_user(request)))
        return render(request, "backoffice/sales/choose.html", {"condominiums": condominiums, "menu": MENU})
    condominium = portfolio_condominium(request, int(raw))
    # From the co-owner's file: the seller's reference (and lots) already filled in.
    initial = {
        "requested_on": timezone.localdate(),
        "seller_reference": request.GET.get("vendeur", "")[:20],
        "lot_numbers": request.GET.get("lots", "")[:200],
    }
    form = SaleRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        seller = CoOwner.objects.filter(condominium=condominium, reference=data["seller_reference"]).first()
        if seller is None:
            form.add_error("seller_reference", _("Aucun copropriétaire de cette copropriété n'a cette référence."))
        else:
            try:
                sale = open_sale(
                    condominium=condominium,
                    seller=seller,
                    lot_numbers=data["lot_numbers"],
                    requested_on=data["requested_on"],
                    notary_name=data["notary_name"],
                    notary_office=data["notary_office"],
                    notary_email=data["notary_email"],
                    notary_address=data["notary_address"],
                    planned_date=data["planned_date"],
                    buyer_name=data["buyer_name"],
                    actor=staff_user(request),
                )
            except SaleError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Dossier de vente n° %(number)s ouvert.") % {"number": sale.pk})
                return redirect("backoffice:sale_detail", pk=sale.pk)
    return render(request, "backoffice/sales/new.html", {"condominium": condominium, "form": form, "menu": MENU})


@require_GET
@staff_required
def sale_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sale = _sale_for(request, pk)
    statement = _stored(sale.statement)
    information = _stored(sale.information)
    today = timezone.localdate()
    return render(
        request,
        "backoffice/sales/detail.html",
        {
            "sale": sale,
            "lots": list(sale.lots.select_related("building").order_by("number")),
            "statement": statement,
            "information": information,
            "statement_form": StatementForm(initial={"fee": ""}),
            "mutation_form": MutationForm(initial={"notification_date": today}),
            "fee_cap": FEE_CAP,
            "statuses": SaleStatus,
            "menu": MENU,
        },
    )


def _refused(request: HttpRequest, sale: Sale, error: Exception) -> HttpResponse:
    messages.error(request, str(error))
    return redirect("backoffice:sale_detail", pk=sale.pk)


@require_POST
@staff_required(can=Can.SELL_LOTS)
def sale_send_information(request: HttpRequest, pk: int) -> HttpResponse:
    sale = _sale_for(request, pk)
    try:
        send_pre_sale_information(sale=sale, actor=staff_user(request))
    except SaleError as error:
        return _refused(request, sale, error)
    messages.success(request, _("Informations pré-état daté enregistrées comme envoyées."))
    return redirect("backoffice:sale_detail", pk=sale.pk)


@require_GET
@staff_required
def sale_information_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The pre-sale information: as sent, or a preview from the books until then."""
    sale = _sale_for(request, pk)
    figures = _stored(sale.information) or figures_for(sale)
    content = render_information_pdf(figures, firm=sale.condominium.firm, sent_on=sale.information_sent_on)
    return _pdf(content, f"informations-vente-{sale.pk}.pdf")


@require_POST
@staff_required(can=Can.SELL_LOTS)
def sale_issue_statement(request: HttpRequest, pk: int) -> HttpResponse:
    sale = _sale_for(request, pk)
    form = StatementForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            sale,
            SaleError(" ".join(str(error) for error in form.errors.get("fee") or [_("Montant invalide.")])),
        )
    try:
        issue_statement(sale=sale, fee=form.cleaned_data["fee"], actor=staff_user(request))
    except SaleError as error:
        return _refused(request, sale, error)
    messages.success(request, _("État daté délivré ; les honoraires sont portés au compte du vendeur."))
    return redirect("backoffice:sale_detail", pk=sale.pk)


@require_GET
@staff_required
def sale_statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    sale = _sale_for(request, pk)
    figures = _stored(sale.statement)
    if figures is None:
        messages.error(request, _("L'état daté n'est pas encore délivré."))
        return redirect("backoffice:sale_detail", pk=sale.pk)
    content = render_statement_pdf(
        figures, firm=sale.condominium.firm, fee=sale.fee, issued_on=sale.statement_issued_on
    )
    return _pdf(content, f"etat-date-{sale.pk}.pdf")


@require_POST
@staff_required(can=Can.SELL_LOTS)
def sale_mutation(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the mutation; a buyer without extranet access is invited (e-mail) or gets a letter."""
    sale = _sale_for(request, pk)
    form = MutationForm(request.POST)
    if not form.is_valid():
        errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
        return _refused(request, sale, SaleError(" ".join(errors)))
    data = form.cleaned_data
    buyer = None
    if data["buyer_reference"]:
        buyer = CoOwner.objects.filter(condominium_id=sale.condominium_id, reference=data["buyer_reference"]).first()
        if buyer is None:
            return _refused(
                request, sale, SaleError(_("Aucun copropriétaire de cette copropriété n'a cette référence."))
            )
    letter = None
    try:
        with transaction.atomic():
            sale = record_mutation(
                sale=sale,
                notification_date=data["notification_date"],
                buyer=buyer,
                new_buyer=None if buyer is not None else form.new_buyer(),
                actor=staff_user(request),
            )
            assert sale.buyer is not None
            if not sale.buyer.users.exists():
                try:
                    outcome = give_access(co_owner=sale.buyer, request=request)
                except AccessError as error:
                    messages.warning(request, str(error))
                else:
                    letter = outcome.letter
                    if letter is None:
                        messages.info(
                            request, _("Invitation à l'extranet envoyée à %(email)s.") % {"email": outcome.user.email}
                        )
    except SaleError as error:
        return _refused(request, sale, error)
    messages.success(
        request,
        _("Mutation enregistrée : %(buyer)s est propriétaire à compter du %(date)s.")
        % {
            "buyer": sale.buyer.display_name,
            "date": f"{sale.mutation_date + datetime.timedelta(days=1):%d/%m/%Y}" if sale.mutation_date else "",
        },
    )
    if letter is not None:
        firm = sale.condominium.firm
        content = render_welcome_letters(firm=firm, letters=[letter], today=timezone.localdate())
        response = _pdf(content, f"acces-{sale.buyer.reference}.pdf")
        response["Cache-Control"] = "no-store"
        return response
    return redirect("backoffice:sale_detail", pk=sale.pk)


@require_GET
@staff_required(can=Can.SELL_LOTS)
def sale_opposition_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The opposition letter (art. 20), when the seller owed something at the mutation date."""
    sale = _sale_for(request, pk)
    if sale.mutation_date is None:
        messages.error(request, _("La mutation n'est pas encore enregistrée."))
        return redirect("backoffice:sale_detail", pk=sale.pk)
    figures = opposition_figures(sale)
    if figures.seller_owes <= 0:
        messages.info(request, _("Le vendeur ne devait rien à la date de la mutation : pas d'opposition."))
        return redirect("backoffice:sale_detail", pk=sale.pk)
    record_opposition(sale=sale, figures=figures, actor=staff_user(request))
    content = render_opposition_pdf(
        figures,
        firm=sale.condominium.firm,
        notary_name=sale.notary_name,
        notary_office=sale.notary_office,
        notary_address=sale.notary_address,
        mutation_date=sale.mutation_date,
        today=timezone.localdate(),
    )
    return _pdf(content, f"opposition-{sale.pk}.pdf")


@require_POST
@staff_required(can=Can.SELL_LOTS)
def sale_close(request: HttpRequest, pk: int) -> HttpResponse:
    sale = _sale_for(request, pk)
    try:
        close_sale(sale=sale, actor=staff_user(request))
    except SaleError as error:
        return _refused(request, sale, error)
    messages.success(request, _("Dossier de vente clos."))
    return redirect("backoffice:sale_detail", pk=sale.pk)
