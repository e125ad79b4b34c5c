"""« Comptabilité »: lettering of co-owner sub-accounts and of general accounts (401, 472, 5128…)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tantieme.backoffice.accounting.base import (
    Books,
    books_for,
    render_page,
)
from tantieme.backoffice.policy import Can
from tantieme.backoffice.views import staff_required
from tantieme.condominiums.models import CoOwner
from tantieme.core.money import ZERO
from tantieme.ledger import services
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.lettering import (
    account_letterings,
    account_open_lines,
    letterable_accounts,
    letterings_of,
    open_lines,
)
from tantieme.ledger.models import Account, Lettering, Line
from tantieme.ledger.queries import co_owner_balances

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


@require_GET
@staff_required
def accounting_lettering(request: HttpRequest, pk: int) -> HttpResponse:
    books = books_for(request, pk)
    balances = co_owner_balances(books.condominium)
    co_owners = [
        (co_owner, balances.get(co_owner.pk, ZERO))
        for co_owner in CoOwner.objects.filter(condominium=books.condominium).order_by("reference")
    ]
    return render_page(
        request,
        "lettering.html",
        books,
        "lettering",
        co_owners=co_owners,
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
