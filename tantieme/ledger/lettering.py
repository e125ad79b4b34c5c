"""Reads for the lettering screens: open items and letterings of a co-owner's sub-accounts, or
of a general account (401 suppliers, 472 suspense, 5128 card receipts…).

The writes are `tantieme.ledger.services.letter_lines`, `letter_open_items` and `unletter`. Call
inside a firm scope. Each function runs a fixed number of queries, whatever the history length;
a general account's open lines are found in SQL and at most `ACCOUNT_LINES_SHOWN` are read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from tantieme.condominiums.models import CoOwner
from tantieme.ledger.models import MONEY_OUTPUT, ZERO, Account, Lettering, Line, Match, cents
from tantieme.ledger.services import open_amounts

LETTERINGS_SHOWN = 100
ACCOUNT_LINES_SHOWN = 500
# SQLite sums DECIMAL as floating point: a fully lettered line may show 1e-12 open. Half a cent
# separates "open" from "settled" on both backends (amounts are whole cents).
HALF_CENT = Decimal("0.005")


@dataclass(frozen=True)
class OpenLine:
    line: Line
    open_amount: Decimal


@dataclass
class SubAccount:
    """One sub-account (4501, 4502…) of a co-owner: its open debits and credits."""

    number: str
    label: str
    lines: list[OpenLine] = field(default_factory=list)

    @property
    def open_debit(self) -> Decimal:
        return sum((item.open_amount for item in self.lines if item.line.debit > 0), ZERO)

    @property
    def open_credit(self) -> Decimal:
        return sum((item.open_amount for item in self.lines if item.line.credit > 0), ZERO)


def open_lines(co_owner: CoOwner) -> list[SubAccount]:
    """The co-owner's lines not fully lettered, grouped by sub-account, oldest first (three queries)."""
    lines = list(
        Line.objects.filter(co_owner=co_owner)
        .select_related("account", "entry")
        .order_by("account__number", "date", "entry_id", "position")
    )
    remaining = open_amounts(lines)
    accounts: dict[str, SubAccount] = {}
    for line in lines:
        if remaining[line.pk] <= 0:
            continue
        sub_account = accounts.setdefault(
            line.account.number, SubAccount(number=line.account.number, label=line.account.label)
        )
        sub_account.lines.append(OpenLine(line=line, open_amount=remaining[line.pk]))
    return list(accounts.values())


@dataclass(frozen=True)
class LetteringRow:
    lettering: Lettering
    amount: Decimal
    entries: list[str]  # the codes of the entries it matches


def letterings_of(co_owner: CoOwner, limit: int = LETTERINGS_SHOWN) -> list[LetteringRow]:
    """The co-owner's latest lettering codes with the amount they match and their entries (2 queries)."""
    return _rows(Lettering.objects.filter(co_owner=co_owner), limit)


def _rows(letterings: QuerySet[Lettering], limit: int) -> list[LetteringRow]:
    matches = Match.objects.select_related("debit_line__entry", "credit_line__entry").order_by("pk")
    letterings = (
        letterings.select_related("account")
        .prefetch_related(Prefetch("matches", queryset=matches))
        .order_by("-date", "-pk")[:limit]
    )
    rows = []
    for lettering in letterings:
        amount = ZERO
        codes: dict[str, None] = defaultdict(lambda: None)
        for match in lettering.matches.all():
            amount += match.amount
            codes[match.debit_line.entry.code] = None
            codes[match.credit_line.entry.code] = None
        rows.append(LetteringRow(lettering=lettering, amount=amount, entries=list(codes)))
    return rows


# --- General accounts (401, 472, 5128…) ----------------------------------------------------------


def letterable_accounts(condominium_id: int) -> list[Account]:
    """The general accounts of classes 4 and 5 one letters (third parties, suspense, in transit):
    every one but the co-owner accounts, which are lettered per co-owner (one query)."""
    return list(
        Account.objects.filter(condominium_id=condominium_id, is_co_owner_account=False)
        .filter(Q(number__startswith="4") | Q(number__startswith="5"))
        .order_by("number")
    )


def _open_account_lines(account: Account) -> QuerySet[Line]:
    """The account's lines with an open amount (`open_amount`), oldest first, filtered in SQL."""
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
    as_debit = (
        Match.objects.filter(debit_line_id=OuterRef("pk"))
        .values("debit_line_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    as_credit = (
        Match.objects.filter(credit_line_id=OuterRef("pk"))
        .values("credit_line_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Line.objects.filter(account=account, co_owner__isnull=True)
        .annotate(
            matched=Coalesce(Subquery(as_debit, output_field=money), Value(ZERO), output_field=money)
            + Coalesce(Subquery(as_credit, output_field=money), Value(ZERO), output_field=money)
        )
        .annotate(open_amount=F("debit") + F("credit") - F("matched"))
        .filter(open_amount__gt=HALF_CENT)
    )


@dataclass
class AccountOpenLines:
    """A general account's open lines (the first `ACCOUNT_LINES_SHOWN`), their count and totals."""

    account: Account
    lines: list[OpenLine]
    count: int
    open_debit: Decimal
    open_credit: Decimal

    @property
    def truncated(self) -> bool:
        return self.count > len(self.lines)


def account_open_lines(account: Account, limit: int = ACCOUNT_LINES_SHOWN) -> AccountOpenLines:
    """The open lines of a general account, oldest first, with their open amounts (two queries)."""
    found = _open_account_lines(account)
    totals = found.aggregate(
        count=Count("pk"),
        debit=Sum("open_amount", filter=Q(debit__gt=0), output_field=MONEY_OUTPUT),
        credit=Sum("open_amount", filter=Q(credit__gt=0), output_field=MONEY_OUTPUT),
    )
    lines = [
        OpenLine(line=line, open_amount=cents(getattr(line, "open_amount", ZERO)))
        for line in found.select_related("entry").order_by("date", "entry_id", "position")[:limit]
    ]
    return AccountOpenLines(
        account=account,
        lines=lines,
        count=int(totals["count"] or 0),
        open_debit=cents(totals["debit"]),
        open_credit=cents(totals["credit"]),
    )


def account_letterings(account: Account, limit: int = LETTERINGS_SHOWN) -> list[LetteringRow]:
    """The general account's latest lettering codes, their amounts and entries (2 queries)."""
    return _rows(Lettering.objects.filter(account=account, co_owner__isnull=True), limit)
