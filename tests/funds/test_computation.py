"""The pure arithmetic of calls: the spec's worked example §11.3 to the cent, and properties."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tantieme.funds.computation import (
    KeyCall,
    LotShares,
    compute_call,
    instalment_total,
    instalment_totals,
    normalize_period,
    period_code,
    period_range,
    schedule,
    spread,
    works_fund_minimum,
)
from tantieme.funds.exceptions import CallError


def D(text: str) -> Decimal:
    return Decimal(text)


# Spec §11.1: lot -> (owner, CG tantièmes, ASC tantièmes); lot ids are 100 + number.
LOTS = {1: ("A", 233, 0), 2: ("B", 197, 283), 3: ("C", 211, 333), 4: ("D", 229, 384), 5: ("B", 65, 0), 6: ("E", 65, 0)}
OWNER_IDS = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}


def _lots(column: int) -> list[LotShares]:
    # Given in reverse order on purpose: the tie-break must not depend on the order of the input.
    return [LotShares(lot_id=100 + number, lot_number=number, shares=LOTS[number][column]) for number in reversed(LOTS)]


def example_call() -> dict[str, object]:
    budget_cg, budget_asc, fund = D("9250.00"), D("3100.00"), D("620.00")

    def q1(total: Decimal) -> Decimal:
        return instalment_total(total, [1] * 4, 1, D(0))

    keys = [
        KeyCall(key_id=1, code="CG", key_total=1000, amount=q1(budget_cg), lots=_lots(1)),
        KeyCall(key_id=2, code="ASC", key_total=1000, amount=q1(budget_asc), lots=_lots(2)),
        KeyCall(key_id=1, code="CG", key_total=1000, amount=q1(fund), lots=_lots(1), is_works_fund=True),
    ]
    owners = {100 + number: OWNER_IDS[owner] for number, (owner, _cg, _asc) in LOTS.items()}
    return {"keys": keys, "result": compute_call(keys, owners)}


def test_spec_11_3_quarterly_call_table_to_the_cent() -> None:
    computed = example_call()
    keys, result = computed["keys"], computed["result"]
    assert [key.amount for key in keys] == [D("2312.50"), D("775.00"), D("155.00")]  # type: ignore[attr-defined]
    by = {(line.key_code, line.is_works_fund, line.lot_number): line.amount for line in result.lines}  # type: ignore[attr-defined]
    cg = {n: by.get(("CG", False, n)) for n in LOTS}
    asc = {n: by.get(("ASC", False, n)) for n in LOTS}
    ft = {n: by.get(("CG", True, n)) for n in LOTS}
    assert cg == {1: D("538.82"), 2: D("455.56"), 3: D("487.94"), 4: D("529.56"), 5: D("150.31"), 6: D("150.31")}
    # The tie of the elevator key: lots 2 and 3 both have 0,5 cent left, the cent goes to lot 3
    # (333 tantièmes > 283). Lots with 0 tantièmes get no line at all.
    assert asc == {1: None, 2: D("219.32"), 3: D("258.08"), 4: D("297.60"), 5: None, 6: None}
    assert ft == {1: D("36.12"), 2: D("30.53"), 3: D("32.71"), 4: D("35.50"), 5: D("10.07"), 6: D("10.07")}
    owners = result.owners  # type: ignore[attr-defined]
    per_owner = {owner: (due.current, due.works_fund, due.total) for owner, due in owners.items()}
    assert per_owner == {
        1: (D("538.82"), D("36.12"), D("574.94")),
        2: (D("825.19"), D("40.60"), D("865.79")),
        3: (D("746.02"), D("32.71"), D("778.73")),
        4: (D("827.16"), D("35.50"), D("862.66")),
        5: (D("150.31"), D("10.07"), D("160.38")),
    }
    assert result.total_current == D("3087.50")  # type: ignore[attr-defined]
    assert result.total_works_fund == D("155.00")  # type: ignore[attr-defined]
    assert result.key_totals == {"CG": D("2312.50"), "ASC": D("775.00"), "CG (fonds de travaux)": D("155.00")}  # type: ignore[attr-defined]


def test_naive_rounding_would_leave_rompus() -> None:
    # Half-up per lot gives 2 312,49 and 775,01 (spec §11.3): largest remainder does not.
    from decimal import ROUND_HALF_UP

    naive = sum((D("2312.50") * LOTS[n][1] / 1000).quantize(D("0.01"), ROUND_HALF_UP) for n in LOTS)
    naive_asc = sum((D("775.00") * LOTS[n][2] / 1000).quantize(D("0.01"), ROUND_HALF_UP) for n in LOTS)
    assert (naive, naive_asc) == (D("2312.49"), D("775.01"))
    assert sum(amount for _lot, amount in spread(D("2312.50"), _lots(1))) == D("2312.50")


def test_remainder_cents_go_to_the_last_call() -> None:
    assert instalment_totals(D("100.00"), [1, 1, 1]) == [D("33.33"), D("33.33"), D("33.34")]
    assert instalment_totals(D("1000.02"), [1, 1, 1, 1]) == [D("250.01"), D("250.01"), D("250.01"), D("249.99")]
    assert instalment_totals(D("30000.00"), [30, 30, 40]) == [D("9000.00"), D("9000.00"), D("12000.00")]


def test_a_revised_budget_is_caught_up_on_the_remaining_calls() -> None:
    # Two provisional quarters on the previous budget (4 000), then the AG votes 4 400.
    first = instalment_total(D("4000.00"), [1] * 4, 1, D(0))
    second = instalment_total(D("4000.00"), [1] * 4, 2, first)
    assert (first, second) == (D("1000.00"), D("1000.00"))
    third = instalment_total(D("4400.00"), [1] * 4, 3, first + second)
    fourth = instalment_total(D("4400.00"), [1] * 4, 4, first + second + third)
    assert (third, fourth) == (D("1200.00"), D("1200.00"))


def test_schedule_and_periods() -> None:
    start = datetime.date(2026, 1, 1)
    assert schedule(start, 3, 4) == [datetime.date(2026, m, 1) for m in (1, 4, 7, 10)]
    assert schedule(datetime.date(2025, 7, 1), 6, 2) == [datetime.date(2025, 7, 1), datetime.date(2026, 1, 1)]
    assert len(schedule(start, 1, 12)) == 12
    assert period_code(datetime.date(2026, 4, 1), 3) == "2026-Q2"
    assert period_code(datetime.date(2026, 7, 1), 6) == "2026-S2"
    assert period_code(datetime.date(2026, 4, 1), 1) == "2026-04"
    assert period_range("2026-Q2") == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    assert period_range("2026-t4") == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    assert period_range("2026-S1") == (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert period_range("2026-02") == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert normalize_period("2026T2") == "2026-Q2"
    with pytest.raises(CallError):
        period_range("2026-Q5")


def test_works_fund_minimum() -> None:
    assert works_fund_minimum(D("12350.00"), None) == D("617.50")
    assert works_fund_minimum(D("12350.00"), D("60000.00")) == D("1500.00")


def test_a_lot_without_owner_stops_the_call() -> None:
    key = KeyCall(key_id=1, code="CG", key_total=1000, amount=D("100.00"), lots=_lots(1))
    with pytest.raises(CallError, match="lots 6"):
        compute_call([key], {100 + n: 1 for n in range(1, 6)})


# --- Properties --------------------------------------------------------------------------------

amounts = st.decimals(min_value=D("0.00"), max_value=D("2000000.00"), places=2, allow_nan=False, allow_infinity=False)
share_lists = st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=60).filter(lambda s: sum(s) > 0)


@settings(max_examples=300, deadline=None)
@given(total=amounts, shares=share_lists, calls=st.sampled_from([1, 2, 4, 12]))
def test_properties_of_a_key_over_a_year(total: Decimal, shares: list[int], calls: int) -> None:
    lots = [LotShares(lot_id=i, lot_number=i + 1, shares=s) for i, s in enumerate(shares)]
    call_totals = instalment_totals(total, [1] * calls)
    # The calls add up to the budget; none is negative.
    assert sum(call_totals) == total
    assert all(amount >= 0 for amount in call_totals)
    for call_total in call_totals:
        parts = spread(call_total, lots)
        # Per call and key, the lots add up to the call total.
        assert sum(amount for _lot, amount in parts) == call_total
        for lot, amount in parts:
            if lot.shares == 0:
                assert amount == 0
        # No lot with a larger share pays less.
        for lot_a, amount_a in parts:
            for lot_b, amount_b in parts:
                if lot_a.shares > lot_b.shares:
                    assert amount_a >= amount_b


@settings(max_examples=200, deadline=None)
@given(total=amounts, weights=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=8))
def test_works_instalments_add_up(total: Decimal, weights: list[int]) -> None:
    parts = instalment_totals(total, weights)
    assert sum(parts) == total
    assert all(part >= 0 for part in parts)


@settings(max_examples=200, deadline=None)
@given(first=amounts, second=amounts, switch=st.integers(min_value=1, max_value=3))
def test_a_budget_changed_during_the_year_still_adds_up(first: Decimal, second: Decimal, switch: int) -> None:
    called = D("0.00")
    at_switch = D("0.00")
    for index in range(1, 5):
        budget = first if index <= switch else second
        called += instalment_total(budget, [1] * 4, index, called)
        if index == switch:
            at_switch = called
    # The year adds up to the voted budget, unless the provisional calls already exceeded it
    # (the excess is given back by the régularisation at closing, never by a negative call).
    assert called == max(second, at_switch)
