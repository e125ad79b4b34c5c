"""Reads for the lettering screen: a co-owner's open items per sub-account and their letterings.

The writes are `tantieme.ledger.services.letter_lines`, `letter_open_items` and `unletter`. Call
inside a firm scope. Each function runs a fixed number of queries, whatever the history length.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from tantieme.condominiums.models import CoOwner
from tantieme.ledger.models import ZERO, Lettering, Line, Match
from tantieme.ledger.services import open_amounts

LETTERINGS_SHOWN = 100


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
    matches = Match.objects.select_related("debit_line__entry", "credit_line__entry").order_by("pk")
    letterings = (
        Lettering.objects.filter(co_owner=co_owner)
        .select_related("account")
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
