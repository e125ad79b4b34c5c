"""Writes on budgets, the works fund and works operations. Call inside `firm_scope(firm)`.

    save_budget                 the budget voted by the AG (or corrected): lines per key and account
    create_provisional_budget   calls on the previous budget while the new one is not voted
    set_works_fund              the yearly works fund, refused below the legal minimum without a reason
    create_works_operation      works outside the budget: own lines, keys and schedule of calls

Issuing calls is in `tantieme.funds.issuing`, batches in `tantieme.funds.batches`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from tantieme.audit.services import record
from tantieme.condominiums.models import AllocationKey, Condominium
from tantieme.core.money import ZERO, format_amount
from tantieme.funds.computation import add_months, works_fund_minimum
from tantieme.funds.enums import Frequency, OperationState
from tantieme.funds.exceptions import BudgetError, WorksFundBelowMinimumError
from tantieme.funds.models import Budget, BudgetLine, Call, WorksInstalment, WorksLine, WorksOperation
from tantieme.ledger.models import FiscalYear


@dataclass(frozen=True)
class LineData:
    """A budget (or works) line to save: key code, account, label, amount."""

    key_code: str
    account: str
    amount: Decimal
    label: str = ""


@dataclass(frozen=True)
class InstalmentData:
    due_date: datetime.date
    weight: int


def fiscal_year_bounds(condominium: Condominium, start_date: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The fiscal year starting on `start_date`, which must be the 1st of the condominium's start month."""
    if start_date.day != 1 or start_date.month != condominium.fiscal_year_start_month:
        expected = datetime.date(start_date.year, condominium.fiscal_year_start_month, 1)
        raise BudgetError(
            f"L'exercice de la copropriété {condominium.code} commence le {expected:%d/%m} "
            f"(pas le {start_date:%d/%m/%Y})."
        )
    return start_date, add_months(start_date, 12) - datetime.timedelta(days=1)


def _check_lines(
    condominium: Condominium, lines: Sequence[LineData], *, account_prefixes: tuple[str, ...], what: str
) -> list[tuple[AllocationKey, LineData]]:
    keys = {key.code: key for key in AllocationKey.objects.filter(condominium=condominium)}
    problems: list[str] = []
    checked: list[tuple[AllocationKey, LineData]] = []
    seen: set[tuple[str, str]] = set()
    for position, line in enumerate(lines, start=1):
        key = keys.get(line.key_code.strip().upper()) or keys.get(line.key_code.strip())
        account = line.account.strip()
        if key is None:
            problems.append(f"Ligne {position} : clé « {line.key_code} » inconnue dans la copropriété.")
            continue
        if not account.isdigit() or not account.startswith(account_prefixes):
            prefixes = ", ".join(account_prefixes)
            problems.append(f"Ligne {position} : le compte « {account} » n'est pas un compte de {what} ({prefixes}…).")
            continue
        if not isinstance(line.amount, Decimal) or line.amount.as_tuple().exponent < -2:  # type: ignore[operator]
            problems.append(f"Ligne {position} : montant invalide.")
            continue
        if line.amount < 0:
            problems.append(f"Ligne {position} : montant négatif.")
            continue
        if (key.code, account) in seen:
            problems.append(f"Ligne {position} : le compte {account} figure deux fois dans la clé {key.code}.")
            continue
        seen.add((key.code, account))
        checked.append((key, LineData(key_code=key.code, account=account, amount=line.amount, label=line.label)))
    if not checked and not problems:
        problems.append("Le budget n'a aucune ligne.")
    if problems:
        raise BudgetError("\n".join(problems))
    return checked


def check_works_fund(
    *, budget_total: Decimal, amount: Decimal, works_plan_amount: Decimal | None, reason: str
) -> Decimal:
    """The legal minimum; raises when `amount` is below it and no reason is recorded (art. 14-2-1)."""
    if amount < 0:
        raise BudgetError("Le fonds de travaux ne peut pas être négatif.")
    minimum = works_fund_minimum(budget_total, works_plan_amount)
    if amount < minimum and not reason.strip():
        raise WorksFundBelowMinimumError(
            f"Le fonds de travaux ({format_amount(amount)}) est inférieur au minimum légal de "
            f"{format_amount(minimum)} (5 % du budget, ou 2,5 % des travaux du plan pluriannuel adopté). "
            "Indiquez le motif (immeuble de moins de dix ans, décision de l'AG…) pour l'enregistrer."
        )
    return minimum


