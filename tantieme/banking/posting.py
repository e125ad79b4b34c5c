"""Co-owner receipts posted in bulk: the batch form of `ledger.services.post_co_owner_payment`.

A statement of thousands of transfers cannot afford twenty queries per payment, so this module
plans every receipt of a chunk in memory with the same rule as `ledger.services.plan_payment`
(Code civil art. 1342-10: items due on the payment date first, oldest first, a shortfall shared
among items of one date by largest remainder, the rest an advance on 4501), posts the entries
with `post_entries_bulk` (one numbering lock) and letters each credit line with the debits it
settles, exactly as `post_co_owner_payment` does. `tests/banking/test_posting.py` checks that
both give the same lines and letterings. Candidate to move into `tantieme.ledger.services`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import DecimalField, F, Sum, Value
from django.db.models.functions import Coalesce

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.money import allocate
from tantieme.ledger import chart
from tantieme.ledger.enums import LineNature
from tantieme.ledger.models import ZERO, Entry, Lettering, LetteringCounter, Line, Match, cents
from tantieme.ledger.services import EntryDraft, LineDraft, lettering_code, post_entries_bulk


@dataclass(frozen=True)
class Receipt:
    """Money received from a co-owner, to post `Dr debit_account / Cr 450x` on `date`."""

    co_owner: CoOwner
    amount: Decimal
    date: datetime.date
    label: str
    voucher: str = ""
    line_label: str = ""


@dataclass
class _OpenItem:
    pk: int
    account: str
    nature: str
    date: datetime.date
    entry_id: int
    position: int
    remaining: Decimal


def _open_items(co_owner_ids: set[int]) -> dict[int, list[_OpenItem]]:
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
    rows = (
        Line.objects.filter(co_owner_id__in=co_owner_ids, debit__gt=0)
        .annotate(matched=Coalesce(Sum("debit_matches__amount"), Value(ZERO), output_field=money))
        .filter(debit__gt=F("matched"))
        .order_by("date", "entry_id", "position")
        .values_list(
            "pk", "co_owner_id", "account__number", "nature", "date", "entry_id", "position", "debit", "matched"
        )
    )
    items: dict[int, list[_OpenItem]] = defaultdict(list)
    for pk, co_owner_id, account, nature, day, entry_id, position, debit, matched in rows:
        remaining = debit - cents(matched)
        if remaining > 0:
            items[co_owner_id].append(_OpenItem(pk, account, nature, day, entry_id, position, remaining))
    return items


def _plan(
    items: list[_OpenItem], amount: Decimal, on: datetime.date
) -> list[tuple[str, str, Decimal, list[tuple[_OpenItem, Decimal]]]]:
    """plan_payment on items held in memory; consumes what it settles from `items`."""
    open_items = sorted((item for item in items if item.remaining > 0), key=lambda item: (item.date > on, item.date))
    groups: list[list[_OpenItem]] = []
    for item in open_items:
        if groups and groups[-1][0].date == item.date:
            groups[-1].append(item)
        else:
            groups.append([item])
    settles: dict[tuple[str, str], list[tuple[_OpenItem, Decimal]]] = defaultdict(list)
    totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    remaining = amount
    for group in groups:
        if remaining == 0:
            break
        open_in_group = [item.remaining for item in group]
        group_total = sum(open_in_group, ZERO)
        parts = open_in_group if remaining >= group_total else allocate(remaining, open_in_group)
        for item, part in zip(group, parts, strict=True):
            if part > 0:
                key = (item.account, item.nature)
                settles[key].append((item, part))
                totals[key] += part
                item.remaining -= part
        remaining -= sum(parts, ZERO)
    if remaining > 0:
        totals[(chart.BUDGET, LineNature.CURRENT)] += remaining
    return [(account, nature, total, settles[(account, nature)]) for (account, nature), total in totals.items()]


def post_receipts_bulk(
    *,
    condominium: Condominium,
    journal: str,
    debit_account: str,
    receipts: Sequence[Receipt],
    validation_date: datetime.date | None = None,
    actor: Any = None,
) -> list[Entry]:
    """Post `receipts` (in order) and letter them; returns their entries, in the same order.

    Runs inside the caller's transaction (the import's chunk).
    """
    if not receipts:
        return []
    co_owner_ids = {receipt.co_owner.pk for receipt in receipts}
    have = set(LetteringCounter.objects.filter(co_owner_id__in=co_owner_ids).values_list("co_owner_id", flat=True))
    LetteringCounter.objects.bulk_create(
        [LetteringCounter(co_owner_id=pk) for pk in sorted(co_owner_ids - have)], ignore_conflicts=True
    )
    # co-owner id -> [counter id, last index]: rows locked, read as values (no model instances).
    counters = {
        co_owner_id: [pk, last_index]
        for pk, co_owner_id, last_index in LetteringCounter.objects.select_for_update()
        .filter(co_owner_id__in=co_owner_ids)
        .order_by("pk")
        .values_list("pk", "co_owner_id", "last_index")
    }
    start = {co_owner_id: counter[1] for co_owner_id, counter in counters.items()}
    items = _open_items(co_owner_ids)
    drafts: list[EntryDraft] = []
    plans = []
    for receipt in receipts:
        plan = _plan(items[receipt.co_owner.pk], receipt.amount, receipt.date)
        plans.append(plan)
        lines = [LineDraft(account=debit_account, debit=receipt.amount, label=receipt.label)]
        lines += [
            LineDraft(
                account=account,
                credit=total,
                co_owner=receipt.co_owner,
                nature=LineNature(nature),
                label=receipt.line_label or receipt.label,
            )
            for account, nature, total, _settles in plan
        ]
        drafts.append(
            EntryDraft(
                journal=journal,
                date=receipt.date,
                label=receipt.label,
                lines=lines,
                voucher=receipt.voucher,
                validation_date=validation_date,
            )
        )
    entries = post_entries_bulk(condominium=condominium, drafts=drafts, actor=actor)
    credit_lines: dict[int, list[int]] = defaultdict(list)
    accounts: dict[int, int] = {}
    settling = [entry.pk for entry, plan in zip(entries, plans, strict=True) if any(share[3] for share in plan)]
    for entry_id, line_id, account_id in (
        Line.objects.filter(entry_id__in=settling, position__gt=1)
        .order_by("entry_id", "position")
        .values_list("entry_id", "pk", "account_id")
    ):
        credit_lines[entry_id].append(line_id)
        accounts[line_id] = account_id
    letterings: list[Lettering] = []
    pending_matches: list[list[tuple[int, int, Decimal]]] = []
    for receipt, entry, plan in zip(receipts, entries, plans, strict=True):
        counter = counters[receipt.co_owner.pk]
        if entry.pk not in credit_lines:
            continue
        for (_account, _nature, _total, settled), credit_line_id in zip(plan, credit_lines[entry.pk], strict=True):
            if not settled:
                continue
            counter[1] += 1
            letterings.append(
                Lettering(
                    firm_id=condominium.firm_id,
                    condominium_id=condominium.pk,
                    co_owner_id=receipt.co_owner.pk,
                    account_id=accounts[credit_line_id],
                    code=lettering_code(counter[1]),
                    date=entry.validation_date,
                )
            )
            pending_matches.append([(item.pk, credit_line_id, part) for item, part in settled])
    if letterings:
        Lettering.objects.bulk_create(letterings)
        Match.objects.bulk_create(
            Match(lettering=lettering, debit_line_id=debit_id, credit_line_id=credit_id, amount=part)
            for lettering, pairs in zip(letterings, pending_matches, strict=True)
            for debit_id, credit_id, part in pairs
        )
        # Only the counters that moved, one UPDATE each in one executemany (bulk_update's CASE is slow).
        moved = [
            (last_index, pk) for co_owner_id, (pk, last_index) in counters.items() if last_index != start[co_owner_id]
        ]
        table = connection.ops.quote_name(LetteringCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET last_index = %s WHERE id = %s", moved)  # noqa: S608 - name from _meta
    return entries
