"""« Comptabilité »: lettering of co-owner sub-accounts and of general accounts (401, 472, 5128…).

The co-owners' list is paginated like every list (a condominium may have 15,000 co-owners): each
co-owner's balance is a correlated subquery in the same query as the page (on the lines' index
(co_owner, date)), so only the page's co-owners are summed, and sorting or filtering on the balance
happens in the database."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tantieme.backoffice.accounting.base import (
    Books,
    books_for,
    render_page,
)
from tantieme.backoffice.condominium_file.forms import CoOwnerFilterForm
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can
from tantieme.backoffice.views import staff_required
from tantieme.condominiums.models import CoOwner
from tantieme.core.references import InvalidReferenceError, parse_reference
from tantieme.ledger import services
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.lettering import (
    account_letterings,
    account_open_lines,
    letterable_accounts,
    letterings_of,
    open_lines,
)
from tantieme.ledger.models import MONEY_OUTPUT, ZERO, Account, Lettering, Line, cents

# --- Lettering ------------------------------------------------------------------------------------


def _ticked(request: HttpRequest) -> set[int]:
    return {int(value) for value in request.POST.getlist("line") if value.isdigit()}


def _letter(request: HttpRequest, lines: list[Line], ticked: set[int], refusal: str) -> None:
    """Letter the ticked lines (all found in the account of the page, at least two), with a message."""
    try:
        if len(lines) != len(ticked) or len(lines) < 2:
            raise LedgerError(refusal)
        lettering = services.letter_lines(lines=lines, on=timezone.localdate(), actor=request.user)
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Lettrage %(code)s enregistré.") % {"code": lettering.code})


def _unletter(request: HttpRequest, lettering: Lettering) -> None:
    code = lettering.code
    try:
        services.unletter(lettering=lettering, actor=request.user)
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Lettrage %(code)s supprimé : ses lignes sont de nouveau ouvertes.") % {"code": code}
        )


def _balance() -> Coalesce:
    """All the co-owner's lines, whatever their date (as `ledger.queries.co_owner_balances`)."""
    total = (
        Line.objects.filter(co_owner=OuterRef("pk"))
        .order_by()
        .values("co_owner")
        .annotate(total=Sum(F("debit") - F("credit"), output_field=MONEY_OUTPUT))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY_OUTPUT), Value(ZERO), output_field=DecimalField())


LETTERING_COLUMNS = (
    Column("reference", gettext_lazy("Référence"), lambda c: c.reference_display, order_by="reference"),
    Column("name", gettext_lazy("Nom"), lambda c: c.display_name, order_by="last_name"),
    Column("balance", gettext_lazy("Solde"), lambda c: cents(c.balance), order_by="balance", numeric=True),
)


@require_GET
@staff_required
def accounting_lettering(request: HttpRequest, pk: int) -> HttpResponse:
    books = books_for(request, pk)
    form = CoOwnerFilterForm(request.GET or None)
    co_owners = (
        CoOwner.objects.filter(condominium=books.condominium)
        .only("pk", "reference", "civility", "last_name", "first_name", "condominium_id")
        .annotate(balance=_balance())
    )
    if form.is_valid():
        if form.cleaned_data["debtors"]:
            co_owners = co_owners.filter(balance__gt=0)
        text = form.cleaned_data["q"].strip()
        if text:
            wanted = Q(last_name__icontains=text) | Q(first_name__icontains=text)
            with contextlib.suppress(InvalidReferenceError):  # not a reference: names only
                wanted |= Q(reference=parse_reference(text))
            co_owners = co_owners.filter(wanted)
    if wants_export(request):
        return export_listing(
            request,
            co_owners,
            LETTERING_COLUMNS,
            title=_("Lettrage %(code)s") % {"code": books.condominium.code},
            filename=f"lettrage-{books.condominium.code}",
        )
    listing = build_listing(request, co_owners, LETTERING_COLUMNS, default_sort="reference")
    rows: list[dict[str, Any]] = [
        {"co_owner": co_owner, "balance": cents(co_owner.balance)} for co_owner in listing.page
    ]
    return render_page(
        request,
        "lettering.html",
        books,
        "lettering",
        form=form,
        listing=listing,
        rows=rows,
        accounts=letterable_accounts(books.condominium.pk),
    )


