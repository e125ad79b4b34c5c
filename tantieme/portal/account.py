"""« Mon compte copropriétaire »: balance, statement searchable by date, print (PDF), CSV, transfer details."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tantieme.closing.queries import draft_regularisation
from tantieme.condominiums.models import CoOwner
from tantieme.condominiums.queries import co_owner_accounts_for_user
from tantieme.core.money import ZERO
from tantieme.ledger.renderers import render_statement_csv, render_statement_pdf
from tantieme.ledger.statement_search import StatementSearchForm, searched_statement, statement_rows
from tantieme.ledger.statements import Statement
from tantieme.payments.queries import pending_card_payments
from tantieme.portal.views import co_owner_required


def selected_account(request: HttpRequest) -> tuple[CoOwner, list[CoOwner]]:
    """The account chosen with `?compte=<id>` (a 404 if it is not the user's), else the first one."""
    assert request.user.pk is not None
    accounts = list(co_owner_accounts_for_user(request.user.pk))
    if not accounts:
        raise Http404
    wanted = request.GET.get("compte")
    if wanted is None:
        return accounts[0], accounts
    for account in accounts:
        if str(account.pk) == wanted:
            return account, accounts
    raise Http404


def _statement(request: HttpRequest) -> tuple[CoOwner, list[CoOwner], StatementSearchForm, Statement]:
    # The same search as the back office's co-owner file (`ledger.statement_search`): one query, two pages.
    account, accounts = selected_account(request)
    form, statement = searched_statement(account, request.GET, today=timezone.localdate())
    return account, accounts, form, statement


@co_owner_required
def account(request: HttpRequest) -> HttpResponse:
    account, accounts, form, statement = _statement(request)
    current_balance = statement.balance_on_date or ZERO
    context = {
        "menu": "account",
        "account": account,
        "accounts": accounts,
        "form": form,
        "statement": statement,
        "balance": current_balance,
        "balance_abs": abs(current_balance),
        "query": request.GET.urlencode(),
        "pending_payments": list(pending_card_payments(account)),
        "rows": statement_rows(statement),
        "draft": draft_regularisation(account),
    }
    return render(request, "portal/account.html", context)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _filename(statement: Statement, extension: str) -> str:
    return f"releve-{statement.co_owner.reference}-{statement.start:%Y%m%d}-{statement.end:%Y%m%d}.{extension}"


@co_owner_required
def statement_pdf(request: HttpRequest) -> HttpResponse:
    _account, _accounts, _form, statement = _statement(request)
    return _attachment(render_statement_pdf(statement), "application/pdf", _filename(statement, "pdf"))


@co_owner_required
def statement_csv(request: HttpRequest) -> HttpResponse:
    _account, _accounts, _form, statement = _statement(request)
    return _attachment(render_statement_csv(statement), "text/csv; charset=utf-8", _filename(statement, "csv"))
