"""What a co-owner owes, in one place: « Accueil », « Mon compte » and the card payment page read
their figures here, so that they never disagree.

    figures = owed_figures(accounts, today)              # {co_owner_id: Owed}, 2 or 3 queries
    figures = owed_figures([account], today, balances={account.pk: statement.balance_on_date})

- `balance`: the ledger balance on `today` (positive: the co-owner owes; negative: a credit);
- `pending`: what is on its way but not in the ledger yet — card payments accepted or being
  authorised (`payments.queries.pending_card_payments`, posted the next day) and, once direct debit
  exists, the debits scheduled for collection (`_scheduled_debits`, the hook, returns nothing today);
- `remaining`: balance − pending, never below zero. « Payer » is offered only when it is positive.

Call inside a firm scope.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from tantieme.condominiums.models import CoOwner
from tantieme.core.money import ZERO, format_amount
from tantieme.ledger.queries import account_summaries
from tantieme.payments.queries import pending_card_payments


def balance_text(value: Decimal, language: str | None = None) -> str:
    """The portal's convention for a balance, wherever one is shown (statement rows, opening and
    closing balances, chart): owed reads as a plain amount « 1 210,77 € », a credit as
    « 450,00 € créditeur », never with a minus sign."""
    if value < 0:
        return gettext("%(amount)s créditeur") % {"amount": format_amount(-value, language=language)}
    return format_amount(value, language=language)


@dataclass(frozen=True)
class PendingItem:
    """One amount on its way: a card payment in progress (later: a direct debit scheduled)."""

    date: datetime.date
    amount: Decimal
    kind: str  # "card" (later "debit")


@dataclass(frozen=True)
class Owed:
    balance: Decimal
    pending_items: tuple[PendingItem, ...] = ()
    next_due_date: datetime.date | None = None
    next_due_amount: Decimal = ZERO

    @property
    def pending(self) -> Decimal:
        return sum((item.amount for item in self.pending_items), ZERO)

    @property
    def remaining(self) -> Decimal:
        """What is still to pay once the payments in progress are booked: never below zero."""
        return max(self.balance - self.pending, ZERO)

    @property
    def credit(self) -> Decimal:
        """The syndicate owes the co-owner this much (0 when the balance is not a credit)."""
        return -self.balance if self.balance < 0 else ZERO

    @property
    def can_pay(self) -> bool:
        return self.remaining > 0


def _pending_card_items(accounts: Sequence[CoOwner]) -> dict[int, list[PendingItem]]:
    """Every account's card payments in progress, in one query (a UNION of the payments app's query)."""
    items: dict[int, list[PendingItem]] = {account.pk: [] for account in accounts}
    if not accounts:
        return items
    # The payments app's own definition of "en cours", per account, unioned: one query, one truth.
    queries = [
        pending_card_payments(account).order_by().values_list("co_owner_id", "created_at", "amount")
        for account in accounts
    ]
    union = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    rows = sorted(union, key=lambda row: (row[1], row[0]))
    for co_owner_id, created_at, amount in rows:
        day = created_at.date() if isinstance(created_at, datetime.datetime) else created_at
        items[co_owner_id].append(PendingItem(date=day, amount=Decimal(amount), kind="card"))
    return items


def _scheduled_debits(accounts: Sequence[CoOwner]) -> dict[int, list[PendingItem]]:
    """Hook for direct debit (prélèvement, not built yet): the debits announced to the co-owner and
    not yet collected will be added to `pending` here, with kind "debit". Nothing today, no query."""
    return {account.pk: [] for account in accounts}


def owed_figures(
    accounts: Sequence[CoOwner],
    today: datetime.date,
    *,
    balances: Mapping[int, Decimal | None] | None = None,
) -> dict[int, Owed]:
    """The figures of each account. With `balances` (e.g. the statement's `balance_on_date`, read in
    the statement's own query), the balances are not read again and no next due date is given."""
    summaries = None if balances is not None else account_summaries([account.pk for account in accounts], today)
    cards = _pending_card_items(accounts)
    debits = _scheduled_debits(accounts)
    figures: dict[int, Owed] = {}
    for account in accounts:
        pending = tuple(cards[account.pk] + debits[account.pk])
        if summaries is not None:
            summary = summaries[account.pk]
            figures[account.pk] = Owed(
                balance=summary.balance,
                pending_items=pending,
                next_due_date=summary.next_due_date,
                next_due_amount=summary.next_due_amount,
            )
        else:
            assert balances is not None
            figures[account.pk] = Owed(balance=balances.get(account.pk) or ZERO, pending_items=pending)
    return figures


def total(figures: Mapping[int, Owed]) -> Owed:
    """The accounts added up (the home page's « Total de vos comptes »)."""
    items = tuple(item for owed in figures.values() for item in owed.pending_items)
    return Owed(balance=sum((owed.balance for owed in figures.values()), ZERO), pending_items=items)
