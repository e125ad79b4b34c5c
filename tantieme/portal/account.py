"""« Mon compte copropriétaire »: balance, statement searchable by date, print (PDF), CSV, transfer details."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from tantieme.closing.queries import draft_regularisation
from tantieme.condominiums.models import CoOwner
from tantieme.condominiums.queries import co_owner_accounts_for_user
from tantieme.core.money import ZERO, format_amount
from tantieme.ledger.renderers import render_statement_csv, render_statement_pdf
from tantieme.ledger.statements import Statement, statement_for
from tantieme.payments.queries import pending_card_payments
from tantieme.portal.views import co_owner_required


class StatementSearchForm(forms.Form):
    start = forms.DateField(label=_("du"), input_formats=["%d/%m/%Y", "%Y-%m-%d"], required=False)
    end = forms.DateField(label=_("au"), input_formats=["%d/%m/%Y", "%Y-%m-%d"], required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
            raise forms.ValidationError(_("La date de fin précède la date de début."))
        return data


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date


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


def default_period(account: CoOwner, today: datetime.date) -> Period:
    """The current fiscal year of the account's condominium."""
    start = account.condominium.fiscal_year_start(today)
    end = datetime.date(start.year + 1, start.month, 1) - datetime.timedelta(days=1)
    return Period(start=start, end=end)


def _statement(request: HttpRequest) -> tuple[CoOwner, list[CoOwner], StatementSearchForm, Statement]:
    account, accounts = selected_account(request)
    period = default_period(account, timezone.localdate())
    form = StatementSearchForm(request.GET or None, initial={"start": period.start, "end": period.end})
    start, end = period.start, period.end
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or period.start
        end = form.cleaned_data["end"] or period.end
    return account, accounts, form, statement_for(account, start, end, balance_date=timezone.localdate())


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


def statement_rows(statement: Statement) -> list[tuple[str, str, str, str, str]]:
    """The statement's lines as display strings, formatted here in one pass: a 15-year statement has
    hundreds of rows, and four template filters a row cost more than the query that reads them."""
    language = translation.get_language()
    date_format = get_format("SHORT_DATE_FORMAT")

    def amount(value: Decimal) -> str:
        return format_amount(value, language=language) if value else ""

    return [
        (
            dateformat.format(line.date, date_format),
            line.label,
            amount(line.debit),
            amount(line.credit),
            format_amount(line.balance, language=language),
        )
        for line in statement.lines
    ]


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
