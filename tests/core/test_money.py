from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tantieme.core.money import NBSP, AmountError, allocate, format_amount, format_plain, parse_amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 210,77", "1210.77"),
        ("1210.77", "1210.77"),
        ("1 210,77 €", "1210.77"),
        (f"1{NBSP}210,77{NBSP}€", "1210.77"),
        ("1.210,77", "1210.77"),
        ("1,210.77", "1210.77"),
        ("1.210", "1210.00"),
        ("12.5", "12.50"),
        ("-12,5", "-12.50"),
        ("EUR 12", "12.00"),
        ("+3", "3.00"),
        ("0,01", "0.01"),
    ],
)
def test_parse_amount_reads_french_and_english_writing(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,234,5", "12,345", "1.2.3,4,5", "12,3456", "1e5", "€", "nan"])
def test_parse_amount_refuses_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(text)


def test_parse_amount_refuses_sub_cent_decimals() -> None:
    with pytest.raises(AmountError):
        parse_amount(Decimal("1.001"))


def test_format_amount_french_and_english() -> None:
    assert format_amount(Decimal("1210.77"), language="fr") == f"1{NBSP}210,77{NBSP}€"
    assert format_amount(Decimal("-1234567.5"), language="fr") == f"-1{NBSP}234{NBSP}567,50{NBSP}€"
    assert format_amount(Decimal("0"), language="fr") == f"0,00{NBSP}€"
    assert format_amount(Decimal("1210.77"), language="en") == "€1,210.77"
    assert format_amount(Decimal("-5"), language="en") == "-€5.00"
    assert format_amount(Decimal("999"), language="fr", currency=False) == "999,00"
    assert format_plain(Decimal("1210.7")) == "1210,70"


def test_allocate_worked_example_with_tie() -> None:
    # 100,00 € over three equal weights: one cent is left, it goes to the first (stable order).
    assert allocate(Decimal("100.00"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    # Equal remainders: the larger weight wins the cent before the earlier position.
    assert allocate(Decimal("0.02"), [1, 3]) == [Decimal("0.00"), Decimal("0.02")]
    assert allocate(Decimal("0.03"), [1, 2, 1, 2]) == [
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.00"),
        Decimal("0.01"),
    ]
    assert allocate(Decimal("10.00"), [0, 5, 5]) == [Decimal("0.00"), Decimal("5.00"), Decimal("5.00")]
    assert allocate(Decimal("-10.00"), [1, 2]) == [Decimal("-3.33"), Decimal("-6.67")]


def test_allocate_refuses_impossible_splits() -> None:
    with pytest.raises(ValueError, match="zero weights"):
        allocate(Decimal("1.00"), [0, 0])
    with pytest.raises(ValueError, match="negative"):
        allocate(Decimal("1.00"), [1, -1])
    assert allocate(Decimal("0.00"), [0, 0]) == [Decimal("0.00"), Decimal("0.00")]


amounts = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=2)
weights = st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=60).filter(any)


@given(total=amounts, weights=weights)
def test_allocate_parts_always_add_up(total: Decimal, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    assert all(part.as_tuple().exponent == -2 for part in parts)


@given(total=amounts, weights=weights)
def test_allocate_each_part_within_a_cent_of_its_exact_share(total: Decimal, weights: list[int]) -> None:
    weight_sum = sum(weights)
    for part, weight in zip(allocate(total, weights), weights, strict=True):
        exact = total * weight / weight_sum
        assert abs(part - exact) < Decimal("0.01")
        if weight == 0:
            assert part == 0


@given(total=amounts.filter(lambda t: t >= 0), weights=weights)
def test_allocate_a_larger_weight_never_gets_less(total: Decimal, weights: list[int]) -> None:
    parts = allocate(total, weights)
    for i in range(len(weights)):
        for j in range(len(weights)):
            if weights[i] > weights[j]:
                assert parts[i] >= parts[j]


@given(total=amounts, weights=weights)
def test_allocate_is_deterministic(total: Decimal, weights: list[int]) -> None:
    assert allocate(total, weights) == allocate(total, list(weights))
