import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649

from tantieme.core.references import (
    InvalidReferenceError,
    creditor_reference,
    format_creditor_reference,
    format_reference,
    is_valid_creditor_reference,
    parse_reference,
)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("A 606 0001", "A6060001"),
        ("a6060001", "A6060001"),
        (" a-606-0001 ", "A6060001"),
        ("G 149 X369", "G149X369"),
        ("g.149.x369", "G149X369"),
        ("A\u00a0606\u00a00001", "A6060001"),
    ],
)
def test_parse_reference_accepts_what_people_type(text: str, canonical: str) -> None:
    assert parse_reference(text) == canonical


@pytest.mark.parametrize(
    "text", ["", "606 0001", "A 60 6001", "AA 606 0001", "A 606 00001", "A 606 0é01", "1 606 0001"]
)
def test_parse_reference_refuses_the_rest(text: str) -> None:
    with pytest.raises(InvalidReferenceError, match="référence copropriétaire"):
        parse_reference(text)


def test_format_reference_as_on_the_letters() -> None:
    assert format_reference("A6060001") == "A 606 0001"
    assert format_reference("G149X369") == "G 149 X369"


@pytest.mark.parametrize(
    ("reference", "rf"),
    [("A6060001", "RF09A6060001"), ("G149X369", "RF33G149X369"), ("A6060001202601", "RF33A6060001202601")],
)
def test_creditor_reference_matches_the_spec_vectors(reference: str, rf: str) -> None:
    assert creditor_reference(reference) == rf
    assert is_valid_creditor_reference(rf)


def test_creditor_reference_validation() -> None:
    assert is_valid_creditor_reference("RF18 5390 0754 7034")  # the ISO 11649 example
    assert not is_valid_creditor_reference("RF19 5390 0754 7034")
    assert not is_valid_creditor_reference("RF09A6060002")  # one character changed
    assert not is_valid_creditor_reference("A6060001")
    assert format_creditor_reference("RF33G149X369") == "RF33 G149 X369"


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=21))
def test_creditor_reference_agrees_with_stdnum(body: str) -> None:
    rf = creditor_reference(body)
    assert iso11649.is_valid(rf)
    assert is_valid_creditor_reference(rf)
