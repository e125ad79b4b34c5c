"""Works operations (art. 14-2) at the year-end: closed ones consume their provisions, open ones wait.

Spec §1 (chart) and §4: the charges of a works operation are not distributed with the current
charges. At the approval of year N, for every operation with charges or income in N:
- a **closed** operation (its works received, `WorksOperation.state = closed`) consumes its
  provisions: `Dr 102 / Cr 702` for its net spending (charges less the income tagged with it, such
  as 705 when the works fund was assigned to it), so that its classes 6 and 7 net to zero;
- an operation **not closed** has its net spending set aside on 120 « Solde en attente sur travaux
  et opérations exceptionnelles » (`Dr 120 / Cr 67x` per account, income the other way), reversed on
  the first day of N+1 so that the spending keeps adding up in 67x until the year the operation
  closes. Annex 5 shows it, and its total ties to 120 in annex 1.
What the provisions called exceed or fall short of the spending stays on 102 for the operation
until the general meeting decides its final distribution (annex 4 shows that balance).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from tantieme.funds.enums import OperationState
from tantieme.funds.models import WorksOperation
from tantieme.ledger.enums import LineNature
from tantieme.ledger.models import ZERO, Account, FiscalYear, Line, cents
from tantieme.ledger.services import EntryDraft, LineDraft

PENDING_WORKS = "120"
WORKS_PROVISIONS = "102"
WORKS_PROVISIONS_USED = "702"


@dataclass(frozen=True)
class OperationYear:
    """An operation's class-6 and class-7 balances in the year (debit balance: + charges, − income)."""

    operation: WorksOperation
    balances: dict[str, Decimal]

    @property
    def net_spending(self) -> Decimal:
        return sum(self.balances.values(), ZERO)

    @property
    def is_closed(self) -> bool:
        return self.operation.state == OperationState.CLOSED


def operations_of_year(fiscal_year: FiscalYear) -> list[OperationYear]:
    """Operations with class 6 or 7 lines in the year (régularisation left out), by code."""
    accounts = dict(
        Account.objects.filter(condominium_id=fiscal_year.condominium_id)
        .filter(Q(number__startswith="6") | Q(number__startswith="7"))
        .values_list("pk", "number")
    )
    rows = (
        Line.objects.filter(
            condominium_id=fiscal_year.condominium_id,
            date__gte=fiscal_year.start_date,
            date__lte=fiscal_year.end_date,
            account_id__in=list(accounts),
            operation__isnull=False,
        )
        .exclude(nature=LineNature.REGULARISATION)
        .values("operation_id", "account_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("operation_id", "account_id")
    )
    balances: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        amount = cents(row["debit"]) - cents(row["credit"])
        if amount:
            balances[row["operation_id"]][accounts[row["account_id"]]] = amount
    operations = WorksOperation.objects.filter(pk__in=list(balances)).order_by("code")
    return [OperationYear(operation=operation, balances=balances[operation.pk]) for operation in operations]


def _side(account: str, amount: Decimal, operation_id: int, label: str) -> LineDraft:
    """A line moving `amount` (debit balance if positive) onto `account`."""
    if amount > 0:
        return LineDraft(account=account, debit=amount, operation_id=operation_id, label=label)
    return LineDraft(account=account, credit=-amount, operation_id=operation_id, label=label)


def works_drafts(
    fiscal_year: FiscalYear, next_year: FiscalYear | None, *, approval_date: datetime.date
) -> tuple[list[EntryDraft], list[str]]:
    """The year-end entries of the works operations (validated and vouched on the meeting's date),
    and what prevents them."""
    drafts: list[EntryDraft] = []
    problems: list[str] = []
    end = fiscal_year.end_date

    def entry(operation: WorksOperation, day: datetime.date, label: str, lines: list[LineDraft]) -> EntryDraft:
        return EntryDraft(
            journal="RE",
            date=day,
            label=label,
            voucher=f"TRV-{operation.code}"[:40],
            voucher_date=approval_date,
            validation_date=approval_date,
            lines=lines,
        )

    for item in operations_of_year(fiscal_year):
        operation = item.operation
        if item.is_closed:
            net = item.net_spending
            if not net:
                continue
            label = f"Opération {operation.code} clôturée : provisions employées"[:200]
            drafts.append(
                entry(
                    operation,
                    end,
                    label,
                    [
                        _side(WORKS_PROVISIONS, net, operation.pk, label),
                        _side(WORKS_PROVISIONS_USED, -net, operation.pk, label),
                    ],
                )
            )
            continue
        if next_year is None:
            problems.append(
                f"L'opération {operation.code} n'est pas clôturée : ouvrez l'exercice suivant pour y reporter ses "
                "dépenses (compte 120)."
            )
            continue
        label = f"Opération {operation.code} en cours : solde en attente"[:200]
        lines = [_side(number, -amount, operation.pk, label) for number, amount in sorted(item.balances.items())]
        lines.append(_side(PENDING_WORKS, item.net_spending, operation.pk, label))
        drafts.append(entry(operation, end, label, lines))
        reopen = f"Opération {operation.code} : reprise du solde en attente"[:200]
        drafts.append(
            entry(
                operation,
                next_year.start_date,
                reopen,
                [
                    *(_side(number, amount, operation.pk, reopen) for number, amount in sorted(item.balances.items())),
                    _side(PENDING_WORKS, -item.net_spending, operation.pk, reopen),
                ],
            )
        )
    return drafts, problems
