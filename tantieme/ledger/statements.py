"""A co-owner's statement of account (relevé / extrait de compte) for any date range.

    statement = statement_for(co_owner, start, end)     # 4 queries, whatever the history length
    render_statement_pdf(statement), render_statement_csv(statement)   (tantieme.ledger.renderers)

The opening balance is the sum of the lines dated before `start`; then every line of the range
with its running balance; then the closing balance. History taken over from a previous syndic
starts with its opening entry (journal AN), e.g. at 31/12/2011: `history_start` gives that date.
Call inside a firm scope.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import F, Min, Q, Sum
from django.utils import timezone

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.ledger.models import MONEY_OUTPUT, ZERO, Line, Match, cents
from tantieme.tenancy.models import Firm

_MONEY = MONEY_OUTPUT


@dataclass(frozen=True)
class StatementLine:
    date: datetime.date
    label: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # running balance after this line: positive = owes
    entry_code: str  # AF2025-0001
    journal_code: str
    voucher: str
    account: str  # 4501…
    nature: str
    lettering: str  # "AA", "AA, AC" or "" when not lettered
    open_amount: Decimal  # what lettering has not settled yet


@dataclass(frozen=True)
class Statement:
    firm: Firm
    condominium: Condominium
    co_owner: CoOwner
    start: datetime.date
    end: datetime.date
    opening_balance: Decimal
    lines: tuple[StatementLine, ...]
    closing_balance: Decimal
    history_start: datetime.date | None
    # The balance on `balance_date` (e.g. today), read in the same query when asked for.
    balance_date: datetime.date | None = None
    balance_on_date: Decimal | None = None

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def closing_label(self) -> str:
        if self.closing_balance > 0:
            return "débiteur"
        if self.closing_balance < 0:
            return "créditeur"
        return ""


def _same_row(first: StatementLine, second: StatementLine) -> bool:
    return (
        first.entry_code == second.entry_code
        and first.label == second.label
        and (first.debit > 0) == (second.debit > 0)
    )


def _merge(first: StatementLine, second: StatementLine) -> StatementLine:
    def joined(a: str, b: str) -> str:
        parts = [part for part in (*a.split(", "), *b.split(", ")) if part]
        return ", ".join(dict.fromkeys(parts))

    return replace(
        second,
        debit=first.debit + second.debit,
        credit=first.credit + second.credit,
        account=joined(first.account, second.account),
        nature=joined(first.nature, second.nature),
        lettering=joined(first.lettering, second.lettering),
        open_amount=first.open_amount + second.open_amount,
    )


def history_start(co_owner: CoOwner) -> datetime.date | None:
    """The date of the co-owner's first line (their opening entry when history was taken over)."""
    first: datetime.date | None = Line.objects.filter(co_owner=co_owner).aggregate(first=Min("date"))["first"]
    return first


def _firm_is_loaded(co_owner: CoOwner) -> bool:
    cache = co_owner._state.fields_cache
    return "condominium" in cache and "firm" in co_owner.condominium._state.fields_cache


def statement_for(
    co_owner: CoOwner,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    *,
    balance_date: datetime.date | None = None,
) -> Statement:
    """The statement of `co_owner` from `start` (default: the start of history) to `end` (default: today).

    With `balance_date`, the balance on that day comes with it (one query fewer for pages that show both).
    """
    if not _firm_is_loaded(co_owner):
        co_owner = CoOwner.objects.select_related("condominium__firm").get(pk=co_owner.pk)
    totals = Line.objects.filter(co_owner=co_owner).aggregate(
        first=Min("date"),
        opening=Sum(F("debit") - F("credit"), filter=Q(date__lt=start or datetime.date.min), output_field=_MONEY),
        on_date=Sum(
            F("debit") - F("credit"), filter=Q(date__lte=balance_date or datetime.date.min), output_field=_MONEY
        ),
    )
    first_date: datetime.date | None = totals["first"]
    start = start or first_date or timezone.localdate()
    end = end or timezone.localdate()
    if end < start:
        raise ValueError("La fin du relevé précède son début.")
    opening = cents(totals["opening"])
    rows = list(
        Line.objects.filter(co_owner=co_owner, date__gte=start, date__lte=end)
        .order_by("date", "entry_id", "position")
        .values_list(
            "pk",
            "date",
            "label",
            "debit",
            "credit",
            "entry__code",
            "entry__journal__code",
            "entry__voucher",
            "account__number",
            "nature",
        )
    )
    ids = [row[0] for row in rows]
    codes: dict[int, list[str]] = defaultdict(list)
    matched: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if ids:
        for debit_id, credit_id, code, amount in (
            Match.objects.filter(Q(debit_line_id__in=ids) | Q(credit_line_id__in=ids))
            .order_by("lettering_id")
            .values_list("debit_line_id", "credit_line_id", "lettering__code", "amount")
        ):
            for line_id in (debit_id, credit_id):
                if code not in codes[line_id]:
                    codes[line_id].append(code)
                matched[line_id] += amount
    running = opening
    lines: list[StatementLine] = []
    for pk, day, label, debit, credit, entry_code, journal_code, voucher, account, nature in rows:
        running += debit - credit
        line = StatementLine(
            date=day,
            label=label,
            debit=debit,
            credit=credit,
            balance=running,
            entry_code=entry_code,
            journal_code=journal_code,
            voucher=voucher,
            account=account,
            nature=nature,
            lettering=", ".join(codes.get(pk, [])),
            open_amount=debit + credit - matched[pk],
        )
        previous = lines[-1] if lines else None
        if previous is not None and _same_row(previous, line):
            # One payment split over 4501 and 4505 reads as one payment on the statement.
            lines[-1] = _merge(previous, line)
        else:
            lines.append(line)
    return Statement(
        firm=co_owner.condominium.firm,
        condominium=co_owner.condominium,
        co_owner=co_owner,
        start=start,
        end=end,
        opening_balance=opening,
        lines=tuple(lines),
        closing_balance=running,
        history_start=first_date,
        balance_date=balance_date,
        balance_on_date=cents(totals["on_date"]) if balance_date is not None else None,
    )
