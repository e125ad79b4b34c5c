"""The five annexes of the accounts (décret n° 2005-240); the individual statement is `statements`.

`build_annexes(fiscal_year=…, closing=…)` reads the books, the budgets, the works operations and
the closing, and returns plain frozen dataclasses: the renderers (`renderers.py`) and the pages
need no database access. Call inside `firm_scope(firm)`. See docs/annexes.md for the layout.

1. État financier après répartition: the balance sheet at the closing date (classes 1, 4 and 5,
   cumulative: Σ debit − credit of every line dated on or before the date), *after distribution*.
   When the closing is a draft nothing of it is posted yet, so the figures simulate what the
   approval will post (`tantieme.closing.services.approve_closing`, `tantieme.closing.works`):
   each co-owner's draft régularisation is added to their balance; the year's net spending of a
   works operation still open goes to 120 (Dr 120 / Cr 67x), that of a closed one consumes its
   provisions (Dr 102 / Cr 702). Whatever classes 6 and 7 still hold after that (charges without a
   key that block the closing) is shown as « restant à répartir », so the two sides always balance.
2. Compte de gestion général: classes 6 and 7 by account, current operations (lines without works
   operation) then works and exceptional operations; N−1 actual, budget N, actual N, budgets N+1
   and N+2. The régularisation lines and the year-end deferral entries of works (those touching
   120) are left out: they distribute or carry the figures, they are not charges or income.
3. Compte de gestion pour opérations courantes, by key: charges by account, other income assigned,
   provisions called (701) and the result per key, to the cent with the closing's distribution.
4. Works operations closed (art. 14-2): voted, spent, called, balance.
5. Works operations voted and not closed: the same to date; their total ties to account 120.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from tantieme.closing.distribution import compute_distribution
from tantieme.closing.models import Closing, DistributionLine
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner
from tantieme.core.money import format_amount
from tantieme.funds.actuals import flow_sums
from tantieme.funds.enums import OperationState
from tantieme.funds.models import Budget, BudgetLine, WorksLine, WorksOperation
from tantieme.ledger.enums import JournalKind, LineNature
from tantieme.ledger.models import ZERO, Account, FiscalYear, Line, cents
from tantieme.tenancy.models import Firm

ONE_DAY = datetime.timedelta(days=1)
CO_OWNER_PREFIX = "450"
DOUBTFUL = "459"
PENDING_WORKS = "120"
WORKS_PROVISIONS = "102"
WORKS_PROVISIONS_USED = "702"
CURRENT_PROVISIONS = "701"
# Accounts whose side in annex 1 does not depend on the sign of their balance.
RECEIVABLE_ACCOUNTS = ("409", "461", "471", "486", "49")
DEBT_ACCOUNTS = ("40", "462", "472", "487")
SUPPLIERS = "40"
SUPPLIERS_OWING = "409"


def _date(value: datetime.date) -> str:
    return f"{value:%d/%m/%Y}"


def _plus(*values: Decimal | None) -> Decimal | None:
    """The sum of the known values; None when none is known (an empty column stays empty)."""
    known = [value for value in values if value is not None]
    return sum(known, ZERO) if known else None


# --- Shared header -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """Who and what: the firm's letterhead, the condominium, the year, draft or approved."""

    firm_name: str
    firm_legal_name: str
    firm_address: str
    firm_contact: str
    firm_card: str
    condominium_code: str
    condominium_name: str
    condominium_address: str
    registry_number: str
    start: datetime.date
    end: datetime.date
    year_label: str
    previous_start: datetime.date | None
    previous_end: datetime.date | None
    is_draft: bool
    status: str  # « Projet, sous réserve d'approbation » or « Approuvé par l'assemblée générale du … »

    @property
    def period(self) -> str:
        return _("Exercice du %(start)s au %(end)s") % {"start": _date(self.start), "end": _date(self.end)}

    @property
    def previous_label(self) -> str:
        return str(self.previous_end.year) if self.previous_end is not None else ""


def closing_status(closing: Closing) -> str:
    if closing.is_draft:
        return _("Projet, sous réserve d'approbation")
    day = closing.approval_date
    if day is None:
        return _("Approuvé par l'assemblée générale")
    return _("Approuvé par l'assemblée générale du %(date)s") % {"date": _date(day)}


def annex_header(
    firm: Firm, condominium: Condominium, year: FiscalYear, previous: FiscalYear | None, closing: Closing
) -> Header:
    return Header(
        firm_name=firm.name,
        firm_legal_name=firm.legal_name,
        firm_address=firm.postal_address,
        firm_contact=" · ".join(part for part in (firm.phone, firm.contact_email) if part),
        firm_card=(
            _("Carte professionnelle %(card)s · Garant : %(guarantor)s")
            % {"card": firm.professional_card, "guarantor": firm.financial_guarantor}
            if firm.professional_card
            else ""
        ),
        condominium_code=condominium.code,
        condominium_name=condominium.name,
        condominium_address=condominium.postal_address,
        registry_number=condominium.registry_number,
        start=year.start_date,
        end=year.end_date,
        year_label=year.label,
        previous_start=previous.start_date if previous is not None else None,
        previous_end=previous.end_date if previous is not None else None,
        is_draft=closing.is_draft,
        status=closing_status(closing),
    )


# --- Annex 1: balance sheet after distribution ---------------------------------------------------


@dataclass(frozen=True)
class BalanceRow:
    account: str
    label: str
    amount: Decimal | None  # at the closing date; None: nothing on this line this year
    previous: Decimal | None  # at the previous closing date; None: no previous year or nothing


