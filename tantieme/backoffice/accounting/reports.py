"""« Comptabilité »: the trial balance (balance générale) and the general ledger (grand livre),
on screen and as CSV (streamed), XLSX and PDF."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tantieme.backoffice.accounting.base import (
    PAGE_SIZE,
    books_for,
    export_response,
    render_page,
    year_or_404,
)
from tantieme.backoffice.views import staff_required
from tantieme.core.money import ZERO
from tantieme.ledger import exports, reports
from tantieme.ledger.models import Account, Line, cents

# --- Trial balance and general ledger -----------------------------------------------------------


@require_GET
@staff_required
def accounting_trial_balance(request: HttpRequest, pk: int) -> HttpResponse:
    books = books_for(request, pk)
    rows = reports.trial_balance(books.year) if books.year else []
    return render_page(
        request,
        "trial_balance.html",
        books,
        "trial_balance",
        rows=rows,
        totals=reports.trial_balance_totals(rows),
    )


@require_GET
@staff_required
def accounting_trial_balance_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    books = books_for(request, pk)
    year = year_or_404(books)
    rows = reports.trial_balance(year)
    title = _("Balance générale — %(condominium)s — exercice %(year)s") % {
        "condominium": books.condominium.code,
        "year": year,
    }
    table = exports.trial_balance_table(rows, reports.trial_balance_totals(rows), title=title)
    return export_response(
        request,
        books,
        table,
        fmt,
        f"balance-{books.condominium.code}-{year.label}",
        back="backoffice:accounting_trial_balance",
    )


def _account_prefix(request: HttpRequest) -> str:
    prefix = request.GET.get("compte", "").strip()
    return prefix if prefix.isdigit() and len(prefix) <= 10 else ""


@require_GET
@staff_required
def accounting_general_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    books = books_for(request, pk)
    number = _account_prefix(request)
    account = Account.objects.filter(condominium=books.condominium, number=number).first() if number else None
    query: dict[str, str | int] = {"exercice": books.year.pk} if books.year else {}
    context: dict[str, Any] = {
        "account": account,
        "prefix": number,
        "export_query": urlencode({**query, "compte": number} if number else query),
    }
    if books.year is not None and account is not None:
        start = books.year.start_date
        opening = reports.account_opening(books.year, account)
        page = Paginator(reports.account_lines(books.year, account), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [(line, cents(opening + cents(getattr(line, "running", ZERO)))) for line in page]
        totals = Line.objects.filter(account=account, date__gte=start, date__lte=books.year.end_date).aggregate(
            debit=Sum("debit"), credit=Sum("credit")
        )
        debit, credit = cents(totals["debit"]), cents(totals["credit"])
        context.update(
            page=page,
            rows=rows,
            opening=opening,
            total_debit=debit,
            total_credit=credit,
            closing=opening + debit - credit,
        )
    elif books.year is not None:
        context["accounts"] = reports.trial_balance(books.year, account_prefix=number)
    return render_page(request, "general_ledger.html", books, "general_ledger", **context)


@require_GET
@staff_required
def accounting_general_ledger_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    books = books_for(request, pk)
    year = year_or_404(books)
    prefix = _account_prefix(request)
    title = _("Grand livre — %(condominium)s — exercice %(year)s") % {
        "condominium": books.condominium.code,
        "year": year,
    }
    if prefix:
        title += " — " + _("comptes %(prefix)s") % {"prefix": prefix}
    table = exports.general_ledger_table(reports.stream_general_ledger(year, account_prefix=prefix), title=title)
    suffix = f"-{prefix}" if prefix else ""
    filename = f"grand-livre-{books.condominium.code}-{year.label}{suffix}"
    return export_response(request, books, table, fmt, filename, back="backoffice:accounting_general_ledger")
