"""« Comptabilité »: the state of the bank reconciliation per bank journal (read-only)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from tantieme.backoffice.accounting.base import (
    LINES_SHOWN,
    books_for,
    render_page,
)
from tantieme.backoffice.views import staff_required
from tantieme.banking.enums import ImportState, LineStatus
from tantieme.banking.models import StatementImport, StatementLine
from tantieme.condominiums.models import Condominium
from tantieme.core.money import ZERO
from tantieme.ledger import chart
from tantieme.ledger.enums import JournalKind
from tantieme.ledger.models import Journal, Line, cents

# --- Bank reconciliation --------------------------------------------------------------------------


@dataclass
class BankState:
    journal: Journal
    book_balance: Decimal  # all lines of the bank account
    statement: StatementImport | None = None
    book_at_statement: Decimal = ZERO  # lines dated on or before the statement's closing date
    unposted_total: Decimal = ZERO
    book_only_total: Decimal = ZERO
    lines: list[StatementLine] = field(default_factory=list)
    unmatched_count: int = 0
    book_only: list[Line] = field(default_factory=list)
    book_only_count: int = 0

    @property
    def difference(self) -> Decimal | None:
        if self.statement is None or self.statement.closing_balance is None:
            return None
        difference: Decimal = self.statement.closing_balance - self.book_at_statement
        return difference

    @property
    def unexplained(self) -> Decimal | None:
        if self.difference is None:
            return None
        return self.difference - self.unposted_total + self.book_only_total


def _bank_states(condominium: Condominium) -> list[BankState]:
    """Per bank journal: the book balance of its 51x account and, for the account statements are
    imported into (512, the condominium's IBAN), the last statement's closing balance, the statement
    lines not reconciled and the bank lines of the books that no statement line carries."""
    journals = list(
        Journal.objects.filter(condominium=condominium, kind=JournalKind.BANK, bank_account__isnull=False)
        .select_related("bank_account")
        .order_by("code")
    )
    iban = condominium.iban.replace(" ", "").upper()
    last = (
        StatementImport.objects.filter(
            condominium=condominium, account_iban=iban, state=ImportState.DONE, closing_date__isnull=False
        )
        .order_by("-closing_date", "-pk")
        .first()
    )
    closing = last.closing_date if last is not None else None
    account_ids = [journal.bank_account_id for journal in journals if journal.bank_account_id is not None]
    balances = {
        row["account_id"]: row
        for row in Line.objects.filter(account_id__in=account_ids)
        .values("account_id")
        .annotate(
            total=Sum(F("debit") - F("credit")),
            at_statement=Sum(F("debit") - F("credit"), filter=Q(date__lte=closing or datetime.date.min)),
        )
        .order_by("account_id")
    }
    states = []
    for journal in journals:
        row = balances.get(journal.bank_account_id, {})
        state = BankState(journal=journal, book_balance=cents(row.get("total")))
        states.append(state)
        assert journal.bank_account is not None
        if last is None or closing is None or journal.bank_account.number != chart.BANK:
            continue
        state.statement = last
        state.book_at_statement = cents(row.get("at_statement"))
        statement_lines = StatementLine.objects.filter(condominium=condominium, account_iban=iban)
        # One aggregate for the unposted total and the unmatched count (the page stays within 15 queries).
        figures = statement_lines.aggregate(
            total=Sum("amount", filter=Q(booking_date__lte=closing, entry__isnull=True, resolution_entry__isnull=True)),
            unmatched=Count("pk", filter=~Q(status=LineStatus.MATCHED)),
        )
        state.unposted_total = cents(figures["total"])
        unmatched = statement_lines.exclude(status=LineStatus.MATCHED).order_by("booking_date", "pk")
        state.unmatched_count = figures["unmatched"]
        state.lines = list(unmatched[:LINES_SHOWN])
        first_day = Subquery(statement_lines.order_by("booking_date").values("booking_date")[:1])
        on_statements = Q(entry_id__in=statement_lines.filter(entry__isnull=False).values("entry_id")) | Q(
            entry_id__in=statement_lines.filter(resolution_entry__isnull=False).values("resolution_entry_id")
        )
        book_only = (
            Line.objects.filter(account=journal.bank_account, date__lte=closing, date__gte=first_day)
            .exclude(on_statements)
            .select_related("entry")
            .order_by("date", "entry_id", "position")
        )
        totals = book_only.aggregate(total=Sum(F("debit") - F("credit")), count=Count("pk"))
        state.book_only_total = cents(totals["total"])
        state.book_only_count = totals["count"]
        state.book_only = list(book_only[:LINES_SHOWN])
    return states


@require_GET
@staff_required
def accounting_reconciliation(request: HttpRequest, pk: int) -> HttpResponse:
    books = books_for(request, pk)
    return render_page(request, "reconciliation.html", books, "reconciliation", states=_bank_states(books.condominium))
