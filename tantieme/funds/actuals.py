"""Budget against actual (spec expenses §8): what the year's budget lines have consumed, per key and
account, what is left, and where the year is heading. Read by the back office (« Suivi budgétaire »)
and the council's space; `flow_sums` is also the one definition of « the year's actual » that the
closing reads (distribution per key, annexes 2 and 3, the régularisation), so that the figures
shown during the year are the ones the accounts will carry.

Definitions (call inside a firm scope; docs/budget-vs-actual.md):

    actual(k, a, d)  = Σ debit − credit of the class-6 lines on key k and account a dated from the
                       start of the fiscal year to d, works operations (art. 14-2) apart and the
                       régularisation lines left out: invoices net of credit notes, TTC, 408
                       accruals and their reversals. Every entry of the ledger is validated (there
                       is no draft entry): what is posted counts.
    elapsed(d)       = days from the start of the year to d (inclusive) / days in the year
    expected(k, a)   = the contract schedule's amounts due by d when a contract feeds the line,
                       else budget × elapsed (to the cent)
    projection(k, a) = actual + the contracts' remaining amounts for the year when a contract feeds
                       the line, else actual + budget × (1 − elapsed)  (run-rate on the budget)
    remaining        = budget − actual;  consumption = actual / budget

A (key, account) with charges and no budget line is « hors budget » (its projection is its actual).
Contracts live in `tantieme.expenses`, above this app: the pages hand their schedule in as
`forecasts` ({(key id, account): LineForecast}); without it every line uses the budget's run-rate.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import AllocationKey
from tantieme.funds.enums import OperationState
from tantieme.funds.models import Budget, BudgetLine, WorksOperation
from tantieme.ledger.enums import LineNature
from tantieme.ledger.models import ZERO, Account, FiscalYear, Line, cents

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal("100")
CURRENT_PROVISIONS = "701"
PROVISION_ACCOUNTS = ("701", "702", "703", "704", "705")
PENDING_WORKS_PREFIX = "12"  # 120: the year-end deferral of open works operations
# Alerts of spec §8.2 (defaults): ahead of the time elapsed by more than 10 % of the budget,
# heading for more than 105 % of it.
AHEAD_THRESHOLD = Decimal("0.10")
OVERRUN_THRESHOLD = Decimal("1.05")
ALERTS = {
    "exceeded": _("Budget dépassé"),
    "overrun": _("Dépassement prévu"),
    "ahead": _("Consommation en avance"),
    "off_budget": _("Hors budget"),
}


# --- The one query of the year's actual ---------------------------------------------------------


@dataclass(frozen=True)
class FlowSum:
    """Σ debit and Σ credit of a period's class-6/7 lines on one account, key and works operation."""

    account: str
    key_id: int | None
    operation_id: int | None
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        """Debit balance: > 0 for charges, < 0 for income."""
        return self.debit - self.credit


def flow_accounts(condominium_id: int) -> dict[int, str]:
    """{account id: number} of the condominium's class-6 and class-7 accounts."""
    return dict(
        Account.objects.filter(condominium_id=condominium_id)
        .filter(Q(number__startswith="6") | Q(number__startswith="7"))
        .values_list("pk", "number")
    )


def _deferral_entries(condominium_id: int) -> Q:
    """Entries that touch 120 (the year-end deferral of open works and its reversal)."""
    return Q(
        entry_id__in=Line.objects.filter(
            condominium_id=condominium_id, account__number__startswith=PENDING_WORKS_PREFIX
        ).values("entry_id")
    )


