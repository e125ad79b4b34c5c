"""Identité (with its edit form) and Comptes bancaires."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tantieme.backoffice.condominium_file.base import add_errors, condominium_for, page
from tantieme.backoffice.condominium_file.forms import IdentityForm
from tantieme.backoffice.policy import Can
from tantieme.backoffice.views import staff_required
from tantieme.banking.models import StatementImport
from tantieme.condominiums import editing
from tantieme.condominiums.models import Building, CoOwner, Lot
from tantieme.ledger.enums import JournalKind
from tantieme.ledger.models import MONEY_OUTPUT, Journal, Line, cents


@require_GET
@staff_required(can=Can.VIEW)
def condominium_file(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    counts = {
        "buildings": Building.objects.filter(condominium=condominium).count(),
        "lots": Lot.objects.filter(condominium=condominium).count(),
        "co_owners": CoOwner.objects.filter(condominium=condominium).count(),
    }
    return page(request, "identity.html", condominium, "file", counts=counts)


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.EDIT_FILES)
def condominium_identity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    form = IdentityForm(request.POST or None, instance=condominium)
    if request.method == "POST" and form.is_valid():
        try:
            editing.update_identity(condominium=condominium, values=form.cleaned_data, request=request)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("L'identité de la copropriété est enregistrée."))
            return redirect("backoffice:condominium_file", pk=condominium.pk)
    return page(
        request,
        "form.html",
        condominium,
        "file",
        form=form,
        title=_("Modifier l'identité et la banque"),
        cancel_url="backoffice:condominium_file",
    )


@require_GET
@staff_required(can=Can.VIEW)
def condominium_bank(request: HttpRequest, pk: int) -> HttpResponse:
    """The account the co-owners pay to (IBAN, BIC), the bank journals and their 512 balances, the last statements."""
    condominium = condominium_for(request, pk)
    journals = list(
        Journal.objects.filter(condominium=condominium, kind=JournalKind.BANK)
        .select_related("bank_account")
        .order_by("code")
    )
    account_ids = [journal.bank_account_id for journal in journals if journal.bank_account_id]
    balances = {
        row["account_id"]: cents(row["total"])
        for row in Line.objects.filter(condominium=condominium, account_id__in=account_ids)
        .values("account_id")
        .annotate(total=Sum(F("debit") - F("credit"), output_field=MONEY_OUTPUT))
        .order_by()
    }
    rows = [(journal, balances.get(journal.bank_account_id or 0)) for journal in journals]
    statements = list(StatementImport.objects.filter(condominium=condominium).order_by("-pk")[:10])
    return page(request, "bank.html", condominium, "bank", journals=rows, statements=statements)