@dataclass(frozen=True)
class BalanceSection:
    title: str
    rows: tuple[BalanceRow, ...]
    total: Decimal
    previous_total: Decimal | None


@dataclass(frozen=True)
class CoOwnerBalance:
    reference: str
    name: str
    balance: Decimal  # after distribution: > 0 débiteur (owes), < 0 créditeur
    regularisation: Decimal  # the draft régularisation included in `balance` (zero once approved)
    previous: Decimal | None

    @property
    def debit(self) -> Decimal:
        return self.balance if self.balance > 0 else ZERO

    @property
    def credit(self) -> Decimal:
        return -self.balance if self.balance < 0 else ZERO


@dataclass(frozen=True)
class FinancialStatement:
    """Annex 1: assets (trésorerie, créances) = liabilities (provisions et avances, dettes)."""

    date: datetime.date
    previous_date: datetime.date | None
    treasury: BalanceSection
    funds: BalanceSection
    receivables: BalanceSection
    debts: BalanceSection
    co_owners: tuple[CoOwnerBalance, ...]
    simulated: bool  # the draft's régularisations and works entries are added, not yet posted

    @property
    def total_assets(self) -> Decimal:
        return self.treasury.total + self.receivables.total

    @property
    def total_liabilities(self) -> Decimal:
        return self.funds.total + self.debts.total

    @property
    def previous_total_assets(self) -> Decimal | None:
        return _plus(self.treasury.previous_total, self.receivables.previous_total)

    @property
    def previous_total_liabilities(self) -> Decimal | None:
        return _plus(self.funds.previous_total, self.debts.previous_total)

    @property
    def balanced(self) -> bool:
        return self.total_assets == self.total_liabilities and (
            self.previous_total_assets == self.previous_total_liabilities
        )

    @property
    def pending_works(self) -> Decimal:
        """Account 120 after distribution, as a debit balance (the spending of open operations)."""
        for row in self.funds.rows:
            if row.account == PENDING_WORKS:
                return -(row.amount or ZERO)
        return ZERO


@dataclass
class _Position:
    """The balance-sheet accounts on a date (debit balances), before and after distribution."""

    accounts: dict[str, Decimal]  # general accounts of classes 1, 4, 5 (co-owner accounts apart)
    co_owners: dict[int, Decimal]  # Σ 450x per co-owner
    doubtful: dict[int, Decimal]  # 459 per co-owner
    regularisations: dict[int, Decimal]  # draft régularisations added to `co_owners`
    left_to_distribute: Decimal  # classes 6 and 7 still holding a balance (debit)


