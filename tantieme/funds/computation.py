"""The arithmetic of calls for funds, with no database: schedules, instalment totals, spreading.

Spec accounting-and-law.md §2.2–2.6 and the worked example §11.3:

    call_total[c,k] = budget[k] / n_calls      half-up to the cent for calls 1..n-1, the last call
                                               takes what is left: the year adds up to the budget
    amount[c,k,l]   = largest remainder of call_total[c,k] · t[l,k] / T[k]   (ties: larger
                                               tantièmes, then lower lot number; 0 tantièmes, 0 €)
    owner_due[c,o]  = Σ over the lots o owns on the due date

Works operations (art. 14-2) use the same rule with unequal instalments (weights 30/30/40). When a
budget changes during the year (provisional calls on the previous budget, then the vote), the
calls still to come share what is left of the new budget, so the year still adds up.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from tantieme.core.money import CENT, ZERO, allocate
from tantieme.funds.exceptions import CallError

# --- Schedules and periods -----------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month (instalments fall on a 1st)."""
    index = day.month - 1 + months
    return datetime.date(day.year + index // 12, index % 12 + 1, 1)


def schedule(start: datetime.date, months: int, count: int) -> list[datetime.date]:
    """Due dates: the first day of each period of `months` months from the start of the fiscal year."""
    first = start.replace(day=1)
    return [add_months(first, months * index) for index in range(count)]


def period_code(day: datetime.date, months: int) -> str:
    """The calendar period a due date falls in: 2026-Q2 (quarterly), 2026-04 (monthly), 2026-S1."""
    if months == 3:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if months == 6:
        return f"{day.year}-S{1 if day.month <= 6 else 2}"
    return f"{day.year}-{day.month:02d}"


_PERIOD = re.compile(r"^(\d{4})(?:-?(?:([QT])([1-4])|S([12])|(\d{2})))?$")


def period_range(code: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of "2026-Q2" (or 2026-T2), "2026-S1", "2026-04" or "2026" (inclusive)."""
    match = _PERIOD.match(code.strip().upper())
    if match is None:
        raise CallError(f"Période « {code} » invalide : 2026-Q2, 2026-S1, 2026-04 ou 2026.")
    year = int(match.group(1))
    if match.group(3):
        first_month, months = (int(match.group(3)) - 1) * 3 + 1, 3
    elif match.group(4):
        first_month, months = (int(match.group(4)) - 1) * 6 + 1, 6
    elif match.group(5):
        first_month, months = int(match.group(5)), 1
        if not 1 <= first_month <= 12:
            raise CallError(f"Période « {code} » invalide : mois {first_month}.")
    else:
        first_month, months = 1, 12
    start = datetime.date(year, first_month, 1)
    return start, add_months(start, months) - datetime.timedelta(days=1)


def normalize_period(code: str) -> str:
    start, end = period_range(code)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return str(start.year) if months == 12 else period_code(start, months)


# --- Instalment totals ---------------------------------------------------------------------------


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def instalment_total(total: Decimal, weights: Sequence[int], index: int, already_called: Decimal) -> Decimal:
    """What instalment `index` (1-based) of `weights` calls of `total`, `already_called` being called.

    Instalments before the last: `total · w / Σw` rounded half-up to the cent; the last takes what
    is left. If what was called so far differs from the regular schedule (the budget changed), the
    remaining instalments share what is left in proportion to their weights. Never negative, never
    more than what is left: the instalments always add up to `total`.
    """
    if not weights or any(weight <= 0 for weight in weights):
        raise CallError("Un échéancier a au moins une échéance, de part positive.")
    if not 1 <= index <= len(weights):
        raise CallError(f"Échéance {index} hors de l'échéancier (1 à {len(weights)}).")
    remaining = total - already_called
    if index == len(weights):
        return max(remaining, ZERO)
    weight_sum = sum(weights)
    regular_before = sum((half_up(total * weight / weight_sum) for weight in weights[: index - 1]), ZERO)
    if already_called == regular_before:
        amount = half_up(total * weights[index - 1] / weight_sum)
    else:
        amount = half_up(remaining * weights[index - 1] / sum(weights[index - 1 :]))
    return min(max(amount, ZERO), max(remaining, ZERO))


def instalment_totals(total: Decimal, weights: Sequence[int]) -> list[Decimal]:
    """Every instalment of a schedule that is followed as planned."""
    called = ZERO
    amounts = []
    for index in range(1, len(weights) + 1):
        amount = instalment_total(total, weights, index, called)
        amounts.append(amount)
        called += amount
    return amounts


def works_fund_minimum(budget_total: Decimal, works_plan_amount: Decimal | None) -> Decimal:
    """Art. 14-2-1: 5 % of the budget, or 2.5 % of the adopted multi-year works plan if larger."""
    minimum = half_up(budget_total * Decimal("0.05"))
    if works_plan_amount:
        minimum = max(minimum, half_up(works_plan_amount * Decimal("0.025")))
    return minimum


# --- Spreading over lots -------------------------------------------------------------------------


@dataclass(frozen=True)
class LotShares:
    """A lot's tantièmes in a key."""

    lot_id: int
    lot_number: int
    shares: int


@dataclass(frozen=True)
class KeyCall:
    """What one key calls in one call: `amount` spread over `lots` (`is_works_fund` for 4505/105)."""

    key_id: int
    code: str
    key_total: int
    amount: Decimal
    lots: Sequence[LotShares]
    is_works_fund: bool = False


@dataclass(frozen=True)
class LotAmount:
    key_id: int
    key_code: str
    is_works_fund: bool
    lot_id: int
    lot_number: int
    shares: int
    key_total: int
    amount: Decimal
    owner_id: int


@dataclass
class OwnerDue:
    current: Decimal = ZERO
    works_fund: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.current + self.works_fund


@dataclass
class CallComputation:
    lines: list[LotAmount] = field(default_factory=list)
    owners: dict[int, OwnerDue] = field(default_factory=dict)
    key_totals: dict[str, Decimal] = field(default_factory=dict)
    total_current: Decimal = ZERO
    total_works_fund: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.total_current + self.total_works_fund


def spread(amount: Decimal, lots: Sequence[LotShares]) -> list[tuple[LotShares, Decimal]]:
    """`amount` over `lots` by tantièmes, largest remainder; ties: larger tantièmes, lower lot number."""
    ordered = sorted(lots, key=lambda lot: lot.lot_number)
    if sum(lot.shares for lot in ordered) == 0:
        if amount == 0:
            return [(lot, ZERO) for lot in ordered]
        raise CallError("Aucun lot n'a de tantièmes dans cette clé : rien sur quoi répartir.")
    parts = allocate(amount, [lot.shares for lot in ordered])
    return list(zip(ordered, parts, strict=True))


def compute_call(keys: Sequence[KeyCall], owners: Mapping[int, int]) -> CallComputation:
    """Spread each key's amount over its lots and add up per owner (`owners`: lot id -> co-owner id).

    Lots with 0 tantièmes (or a zero amount) get no line. A lot that must pay and has no owner on
    the due date stops the call: its share could not be posted to anyone.
    """
    result = CallComputation()
    owners_due: dict[int, OwnerDue] = defaultdict(OwnerDue)
    orphans: set[int] = set()
    for key in keys:
        if key.amount < 0:
            raise CallError(f"Montant négatif pour la clé {key.code}.")
        label = f"{key.code} (fonds de travaux)" if key.is_works_fund else key.code
        result.key_totals[label] = result.key_totals.get(label, ZERO) + key.amount
        if key.is_works_fund:
            result.total_works_fund += key.amount
        else:
            result.total_current += key.amount
        if key.amount == 0:
            continue
        for lot, amount in spread(key.amount, key.lots):
            if amount == 0:
                continue
            owner_id = owners.get(lot.lot_id)
            if owner_id is None:
                orphans.add(lot.lot_number)
                continue
            result.lines.append(
                LotAmount(
                    key_id=key.key_id,
                    key_code=key.code,
                    is_works_fund=key.is_works_fund,
                    lot_id=lot.lot_id,
                    lot_number=lot.lot_number,
                    shares=lot.shares,
                    key_total=key.key_total,
                    amount=amount,
                    owner_id=owner_id,
                )
            )
            due = owners_due[owner_id]
            if key.is_works_fund:
                due.works_fund += amount
            else:
                due.current += amount
    if orphans:
        numbers = ", ".join(str(number) for number in sorted(orphans))
        raise CallError(f"Aucun propriétaire à la date d'exigibilité pour les lots {numbers}.")
    result.owners = dict(sorted(owners_due.items()))
    return result
