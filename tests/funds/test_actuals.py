"""Budget against actual (issue 14 item 6): spec expenses §11.8 to the cent, credit notes, « hors
budget », works apart, and the same figures as the closing (distribution, annexes 2 and 3)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine

from tantieme.closing.annexes import build_annexes
from tantieme.closing.distribution import compute_distribution
from tantieme.closing.services import draft_closing
from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import AllocationKey, Condominium
from tantieme.funds.actuals import LineForecast, budget_actuals, charges_by_key, flow_sums, ledger_lines
from tantieme.funds.services import InstalmentData, LineData, create_works_operation, save_budget
from tantieme.ledger import services as ledger
from tantieme.ledger.models import FiscalYear
from tantieme.ledger.services import LineDraft
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tests.closing.test_annexes import run_2025
from tests.factories import AllocationKeyFactory, CondominiumFactory, FirmFactory, LotFactory, LotShareFactory
from tests.funds.helpers import Example, build_example

D = Decimal
SEPT_30 = datetime.date(2026, 9, 30)


@dataclass
class Tilleuls:
    """SDC Résidence Les Tilleuls (spec expenses §11): keys CG, BATB, ASC; budget 2026."""

    condominium: Condominium
    year: FiscalYear
    keys: dict[str, AllocationKey]


def _charge(t: Tilleuls, day: datetime.date, label: str, *parts: tuple[str, str, Decimal]) -> None:
    """An invoice (debits) or, with negative amounts, a credit note, on (account, key code)."""
    lines = []
    total = D("0.00")
    for account, key, amount in parts:
        key_id = t.keys[key].pk
        lines.append(
            LineDraft(account=account, debit=amount, key_id=key_id)
            if amount > 0
            else LineDraft(account=account, credit=-amount, key_id=key_id)
        )
        total += amount
    lines.append(LineDraft(account="401", credit=total) if total > 0 else LineDraft(account="401", debit=-total))
    ledger.post_entry(condominium=t.condominium, journal="AC", date=day, label=label, lines=lines)


def build_tilleuls(firm: Firm) -> Tilleuls:
    """The condominium, its keys and lots, its budget 2026 and the invoices F1, F2, F4 (in scope)."""
    condominium = CondominiumFactory(firm=firm, code="TIL")
    keys = {
        "CG": AllocationKeyFactory(condominium=condominium, code="CG", label="Charges générales", kind=KeyKind.GENERAL),
        "BATB": AllocationKeyFactory(condominium=condominium, code="BATB", label="Bâtiment B"),
        "ASC": AllocationKeyFactory(condominium=condominium, code="ASC", label="Ascenseur"),
    }
    for number, (cg, batb, asc) in enumerate(
        ((220, 0, 0), (180, 0, 0), (190, 300, 0), (200, 330, 450), (210, 370, 550)), 1
    ):
        lot = LotFactory(condominium=condominium, number=number)
        LotShareFactory(key=keys["CG"], lot=lot, shares=cg)
        LotShareFactory(key=keys["BATB"], lot=lot, shares=batb)
        LotShareFactory(key=keys["ASC"], lot=lot, shares=asc)
    ledger.create_chart(condominium=condominium)
    year = ledger.open_fiscal_year(condominium=condominium, start_date=datetime.date(2026, 1, 1))
    save_budget(
        condominium=condominium,
        start_date=datetime.date(2026, 1, 1),
        general_meeting_date=datetime.date(2025, 6, 1),
        works_fund_amount=D("270.00"),
        lines=[
            LineData(key_code="CG", account="611", amount=D("1200.00"), label="Nettoyage"),
            LineData(key_code="CG", account="615", amount=D("900.00"), label="Entretien et petites réparations"),
            LineData(key_code="BATB", account="611", amount=D("800.00"), label="Nettoyage escalier B"),
            LineData(key_code="ASC", account="614", amount=D("2500.00"), label="Contrat ascenseur"),
        ],
    )
    t = Tilleuls(condominium=condominium, year=year, keys=keys)
    _charge(t, datetime.date(2026, 9, 10), "DURAND D-2026-118", ("615", "CG", D("385.00")))
    _charge(
        t,
        datetime.date(2026, 9, 15),
        "NET'ÉCLAT NE-2026-0917",
        ("611", "CG", D("1188.00")),
        ("611", "BATB", D("792.00")),
    )
    _charge(t, datetime.date(2026, 9, 20), "ASCENSEURS DU SUD", ("614", "ASC", D("2520.00")))
    return t


@pytest.fixture
def tilleuls(db: None) -> Iterator[Tilleuls]:
    firm = FirmFactory(slug="tilleuls", name="Cabinet des Tilleuls")
    with firm_scope(firm):
        yield build_tilleuls(firm)


# Contracts feed CG 611, BATB 611 and ASC 614: their annual invoice is in, nothing is left to come.
CONTRACTS = {
    ("CG", "611"): LineForecast(expected_to_date=D("1188.00"), remaining=D("0.00")),
    ("BATB", "611"): LineForecast(expected_to_date=D("792.00"), remaining=D("0.00")),
    ("ASC", "614"): LineForecast(expected_to_date=D("2520.00"), remaining=D("0.00")),
}


def _rows(result):  # type: ignore[no-untyped-def]
    return {(key.code, row.account): row for key in result.keys for row in key.rows}


def test_budget_against_actual_on_30_september_is_the_worked_example(tilleuls: Tilleuls) -> None:
    """Spec expenses §11.8 / acceptance test 12: CG projection 1 799,85, 615 expected 673,15, no alert."""
    forecasts = {(tilleuls.keys[code].pk, account): forecast for (code, account), forecast in CONTRACTS.items()}
    result = budget_actuals(tilleuls.year, today=SEPT_30, forecasts=forecasts)
    assert (result.elapsed_days, result.year_days, result.elapsed) == (273, 365, D("74.8"))
    rows = _rows(result)
    cg_615 = rows[("CG", "615")].figures
    assert (cg_615.budget, cg_615.actual, cg_615.expected, cg_615.projection) == (
        D("900.00"),
        D("385.00"),
        D("673.15"),
        D("611.85"),
    )
    assert cg_615.variance == D("-288.15")
    assert cg_615.remaining == D("515.00")
    assert cg_615.consumption == D("42.8")
    cg_611 = rows[("CG", "611")].figures
    assert (cg_611.expected, cg_611.projection, cg_611.variance) == (D("1188.00"), D("1188.00"), D("-12.00"))
    assert rows[("CG", "611")].from_contracts
    keys = {key.code: key.total for key in result.keys}
    assert (keys["CG"].budget, keys["CG"].actual, keys["CG"].expected, keys["CG"].projection) == (
        D("2100.00"),
        D("1573.00"),
        D("1861.15"),
        D("1799.85"),
    )
    assert keys["CG"].variance == D("-300.15")
    assert (keys["BATB"].projection, keys["BATB"].variance) == (D("792.00"), D("-8.00"))
    assert (keys["ASC"].actual, keys["ASC"].projection, keys["ASC"].variance) == (
        D("2520.00"),
        D("2520.00"),
        D("20.00"),
    )
    # +0,8 %: under the 5 % threshold; the 614 invoice is already above its budget though.
    assert rows[("ASC", "614")].alerts == ("exceeded",)
    assert all(not rows[where].alerts for where in rows if where != ("ASC", "614"))
    assert result.total.budget == D("5400.00")
    assert result.total.actual == D("4885.00")
    assert result.off_budget_total == D("0.00")


def test_without_contracts_the_projection_runs_on_the_budget(tilleuls: Tilleuls) -> None:
    result = budget_actuals(tilleuls.year, today=SEPT_30)
    cg_611 = _rows(result)[("CG", "611")].figures
    # 1 200 × 273/365 = 897,53 expected; 1 188 + 1 200 − 897,53 = 1 490,47.
    assert (cg_611.expected, cg_611.projection) == (D("897.53"), D("1490.47"))
    assert "ahead" in _rows(result)[("CG", "611")].alerts  # 1 188 − 897,53 > 10 % of 1 200
    assert "overrun" in _rows(result)[("CG", "611")].alerts  # 1 490,47 > 105 % of 1 200


def test_credit_notes_off_budget_charges_and_works_apart(tilleuls: Tilleuls) -> None:
    t = tilleuls
    _charge(t, datetime.date(2026, 10, 5), "Avoir ASCENSEURS DU SUD", ("614", "ASC", D("-252.00")))
    _charge(t, datetime.date(2026, 10, 8), "Dératisation", ("6222", "CG", D("462.00")))
    operation = create_works_operation(
        condominium=t.condominium,
        code="OP-2026-01",
        label="Étanchéité toiture B",
        general_meeting_date=datetime.date(2026, 4, 10),
        lines=[LineData(key_code="BATB", account="671", amount=D("12000.00"))],
        instalments=[InstalmentData(due_date=datetime.date(2026, 6, 1), weight=50)],
    )
    ledger.post_entry(
        condominium=t.condominium,
        journal="AC",
        date=datetime.date(2026, 9, 25),
        label="TOITURES DU RHÔNE",
        lines=[
            LineDraft(account="671", debit=D("11000.00"), key_id=t.keys["BATB"].pk, operation_id=operation.pk),
            LineDraft(account="401", credit=D("11000.00")),
        ],
    )
    result = budget_actuals(t.year, today=datetime.date(2026, 12, 31))
    rows = _rows(result)
    assert rows[("ASC", "614")].figures.actual == D("2268.00")  # 2 520 − 252
    off = rows[("CG", "6222")]
    assert not off.in_budget
    assert off.alerts == ("off_budget",)
    assert (off.figures.budget, off.figures.actual, off.figures.projection) == (D("0"), D("462.00"), D("462.00"))
    assert result.off_budget_total == D("462.00")
    # The works are not in the current charges: their own budget against what was invoiced.
    assert ("BATB", "671") not in rows
    (works,) = result.works
    assert (works.code, works.voted, works.invoiced, works.invoiced_in_year, works.remaining) == (
        "OP-2026-01",
        D("12000.00"),
        D("11000.00"),
        D("11000.00"),
        D("1000.00"),
    )
    assert works.consumption == D("91.7")
    # The drill-down reads the same lines.
    lines = ledger_lines(t.year, key_id=t.keys["ASC"].pk, account="614")
    assert sum((line.debit - line.credit for line in lines), D("0.00")) == D("2268.00")
    # At the year end the projection is the actual.
    assert result.total.projection == result.total.actual == D("5095.00")


def test_actual_to_date_ignores_later_lines_and_before_the_year_nothing_is_elapsed(tilleuls: Tilleuls) -> None:
    result = budget_actuals(tilleuls.year, today=datetime.date(2026, 9, 12))
    assert _rows(result)[("CG", "615")].figures.actual == D("385.00")
    assert _rows(result)[("CG", "611")].figures.actual == D("0.00")
    before = budget_actuals(tilleuls.year, today=datetime.date(2025, 12, 1))
    assert before.elapsed_days == 0
    assert before.total.actual == D("0.00")
    assert before.total.projection == before.total.budget == D("5400.00")


def test_the_number_of_queries_does_not_grow_with_the_lines(  # type: ignore[no-untyped-def]
    tilleuls: Tilleuls, django_assert_num_queries
) -> None:
    with django_assert_num_queries(6):
        budget_actuals(tilleuls.year, today=SEPT_30)
    for day in range(1, 29):
        _charge(
            tilleuls,
            datetime.date(2026, 2, day),
            f"Facture {day}",
            ("615", "CG", D("10.00")),
            ("6223", "CG", D("1.00")),
        )
    with django_assert_num_queries(6):
        budget_actuals(tilleuls.year, today=SEPT_30)


# --- The same figures as the closing -------------------------------------------------------------


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        with time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
            built = build_example(firm=firm, years=2)
        yield built


def test_actuals_per_key_are_the_distribution_and_annexes_2_and_3(example: Example) -> None:
    with time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
        year = run_2025(example, works=True)
        # A credit note and a charge on an account without budget line, to make it less easy.
        ledger.post_entry(
            condominium=example.condominium,
            journal="AC",
            date=datetime.date(2025, 12, 18),
            label="Avoir assurance",
            lines=[
                LineDraft(account="401", debit=D("110.00")),
                LineDraft(account="616", credit=D("110.00"), key_id=example.cg.pk),
            ],
        )
        ledger.post_entry(
            condominium=example.condominium,
            journal="AC",
            date=datetime.date(2025, 12, 19),
            label="Dépannage ascenseur",
            lines=[
                LineDraft(account="615", debit=D("96.00"), key_id=example.asc.pk),
                LineDraft(account="401", credit=D("96.00")),
            ],
        )
        # Financial income without key: the general key's, for the distribution and for us.
        ledger.post_entry(
            condominium=example.condominium,
            journal="OD",
            date=datetime.date(2025, 12, 19),
            label="Intérêts du livret",
            lines=[LineDraft(account="471", debit=D("37.50")), LineDraft(account="716", credit=D("37.50"))],
        )
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0), tick=False):
        closing = draft_closing(fiscal_year=year)
        distribution = compute_distribution(year, owners_date=year.end_date)
        annexes = build_annexes(fiscal_year=year, closing=closing)
        result = budget_actuals(year, today=datetime.date(2026, 3, 1))
    assert result.as_of == year.end_date
    ours = {key.key_id: key for key in result.keys}
    for key in distribution.keys:
        mine = ours[key.key_id]
        assert mine.total.actual == key.charges, key.code
        assert {row.account: row.figures.actual for row in mine.rows if row.figures.actual} == key.charges_by_account
        assert mine.provisions == key.provisions
        assert mine.income == key.income
    assert ours[example.cg.pk].income == D("37.50")
    annex_3 = {key.key_id: key for key in annexes.current_operations.keys}
    for key_id, key in annex_3.items():
        mine = ours[key_id]
        assert mine.total.actual == key.total_charges.actual
        assert mine.total.budget == key.total_charges.budget
        budget_by_account = {row.account: row.budget for row in key.charges if row.budget}
        assert {row.account: row.figures.budget for row in mine.rows if row.in_budget} == budget_by_account
    # Annex 2, part I: the class-6 accounts, all keys together.
    per_account: dict[str, Decimal] = {}
    for _key, row in result.rows:
        per_account[row.account] = per_account.get(row.account, D("0.00")) + row.figures.actual
    annex_2 = {row.account: row.actual for row in annexes.general_account.current.charges if row.actual}
    assert {account: amount for account, amount in per_account.items() if amount} == annex_2
    assert result.total.actual == annexes.general_account.current.total_charges.actual
    # The works of the year are annex 2 part II, not the current charges.
    (works,) = result.works
    assert works.invoiced_in_year == D("2500.00")
    # And the shared query itself says the same.
    flows = flow_sums(condominium_id=year.condominium_id, start=year.start_date, end=year.end_date)
    assert {k: sum(v.values(), D("0.00")) for k, v in charges_by_key(flows).items()} == {
        key.key_id: key.charges for key in distribution.keys if key.charges
    }
