"""« Mon compte copropriétaire »: what is owed, statement searchable by date, print (PDF), CSV,
the why of each call and régularisation (`?detail=<entry code>`), a chart, transfer details."""

from __future__ import annotations

from html import escape
from typing import Any, NamedTuple
from urllib.parse import quote

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tantieme.closing.queries import draft_regularisation
from tantieme.condominiums.models import CoOwner
from tantieme.condominiums.queries import co_owner_accounts_for_user
from tantieme.ledger.renderers import render_statement_csv, render_statement_pdf
from tantieme.ledger.statement_search import (
    DATE_INPUTS,
    StatementSearchForm,
    default_period,
    searched_statement,
    statement_rows,
)
from tantieme.ledger.statements import Statement
from tantieme.portal.chart import account_chart
from tantieme.portal.owed import balance_text, owed_figures
from tantieme.portal.views import co_owner_required
from tantieme.portal.why import EXPLAINED_JOURNALS, explain


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


class NativeDateInput(forms.DateInput):
    """The browser's date picker (`type="date"`, whose value is always YYYY-MM-DD), whatever the
    search was typed as: the form accepts 26/11/2026 and 2026-11-26 alike (`DATE_INPUTS`)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str):
            try:
                day = forms.DateField(input_formats=DATE_INPUTS).to_python(value)
            except forms.ValidationError:
                return None
            return day.isoformat() if day else None
        return super().format_value(value)


def _statement(request: HttpRequest) -> tuple[CoOwner, list[CoOwner], StatementSearchForm, Statement]:
    # The same search as the back office's co-owner file (`ledger.statement_search`): one query, two pages.
    account, accounts = selected_account(request)
    form, statement = searched_statement(account, request.GET, today=timezone.localdate())
    return account, accounts, form, statement


class Row(NamedTuple):
    date: str
    label: str
    debit: str
    credit: str
    balance: str  # "1 210,77 €" owed, "450,00 € créditeur" in the co-owner's favour
    in_credit: bool
    detail: str  # the entry code when « D'où vient ce montant ? » can explain the line, else ""


def portal_rows(statement: Statement, shared: list[tuple[str, str, str, str, str]]) -> list[Row]:
    """The statement's lines as the portal shows them: the back office's formatting
    (`statement_rows`, one pass over hundreds of rows), with credits written « 450,00 € créditeur »
    and the entry code of the lines « D'où vient ce montant ? » explains."""
    language = translation.get_language()
    return [
        Row(
            date,
            label,
            debit,
            credit,
            balance if line.balance >= 0 else balance_text(line.balance, language),
            line.balance < 0,
            line.entry_code if line.journal_code in EXPLAINED_JOURNALS and line.debit + line.credit else "",
        )
        for (date, label, debit, credit, balance), line in zip(shared, statement.lines, strict=True)
    ]


_ROW = (
    '<tr><td data-label="{date_label}">{date}</td><td class="statement__label">{label}{why}</td>'
    '<td class="num" data-label="{debit_label}">{debit}</td>'
    '<td class="num" data-label="{credit_label}">{credit}</td>'
    '<td class="{balance_class}" data-label="{balance_label}">{balance}</td></tr>'
)
_WHY = (
    ' <a class="statement__why" href="?compte={account}&amp;detail={code}">{text}'
    '<span class="visually-hidden"> ({date}, {amount})</span></a>'
)


def statement_body(rows: list[Row], account_id: int) -> SafeString:
    """The statement's rows as HTML, in one pass: a 15-year statement has hundreds of rows, and the
    template engine's per-node cost (five cells with their column names for the phone layout, the
    « D'où vient ce montant ? » link) was most of the page's time. Every value is escaped (the
    standard library's `html.escape`, quotes included: Django's lazy-aware `format_html` cost
    more than the rest of the page)."""
    labels = {
        "date_label": escape(_("Date")),
        "debit_label": escape(_("Débit")),
        "credit_label": escape(_("Crédit")),
        "balance_label": escape(_("Solde")),
    }
    why_text = escape(_("D'où vient ce montant ?"))
    html = []
    for row in rows:
        why = (
            _WHY.format(
                account=account_id,
                code=escape(quote(row.detail)),
                text=why_text,
                date=escape(row.date),
                amount=escape(row.debit or row.credit),
            )
            if row.detail
            else ""
        )
        html.append(
            _ROW.format(
                date=escape(row.date),
                label=escape(row.label),
                why=why,
                debit=escape(row.debit),
                credit=escape(row.credit),
                balance=escape(row.balance),
                balance_class="num is-credit" if row.in_credit else "num",
                **labels,
            )
        )
    return mark_safe("".join(html))  # noqa: S308 (every value above is escaped)


@co_owner_required
def account(request: HttpRequest) -> HttpResponse:
    if request.GET.get("detail"):
        return account_detail(request)
    account, accounts, form, statement = _statement(request)
    for name in ("start", "end"):
        form.fields[name].widget = NativeDateInput()
    today = timezone.localdate()
    owed = owed_figures([account], today, balances={account.pk: statement.balance_on_date})[account.pk]
    year = default_period(account.condominium, today)
    rows = statement_rows(statement)
    context = {
        "menu": "account",
        "account": account,
        "accounts": accounts,
        "form": form,
        "statement": statement,
        "owed": owed,
        "balance": owed.balance,
        "opening_balance": balance_text(statement.opening_balance),
        "closing_balance": balance_text(statement.closing_balance),
        "query": request.GET.urlencode(),
        # `rows`: exactly the back office's rows (the co-owner file shows the same statement).
        "rows": rows,
        "statement_body": statement_body(portal_rows(statement, rows), account.pk),
        "draft": draft_regularisation(account),
        "chart": account_chart(account, today, year.start, year.end),
    }
    return render(request, "portal/account.html", context)


def account_detail(request: HttpRequest) -> HttpResponse:
    """« D'où vient ce montant ? » for one line of the statement; another owner's line is a 404."""
    account, accounts = selected_account(request)
    explanation = explain(account, request.GET.get("detail", "")[:40])
    if explanation is None:
        raise Http404
    back = {key: value for key, value in request.GET.items() if key != "detail"}
    context = {"menu": "account", "account": account, "accounts": accounts, "why": explanation, "back": back}
    return render(request, "portal/account_detail.html", context)


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