def _co_owner_for(books: Books, co_owner_pk: int) -> CoOwner:
    return get_object_or_404(CoOwner, pk=co_owner_pk, condominium=books.condominium)


@require_GET
@staff_required
def accounting_lettering_co_owner(request: HttpRequest, pk: int, co_owner_pk: int) -> HttpResponse:
    books = books_for(request, pk)
    co_owner = _co_owner_for(books, co_owner_pk)
    return render_page(
        request,
        "lettering_co_owner.html",
        books,
        "lettering",
        co_owner=co_owner,
        sub_accounts=open_lines(co_owner),
        letterings=letterings_of(co_owner),
    )


def _back_to_lettering(books: Books, co_owner: CoOwner) -> HttpResponse:
    url = reverse("backoffice:accounting_lettering_co_owner", args=[books.condominium.pk, co_owner.pk])
    return redirect(f"{url}?{books.year_query}" if books.year_query else url)


@require_POST
@staff_required(can=Can.POST_ENTRIES)
def accounting_letter(request: HttpRequest, pk: int, co_owner_pk: int) -> HttpResponse:
    books = books_for(request, pk)
    co_owner = _co_owner_for(books, co_owner_pk)
    ids = _ticked(request)
    lines = list(Line.objects.filter(pk__in=ids, co_owner=co_owner))
    _letter(request, lines, ids, _("Cochez au moins un débit et un crédit du même sous-compte."))
    return _back_to_lettering(books, co_owner)


@require_POST
@staff_required(can=Can.POST_ENTRIES)
def accounting_letter_auto(request: HttpRequest, pk: int, co_owner_pk: int) -> HttpResponse:
    books = books_for(request, pk)
    co_owner = _co_owner_for(books, co_owner_pk)
    try:
        letterings = services.letter_open_items(co_owner=co_owner, on=timezone.localdate(), actor=request.user)
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        if letterings:
            codes = ", ".join(lettering.code for lettering in letterings)
            messages.success(request, _("Lettrages enregistrés : %(codes)s.") % {"codes": codes})
        else:
            messages.warning(request, _("Rien à lettrer automatiquement."))
    return _back_to_lettering(books, co_owner)


@require_POST
@staff_required(can=Can.POST_ENTRIES)
def accounting_unletter(request: HttpRequest, pk: int, co_owner_pk: int, lettering_pk: int) -> HttpResponse:
    books = books_for(request, pk)
    co_owner = _co_owner_for(books, co_owner_pk)
    lettering = get_object_or_404(Lettering, pk=lettering_pk, co_owner=co_owner)
    _unletter(request, lettering)
    return _back_to_lettering(books, co_owner)


# --- Lettering of general accounts (401, 472, 5128…) ----------------------------------------------


def _general_account_for(books: Books, number: str) -> Account:
    """A general account of the condominium; a co-owner account (lettered per co-owner) is a 404."""
    return get_object_or_404(Account, condominium=books.condominium, number=number, is_co_owner_account=False)


def _back_to_account(books: Books, account: Account) -> HttpResponse:
    url = reverse("backoffice:accounting_lettering_account", args=[books.condominium.pk, account.number])
    return redirect(f"{url}?{books.year_query}" if books.year_query else url)


@require_GET
@staff_required
def accounting_lettering_account(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    books = books_for(request, pk)
    account = _general_account_for(books, number)
    return render_page(
        request,
        "lettering_account.html",
        books,
        "lettering",
        account=account,
        open_lines=account_open_lines(account),
        letterings=account_letterings(account),
    )


@require_POST
@staff_required(can=Can.POST_ENTRIES)
def accounting_letter_account(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    books = books_for(request, pk)
    account = _general_account_for(books, number)
    ids = _ticked(request)
    lines = list(Line.objects.filter(pk__in=ids, account=account, co_owner__isnull=True))
    _letter(request, lines, ids, _("Cochez au moins un débit et un crédit de ce compte."))
    return _back_to_account(books, account)


@require_POST
@staff_required(can=Can.POST_ENTRIES)
def accounting_unletter_account(request: HttpRequest, pk: int, number: str, lettering_pk: int) -> HttpResponse:
    books = books_for(request, pk)
    account = _general_account_for(books, number)
    lettering = get_object_or_404(Lettering, pk=lettering_pk, account=account, co_owner__isnull=True)
    _unletter(request, lettering)
    return _back_to_account(books, account)