def budget_total(budget: Budget) -> Decimal:
    return sum((line.amount for line in budget.lines.all()), ZERO)


@transaction.atomic
def save_budget(
    *,
    condominium: Condominium,
    start_date: datetime.date,
    general_meeting_date: datetime.date | None,
    lines: Sequence[LineData],
    frequency: Frequency | str = Frequency.QUARTERLY,
    works_fund_amount: Decimal = ZERO,
    works_plan_amount: Decimal | None = None,
    works_fund_reason: str = "",
    actor: Any = None,
) -> Budget:
    """Record the budget voted for the fiscal year starting on `start_date` (replaces its lines).

    A provisional budget of that year becomes the voted one: the calls already issued on the
    previous budget stay, the next ones catch up. The schedule cannot change once calls are issued.
    """
    start, end = fiscal_year_bounds(condominium, start_date)
    if frequency not in Frequency.values:
        raise BudgetError(f"Périodicité « {frequency} » inconnue.")
    if general_meeting_date is None:
        raise BudgetError("Indiquez la date de l'assemblée générale qui a voté le budget.")
    checked = _check_lines(condominium, lines, account_prefixes=("6",), what="charges")
    total = sum((line.amount for _key, line in checked), ZERO)
    check_works_fund(
        budget_total=total, amount=works_fund_amount, works_plan_amount=works_plan_amount, reason=works_fund_reason
    )
    budget = Budget.objects.select_for_update().filter(condominium=condominium, start_date=start).first()
    action = "funds.budget.created"
    if budget is None:
        budget = Budget(condominium=condominium, start_date=start, end_date=end, created_by=actor)
    else:
        action = "funds.budget.voted" if budget.is_provisional else "funds.budget.revised"
        if budget.frequency != frequency and Call.objects.filter(budget=budget).exists():
            raise BudgetError("Des appels sont déjà émis sur ce budget : sa périodicité ne peut plus changer.")
        budget.lines.all().delete()
    budget.general_meeting_date = general_meeting_date
    budget.frequency = str(frequency)
    budget.is_provisional = False
    budget.works_fund_amount = works_fund_amount
    budget.works_plan_amount = works_plan_amount
    budget.works_fund_reason = works_fund_reason.strip()
    budget.save()
    BudgetLine.objects.bulk_create(
        BudgetLine(budget=budget, key=key, account=line.account, label=line.label.strip(), amount=line.amount)
        for key, line in checked
    )
    record(
        action=action,
        firm=condominium.firm,
        actor=actor,
        target=budget,
        data={
            "condominium": condominium.code,
            "year": budget.label,
            "total": str(total),
            "works_fund": str(works_fund_amount),
            "works_fund_reason": budget.works_fund_reason,
        },
    )
    return budget


@transaction.atomic
def create_provisional_budget(*, condominium: Condominium, start_date: datetime.date, actor: Any = None) -> Budget:
    """While the new budget is not voted, call provisions on the previous one (art. 14-1, flag kept)."""
    start, end = fiscal_year_bounds(condominium, start_date)
    existing = Budget.objects.filter(condominium=condominium, start_date=start).first()
    if existing is not None:
        return existing
    previous = Budget.objects.filter(condominium=condominium, start_date__lt=start).order_by("-start_date").first()
    if previous is None:
        raise BudgetError("Aucun budget précédent sur lequel appeler des provisions.")
    budget = Budget.objects.create(
        condominium=condominium,
        start_date=start,
        end_date=end,
        frequency=previous.frequency,
        is_provisional=True,
        based_on=previous,
        works_fund_amount=previous.works_fund_amount,
        works_plan_amount=previous.works_plan_amount,
        works_fund_reason=previous.works_fund_reason,
        created_by=actor,
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(budget=budget, key_id=line.key_id, account=line.account, label=line.label, amount=line.amount)
        for line in previous.lines.all()
    )
    record(
        action="funds.budget.provisional",
        firm=condominium.firm,
        actor=actor,
        target=budget,
        data={"condominium": condominium.code, "year": budget.label, "based_on": previous.label},
    )
    return budget


