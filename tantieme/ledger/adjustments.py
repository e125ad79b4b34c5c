"""Adjustments of a co-owner's account (régularisations ponctuelles): a reasoned OD entry.

    record_adjustment   Dr or Cr one sub-account of the co-owner (4501…4505) / the other side on a
                        counterpart of `ADJUSTMENT_COUNTERPARTS` (exceptional charges or income,
                        bad debts, suspense accounts), in the OD journal, with a mandatory reason
                        stored on the entry (`Entry.reason`), then lettered (art. 1342-10)

A charge counterpart (class 6) is distributed at closing: it names its allocation key. Entries are
never changed afterwards: a wrong adjustment is reversed (`ledger.services.reverse_entry`).
Call inside a firm scope.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from tantieme.audit.services import record
from tantieme.condominiums.models import AllocationKey, CoOwner
from tantieme.core.money import CENT
from tantieme.ledger import chart
from tantieme.ledger.enums import LineNature
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.models import Account, Entry, Line
from tantieme.ledger.services import LineDraft, letter_line, post_entry

ADJUSTMENT_JOURNAL = "OD"
# What the other side of an adjustment may be: exceptional charges, bad debts, exceptional or
# miscellaneous income, and the suspense accounts (money waiting to be attributed).
ADJUSTMENT_COUNTERPARTS = ("678", "677", "718", "714", "471", "472")
ADJUSTED_SUB_ACCOUNTS = (chart.BUDGET, chart.WORKS, chart.ADVANCES, chart.WORKS_FUND)
_NATURES = {
    chart.BUDGET: LineNature.CURRENT,
    chart.WORKS: LineNature.WORKS,
    chart.ADVANCES: LineNature.ADVANCE,
    chart.WORKS_FUND: LineNature.WORKS_FUND,
}
REASON_MAX_LENGTH = 1000


class AdjustmentError(LedgerError):
    """An adjustment refused (its message is shown to the staff member as is)."""


class Side(StrEnum):
    DEBIT = "debit"  # the co-owner owes more
    CREDIT = "credit"  # the co-owner owes less


def counterpart_accounts(condominium_id: int) -> list[Account]:
    """The counterparts an adjustment may use, among the condominium's accounts (one query)."""
    accounts = Account.objects.filter(condominium_id=condominium_id, number__in=ADJUSTMENT_COUNTERPARTS)
    order = {number: rank for rank, number in enumerate(ADJUSTMENT_COUNTERPARTS)}
    return sorted(accounts, key=lambda account: order[account.number])


def sub_accounts(condominium_id: int) -> list[Account]:
    """The co-owner sub-accounts an adjustment may touch (one query)."""
    return list(Account.objects.filter(condominium_id=condominium_id, number__in=ADJUSTED_SUB_ACCOUNTS))


def _check(amount: Decimal, reason: str, counterpart: str, sub_account: str, key_id: int | None) -> str:
    reason = reason.strip()
    if not reason:
        raise AdjustmentError("Indiquez le motif de la régularisation : il figure sur l'écriture.")
    if len(reason) > REASON_MAX_LENGTH:
        raise AdjustmentError(f"Le motif compte au plus {REASON_MAX_LENGTH} caractères.")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise AdjustmentError("Le montant d'une régularisation est positif.")
    if amount.quantize(CENT) != amount:
        raise AdjustmentError("Le montant a plus de deux décimales.")
    if counterpart not in ADJUSTMENT_COUNTERPARTS:
        raise AdjustmentError(
            f"Contrepartie {counterpart} non autorisée : choisissez parmi {', '.join(ADJUSTMENT_COUNTERPARTS)}."
        )
    if sub_account not in ADJUSTED_SUB_ACCOUNTS:
        raise AdjustmentError(f"Le sous-compte {sub_account} n'est pas un compte copropriétaire régularisable.")
    if counterpart.startswith("6") and key_id is None:
        raise AdjustmentError(
            f"Une charge ({counterpart}) est répartie à la clôture : choisissez sa clé de répartition."
        )
    return reason


@transaction.atomic
def record_adjustment(
    *,
    co_owner: CoOwner,
    date: datetime.date,
    amount: Decimal,
    side: Side,
    counterpart: str,
    reason: str,
    label: str = "",
    sub_account: str = chart.BUDGET,
    key_id: int | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Entry:
    """Post the adjustment (OD, reason on the entry) and letter the co-owner's line. All or nothing."""
    reason = _check(amount, reason, counterpart, sub_account, key_id)
    side = Side(side)
    if (
        key_id is not None
        and not AllocationKey.objects.filter(pk=key_id, condominium_id=co_owner.condominium_id).exists()
    ):
        raise AdjustmentError("Cette clé de répartition n'est pas une clé de la copropriété.")
    condominium = co_owner.condominium
    label = " ".join(label.split())[:200] or f"Régularisation {co_owner.reference_display}"
    co_owner_line = LineDraft(
        account=sub_account,
        debit=amount if side == Side.DEBIT else Decimal("0.00"),
        credit=amount if side == Side.CREDIT else Decimal("0.00"),
        co_owner=co_owner,
        nature=_NATURES[sub_account],
        label=label,
    )
    other_line = LineDraft(
        account=counterpart,
        debit=amount if side == Side.CREDIT else Decimal("0.00"),
        credit=amount if side == Side.DEBIT else Decimal("0.00"),
        label=label,
        key_id=key_id if counterpart.startswith(("6", "7")) else None,
    )
    entry = post_entry(
        condominium=condominium,
        journal=ADJUSTMENT_JOURNAL,
        date=date,
        label=label,
        lines=[co_owner_line, other_line],
        reason=reason,
        actor=actor,
    )
    posted = Line.objects.get(entry=entry, position=1)
    letter_line(line=posted, on=entry.validation_date, actor=actor)
    record(
        action="ledger.adjustment.posted",
        request=request,
        firm=condominium.firm,
        actor=actor,
        target=entry,
        data={
            "co_owner": co_owner.pk,
            "code": entry.code,
            "side": str(side),
            "amount": str(amount),
            "sub_account": sub_account,
            "counterpart": counterpart,
            "reason": reason,
        },
    )
    return entry
