"""The accountant's reports: trial balance (balance générale), general ledger (grand livre), journal.

Each returns plain dataclasses; `tantieme.ledger.renderers` writes them as CSV or PDF. Amounts are
signed the accountant's way: a balance is debit − credit (positive = debit balance).
Call inside a firm scope.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, Sum

from tantieme.ledger.models import MONEY_OUTPUT, ZERO, Account, Entry, FiscalYear, Line, cents

_MONEY = MONEY_OUTPUT


@dataclass(frozen=True)
class TrialBalanceRow:
    account: str
    label: str
    opening: Decimal
    debit: Decimal
    credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


def trial_balance(
    fiscal_year: FiscalYear, *, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[TrialBalanceRow]:
    """Per account: balance before the period, debits and credits in it (the year by default)."""
    start = start or fiscal_year.start_date
    end = end or fiscal_year.end_date
    accounts = {account.pk: account for account in Account.objects.filter(condominium_id=fiscal_year.condominium_id)}
    rows = (
        Line.objects.filter(condominium_id=fiscal_year.condominium_id, date__lte=end)
        .values("account_id")
        .annotate(
            opening=Sum(F("debit") - F("credit"), filter=Q(date__lt=start), output_field=_MONEY),
            debit=Sum("debit", filter=Q(date__gte=start)),
            credit=Sum("credit", filter=Q(date__gte=start)),
        )
        .order_by("account_id")
    )
    result = [
        TrialBalanceRow(
            account=accounts[row["account_id"]].number,
            label=accounts[row["account_id"]].label,
            opening=cents(row["opening"]),
            debit=cents(row["debit"]),
            credit=cents(row["credit"]),
        )
        for row in rows
    ]
    return sorted(result, key=lambda row: row.account)


@dataclass(frozen=True)
class LedgerLine:
    date: datetime.date
    entry_code: str
    journal_code: str
    voucher: str
    label: str
    co_owner: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass
class LedgerAccount:
    account: str
    label: str
    opening: Decimal
    lines: list[LedgerLine] = field(default_factory=list)

    @property
    def closing(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening


def general_ledger(
    fiscal_year: FiscalYear, *, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[LedgerAccount]:
    """Every account with its lines of the period and running balance (grand livre)."""
    start = start or fiscal_year.start_date
    end = end or fiscal_year.end_date
    opening = {row.account: row.opening for row in trial_balance(fiscal_year, start=start, end=end)}
    accounts = {
        account.pk: LedgerAccount(
            account=account.number, label=account.label, opening=opening.get(account.number, ZERO)
        )
        for account in Account.objects.filter(condominium_id=fiscal_year.condominium_id)
    }
    rows = (
        Line.objects.filter(condominium_id=fiscal_year.condominium_id, date__gte=start, date__lte=end)
        .order_by("account_id", "date", "entry_id", "position")
        .values_list(
            "account_id",
            "date",
            "entry__code",
            "entry__journal__code",
            "entry__voucher",
            "label",
            "co_owner__reference",
            "debit",
            "credit",
        )
    )
    running: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for account_id, day, code, journal, voucher, label, reference, debit, credit in rows.iterator(chunk_size=5000):
        ledger_account = accounts[account_id]
        if account_id not in running:
            running[account_id] = ledger_account.opening
        running[account_id] += debit - credit
        ledger_account.lines.append(
            LedgerLine(day, code, journal, voucher, label, reference or "", debit, credit, running[account_id])
        )
    return sorted(
        (account for account in accounts.values() if account.lines or account.opening),
        key=lambda account: account.account,
    )


@dataclass(frozen=True)
class JournalLine:
    journal_code: str
    entry_code: str
    date: datetime.date
    validation_date: datetime.date
    voucher: str
    account: str
    co_owner: str
    label: str
    debit: Decimal
    credit: Decimal


def journal_lines(
    fiscal_year: FiscalYear,
    *,
    journal: str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> list[JournalLine]:
    """The livre-journal: every entry of the period in number order, with its lines."""
    entries = Entry.objects.filter(fiscal_year=fiscal_year)
    if journal:
        entries = entries.filter(journal__code=journal)
    if start:
        entries = entries.filter(date__gte=start)
    if end:
        entries = entries.filter(date__lte=end)
    rows = (
        Line.objects.filter(entry__in=entries)
        .order_by("entry__journal__code", "entry__number", "position")
        .values_list(
            "entry__journal__code",
            "entry__code",
            "entry__date",
            "entry__validation_date",
            "entry__voucher",
            "account__number",
            "co_owner__reference",
            "label",
            "debit",
            "credit",
        )
    )
    return [
        JournalLine(code, entry, day, valid, voucher, account, reference or "", label, debit, credit)
        for code, entry, day, valid, voucher, account, reference, label, debit, credit in rows.iterator(chunk_size=5000)
    ]
