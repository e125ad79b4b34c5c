"""Reads of the books: co-owner balances, open items and their ages. Call inside a firm scope.

A co-owner's balance is the sum of the lines of their 450-family sub-accounts (4501 budget, 4502
works, 4503 advances, 4504 loans, 4505 works fund, 459 doubtful): positive, they owe
("débiteur"); negative, the syndicate owes them ("créditeur"). It is computed from the lines
every time, never kept in a counter, and costs one index range scan.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.ledger.models import MONEY_OUTPUT, ZERO, Line, Match, cents

_MONEY = MONEY_OUTPUT


def balance(co_owner: CoOwner, at: datetime.date | None = None) -> Decimal:
    """Σ debits − Σ credits of the co-owner's lines dated on or before `at` (all of them if None)."""
    lines = Line.objects.filter(co_owner=co_owner)
    if at is not None:
        lines = lines.filter(date__lte=at)
    return cents(lines.aggregate(total=Sum(F("debit") - F("credit"), output_field=_MONEY))["total"])


def balance_label(amount: Decimal) -> str:
    """ "débiteur" when the co-owner owes, "créditeur" when the syndicate owes them."""
    if amount > 0:
        return "débiteur"
    if amount < 0:
        return "créditeur"
    return ""


def balances_by_account(co_owner: CoOwner, at: datetime.date | None = None) -> dict[str, Decimal]:
    """The co-owner's balance on each sub-account: {"4501": …, "4505": …}."""
    lines = Line.objects.filter(co_owner=co_owner)
    if at is not None:
        lines = lines.filter(date__lte=at)
    rows = (
        lines.values("account__number")
        .annotate(total=Sum(F("debit") - F("credit"), output_field=_MONEY))
        .order_by("account__number")
    )
    return {row["account__number"]: cents(row["total"]) for row in rows}


def co_owner_balances(condominium: Condominium, at: datetime.date | None = None) -> dict[int, Decimal]:
    """Every co-owner's balance in the condominium, by co-owner id (those with lines only)."""
    lines = Line.objects.filter(condominium=condominium, co_owner__isnull=False)
    if at is not None:
        lines = lines.filter(date__lte=at)
    rows = lines.values("co_owner_id").annotate(total=Sum(F("debit") - F("credit"), output_field=_MONEY))
    return {row["co_owner_id"]: cents(row["total"]) for row in rows.order_by("co_owner_id")}


def control_account_balance(condominium: Condominium, at: datetime.date | None = None) -> Decimal:
    """Balance of the 450-family control accounts (450x, 459), whoever the lines name."""
    lines = Line.objects.filter(condominium=condominium, account__is_co_owner_account=True)
    if at is not None:
        lines = lines.filter(date__lte=at)
    return cents(lines.aggregate(total=Sum(F("debit") - F("credit"), output_field=_MONEY))["total"])


@dataclass(frozen=True)
class OpenItem:
    """A line not (fully) lettered: an unpaid call, or a payment not yet used."""

    line: Line
    open_amount: Decimal
    age_days: int

    @property
    def is_debit(self) -> bool:
        return bool(self.line.debit > 0)


def _matched(side: str, at: datetime.date) -> Subquery:
    return Subquery(
        Match.objects.filter(
            **{f"{side}_line": OuterRef("pk"), "debit_line__date__lte": at, "credit_line__date__lte": at}
        )
        .values(f"{side}_line")
        .annotate(total=Sum("amount"))
        .values("total")[:1],
        output_field=_MONEY,
    )


def open_items(co_owner: CoOwner, at: datetime.date | None = None, *, side: str | None = None) -> list[OpenItem]:
    """The co-owner's lines dated on or before `at` that lettering has not settled, oldest first.

    `side="debit"` gives the unpaid items (calls, fees, interest), `side="credit"` the unused
    payments and credits. Ages are counted in days from the line's date to `at` (default today).
    """
    at = at or timezone.localdate()
    lines = Line.objects.filter(co_owner=co_owner, date__lte=at)
    if side is not None:
        lines = lines.filter(**{f"{side}__gt": 0})
    annotated = (
        lines.annotate(
            matched_debit=Coalesce(_matched("debit", at), Value(ZERO), output_field=_MONEY),
            matched_credit=Coalesce(_matched("credit", at), Value(ZERO), output_field=_MONEY),
        )
        .select_related("account", "entry")
        .order_by("date", "entry_id", "position")
    )
    items = []
    for line in annotated:
        matched = cents(line.matched_debit) + cents(line.matched_credit)
        open_amount = line.debit + line.credit - matched
        if open_amount > 0:
            items.append(OpenItem(line=line, open_amount=open_amount, age_days=(at - line.date).days))
    return items


def unpaid_items(co_owner: CoOwner, at: datetime.date | None = None) -> list[OpenItem]:
    """Calls and charges due on or before `at` and not settled yet, with their ages."""
    return open_items(co_owner, at, side="debit")


@dataclass(frozen=True)
class AccountSummary:
    """What the co-owner's home page shows for one account."""

    balance: Decimal
    next_due_date: datetime.date | None
    next_due_amount: Decimal


def account_summaries(co_owner_ids: list[int], today: datetime.date) -> dict[int, AccountSummary]:
    """Balance on `today` and the next amount falling due after it, for several accounts in two queries."""
    balances = {
        row["co_owner_id"]: cents(row["total"])
        for row in Line.objects.filter(co_owner_id__in=co_owner_ids, date__lte=today)
        .values("co_owner_id")
        .annotate(total=Sum(F("debit") - F("credit"), output_field=_MONEY))
    }
    upcoming: dict[int, tuple[datetime.date, Decimal]] = {}
    for row in (
        Line.objects.filter(co_owner_id__in=co_owner_ids, date__gt=today, debit__gt=0)
        .values("co_owner_id", "date")
        .annotate(due=Sum("debit", output_field=_MONEY))
        .order_by("co_owner_id", "date")
    ):
        upcoming.setdefault(row["co_owner_id"], (row["date"], cents(row["due"])))
    return {
        pk: AccountSummary(
            balance=balances.get(pk, ZERO),
            next_due_date=upcoming[pk][0] if pk in upcoming else None,
            next_due_amount=upcoming[pk][1] if pk in upcoming else ZERO,
        )
        for pk in co_owner_ids
    }
