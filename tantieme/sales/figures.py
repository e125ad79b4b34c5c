"""The figures of a sale, read from the books: the état daté (décret 1967 art. 5) and the pre-sale
information (CCH L721-2). Plain frozen dataclasses, so that the renderers and pages need no
database access, and JSON round trips (`to_json` / `from_json`) so that what was given to the
notary is kept as it was. Call inside `firm_scope(firm)`. See docs/sales.md for the rules.

Part I (sums the seller owes) comes from the seller's open items on the date: every debit of
their account (calls, régularisations, fees…) not settled by lettering at that date, sorted by
the letter of art. 5 1° it belongs to; payments not yet lettered are deducted. Because every
lettering match takes the same amount off one debit and one credit, open debits less open credits
equal the balance to the cent: part I less the credit of part II is the seller's balance.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from tantieme.closing.models import ClosingState, DistributionLine
from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner, Lot, LotShare
from tantieme.core.money import ZERO
from tantieme.funds.computation import half_up, instalment_totals
from tantieme.funds.enums import CallKind, OperationState
from tantieme.funds.models import Budget, Call, CallLine, WorksOperation
from tantieme.ledger import chart
from tantieme.ledger.enums import JournalKind, LineNature
from tantieme.ledger.models import MONEY_OUTPUT, Account, FiscalYear, Line, cents
from tantieme.ledger.queries import open_items

FEE_ROW = "1f"


@dataclass(frozen=True)
class Row:
    """One figure of a part: its letter in the décret (« 1a »), its wording, its amount."""

    code: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Part:
    number: int
    title: str
    rows: tuple[Row, ...]

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows), ZERO)


@dataclass(frozen=True)
class LotLine:
    number: int
    label: str
    general_shares: int
    general_total: int


@dataclass(frozen=True)
class WorksFund:
    """The works fund (art. 14-2-1): attached to the lots, never refunded to the seller."""

    balance: Decimal  # account 105 on the date
    share: Decimal  # the lots' part of it, by general tantièmes
    last_amount: Decimal  # the last contribution called from the seller for these lots
    last_date: datetime.date | None


@dataclass(frozen=True)
class YearCharges:
    """What the lots were called for in one earlier fiscal year, and what the seller paid in it."""

    label: str
    start: datetime.date
    end: datetime.date
    budget_called: Decimal  # budget provisions called for the lots
    works_called: Decimal  # works outside the budget (art. 14-2) called for the lots
    works_fund_called: Decimal
    charges_share: Decimal | None  # the lots' share of the actual current charges, once approved
    paid_by_seller: Decimal  # the seller's payments booked in the year (bank and card journals)

    @property
    def called(self) -> Decimal:
        return self.budget_called + self.works_called + self.works_fund_called


@dataclass(frozen=True)
class SaleFigures:
    """Everything the état daté and the pre-sale information show, at `at`."""

    at: datetime.date
    firm_name: str
    condominium: str
    condominium_address: str
    registry_number: str
    seller_reference: str
    seller_name: str
    seller_address: str
    notary: str
    lots: tuple[LotLine, ...]
    parts: tuple[Part, Part, Part]
    works_fund: WorksFund
    years: tuple[YearCharges, ...]
    budget_label: str  # the budget in force on the date ("2026"), or ""
    budget_total: Decimal  # its yearly amount (works fund excluded)
    budget_share: Decimal  # the lots' share of it
    works_fund_share_yearly: Decimal  # the lots' share of the yearly works fund contribution
    syndicate_unpaid: Decimal  # all co-owners' debit balances on the date
    supplier_debt: Decimal  # what the syndicate owes its suppliers (40x) on the date
    notes: tuple[str, ...] = field(default=())

    @property
    def seller_owes(self) -> Decimal:
        return self.parts[0].total

    @property
    def syndicate_owes(self) -> Decimal:
        return self.parts[1].total

    @property
    def buyer_will_owe(self) -> Decimal:
        return self.parts[2].total

    @property
    def lot_numbers(self) -> str:
        return ", ".join(str(lot.number) for lot in self.lots)


# --- JSON ---------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def to_json(figures: SaleFigures) -> dict[str, Any]:
    """A JSON-able dict (amounts as strings, dates ISO) that `from_json` reads back exactly."""
    data: dict[str, Any] = _plain(figures)
    return data


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def from_json(data: Mapping[str, Any]) -> SaleFigures:
    parts = tuple(
        Part(
            number=int(part["number"]),
            title=part["title"],
            rows=tuple(
                Row(code=row["code"], label=row["label"], amount=Decimal(row["amount"])) for row in part["rows"]
            ),
        )
        for part in data["parts"]
    )
    fund = data["works_fund"]
    return SaleFigures(
        at=datetime.date.fromisoformat(data["at"]),
        firm_name=data["firm_name"],
        condominium=data["condominium"],
        condominium_address=data["condominium_address"],
        registry_number=data["registry_number"],
        seller_reference=data["seller_reference"],
        seller_name=data["seller_name"],
        seller_address=data["seller_address"],
        notary=data["notary"],
        lots=tuple(LotLine(**lot) for lot in data["lots"]),
        parts=(parts[0], parts[1], parts[2]),
        works_fund=WorksFund(
            balance=Decimal(fund["balance"]),
            share=Decimal(fund["share"]),
            last_amount=Decimal(fund["last_amount"]),
            last_date=_day(fund["last_date"]),
        ),
        years=tuple(
            YearCharges(
                label=year["label"],
                start=datetime.date.fromisoformat(year["start"]),
                end=datetime.date.fromisoformat(year["end"]),
                budget_called=Decimal(year["budget_called"]),
                works_called=Decimal(year["works_called"]),
                works_fund_called=Decimal(year["works_fund_called"]),
                charges_share=Decimal(year["charges_share"]) if year["charges_share"] is not None else None,
                paid_by_seller=Decimal(year["paid_by_seller"]),
            )
            for year in data["years"]
        ),
        budget_label=data["budget_label"],
        budget_total=Decimal(data["budget_total"]),
        budget_share=Decimal(data["budget_share"]),
        works_fund_share_yearly=Decimal(data["works_fund_share_yearly"]),
        syndicate_unpaid=Decimal(data["syndicate_unpaid"]),
        supplier_debt=Decimal(data["supplier_debt"]),
        notes=tuple(data.get("notes", ())),
    )


# --- Part I: what the seller owes ----------------------------------------------------------------


def _labels() -> dict[str, str]:
    return {
        "1a": _("Provisions exigibles du budget prévisionnel"),
        "1b": _("Provisions exigibles des dépenses non comprises dans le budget (travaux, fonds de travaux)"),
        "1c": _("Charges impayées sur les exercices antérieurs"),
        "1d": _("Sommes dues au titre des articles 26-6 et 33 de la loi (emprunts, paiement échelonné de travaux)"),
        "1e": _("Avances exigibles"),
        FEE_ROW: _("Frais et intérêts imputables au vendeur (loi, art. 10-1)"),
        "1g": _("À déduire : versements du vendeur non encore imputés"),
    }


def _category(number: str, nature: str, date: datetime.date, year_start: datetime.date) -> str:
    """Which letter of art. 5 1° an unpaid debit of the seller belongs to."""
    if number.startswith(chart.LOANS):
        return "1d"
    if nature in (LineNature.FEES, LineNature.INTEREST):
        return FEE_ROW
    if nature == LineNature.ADVANCE or number.startswith(chart.ADVANCES):
        return "1e"
    if date < year_start:
        return "1c"
    if nature in (LineNature.WORKS, LineNature.WORKS_FUND):
        return "1b"
    return "1a"


def year_start(condominium: Condominium, at: datetime.date) -> datetime.date:
    """First day of the fiscal year containing `at` (the books' year if there is one)."""
    year = FiscalYear.objects.filter(condominium=condominium, start_date__lte=at, end_date__gte=at).first()
    return year.start_date if year is not None else condominium.fiscal_year_start(at)


@dataclass(frozen=True)
class SellerPosition:
    """The seller's account on a date: what they owe by letter, what is owed to them."""

    by_code: dict[str, Decimal]
    unapplied_credits: Decimal  # payments and credits not lettered yet
    advances_paid: Decimal  # advances (4503) called and paid: refundable on the sale

    @property
    def gross_debt(self) -> Decimal:
        return sum(self.by_code.values(), ZERO)

    @property
    def deducted(self) -> Decimal:
        return min(self.unapplied_credits, self.gross_debt)

    @property
    def credit_left(self) -> Decimal:
        return self.unapplied_credits - self.deducted

    @property
    def owed(self) -> Decimal:
        return self.gross_debt - self.deducted


def seller_position(
    seller: CoOwner, at: datetime.date, *, start: datetime.date, exclude_entry_id: int | None = None
) -> SellerPosition:
    """The seller's open items on `at`, sorted by letter of art. 5 1° (two queries)."""
    by_code: dict[str, Decimal] = defaultdict(lambda: ZERO)
    unapplied = ZERO
    advances_open = ZERO
    for item in open_items(seller, at):
        line = item.line
        if exclude_entry_id is not None and line.entry_id == exclude_entry_id:
            continue
        if item.is_debit:
            code = _category(line.account.number, line.nature, line.date, start)
            by_code[code] += item.open_amount
            if line.account.number.startswith(chart.ADVANCES):
                advances_open += item.open_amount
        else:
            unapplied += item.open_amount
    advances_called = cents(
        Line.objects.filter(
            co_owner=seller, account__number__startswith=chart.ADVANCES, date__lte=at, debit__gt=0
        ).aggregate(total=Sum("debit"))["total"]
    )
    return SellerPosition(
        by_code=dict(by_code), unapplied_credits=unapplied, advances_paid=advances_called - advances_open
    )


def part_one(position: SellerPosition, *, fee: Decimal = ZERO) -> Part:
    labels = _labels()
    amounts = dict(position.by_code)
    amounts[FEE_ROW] = amounts.get(FEE_ROW, ZERO) + fee
    rows = [
        Row(code=code, label=labels[code], amount=amounts.get(code, ZERO)) for code in ("1a", "1b", "1c", "1d", "1e")
    ]
    rows.append(Row(code=FEE_ROW, label=labels[FEE_ROW], amount=amounts[FEE_ROW]))
    deducted = min(position.unapplied_credits, position.gross_debt + fee)
    rows.append(Row(code="1g", label=labels["1g"], amount=-deducted))
    return Part(number=1, title=_("I. Sommes pouvant rester dues par le copropriétaire cédant"), rows=tuple(rows))


# --- Parts II and III ----------------------------------------------------------------------------


def _lot_shares(lot_ids: list[int]) -> tuple[dict[int, tuple[int, int]], dict[tuple[int, int], int]]:
    """key id -> (Σ tantièmes of the lots, key total), and (key id, lot id) -> tantièmes (one query)."""
    shares: dict[int, tuple[int, int]] = {}
    by_lot: dict[tuple[int, int], int] = {}
    for key_id, lot_id, total, lot_shares in LotShare.objects.filter(lot_id__in=lot_ids).values_list(
        "key_id", "lot_id", "key__total", "shares"
    ):
        summed = shares.get(key_id, (0, int(total)))[0]
        shares[key_id] = (summed + int(lot_shares or 0), int(total))
        by_lot[(key_id, lot_id)] = int(lot_shares or 0)
    return shares, by_lot


def _share(amount: Decimal, shares: tuple[int, int] | None) -> Decimal:
    if shares is None or not shares[1]:
        return ZERO
    return half_up(amount * shares[0] / shares[1])


@dataclass
class _Future:
    """Provisions not yet exigible on the date: issued ahead (read) or not issued yet (estimated)."""

    budget: Decimal = ZERO
    works_fund: Decimal = ZERO
    works: Decimal = ZERO


def _called_for_lots(calls: Iterable[Call], lot_ids: list[int]) -> dict[tuple[int, bool], Decimal]:
    rows = (
        CallLine.objects.filter(call__in=[call.pk for call in calls], lot_id__in=lot_ids)
        .values("call_id", "is_works_fund")
        .annotate(total=Sum("amount"))
        .values_list("call_id", "is_works_fund", "total")
        .order_by("call_id")
    )
    return {(call_id, bool(fund)): cents(total) for call_id, fund, total in rows}


def _future_provisions(
    condominium: Condominium,
    at: datetime.date,
    lot_ids: list[int],
    shares: Mapping[int, tuple[int, int]],
    general: AllocationKey | None,
) -> tuple[_Future, Budget | None, Decimal, Decimal, Decimal]:
    """Provisions of the budget in force and of open works operations falling due after `at`.

    Returns them with the budget, its yearly total and the lots' yearly share of it and of the
    works fund. A call issued ahead is read from its lines; an instalment not issued yet is the
    lots' tantièmes share of its amount, rounded to the cent (an estimate, as art. 5 allows).
    """
    future = _Future()
    budget = (
        Budget.objects.filter(condominium=condominium, start_date__lte=at, end_date__gte=at)
        .prefetch_related("lines")
        .first()
    )
    budget_total = budget_share = fund_share = ZERO
    operations = list(
        WorksOperation.objects.filter(condominium=condominium, state=OperationState.OPEN).prefetch_related(
            "lines", "instalments"
        )
    )
    sources = ([Q(budget=budget)] if budget is not None else []) + ([Q(operation__in=operations)] if operations else [])
    calls: list[Call] = []
    if sources:
        source = sources[0]
        for other in sources[1:]:
            source |= other
        calls = list(Call.objects.filter(source, condominium=condominium, due_date__gt=at))
    called = _called_for_lots(calls, lot_ids)
    issued = {(call.budget_id, call.operation_id, call.number): call for call in calls}
    if budget is not None:
        count = budget.calls_per_year
        per_key: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line in budget.lines.all():
            per_key[line.key_id] += line.amount
        budget_total = sum(per_key.values(), ZERO)
        budget_share = sum((_share(amount, shares.get(key_id)) for key_id, amount in per_key.items()), ZERO)
        fund_share = _share(budget.works_fund_amount, shares.get(general.pk)) if general is not None else ZERO
        instalments_current = instalment_totals(budget_share, [1] * count)
        instalments_fund = instalment_totals(fund_share, [1] * count)
        for number, due in enumerate(budget.due_dates(), start=1):
            if due <= at:
                continue
            call = issued.get((budget.pk, None, number))
            if call is not None:
                future.budget += called.get((call.pk, False), ZERO)
                future.works_fund += called.get((call.pk, True), ZERO)
            else:
                future.budget += instalments_current[number - 1]
                future.works_fund += instalments_fund[number - 1]
    for operation in operations:
        instalments = sorted(operation.instalments.all(), key=lambda item: item.number)
        if not instalments:
            continue
        lots_total = sum((_share(line.amount, shares.get(line.key_id)) for line in operation.lines.all()), ZERO)
        amounts = instalment_totals(lots_total, [item.weight for item in instalments])
        for instalment, amount in zip(instalments, amounts, strict=True):
            if instalment.due_date <= at:
                continue
            call = issued.get((None, operation.pk, instalment.number))
            future.works += called.get((call.pk, False), ZERO) if call is not None else amount
    return future, budget, budget_total, budget_share, fund_share


def part_two(position: SellerPosition) -> Part:
    rows = (
        Row(
            code="2a",
            label=_("Avances versées par le vendeur, à lui rembourser (art. 45-1)"),
            amount=position.advances_paid,
        ),
        Row(
            code="2b",
            label=_("Provisions des périodes postérieures rendues exigibles par la déchéance du terme (art. 19-2)"),
            amount=ZERO,
        ),
        Row(
            code="2c",
            label=_("Solde créditeur du compte du vendeur (versements d'avance, trop-perçus)"),
            amount=position.credit_left,
        ),
    )
    return Part(number=2, title=_("II. Sommes dont le syndicat pourrait être débiteur envers le cédant"), rows=rows)


def part_three(position: SellerPosition, future: _Future) -> Part:
    rows = (
        Row(code="3a", label=_("Reconstitution des avances"), amount=position.advances_paid),
        Row(code="3b", label=_("Provisions non encore exigibles du budget prévisionnel"), amount=future.budget),
        Row(
            code="3c",
            label=_("Provisions non encore exigibles des dépenses hors budget (travaux votés)"),
            amount=future.works,
        ),
        Row(
            code="3d",
            label=_("Cotisations au fonds de travaux non encore exigibles (exercice en cours)"),
            amount=future.works_fund,
        ),
    )
    return Part(number=3, title=_("III. Sommes qui incomberaient au nouveau copropriétaire"), rows=rows)


# --- Works fund, earlier years, the syndicate ------------------------------------------------------


def _works_fund(
    balance: Decimal, seller: CoOwner, at: datetime.date, lot_ids: list[int], general: tuple[int, int] | None
) -> WorksFund:
    """`balance`: account 105 on `at` (read with the supplier debt by `syndicate_position`)."""
    last = (
        CallLine.objects.filter(lot_id__in=lot_ids, is_works_fund=True, notice__co_owner=seller, call__due_date__lte=at)
        .values("call_id", "call__due_date")
        .annotate(total=Sum("amount"))
        .order_by("-call__due_date", "-call_id")
        .first()
    )
    return WorksFund(
        balance=balance,
        share=_share(balance, general),
        last_amount=cents(last["total"]) if last else ZERO,
        last_date=last["call__due_date"] if last else None,
    )


def _earlier_years(years: list[FiscalYear], seller: CoOwner, lot_ids: list[int]) -> tuple[YearCharges, ...]:
    """`years`: the two fiscal years ended before the date (the « deux exercices précédents »), newest
    first; their figures oldest first."""
    years = list(years)
    if not years:
        return ()
    years.reverse()
    first, last = years[0].start_date, years[-1].end_date
    called: dict[tuple[int, str, bool], Decimal] = defaultdict(lambda: ZERO)
    for due, kind, fund, total in (
        CallLine.objects.filter(lot_id__in=lot_ids, call__due_date__gte=first, call__due_date__lte=last)
        .values("call__due_date", "call__kind", "is_works_fund")
        .annotate(total=Sum("amount"))
        .values_list("call__due_date", "call__kind", "is_works_fund", "total")
        .order_by("call__due_date")
    ):
        year = next(item for item in years if item.contains(due))
        called[(year.pk, str(kind), bool(fund))] += cents(total)
    shares: dict[int, Decimal] = {}
    for year_id, share in (
        DistributionLine.objects.filter(
            closing__fiscal_year__in=years, closing__state=ClosingState.APPROVED, lot_id__in=lot_ids
        )
        .values("closing__fiscal_year_id")
        .annotate(total=Sum("share"))
        .values_list("closing__fiscal_year_id", "total")
        .order_by("closing__fiscal_year_id")
    ):
        shares[year_id] = cents(share)
    payments = Line.objects.filter(
        co_owner=seller,
        credit__gt=0,
        entry__journal__kind__in=[JournalKind.BANK, JournalKind.CARD],
    ).aggregate(
        **{f"y{year.pk}": Sum("credit", filter=Q(date__gte=year.start_date, date__lte=year.end_date)) for year in years}
    )
    return tuple(
        YearCharges(
            label=year.label,
            start=year.start_date,
            end=year.end_date,
            budget_called=called[(year.pk, str(CallKind.BUDGET), False)],
            works_called=called[(year.pk, str(CallKind.WORKS), False)],
            works_fund_called=called[(year.pk, str(CallKind.BUDGET), True)],
            charges_share=shares.get(year.pk),
            paid_by_seller=cents(payments[f"y{year.pk}"]),
        )
        for year in years
    )


def syndicate_position(condominium: Condominium, at: datetime.date) -> tuple[Decimal, Decimal, Decimal]:
    """All co-owners' debit balances, the debt to suppliers (40x less 409) and the works fund (105
    contributions) on `at` (two queries).

    The debit balances are added up by the database (a grouped subquery kept to the positive ones):
    15,000 co-owner balances are no longer shipped to Python and summed there. It still reads every
    co-owner line of the condominium up to `at`: the ledger stores no running balance (see
    docs/sales.md). The supplier accounts are read through their `(account, date)` index, not by
    filtering the condominium's whole books on the account number."""
    balances = (
        Line.objects.filter(condominium=condominium, co_owner__isnull=False, date__lte=at)
        .values("co_owner_id")
        .annotate(balance=Sum(F("debit") - F("credit"), output_field=MONEY_OUTPUT))
        .filter(balance__gt=0)
        .order_by()
    )
    unpaid = cents(balances.aggregate(total=Sum("balance", output_field=MONEY_OUTPUT))["total"])
    supplier = Q(number__startswith="40") & ~Q(number__startswith="409")
    fund = Q(number=chart.WORKS_FUND_CONTRIBUTIONS)
    # The accounts come from the firm-scoped manager: their lines are the firm's. Read by account
    # (the `(account, date)` index), a handful of accounts, not the condominium's whole books.
    accounts = Account.objects.filter(supplier | fund, condominium=condominium).values("pk")
    totals = Line.all_firms.filter(account__in=accounts, date__lte=at).aggregate(
        debt=Sum(
            F("credit") - F("debit"),
            filter=~Q(account__number=chart.WORKS_FUND_CONTRIBUTIONS),
            output_field=MONEY_OUTPUT,
        ),
        fund=Sum(
            F("credit") - F("debit"),
            filter=Q(account__number=chart.WORKS_FUND_CONTRIBUTIONS),
            output_field=MONEY_OUTPUT,
        ),
    )
    return unpaid, cents(totals["debt"]), cents(totals["fund"])


# --- All of it -----------------------------------------------------------------------------------


def sale_figures(
    *,
    condominium: Condominium,
    seller: CoOwner,
    lots: list[Lot],
    at: datetime.date,
    notary: str,
    fee: Decimal = ZERO,
    exclude_entry_id: int | None = None,
) -> SaleFigures:
    """The état daté and pre-sale figures of `lots` sold by `seller`, from the books on `at`."""
    lot_ids = [lot.pk for lot in lots]
    # The condominium's fiscal years up to `at` (a few dozen rows at most): the current one and the
    # two before it, from one query.
    years = list(FiscalYear.objects.filter(condominium=condominium, start_date__lte=at).order_by("-start_date"))
    current = next((year for year in years if year.end_date >= at), None)
    start = current.start_date if current is not None else condominium.fiscal_year_start(at)
    position = seller_position(seller, at, start=start, exclude_entry_id=exclude_entry_id)
    shares, by_lot = _lot_shares(lot_ids)
    general = AllocationKey.objects.filter(condominium=condominium, kind=KeyKind.GENERAL).first()
    general_shares = shares.get(general.pk) if general is not None else None
    general_by_lot = {lot_id: count for (key_id, lot_id), count in by_lot.items() if general and key_id == general.pk}
    future, budget, budget_total, budget_share, fund_share = _future_provisions(
        condominium, at, lot_ids, shares, general
    )
    unpaid, supplier_debt, fund_balance = syndicate_position(condominium, at)
    notes = [
        _(
            "Sommes arrêtées au %(date)s d'après la comptabilité du syndicat, sous réserve de l'apurement des "
            "comptes ; les provisions non encore appelées sont estimées d'après le budget voté et les tantièmes."
        )
        % {"date": f"{at:%d/%m/%Y}"},
        _(
            "Le fonds de travaux est attaché aux lots : il n'est pas remboursé au vendeur et reste acquis au "
            "syndicat (loi, art. 14-2-1)."
        ),
    ]
    return SaleFigures(
        at=at,
        firm_name=condominium.firm.name,
        condominium=f"{condominium.code} {condominium.name}",
        condominium_address=condominium.postal_address,
        registry_number=condominium.registry_number,
        seller_reference=seller.reference_display,
        seller_name=seller.display_name,
        seller_address=seller.postal_address,
        notary=notary,
        lots=tuple(
            LotLine(
                number=lot.number,
                label=f"Lot {lot.number} – {lot.get_kind_display()}",
                general_shares=int(general_by_lot.get(lot.pk, 0)),
                general_total=general.total if general is not None else 0,
            )
            for lot in sorted(lots, key=lambda item: item.number)
        ),
        parts=(part_one(position, fee=fee), part_two(position), part_three(position, future)),
        works_fund=_works_fund(fund_balance, seller, at, lot_ids, general_shares),
        years=_earlier_years([year for year in years if year.end_date < at][:2], seller, lot_ids),
        budget_label=budget.label if budget is not None else "",
        budget_total=budget_total,
        budget_share=budget_share,
        works_fund_share_yearly=fund_share,
        syndicate_unpaid=unpaid,
        supplier_debt=supplier_debt,
        notes=tuple(notes),
    )