@transaction.atomic
def set_works_fund(
    *,
    budget: Budget,
    amount: Decimal,
    works_plan_amount: Decimal | None = None,
    reason: str = "",
    actor: Any = None,
) -> Budget:
    """The yearly works fund voted with the budget: spread on the general tantièmes, same schedule."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    check_works_fund(
        budget_total=budget_total(budget), amount=amount, works_plan_amount=works_plan_amount, reason=reason
    )
    budget.works_fund_amount = amount
    budget.works_plan_amount = works_plan_amount
    budget.works_fund_reason = reason.strip()
    budget.save(update_fields=["works_fund_amount", "works_plan_amount", "works_fund_reason"])
    record(
        action="funds.works_fund.set",
        firm=budget.condominium.firm,
        actor=actor,
        target=budget,
        data={"amount": str(amount), "plan": str(works_plan_amount or ""), "reason": budget.works_fund_reason},
    )
    return budget


@transaction.atomic
def create_works_operation(
    *,
    condominium: Condominium,
    code: str,
    label: str,
    general_meeting_date: datetime.date,
    lines: Sequence[LineData],
    instalments: Sequence[InstalmentData],
    actor: Any = None,
) -> WorksOperation:
    """Works voted outside the budget (art. 14-2 I): lines per key (67x accounts) and dated instalments."""
    code = code.strip().upper()
    if not code or len(code) > 20:
        raise BudgetError("Donnez un code court à l'opération (par exemple RAV2026).")
    if not label.strip():
        raise BudgetError("Indiquez l'objet des travaux : il figure sur les avis d'appel (décret art. 35-2).")
    if WorksOperation.objects.filter(condominium=condominium, code=code).exists():
        raise BudgetError(f"L'opération {code} existe déjà.")
    checked = _check_lines(condominium, lines, account_prefixes=("67",), what="travaux")
    if any(line.amount == 0 for _key, line in checked):
        raise BudgetError("Chaque ligne de travaux a un montant positif.")
    if not instalments:
        raise BudgetError("Indiquez au moins une échéance d'appel.")
    dates = [instalment.due_date for instalment in instalments]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise BudgetError("Les échéances sont datées dans l'ordre, une par date.")
    if any(instalment.weight <= 0 for instalment in instalments):
        raise BudgetError("Chaque échéance a une part positive.")
    operation = WorksOperation.objects.create(
        condominium=condominium,
        code=code,
        label=label.strip(),
        general_meeting_date=general_meeting_date,
        state=OperationState.OPEN,
        created_by=actor,
    )
    WorksLine.objects.bulk_create(
        WorksLine(operation=operation, key=key, account=line.account, label=line.label.strip(), amount=line.amount)
        for key, line in checked
    )
    WorksInstalment.objects.bulk_create(
        WorksInstalment(operation=operation, number=number, due_date=item.due_date, weight=item.weight)
        for number, item in enumerate(instalments, start=1)
    )
    record(
        action="funds.works_operation.created",
        firm=condominium.firm,
        actor=actor,
        target=operation,
        data={
            "condominium": condominium.code,
            "code": code,
            "total": str(sum((line.amount for _key, line in checked), ZERO)),
            "instalments": len(instalments),
        },
    )
    return operation


@transaction.atomic
def close_works_operation(*, operation: WorksOperation, closed_on: datetime.date, actor: Any = None) -> WorksOperation:
    """The works are finished and received: the operation closes (spec §4; annexes 4 and 5).

    Its instalments not yet called stay uncalled; at the approval of the year containing
    `closed_on` its spending consumes its provisions (Dr 102 / Cr 702, `tantieme.closing.works`).
    """
    locked = WorksOperation.objects.select_for_update().get(pk=operation.pk)
    if locked.state == OperationState.CLOSED:
        raise BudgetError(f"L'opération {locked.code} est déjà clôturée.")
    if closed_on < locked.general_meeting_date:
        raise BudgetError("Une opération ne se clôture pas avant l'assemblée générale qui l'a votée.")
    year = FiscalYear.objects.filter(
        condominium_id=locked.condominium_id, start_date__lte=closed_on, end_date__gte=closed_on
    ).first()
    if year is None or not year.is_open:
        raise BudgetError(f"Aucun exercice ouvert ne contient le {closed_on:%d/%m/%Y}.")
    locked.state = OperationState.CLOSED
    locked.closed_on = closed_on
    locked.save(update_fields=["state", "closed_on"])
    condominium = Condominium.objects.select_related("firm").get(pk=locked.condominium_id)
    record(
        action="funds.works_operation.closed",
        firm=condominium.firm,
        actor=actor,
        target=locked,
        data={"code": locked.code, "closed_on": closed_on.isoformat()},
    )
    return locked