def flow_sums(
    *,
    condominium_id: int,
    start: datetime.date,
    end: datetime.date,
    accounts: Mapping[int, str] | None = None,
    works: bool = False,
) -> list[FlowSum]:
    """The class-6 and class-7 lines dated from `start` to `end`, summed per account, key and works
    operation, in one aggregation query: the actual of budget against actual, of the distribution
    (annex 3, régularisation) and of annex 2.

    Left out: the régularisation lines (they distribute the actual); without `works` the lines of
    works operations (they close with their operation, art. 14-2); with `works` the year-end
    deferral entries of works (they carry the figures to the next year, they are no spending).
    `accounts` ({id: number} of `flow_accounts`) saves its query when the caller has it; the filter
    on account ids uses the (account, date) index of the ledger lines."""
    numbers = accounts if accounts is not None else flow_accounts(condominium_id)
    lines = Line.objects.filter(
        condominium_id=condominium_id, account_id__in=list(numbers), date__gte=start, date__lte=end
    ).exclude(nature=LineNature.REGULARISATION)
    lines = lines.exclude(_deferral_entries(condominium_id)) if works else lines.filter(operation__isnull=True)
    rows = (
        lines.values("account_id", "key_id", "operation_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("account_id", "key_id", "operation_id")
    )
    return [
        FlowSum(
            account=numbers[row["account_id"]],
            key_id=row["key_id"],
            operation_id=row["operation_id"],
            debit=cents(row["debit"]),
            credit=cents(row["credit"]),
        )
        for row in rows
    ]


def charges_by_key(flows: Iterable[FlowSum]) -> dict[int | None, dict[str, Decimal]]:
    """{key id: {account: net charges}} of the current class-6 flows (None: lines without key)."""
    result: dict[int | None, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for flow in flows:
        if flow.operation_id is None and flow.account.startswith("6") and flow.balance:
            result[flow.key_id][flow.account] += flow.balance
    return {key: dict(accounts) for key, accounts in result.items()}


# --- Budget against actual ----------------------------------------------------------------------


@dataclass(frozen=True)
class LineForecast:
    """What contracts say of one (key, account) for the year: due by the date, still to come."""

    expected_to_date: Decimal
    remaining: Decimal


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole in percent, to one decimal (None when there is nothing to compare with)."""
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def _share(amount: Decimal, numerator: int, denominator: int) -> Decimal:
    return (amount * numerator / denominator).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """Budget against actual of a line, a key or a total (amounts TTC)."""

    budget: Decimal
    actual: Decimal
    expected: Decimal  # what the time elapsed (or the contracts' schedule) says should be spent
    projection: Decimal  # year-end estimate

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.actual

    @property
    def consumption(self) -> Decimal | None:
        """actual / budget, in percent to one decimal; None without budget."""
        return percent(self.actual, self.budget)

    @property
    def bar(self) -> Decimal:
        """The consumption for a <meter> (0 to 100; an overrun shows full and is said in words)."""
        value = self.consumption
        if value is None:
            return HUNDRED if self.actual > 0 else ZERO
        return max(ZERO, min(HUNDRED, value))

    @property
    def variance(self) -> Decimal:
        """Projection − budget: > 0 heading for an overrun, < 0 for a saving."""
        return self.projection - self.budget

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            budget=self.budget + other.budget,
            actual=self.actual + other.actual,
            expected=self.expected + other.expected,
            projection=self.projection + other.projection,
        )


NO_FIGURES = Figures(budget=ZERO, actual=ZERO, expected=ZERO, projection=ZERO)


def _sum(figures: Iterable[Figures]) -> Figures:
    total = NO_FIGURES
    for item in figures:
        total = total + item
    return total


@dataclass(frozen=True)
class ActualRow:
    """One budget line (key × account), or a « hors budget » account of a key."""

    key_id: int | None
    account: str
    label: str
    figures: Figures
    in_budget: bool
    from_contracts: bool  # expected and projection come from the contracts' schedule
    alerts: tuple[str, ...]  # codes of ALERTS

    @property
    def alert_labels(self) -> list[str]:
        return [str(ALERTS[code]) for code in self.alerts]


@dataclass(frozen=True)
class KeyActuals:
    key_id: int | None  # None: charges posted without key (they block the closing)
    code: str
    label: str
    rows: tuple[ActualRow, ...]  # budget lines first (by account), then « hors budget »
    provisions: Decimal  # provisions called on the key to the date (701)
    income: Decimal  # other income assigned to the key to the date (713, 714, 716…)

    @property
    def total(self) -> Figures:
        return _sum(row.figures for row in self.rows)

    @property
    def budgeted(self) -> tuple[ActualRow, ...]:
        return tuple(row for row in self.rows if row.in_budget)

    @property
    def off_budget(self) -> tuple[ActualRow, ...]:
        return tuple(row for row in self.rows if not row.in_budget)


@dataclass(frozen=True)
class WorksActuals:
    """A works operation (art. 14-2): its own budget against what was invoiced on it."""

    operation_id: int
    code: str
    label: str
    state: str
    voted: Decimal  # Σ of its lines (the budget the general meeting voted)
    invoiced: Decimal  # class-6 charges on it since it started, to the date
    invoiced_in_year: Decimal  # of which dated in the fiscal year

    @property
    def remaining(self) -> Decimal:
        return self.voted - self.invoiced

    @property
    def consumption(self) -> Decimal | None:
        return percent(self.invoiced, self.voted)

    @property
    def bar(self) -> Decimal:
        value = self.consumption
        return ZERO if value is None else max(ZERO, min(HUNDRED, value))


@dataclass(frozen=True)
class BudgetActuals:
    fiscal_year: FiscalYear
    budget: Budget | None
    as_of: datetime.date
    elapsed_days: int
    year_days: int
    keys: tuple[KeyActuals, ...]
    works: tuple[WorksActuals, ...]

    @property
    def elapsed(self) -> Decimal | None:
        """Time elapsed in percent (one decimal)."""
        return percent(Decimal(self.elapsed_days), Decimal(self.year_days))

    @property
    def total(self) -> Figures:
        return _sum(key.total for key in self.keys)

    @property
    def off_budget_total(self) -> Decimal:
        return sum((row.figures.actual for key in self.keys for row in key.off_budget), ZERO)

    @property
    def provisions(self) -> Decimal:
        return sum((key.provisions for key in self.keys), ZERO)

    @property
    def rows(self) -> list[tuple[KeyActuals, ActualRow]]:
        """Every row with its key, in the page's order (for exports)."""
        return [(key, row) for key in self.keys for row in key.rows]


def _alerts(figures: Figures, *, in_budget: bool) -> tuple[str, ...]:
    # Spec §8.2 defaults; said in words on the pages (never by colour alone).
    if not in_budget:
        return ("off_budget",) if figures.actual else ()
    alerts = []
    if figures.budget and figures.actual > figures.budget:
        alerts.append("exceeded")
    elif figures.budget and figures.projection > figures.budget * OVERRUN_THRESHOLD:
        alerts.append("overrun")
    if figures.budget and (figures.actual - figures.expected) > figures.budget * AHEAD_THRESHOLD:
        alerts.append("ahead")
    return tuple(alerts)


def year_budget(fiscal_year: FiscalYear) -> Budget | None:
    """The budget voted for the fiscal year (same first day), if any."""
    return Budget.objects.filter(condominium_id=fiscal_year.condominium_id, start_date=fiscal_year.start_date).first()


def _as_of(fiscal_year: FiscalYear, day: datetime.date) -> datetime.date:
    """`day` within the year: before it, the day before it starts; after it, its last day."""
    if day < fiscal_year.start_date:
        return fiscal_year.start_date - datetime.timedelta(days=1)
    return min(day, fiscal_year.end_date)


def budget_actuals(
    fiscal_year: FiscalYear,
    *,
    today: datetime.date,
    forecasts: Mapping[tuple[int, str], LineForecast] | None = None,
) -> BudgetActuals:
    """Budget against actual of `fiscal_year` on `today` (clamped to the year), per key and account,
    with the works operations apart. Six queries whatever the number of lines (seven without budget)."""
    condominium_id = fiscal_year.condominium_id
    as_of = _as_of(fiscal_year, today)
    year_days = (fiscal_year.end_date - fiscal_year.start_date).days + 1
    elapsed_days = (as_of - fiscal_year.start_date).days + 1
    forecasts = forecasts or {}

    budget_lines = list(
        BudgetLine.objects.filter(
            budget__condominium_id=condominium_id, budget__start_date=fiscal_year.start_date
        ).select_related("budget")
    )
    budget = budget_lines[0].budget if budget_lines else year_budget(fiscal_year)
    keys = {key.pk: key for key in AllocationKey.objects.filter(condominium_id=condominium_id)}
    general = next((key.pk for key in keys.values() if key.kind == KeyKind.GENERAL), None)
    accounts = list(
        Account.objects.filter(condominium_id=condominium_id)
        .filter(Q(number__startswith="6") | Q(number__startswith="7"))
        .values_list("pk", "number", "label")
    )
    numbers = {pk: number for pk, number, _label in accounts}
    labels = {number: label for _pk, number, label in accounts}
    flows = flow_sums(condominium_id=condominium_id, start=fiscal_year.start_date, end=as_of, accounts=numbers)

    actual = charges_by_key(flows)
    provisions: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    income: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    for flow in flows:
        if flow.account.startswith(CURRENT_PROVISIONS):
            provisions[flow.key_id] -= flow.balance
        elif flow.account.startswith("7") and not flow.account.startswith(PROVISION_ACCOUNTS):
            # Like the distribution: income without key goes to the general charges key.
            income[flow.key_id if flow.key_id is not None else general] -= flow.balance

    planned: dict[int, dict[str, BudgetLine]] = defaultdict(dict)
    for line in budget_lines:
        planned[line.key_id][line.account] = line

    def build(key_id: int | None, account: str, amount: Decimal, line: BudgetLine | None) -> ActualRow:
        spent = actual.get(key_id, {}).get(account, ZERO)
        forecast = forecasts.get((key_id, account)) if key_id is not None else None
        if forecast is not None:
            expected, projection = forecast.expected_to_date, spent + forecast.remaining
        else:
            expected = _share(amount, elapsed_days, year_days)
            projection = spent + amount - expected
        figures = Figures(budget=amount, actual=spent, expected=expected, projection=projection)
        label = (line.label if line is not None else "") or labels.get(account, account)
        return ActualRow(
            key_id=key_id,
            account=account,
            label=label,
            figures=figures,
            in_budget=line is not None,
            from_contracts=forecast is not None,
            alerts=_alerts(figures, in_budget=line is not None),
        )

    wanted = set(planned) | set(actual) | {key for key in (*provisions, *income) if key is not None}
    result: list[KeyActuals] = []
    for key_id in sorted(wanted, key=lambda pk: (pk is None, keys[pk].code if pk in keys else "")):
        lines = planned.get(key_id, {}) if key_id is not None else {}
        rows = [build(key_id, account, line.amount, line) for account, line in sorted(lines.items())]
        rows += [
            build(key_id, account, ZERO, None)
            for account in sorted(actual.get(key_id, {}))
            if account not in lines and actual[key_id][account]
        ]
        key = keys.get(key_id) if key_id is not None else None
        result.append(
            KeyActuals(
                key_id=key_id,
                code=key.code if key is not None else "",
                label=key.label if key is not None else "",
                rows=tuple(rows),
                provisions=provisions.get(key_id, ZERO),
                income=income.get(key_id, ZERO),
            )
        )
    return BudgetActuals(
        fiscal_year=fiscal_year,
        budget=budget,
        as_of=as_of,
        elapsed_days=max(0, elapsed_days),
        year_days=year_days,
        keys=tuple(result),
        works=tuple(works_actuals(fiscal_year, as_of=as_of, accounts=numbers)),
    )


def works_actuals(fiscal_year: FiscalYear, *, as_of: datetime.date, accounts: Mapping[int, str]) -> list[WorksActuals]:
    """The works operations running in the year (open, closed during or after it, or with charges in
    it): voted against invoiced to `as_of` (two queries)."""
    charge_ids = [pk for pk, number in accounts.items() if number.startswith("6")]
    condominium_id = fiscal_year.condominium_id
    spent = (
        Line.objects.filter(
            condominium_id=condominium_id,
            account_id__in=charge_ids,
            operation__isnull=False,
            date__lte=as_of,
        )
        .exclude(nature=LineNature.REGULARISATION)
        .exclude(_deferral_entries(condominium_id))
        .values("operation_id")
        .annotate(
            total_debit=Sum("debit"),
            total_credit=Sum("credit"),
            year_debit=Sum("debit", filter=Q(date__gte=fiscal_year.start_date)),
            year_credit=Sum("credit", filter=Q(date__gte=fiscal_year.start_date)),
        )
        .order_by()
    )
    totals = {
        row["operation_id"]: (
            cents(row["total_debit"]) - cents(row["total_credit"]),
            cents(row["year_debit"]) - cents(row["year_credit"]),
        )
        for row in spent
    }
    operations: QuerySet[WorksOperation] = (
        WorksOperation.objects.filter(condominium_id=condominium_id, general_meeting_date__lte=fiscal_year.end_date)
        .filter(
            Q(state=OperationState.OPEN)
            | Q(closed_on__gte=fiscal_year.start_date)
            | Q(pk__in=[pk for pk, (_total, in_year) in totals.items() if in_year])
        )
        .annotate(voted=Sum("lines__amount"))
        .order_by("general_meeting_date", "code")
    )
    return [
        WorksActuals(
            operation_id=operation.pk,
            code=operation.code,
            label=operation.label,
            state=operation.state,
            voted=cents(operation.voted),  # type: ignore[attr-defined]
            invoiced=totals.get(operation.pk, (ZERO, ZERO))[0],
            invoiced_in_year=totals.get(operation.pk, (ZERO, ZERO))[1],
        )
        for operation in operations
    ]


def ledger_lines(
    fiscal_year: FiscalYear, *, key_id: int | None, account: str, as_of: datetime.date | None = None
) -> QuerySet[Line]:
    """The lines behind one figure of `budget_actuals` (same filter as `flow_sums`), newest first."""
    lines = Line.objects.filter(
        condominium_id=fiscal_year.condominium_id,
        account__number=account,
        date__gte=fiscal_year.start_date,
        date__lte=as_of or fiscal_year.end_date,
        operation__isnull=True,
    ).exclude(nature=LineNature.REGULARISATION)
    lines = lines.filter(key__isnull=True) if key_id is None else lines.filter(key_id=key_id)
    return lines.select_related("entry", "entry__journal").order_by("-date", "-entry_id", "position")