def _position(
    condominium_id: int,
    day: datetime.date,
    closing: Closing | None,
    numbers: Mapping[int, str],
    operation_states: Mapping[int, str],
) -> _Position:
    rows = (
        Line.objects.filter(condominium_id=condominium_id, date__lte=day)
        .values("account_id", "co_owner_id", "operation_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    accounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    co_owners: dict[int, Decimal] = defaultdict(lambda: ZERO)
    doubtful: dict[int, Decimal] = defaultdict(lambda: ZERO)
    flows = ZERO  # classes 6 and 7 without operation
    by_operation: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        number = numbers[row["account_id"]]
        amount = cents(row["debit"]) - cents(row["credit"])
        if number.startswith(("6", "7")):
            if row["operation_id"] is None:
                flows += amount
            else:
                by_operation[row["operation_id"]] += amount
        elif row["co_owner_id"] is not None and number.startswith(DOUBTFUL):
            doubtful[row["co_owner_id"]] += amount
        elif row["co_owner_id"] is not None:
            co_owners[row["co_owner_id"]] += amount
        else:
            accounts[number] += amount
    regularisations = _add_draft_regularisations(closing, co_owners) if closing is not None else {}
    flows -= sum(regularisations.values(), ZERO)
    _add_works_year_end(by_operation, operation_states, accounts)
    return _Position(
        accounts=dict(accounts),
        co_owners=dict(co_owners),
        doubtful=dict(doubtful),
        regularisations=regularisations,
        left_to_distribute=flows,
    )


def _add_draft_regularisations(closing: Closing, co_owners: dict[int, Decimal]) -> dict[int, Decimal]:
    """A draft's régularisations added to the co-owners' balances (what the approval will post)."""
    if not closing.is_draft:
        return {}
    regularisations: dict[int, Decimal] = {}
    for owner_id, total in (
        DistributionLine.objects.filter(closing=closing)
        .values("co_owner_id")
        .annotate(total=Sum("regularisation"))
        .order_by()
        .values_list("co_owner_id", "total")
    ):
        amount = cents(total)
        if amount:
            regularisations[owner_id] = amount
            co_owners[owner_id] = co_owners.get(owner_id, ZERO) + amount
    return regularisations


def _add_works_year_end(
    by_operation: Mapping[int, Decimal], operation_states: Mapping[int, str], accounts: dict[str, Decimal]
) -> None:
    """What the approval posts for works operations (tantieme.closing.works), as long as it is not:
    the net spending of an open operation set aside on 120 (Dr 120 / Cr 67x), that of a closed
    one paid by its provisions (Dr 102 / Cr 702)."""
    for operation_id, amount in by_operation.items():
        if not amount:
            continue
        target = WORKS_PROVISIONS if operation_states.get(operation_id) == OperationState.CLOSED else PENDING_WORKS
        accounts[target] = accounts.get(target, ZERO) + amount


_TREASURY, _FUNDS, _RECEIVABLES, _DEBTS = "treasury", "funds", "receivables", "debts"
_ASSET_SECTIONS = (_TREASURY, _RECEIVABLES)


def _section_of(number: str, debit_balance: Decimal) -> str:
    if number.startswith("5"):
        return _TREASURY
    if number.startswith("1"):
        return _FUNDS
    if number.startswith(RECEIVABLE_ACCOUNTS):
        return _RECEIVABLES
    if number.startswith(DEBT_ACCOUNTS):
        return _DEBTS
    # 42x–44x, 46x, 47x, 48x not listed: on the side of their balance.
    return _RECEIVABLES if debit_balance > 0 else _DEBTS


def _lines_of(position: _Position, labels: Mapping[str, str]) -> dict[tuple[str, str], tuple[str, Decimal]]:
    """{(section, account): (label, amount on the section's side)} of one date."""
    lines: dict[tuple[str, str], tuple[str, Decimal]] = {}

    def put(section: str, account: str, label: str, debit_balance: Decimal) -> None:
        amount = debit_balance if section in _ASSET_SECTIONS else -debit_balance
        previous = lines.get((section, account), (label, ZERO))[1]
        lines[(section, account)] = (label, previous + amount)

    for number, amount in position.accounts.items():
        if not amount:
            continue
        if number.startswith(SUPPLIERS) and len(number) > 3:
            # A supplier's sub-account (40100003, 40800006) shows under its collective, on the side of
            # its own balance (spec expenses §9.2): a creditor in the debts of 401/408, a debtor (a
            # credit note larger than what was owed, an advance) in « Fournisseurs débiteurs » (409).
            collective = SUPPLIERS_OWING if amount > 0 else ("401" if number.startswith("409") else number[:3])
            put(_section_of(collective, amount), collective, labels.get(collective, collective), amount)
        elif number.startswith(SUPPLIERS) and amount > 0:
            # The collective itself with a debit balance: a supplier owes the syndicate, not a negative debt.
            put(_RECEIVABLES, SUPPLIERS_OWING, labels.get(SUPPLIERS_OWING, SUPPLIERS_OWING), amount)
        else:
            put(_section_of(number, amount), number, labels.get(number, number), amount)
    owed = sum((amount for amount in position.co_owners.values() if amount > 0), ZERO)
    owing = sum((amount for amount in position.co_owners.values() if amount < 0), ZERO)
    if owed:
        put(_RECEIVABLES, CO_OWNER_PREFIX, _("Copropriétaires débiteurs (sommes exigibles restant à recevoir)"), owed)
    if owing:
        put(_DEBTS, CO_OWNER_PREFIX, _("Copropriétaires créditeurs (excédents à restituer)"), owing)
    doubtful = sum(position.doubtful.values(), ZERO)
    if doubtful:
        put(_RECEIVABLES, DOUBTFUL, labels.get(DOUBTFUL, _("Copropriétaires – créances douteuses")), doubtful)
    left = position.left_to_distribute
    if left > 0:
        put(_RECEIVABLES, "6/7", _("Charges restant à répartir"), left)
    elif left < 0:
        put(_DEBTS, "6/7", _("Produits restant à répartir"), left)
    return lines


def _financial_statement(
    *,
    condominium: Condominium,
    year: FiscalYear,
    closing: Closing,
    previous: FiscalYear | None,
    previous_closing: Closing | None,
) -> FinancialStatement:
    accounts = list(Account.objects.filter(condominium=condominium).values_list("pk", "number", "label"))
    numbers = {pk: number for pk, number, _label in accounts}
    labels = {number: label for _pk, number, label in accounts}
    states = dict(WorksOperation.objects.filter(condominium=condominium).values_list("pk", "state"))
    now = _position(condominium.pk, year.end_date, closing, numbers, states)
    before = (
        _position(condominium.pk, previous.end_date, previous_closing, numbers, states)
        if previous is not None
        else None
    )
    current_lines = _lines_of(now, labels)
    previous_lines = _lines_of(before, labels) if before is not None else {}
    titles = {
        _TREASURY: _("Trésorerie"),
        _FUNDS: _("Provisions et avances"),
        _RECEIVABLES: _("Créances"),
        _DEBTS: _("Dettes"),
    }
    sections: dict[str, BalanceSection] = {}
    for section, title in titles.items():
        keys = sorted(
            {account for part, account in (*current_lines, *previous_lines) if part == section},
            key=lambda account: (account == "6/7", account),
        )
        rows = []
        for account in keys:
            label, amount = current_lines.get((section, account), ("", None))
            previous_label, previous_amount = previous_lines.get((section, account), ("", None))
            if previous is not None and previous_amount is None:
                previous_amount = ZERO
            rows.append(
                BalanceRow(account=account, label=label or previous_label, amount=amount, previous=previous_amount)
            )
        sections[section] = BalanceSection(
            title=title,
            rows=tuple(rows),
            total=sum((row.amount or ZERO for row in rows), ZERO),
            previous_total=sum((row.previous or ZERO for row in rows), ZERO) if previous is not None else None,
        )
    owner_ids = {owner for owner, amount in (*now.co_owners.items(), *now.doubtful.items()) if amount}
    if before is not None:
        owner_ids |= {owner for owner, amount in (*before.co_owners.items(), *before.doubtful.items()) if amount}
    owners = CoOwner.objects.filter(pk__in=owner_ids).order_by("reference")
    co_owners = tuple(
        CoOwnerBalance(
            reference=owner.reference_display,
            name=owner.display_name,
            balance=now.co_owners.get(owner.pk, ZERO) + now.doubtful.get(owner.pk, ZERO),
            regularisation=now.regularisations.get(owner.pk, ZERO),
            previous=(
                before.co_owners.get(owner.pk, ZERO) + before.doubtful.get(owner.pk, ZERO)
                if before is not None
                else None
            ),
        )
        for owner in owners
    )
    return FinancialStatement(
        date=year.end_date,
        previous_date=previous.end_date if previous is not None else None,
        treasury=sections[_TREASURY],
        funds=sections[_FUNDS],
        receivables=sections[_RECEIVABLES],
        debts=sections[_DEBTS],
        co_owners=co_owners,
        simulated=closing.is_draft,
    )


# --- Annex 2 and 3: accounts by nature, by key -------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    """One account (or total) across the columns; None: the column has no such figure (no budget)."""

    account: str
    label: str
    previous: Decimal | None  # actual of N−1 (approved)
    budget: Decimal | None  # budget voted for N
    actual: Decimal  # actual of N (to approve)
    next_budget: Decimal | None  # budget voted for N+1
    after_next_budget: Decimal | None = None  # budget N+2 (annex 2 only)

    @property
    def values(self) -> tuple[Decimal | None, ...]:
        return (self.previous, self.budget, self.actual, self.next_budget, self.after_next_budget)


def _total_row(account: str, label: str, rows: Sequence[AccountRow], *, columns: Sequence[bool]) -> AccountRow:
    """Column sums; a column that does not exist (no previous year, no budget) stays empty."""

    def column(index: int) -> Decimal | None:
        if not columns[index]:
            return None
        return sum((row.values[index] or ZERO for row in rows), ZERO)

    return AccountRow(
        account=account,
        label=label,
        previous=column(0),
        budget=column(1),
        actual=sum((row.actual for row in rows), ZERO),
        next_budget=column(3),
        after_next_budget=column(4),
    )


def _difference(account: str, label: str, plus: AccountRow, minus: AccountRow) -> AccountRow:
    def sub(a: Decimal | None, b: Decimal | None) -> Decimal | None:
        if a is None and b is None:
            return None
        return (a or ZERO) - (b or ZERO)

    return AccountRow(
        account=account,
        label=label,
        previous=sub(plus.previous, minus.previous),
        budget=sub(plus.budget, minus.budget),
        actual=plus.actual - minus.actual,
        next_budget=sub(plus.next_budget, minus.next_budget),
        after_next_budget=sub(plus.after_next_budget, minus.after_next_budget),
    )


@dataclass(frozen=True)
class ManagementPart:
    title: str
    charges: tuple[AccountRow, ...]
    income: tuple[AccountRow, ...]
    total_charges: AccountRow
    total_income: AccountRow
    result: AccountRow  # income − charges: > 0 excess, < 0 insufficiency (before distribution)


@dataclass(frozen=True)
class GeneralAccount:
    """Annex 2: part I current operations, part II works and exceptional operations."""

    columns: tuple[str, ...]  # the five column headings
    has_previous: bool
    has_budget: bool
    has_next_budget: bool
    has_after_next_budget: bool
    current: ManagementPart
    works: ManagementPart


def _deferral_entries(condominium_id: int) -> Q:
    """Entries that touch 120 (the year-end deferral of open works and its reversal)."""
    return Q(
        entry_id__in=Line.objects.filter(
            condominium_id=condominium_id, account__number__startswith=PENDING_WORKS[:2]
        ).values("entry_id")
    )


def _year_flows(year: FiscalYear, numbers: Mapping[int, str]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Actual of a year per account ({number: amount}, charges as debit, income as credit balances):
    (current operations, works operations)."""
    # The definition of the actual shared with the distribution and budget against actual.
    flows = flow_sums(
        condominium_id=year.condominium_id,
        start=year.start_date,
        end=year.end_date,
        accounts={pk: number for pk, number in numbers.items() if number.startswith(("6", "7"))},
        works=True,
    )
    current: dict[str, Decimal] = defaultdict(lambda: ZERO)
    works: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for flow in flows:
        sign = 1 if flow.account.startswith("6") else -1
        target = current if flow.operation_id is None else works
        target[flow.account] += sign * flow.balance
    return (
        {number: amount for number, amount in current.items() if amount},
        {number: amount for number, amount in works.items() if amount},
    )


def _simulated_works_income(year: FiscalYear, numbers: Mapping[int, str]) -> Decimal:
    """702 the approval will credit for the operations closed (their year's net spending)."""
    flow_ids = [pk for pk, number in numbers.items() if number.startswith(("6", "7"))]
    total = (
        Line.objects.filter(
            condominium_id=year.condominium_id,
            date__gte=year.start_date,
            date__lte=year.end_date,
            account_id__in=flow_ids,
            operation__state=OperationState.CLOSED,
        )
        .exclude(nature=LineNature.REGULARISATION)
        .aggregate(debit=Sum("debit"), credit=Sum("credit"))
    )
    return cents(total["debit"]) - cents(total["credit"])


@dataclass(frozen=True)
class _Budgets:
    current: Budget | None
    next: Budget | None
    after_next: Budget | None

    def all(self) -> list[Budget]:
        return [budget for budget in (self.current, self.next, self.after_next) if budget is not None]


def _budgets(year: FiscalYear) -> _Budgets:
    budgets = {
        budget.start_date: budget
        for budget in Budget.objects.filter(condominium_id=year.condominium_id, start_date__gte=year.start_date)
    }
    current = budgets.get(year.start_date)
    following = budgets.get(year.end_date + ONE_DAY)
    after = budgets.get(following.end_date + ONE_DAY) if following is not None else None
    return _Budgets(current=current, next=following, after_next=after)


def _next_budget_heading(budget: Budget | None, year: int) -> str:
    if budget is not None and budget.is_provisional:
        return _("Budget provisoire %(year)s") % {"year": budget.label}
    return _("Budget voté %(year)s") % {"year": budget.label if budget is not None else year}


def _budget_amounts(budgets: _Budgets) -> dict[int, dict[tuple[int, str], Decimal]]:
    """{budget id: {(key id, account): amount}}."""
    result: dict[int, dict[tuple[int, str], Decimal]] = defaultdict(dict)
    for budget_id, key_id, account, amount in (
        BudgetLine.objects.filter(budget__in=budgets.all())
        .values("budget_id", "key_id", "account")
        .annotate(amount=Sum("amount"))
        .values_list("budget_id", "key_id", "account", "amount")
    ):
        result[budget_id][(key_id, account)] = cents(amount)
    return result


def _per_account(amounts: Mapping[tuple[int, str], Decimal], key_id: int | None = None) -> dict[str, Decimal]:
    result: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (key, account), amount in amounts.items():
        if key_id is None or key == key_id:
            result[account] += amount
    return dict(result)


def _column(
    budget: Budget | None, amounts: Mapping[int, Mapping[tuple[int, str], Decimal]]
) -> dict[str, Decimal] | None:
    return _per_account(amounts.get(budget.pk, {})) if budget is not None else None


def _rows(
    numbers: Iterable[str],
    labels: Mapping[str, str],
    *,
    actual: Mapping[str, Decimal],
    previous: Mapping[str, Decimal] | None = None,
    budget: Mapping[str, Decimal] | None = None,
    next_budget: Mapping[str, Decimal] | None = None,
    after_next_budget: Mapping[str, Decimal] | None = None,
) -> tuple[AccountRow, ...]:
    def get(column: Mapping[str, Decimal] | None, number: str) -> Decimal | None:
        return None if column is None else column.get(number, ZERO)

    return tuple(
        AccountRow(
            account=number,
            label=labels.get(number, number),
            previous=get(previous, number),
            budget=get(budget, number),
            actual=actual.get(number, ZERO),
            next_budget=get(next_budget, number),
            after_next_budget=get(after_next_budget, number),
        )
        for number in sorted(set(numbers))
    )


def _part(
    title: str, charges: tuple[AccountRow, ...], income: tuple[AccountRow, ...], columns: Sequence[bool]
) -> ManagementPart:
    total_charges = _total_row("6", _("Total des charges"), charges, columns=columns)
    total_income = _total_row("7", _("Total des produits"), income, columns=columns)
    return ManagementPart(
        title=title,
        charges=charges,
        income=income,
        total_charges=total_charges,
        total_income=total_income,
        result=_difference("", _("Solde (produits - charges)"), total_income, total_charges),
    )


def _general_account(
    *,
    year: FiscalYear,
    closing: Closing,
    previous: FiscalYear | None,
    numbers: Mapping[int, str],
    labels: Mapping[str, str],
    budgets: _Budgets,
    amounts: Mapping[int, Mapping[tuple[int, str], Decimal]],
) -> GeneralAccount:
    current, works = _year_flows(year, numbers)
    if closing.is_draft:
        used = _simulated_works_income(year, numbers)
        if used:
            works[WORKS_PROVISIONS_USED] = works.get(WORKS_PROVISIONS_USED, ZERO) + used
    previous_current, previous_works = _year_flows(previous, numbers) if previous is not None else (None, None)
    budget = _column(budgets.current, amounts)
    next_budget = _column(budgets.next, amounts)
    after_next = _column(budgets.after_next, amounts)

    def with_provisions(column: dict[str, Decimal] | None) -> dict[str, Decimal] | None:
        # A budget is voted balanced: the provisions called (701) are its total.
        if column is None:
            return None
        return {**column, CURRENT_PROVISIONS: sum(column.values(), ZERO)}

    budget, next_budget, after_next = with_provisions(budget), with_provisions(next_budget), with_provisions(after_next)
    flags = (
        previous is not None,
        budgets.current is not None,
        True,
        budgets.next is not None,
        budgets.after_next is not None,
    )

    def numbers_of(prefix: str, *columns: Mapping[str, Decimal] | None) -> set[str]:
        return {number for column in columns if column for number in column if number.startswith(prefix)}

    current_columns = (previous_current, budget, current, next_budget, after_next)
    columns: dict[str, Mapping[str, Decimal] | None] = {
        "previous": previous_current,
        "budget": budget,
        "next_budget": next_budget,
        "after_next_budget": after_next,
    }
    part_one = _part(
        _("I. Opérations courantes"),
        _rows(numbers_of("6", *current_columns), labels, actual=current, **columns),
        _rows(numbers_of("7", *current_columns), labels, actual=current, **columns),
        flags,
    )
    works_flags = (previous is not None, False, True, False, False)
    part_two = _part(
        _("II. Travaux de l'article 14-2 et opérations exceptionnelles"),
        _rows(numbers_of("6", previous_works, works), labels, previous=previous_works, actual=works),
        _rows(numbers_of("7", previous_works, works), labels, previous=previous_works, actual=works),
        works_flags,
    )
    n = int(year.label)
    return GeneralAccount(
        columns=(
            _("Exercice précédent approuvé %(year)s") % {"year": previous.label}
            if previous is not None
            else _("Exercice précédent"),
            _("Budget voté %(year)s") % {"year": n},
            (_("Réalisé %(year)s à approuver") if closing.is_draft else _("Réalisé %(year)s approuvé")) % {"year": n},
            _next_budget_heading(budgets.next, n + 1),
            _("Budget %(year)s") % {"year": budgets.after_next.label if budgets.after_next else n + 2},
        ),
        has_previous=flags[0],
        has_budget=flags[1],
        has_next_budget=flags[3],
        has_after_next_budget=flags[4],
        current=part_one,
        works=part_two,
    )


@dataclass(frozen=True)
class KeyManagement:
    """One key of annex 3: its charges by account, other income, provisions, result."""

    key_id: int
    code: str
    label: str
    charges: tuple[AccountRow, ...]
    total_charges: AccountRow
    income: AccountRow  # income assigned to the key other than provisions (713, 714, 716…)
    provisions: AccountRow  # provisions called on the key (701)
    result: AccountRow  # provisions + income − charges: > 0 excess, < 0 insufficiency
    regularisation: Decimal  # charges − income − provisions, distributed to the lots (= −result)


@dataclass(frozen=True)
class CurrentOperations:
    """Annex 3: current operations by allocation key."""

    columns: tuple[str, ...]  # the four column headings
    has_previous: bool
    has_budget: bool
    has_next_budget: bool
    keys: tuple[KeyManagement, ...]
    total_charges: AccountRow
    total_income: AccountRow
    total_provisions: AccountRow
    result: AccountRow

    @property
    def regularisation_total(self) -> Decimal:
        """The balance to distribute before distribution (spec §11.5: −8,25)."""
        return sum((key.regularisation for key in self.keys), ZERO)


@dataclass(frozen=True)
class _KeyYear:
    charges: dict[str, Decimal]
    income: Decimal
    provisions: Decimal


def _key_years_from_closing(closing: Closing) -> dict[int, _KeyYear]:
    return {
        int(item["key_id"]): _KeyYear(
            charges={number: Decimal(amount) for number, amount in dict(item.get("charges_by_account", {})).items()},
            income=Decimal(item["income"]),
            provisions=Decimal(item["provisions"]),
        )
        for item in closing.key_totals
    }


def _key_years_from_books(year: FiscalYear) -> dict[int, _KeyYear]:
    distribution = compute_distribution(year, owners_date=year.end_date)
    return {
        key.key_id: _KeyYear(charges=dict(key.charges_by_account), income=key.income, provisions=key.provisions)
        for key in distribution.keys
    }


def _current_operations(
    *,
    year: FiscalYear,
    closing: Closing,
    previous: FiscalYear | None,
    labels: Mapping[str, str],
    budgets: _Budgets,
    amounts: Mapping[int, Mapping[tuple[int, str], Decimal]],
    warnings: list[str],
) -> CurrentOperations:
    stored = _key_years_from_closing(closing)
    books = _key_years_from_books(year)
    if year.is_open and books != {
        key: value for key, value in stored.items() if value.charges or value.income or value.provisions
    }:
        warnings.append(
            _(
                "Des écritures ont changé depuis le calcul du projet de clôture : recalculez-le "
                "(close_fiscal_year --draft) avant de diffuser les annexes."
            )
        )
    before = _key_years_from_books(previous) if previous is not None else {}
    keys = {key.pk: key for key in AllocationKey.objects.filter(condominium_id=year.condominium_id)}
    budget_keys = {key for budget in budgets.all() for key, _account in amounts.get(budget.pk, {})}
    wanted = set(stored) | set(before) | (budget_keys & set(keys))
    flags = (previous is not None, budgets.current is not None, True, budgets.next is not None, False)
    result: list[KeyManagement] = []
    for key_id in sorted(wanted, key=lambda pk: keys[pk].code):
        key = keys[key_id]
        this = stored.get(key_id, _KeyYear(charges={}, income=ZERO, provisions=ZERO))
        last = before.get(key_id) if previous is not None else None
        budget = _per_account(amounts[budgets.current.pk], key_id) if budgets.current is not None else None
        following = _per_account(amounts[budgets.next.pk], key_id) if budgets.next is not None else None
        accounts = set(this.charges) | set(last.charges if last else {}) | set(budget or {}) | set(following or {})
        charges = _rows(
            accounts,
            labels,
            previous=last.charges if last else None,
            budget=budget,
            actual=this.charges,
            next_budget=following,
        )
        total = _total_row("6", _("Total des charges"), charges, columns=flags)

        income = AccountRow(
            account="7",
            label=_("Produits affectés à la clé"),
            previous=(last.income if last is not None else ZERO) if previous is not None else None,
            budget=ZERO if budget is not None else None,
            actual=this.income,
            next_budget=ZERO if following is not None else None,
        )
        provisions = AccountRow(
            account=CURRENT_PROVISIONS,
            label=_("Provisions appelées"),
            previous=(last.provisions if last is not None else ZERO) if previous is not None else None,
            budget=sum(budget.values(), ZERO) if budget is not None else None,
            actual=this.provisions,
            next_budget=sum(following.values(), ZERO) if following is not None else None,
        )
        earned = AccountRow(
            account="",
            label="",
            previous=_plus(provisions.previous, income.previous),
            budget=_plus(provisions.budget, income.budget),
            actual=provisions.actual + income.actual,
            next_budget=_plus(provisions.next_budget, income.next_budget),
        )
        outcome = _difference("", _("Résultat (provisions et produits - charges)"), earned, total)
        result.append(
            KeyManagement(
                key_id=key_id,
                code=key.code,
                label=key.label,
                charges=charges,
                total_charges=total,
                income=income,
                provisions=provisions,
                result=outcome,
                regularisation=-outcome.actual,
            )
        )
    total_charges = _total_row("6", _("Total des charges"), [key.total_charges for key in result], columns=flags)
    total_income = _total_row("7", _("Total des produits affectés"), [key.income for key in result], columns=flags)
    total_provisions = _total_row(
        CURRENT_PROVISIONS, _("Total des provisions appelées"), [key.provisions for key in result], columns=flags
    )
    n = int(year.label)
    return CurrentOperations(
        columns=(
            _("Exercice précédent approuvé %(year)s") % {"year": previous.label}
            if previous is not None
            else _("Exercice précédent"),
            _("Budget voté %(year)s") % {"year": n},
            (_("Réalisé %(year)s à approuver") if closing.is_draft else _("Réalisé %(year)s approuvé")) % {"year": n},
            _next_budget_heading(budgets.next, n + 1),
        ),
        has_previous=flags[0],
        has_budget=flags[1],
        has_next_budget=flags[3],
        keys=tuple(result),
        total_charges=total_charges,
        total_income=total_income,
        total_provisions=total_provisions,
        result=_total_row("", _("Résultat"), [key.result for key in result], columns=flags),
    )


# --- Annex 4 and 5: works operations ------------------------------------------------------------


@dataclass(frozen=True)
class OperationFigures:
    """Voted, spent (class 6 net), other income (class 7 but provisions used), called (102), balance."""

    code: str
    label: str
    voted: Decimal
    spent: Decimal
    spent_in_year: Decimal
    income: Decimal
    called: Decimal

    @property
    def balance(self) -> Decimal:
        """Called and other income less spending: > 0 left on 102 (to refund or use), < 0 to call."""
        return self.called + self.income - self.spent

    @property
    def net_spending(self) -> Decimal:
        return self.spent - self.income


@dataclass(frozen=True)
class OperationRow:
    figures: OperationFigures
    general_meeting_date: datetime.date
    state: str
    keys: tuple[OperationFigures, ...]  # per key (code and label of the key)


@dataclass(frozen=True)
class WorksStatement:
    """Annex 4 (closed operations) or annex 5 (operations voted, not closed)."""

    title: str
    operations: tuple[OperationRow, ...]
    total: OperationFigures
    pending_works: Decimal | None = None  # annex 5: account 120 after distribution (debit balance)

    @property
    def ties(self) -> bool:
        """Annex 5: the net spending of the open operations is what 120 holds."""
        return self.pending_works is None or self.pending_works == self.total.net_spending


def _operation_sums(
    condominium_id: int, year: FiscalYear, numbers: Mapping[int, str]
) -> dict[str, dict[tuple[int, int | None], Decimal]]:
    """Per (operation, key): spent (class 6), spent in the year, income (class 7 but 702), called (102)."""
    flows = [pk for pk, number in numbers.items() if number.startswith(("6", "7")) and number != WORKS_PROVISIONS_USED]
    calls = [pk for pk, number in numbers.items() if number == WORKS_PROVISIONS]
    charges = [pk for pk, number in numbers.items() if number.startswith("6")]
    base = Line.objects.filter(condominium_id=condominium_id, operation__isnull=False, date__lte=year.end_date)
    rows = (
        base.filter(
            Q(account_id__in=flows)
            | Q(account_id__in=calls, entry__journal__kind__in=[JournalKind.CALLS, JournalKind.OPENING])
        )
        .exclude(nature=LineNature.REGULARISATION)
        .exclude(_deferral_entries(condominium_id))
        .values("operation_id", "key_id", "account_id")
        .annotate(
            total_debit=Sum("debit"),
            total_credit=Sum("credit"),
            year_debit=Sum("debit", filter=Q(date__gte=year.start_date)),
            year_credit=Sum("credit", filter=Q(date__gte=year.start_date)),
        )
        .order_by()
    )
    result: dict[str, dict[tuple[int, int | None], Decimal]] = {
        "spent": defaultdict(lambda: ZERO),
        "spent_in_year": defaultdict(lambda: ZERO),
        "income": defaultdict(lambda: ZERO),
        "called": defaultdict(lambda: ZERO),
    }
    for row in rows:
        where = (row["operation_id"], row["key_id"])
        balance = cents(row["total_debit"]) - cents(row["total_credit"])
        if row["account_id"] in calls:
            result["called"][where] -= balance
        elif row["account_id"] in charges:
            result["spent"][where] += balance
            result["spent_in_year"][where] += cents(row["year_debit"]) - cents(row["year_credit"])
        else:
            result["income"][where] -= balance
    return result


def _works_statement(
    *,
    title: str,
    operations: Sequence[WorksOperation],
    sums: Mapping[str, Mapping[tuple[int, int | None], Decimal]],
    voted: Mapping[tuple[int, int | None], Decimal],
    keys: Mapping[int, tuple[str, str]],
    pending_works: Decimal | None = None,
) -> WorksStatement:
    rows: list[OperationRow] = []
    for operation in operations:
        key_ids = {key for op, key in (*voted, *(k for part in sums.values() for k in part)) if op == operation.pk}

        def figures(
            code: str, label: str, wanted: set[int | None], operation_id: int = operation.pk
        ) -> OperationFigures:
            def total(values: Mapping[tuple[int, int | None], Decimal]) -> Decimal:
                return sum((values.get((operation_id, key), ZERO) for key in wanted), ZERO)

            return OperationFigures(
                code=code,
                label=label,
                voted=total(voted),
                spent=total(sums["spent"]),
                spent_in_year=total(sums["spent_in_year"]),
                income=total(sums["income"]),
                called=total(sums["called"]),
            )

        by_key = tuple(
            figures(*(keys[key] if key is not None else ("", _("Sans clé"))), {key})
            for key in sorted(key_ids, key=lambda pk: keys[pk][0] if pk is not None else "~")
        )
        rows.append(
            OperationRow(
                figures=figures(operation.code, operation.label, key_ids),
                general_meeting_date=operation.general_meeting_date,
                state=str(OperationState(operation.state).label),
                keys=by_key,
            )
        )

    def grand(name: str) -> Decimal:
        return sum((getattr(row.figures, name) for row in rows), ZERO)

    return WorksStatement(
        title=title,
        operations=tuple(rows),
        total=OperationFigures(
            code="",
            label=_("Total"),
            voted=grand("voted"),
            spent=grand("spent"),
            spent_in_year=grand("spent_in_year"),
            income=grand("income"),
            called=grand("called"),
        ),
        pending_works=pending_works,
    )


def _works_statements(
    *, year: FiscalYear, numbers: Mapping[int, str], pending_works: Decimal
) -> tuple[WorksStatement, WorksStatement]:
    condominium_id = year.condominium_id
    sums = _operation_sums(condominium_id, year, numbers)
    voted: dict[tuple[int, int | None], Decimal] = defaultdict(lambda: ZERO)
    for operation_id, key_id, amount in (
        WorksLine.objects.filter(operation__condominium_id=condominium_id)
        .values("operation_id", "key_id")
        .annotate(amount=Sum("amount"))
        .values_list("operation_id", "key_id", "amount")
    ):
        voted[(operation_id, key_id)] += cents(amount)
    keys = {
        pk: (code, label)
        for pk, code, label in AllocationKey.objects.filter(condominium_id=condominium_id).values_list(
            "pk", "code", "label"
        )
    }
    active_in_year = set(
        Line.objects.filter(
            condominium_id=condominium_id,
            operation__isnull=False,
            date__gte=year.start_date,
            date__lte=year.end_date,
        )
        .values_list("operation_id", flat=True)
        .distinct()
    )
    operations = list(
        WorksOperation.objects.filter(condominium_id=condominium_id, general_meeting_date__lte=year.end_date).order_by(
            "general_meeting_date", "code"
        )
    )
    closed = [op for op in operations if op.state == OperationState.CLOSED and op.pk in active_in_year]
    still_open = [op for op in operations if op.state != OperationState.CLOSED]
    return (
        _works_statement(
            title=_("Travaux de l'article 14-2 et opérations exceptionnelles clôturés"),
            operations=closed,
            sums=sums,
            voted=voted,
            keys=keys,
        ),
        _works_statement(
            title=_("Travaux de l'article 14-2 et opérations exceptionnelles votés non encore clôturés"),
            operations=still_open,
            sums=sums,
            voted=voted,
            keys=keys,
            pending_works=pending_works,
        ),
    )


# --- The annexes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Annexes:
    header: Header
    financial_statement: FinancialStatement  # annex 1
    general_account: GeneralAccount  # annex 2
    current_operations: CurrentOperations  # annex 3
    closed_works: WorksStatement  # annex 4
    open_works: WorksStatement  # annex 5
    warnings: tuple[str, ...] = ()


def previous_year(year: FiscalYear) -> FiscalYear | None:
    return FiscalYear.objects.filter(condominium_id=year.condominium_id, end_date=year.start_date - ONE_DAY).first()


def build_annexes(*, fiscal_year: FiscalYear, closing: Closing) -> Annexes:
    """The five annexes of `fiscal_year` after `closing` (draft or approved). Call inside a firm scope."""
    condominium = Condominium.objects.select_related("firm").get(pk=fiscal_year.condominium_id)
    previous = previous_year(fiscal_year)
    previous_closing = Closing.objects.filter(fiscal_year=previous).first() if previous is not None else None
    accounts = list(Account.objects.filter(condominium=condominium).values_list("pk", "number", "label"))
    numbers = {pk: number for pk, number, _label in accounts}
    labels = {number: label for _pk, number, label in accounts}
    budgets = _budgets(fiscal_year)
    amounts = _budget_amounts(budgets)
    warnings: list[str] = []
    statement = _financial_statement(
        condominium=condominium,
        year=fiscal_year,
        closing=closing,
        previous=previous,
        previous_closing=previous_closing,
    )
    general = _general_account(
        year=fiscal_year,
        closing=closing,
        previous=previous,
        numbers=numbers,
        labels=labels,
        budgets=budgets,
        amounts=amounts,
    )
    current = _current_operations(
        year=fiscal_year,
        closing=closing,
        previous=previous,
        labels=labels,
        budgets=budgets,
        amounts=amounts,
        warnings=warnings,
    )
    closed_works, open_works = _works_statements(
        year=fiscal_year, numbers=numbers, pending_works=statement.pending_works
    )
    left = sum((row.amount or ZERO for row in statement.receivables.rows if row.account == "6/7"), ZERO) - sum(
        (row.amount or ZERO for row in statement.debts.rows if row.account == "6/7"), ZERO
    )
    if left:
        warnings.append(
            _(
                "Des charges ou des produits de l'exercice ne sont pas répartis (lignes sans clé de répartition, "
                "ou projet de clôture à recalculer) : %(amount)s."
            )
            % {"amount": format_amount(left)}
        )
    if not statement.balanced:
        warnings.append(_("L'état financier n'est pas équilibré : lancez check_ledger."))
    if not open_works.ties:
        warnings.append(
            _("Le total des opérations non clôturées ne correspond pas au compte 120 (solde en attente sur travaux).")
        )
    return Annexes(
        header=annex_header(condominium.firm, condominium, fiscal_year, previous, closing),
        financial_statement=statement,
        general_account=general,
        current_operations=current,
        closed_works=closed_works,
        open_works=open_works,
        warnings=tuple(warnings),
    )
