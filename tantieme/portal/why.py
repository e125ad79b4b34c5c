"""« D'où vient ce montant ? »: how a line of the co-owner's statement was computed.

    explanation = explain(account, "AF2026-0003")    # None when it is not one of the account's lines

- a call for funds (journal AF): per lot and key, the tantièmes / total of the key, what the call
  asks of the key (`Call.key_totals`) and the budget lines behind it (`funds.BudgetLine`, or the
  works operation's `WorksLine`), the exact quotient and the rounding to the cent (largest
  remainder, `funds.computation.spread`), from the stored `CallLine` rows;
- a régularisation (journal RE): the approved closing's actual charges per key (per account), the
  co-owner's tantièmes, share, provisions called and the difference (`closing.DistributionLine`).

Owner walls: every query is filtered on the co-owner, so another owner's entry code finds nothing
(the view answers 404). Call inside a firm scope. Two or three queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tantieme.closing.models import ClosingState, DistributionLine
from tantieme.condominiums.models import CoOwner
from tantieme.core.money import ZERO
from tantieme.funds.models import BudgetLine, CallLine, WorksLine
from tantieme.ledger.models import Line

CALL_JOURNAL = "AF"
REGULARISATION_JOURNAL = "RE"
EXPLAINED_JOURNALS = frozenset({CALL_JOURNAL, REGULARISATION_JOURNAL})
_EXACT = Decimal("0.0001")


@dataclass(frozen=True)
class SourceLine:
    """One budget (or works) line of a key, or one charge account of a closed year."""

    account: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class CallPart:
    """One lot in one key of one call: amount = key amount × shares / key total, rounded."""

    lot_number: int
    lot_label: str
    key_code: str
    key_label: str
    is_works_fund: bool
    shares: int
    key_total: int
    key_amount: Decimal  # what this call asks of the key, all lots together
    exact: Decimal  # key_amount × shares / key_total, to 4 decimals
    amount: Decimal  # the amount called, to the cent

    @property
    def rounding(self) -> Decimal:
        return self.amount - self.exact


@dataclass(frozen=True)
class KeySource:
    key_code: str
    key_label: str
    is_works_fund: bool
    annual: Decimal  # the year's budget (or the operation's total) for the key
    lines: tuple[SourceLine, ...]


@dataclass(frozen=True)
class CallExplanation:
    kind = "call"
    entry_code: str
    label: str
    due_date: datetime.date
    number: int
    calls_per_year: int | None  # None for a works operation
    parts: tuple[CallPart, ...]
    sources: tuple[KeySource, ...]

    @property
    def total(self) -> Decimal:
        return sum((part.amount for part in self.parts), ZERO)


@dataclass(frozen=True)
class RegularisationPart:
    lot_number: int
    key_code: str
    key_label: str
    shares: int
    key_total: int
    key_charges: Decimal  # the year's actual charges of the key, all lots
    charges: tuple[SourceLine, ...]  # the key's charges per account
    share: Decimal  # the lot's share of the key's charges
    called: Decimal  # the provisions called for the lot in the key
    regularisation: Decimal  # share − called


@dataclass(frozen=True)
class RegularisationExplanation:
    kind = "regularisation"
    entry_code: str
    year_label: str
    approval_date: datetime.date | None
    parts: tuple[RegularisationPart, ...]

    @property
    def total(self) -> Decimal:
        return sum((part.regularisation for part in self.parts), ZERO)


def _exact(amount: Decimal, shares: int, total: int) -> Decimal:
    return (amount * shares / total).quantize(_EXACT, rounding=ROUND_HALF_UP) if total else ZERO


def _key_amount(key_totals: object, key_id: int, is_works_fund: bool) -> Decimal:
    """What the call asked of the key: `Call.key_totals` is [{"key_id", "works_fund", "amount"}, …]."""
    if isinstance(key_totals, list):
        for item in key_totals:
            if int(item.get("key_id", 0)) == key_id and bool(item.get("works_fund")) == is_works_fund:
                return Decimal(str(item.get("amount", "0")))
    return ZERO


def explain_call(account: CoOwner, entry_code: str) -> CallExplanation | None:
    lines = list(
        CallLine.objects.filter(notice__co_owner=account, call__entry__code=entry_code)
        .select_related("call__budget", "call__operation", "lot", "key")
        .order_by("lot__number", "is_works_fund", "key__code")
    )
    if not lines:
        return None
    call = lines[0].call
    parts = []
    for line in lines:
        key_amount = _key_amount(call.key_totals, line.key_id, line.is_works_fund)
        parts.append(
            CallPart(
                lot_number=line.lot.number,
                lot_label=line.lot.get_kind_display(),
                key_code=line.key.code,
                key_label=line.key.label,
                is_works_fund=line.is_works_fund,
                shares=line.shares,
                key_total=line.key_total,
                key_amount=key_amount,
                exact=_exact(key_amount, line.shares, line.key_total),
                amount=line.amount,
            )
        )
    keys = {(line.key_id, line.is_works_fund): line.key for line in lines}
    sources: list[KeySource] = []
    per_key: dict[int, list[SourceLine]] = defaultdict(list)
    if call.budget is not None:
        budget = call.budget
        for key_id, number, label, amount in BudgetLine.objects.filter(
            budget=budget, key_id__in=[key_id for key_id, _works in keys]
        ).values_list("key_id", "account", "label", "amount"):
            per_key[key_id].append(SourceLine(number, label, amount))
        calls_per_year: int | None = budget.calls_per_year
    else:
        assert call.operation is not None
        for key_id, number, label, amount in WorksLine.objects.filter(
            operation=call.operation, key_id__in=[key_id for key_id, _works in keys]
        ).values_list("key_id", "account", "label", "amount"):
            per_key[key_id].append(SourceLine(number, label, amount))
        calls_per_year = None
    for (key_id, is_works_fund), key in sorted(keys.items(), key=lambda item: (item[1].code, item[0][1])):
        if is_works_fund:
            # The works fund (art. 14-2): its own yearly amount, on the key of the budget.
            annual = call.budget.works_fund_amount if call.budget is not None else ZERO
            items: tuple[SourceLine, ...] = ()
        else:
            items = tuple(sorted(per_key.get(key_id, []), key=lambda item: item.account))
            annual = sum((item.amount for item in items), ZERO)
        sources.append(KeySource(key.code, key.label, is_works_fund, annual, items))
    return CallExplanation(
        entry_code=entry_code,
        label=call.label,
        due_date=call.due_date,
        number=call.number,
        calls_per_year=calls_per_year,
        parts=tuple(parts),
        sources=tuple(sources),
    )


def explain_regularisation(account: CoOwner, entry_code: str) -> RegularisationExplanation | None:
    # The RE entry is dated on the last day of the year it closes: its approved closing.
    entry_dates = Line.objects.filter(
        co_owner=account, entry__code=entry_code, entry__journal__code=REGULARISATION_JOURNAL
    ).values("date")
    lines = list(
        DistributionLine.objects.filter(
            co_owner=account,
            closing__state=ClosingState.APPROVED,
            closing__condominium_id=account.condominium_id,
            closing__fiscal_year__end_date__in=entry_dates,
        )
        .select_related("closing__fiscal_year", "lot", "key")
        .order_by("lot__number", "key__code")
    )
    if not lines:
        return None
    closing = lines[0].closing
    by_key = {int(item["key_id"]): item for item in closing.key_totals if "key_id" in item}
    parts = []
    for line in lines:
        item = by_key.get(line.key_id, {})
        charges = tuple(
            SourceLine(number, "", Decimal(str(amount)))
            for number, amount in sorted(dict(item.get("charges_by_account", {})).items())
        )
        parts.append(
            RegularisationPart(
                lot_number=line.lot.number,
                key_code=line.key.code,
                key_label=line.key.label,
                shares=line.shares,
                key_total=line.key_total,
                key_charges=Decimal(str(item.get("charges", "0"))),
                charges=charges,
                share=line.share,
                called=line.called,
                regularisation=line.regularisation,
            )
        )
    return RegularisationExplanation(
        entry_code=entry_code,
        year_label=closing.fiscal_year.label,
        approval_date=closing.approval_date,
        parts=tuple(parts),
    )


def explain(account: CoOwner, entry_code: str) -> CallExplanation | RegularisationExplanation | None:
    """The explanation of the account's line `entry_code`, or None (not a call nor a régularisation
    of this account)."""
    if entry_code.upper().startswith(REGULARISATION_JOURNAL):
        return explain_regularisation(account, entry_code)
    return explain_call(account, entry_code)
