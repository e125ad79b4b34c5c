"""Reads of the closing: what a co-owner sees of a draft distribution (call inside a firm scope)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from tantieme.closing.models import ClosingState, DistributionLine
from tantieme.condominiums.models import CoOwner
from tantieme.ledger.models import ZERO


@dataclass
class KeyRegularisation:
    """One key of a co-owner's régularisation: their lots' tantièmes, share, provisions, difference."""

    code: str
    label: str
    lots: list[tuple[int, int, int]] = field(default_factory=list)  # (lot number, tantièmes, key total)
    share: Decimal = ZERO
    called: Decimal = ZERO

    @property
    def regularisation(self) -> Decimal:
        return self.share - self.called


@dataclass
class DraftRegularisation:
    """The co-owner's régularisation in a draft closing: « projet, sous réserve d'approbation »."""

    year_label: str
    year_start: datetime.date
    year_end: datetime.date
    computed_at: datetime.datetime
    keys: list[KeyRegularisation]

    @property
    def total(self) -> Decimal:
        return sum((key.regularisation for key in self.keys), ZERO)


def draft_regularisation(co_owner: CoOwner) -> DraftRegularisation | None:
    """The latest draft closing's figures for `co_owner`, or None (one query).

    Only for a year that has ended: a pre-closing computed during the year compares part of the
    year's invoices with all its provisions, which would tell co-owners of a refund that is not one.
    """
    lines = list(
        DistributionLine.objects.filter(
            co_owner=co_owner,
            closing__state=ClosingState.DRAFT,
            closing__fiscal_year__end_date__lt=timezone.localdate(),
        )
        .select_related("closing__fiscal_year", "key", "lot")
        .order_by("-closing__fiscal_year__start_date", "key__code", "lot__number")
    )
    if not lines:
        return None
    closing = lines[0].closing
    keys: dict[int, KeyRegularisation] = {}
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        if line.closing_id != closing.pk:
            break
        item = keys.setdefault(line.key_id, KeyRegularisation(code=line.key.code, label=line.key.label))
        item.lots.append((line.lot.number, line.shares, line.key_total))
        totals[line.key_id][0] += line.share
        totals[line.key_id][1] += line.called
    for key_id, (share, called) in totals.items():
        keys[key_id].share, keys[key_id].called = share, called
    year = closing.fiscal_year
    return DraftRegularisation(
        year_label=year.label,
        year_start=year.start_date,
        year_end=year.end_date,
        computed_at=closing.computed_at,
        keys=list(keys.values()),
    )
