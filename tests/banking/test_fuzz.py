"""Parser fuzzing (hypothesis): whatever the bytes, only `StatementParseError` comes out.

Each parser gets three kinds of inputs: random bytes, mutations of a valid file (bytes replaced,
inserted, deleted, lines dropped or duplicated, truncation) and structurally plausible records
built from random fields. `FUZZ_EXAMPLES` sets the number of examples per strategy (300 by
default); the campaign of bench/README.md runs 34,000 per strategy, 102,000 per parser:

    FUZZ_EXAMPLES=34000 .venv/bin/pytest tests/banking/test_fuzz.py -m slow -p no:randomly -q
"""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tantieme.banking.parsers import (
    Camt053Reader,
    Cfonb120Reader,
    OfxReader,
    StatementParseError,
    StatementReader,
    camt053,
    open_statement,
)
from tantieme.banking.parsers.cfonb120 import encode_amount
from tests.banking.conftest import sample
from tests.banking.test_parsers import OFX

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
SMALL = 300
CAMT = sample("camt053_sample.xml")
CFONB = sample("releve_cfonb120.txt")

READERS: dict[str, tuple[type[StatementReader], bytes]] = {
    "camt053": (Camt053Reader, CAMT),
    "cfonb120": (Cfonb120Reader, CFONB),
    "ofx": (OfxReader, OFX),
}


def survive(reader_class: type[StatementReader], data: bytes) -> None:
    """Only the documented error, from the constructor or the stream; auto-detection too."""
    for make in (reader_class, open_statement):
        try:
            reader = make(data)
            for entry in reader.entries():
                assert isinstance(entry.amount, Decimal)
        except StatementParseError as error:  # the documented error: expected
            assert error.message  # noqa: PT017 - the error is the expected outcome, not a failure


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        operation = draw(st.sampled_from(["replace", "insert", "delete", "truncate", "lines", "digit"]))
        if not data:
            break
        position = draw(st.integers(min_value=0, max_value=len(data) - 1))
        if operation == "replace":
            data[position] = draw(st.integers(min_value=0, max_value=255))
        elif operation == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=12))
        elif operation == "delete":
            del data[position : position + draw(st.integers(min_value=1, max_value=40))]
        elif operation == "truncate":
            del data[position:]
        elif operation == "digit":
            data[position] = draw(st.sampled_from(b"0123456789{}ABCDEFGHIJKLMNOPQR<>&/-. \n"))
        else:
            lines = bytes(data).split(b"\n")
            index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            if draw(st.booleans()):
                lines.insert(index, lines[index])
            else:
                del lines[index]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


FIELD = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=40)


@st.composite
def cfonb_records(draw: st.DrawFn) -> bytes:
    """Records with the right shape and random contents (codes, dates, amounts, qualifiers)."""
    head = "30006    00001EUR2 12345678901"
    records = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        code = draw(st.sampled_from(["01", "04", "05", "07", "01", "04", "05", "07", "99", "  "]))
        date = draw(st.sampled_from(["020326", "310226", "999999", "  0326", "AB0326", ""]))
        amount = draw(
            st.one_of(
                st.decimals(min_value=-(10**11), max_value=10**11, places=2, allow_nan=False).map(encode_amount),
                st.text(alphabet="0123456789{}ABCDEFGHIJKLMNOPQR ", min_size=14, max_size=14),
            )
        )
        qualifier = draw(st.sampled_from(["NPY", "LCC", "LC2", "LCS", "RCN", "NBE", "CPY", "LIB", "XXX"]))
        body = draw(FIELD)
        if code == "05":
            line = f"{code}{head}05{date:6.6}     {qualifier}{body:70.70}  "
        else:
            line = f"{code}{head}05{date:6.6}  {date:6.6}{body:31.31}  0001234  {amount:14.14}" + " " * 16
        if draw(st.booleans()):
            line = line[: draw(st.integers(min_value=0, max_value=130))]
        records.append(line)
    separator = draw(st.sampled_from(["\r\n", "\n", ""]))
    return separator.join(records).encode("latin-1", errors="replace")


@st.composite
def ofx_documents(draw: st.DrawFn) -> bytes:
    transactions = "".join(
        f"<STMTTRN><TRNTYPE>{draw(FIELD)}<DTPOSTED>{draw(st.sampled_from(['20260302', '2026', 'X', '20261340']))}"
        f"<TRNAMT>{draw(st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str), FIELD))}"
        f"<FITID>{draw(FIELD)}<NAME>{draw(FIELD)}<MEMO>{draw(FIELD)}</STMTTRN>\n"
        for _ in range(draw(st.integers(min_value=0, max_value=5)))
    )
    bank = draw(st.sampled_from(["30006", "3000", "ABCDE", ""]))
    balance = draw(st.one_of(st.decimals(allow_nan=False, allow_infinity=False).map(str), FIELD))
    return (
        f"OFXHEADER:100\n<OFX><STMTRS><BANKACCTFROM><BANKID>{bank}<BRANCHID>00001<ACCTID>{draw(FIELD)}</BANKACCTFROM>"
        f"<BANKTRANLIST>{transactions}</BANKTRANLIST><LEDGERBAL><BALAMT>{balance}</LEDGERBAL>"
        f"{draw(st.sampled_from(['</STMTRS>', '']))}</OFX>"
    ).encode("utf-8", errors="replace")


@st.composite
def camt_documents(draw: st.DrawFn) -> bytes:
    """The sample with its values replaced by random text (amounts, indicators, dates, statuses)."""
    text = CAMT.decode()
    replacements = {
        "450.00": draw(st.one_of(st.decimals(allow_nan=False, allow_infinity=False).map(str), FIELD)),
        "CRDT": draw(st.sampled_from(["CRDT", "DBIT", "", "crdt", "X"])),
        "BOOK": draw(st.sampled_from(["BOOK", "PDNG", "INFO", "", "<Cd>BOOK</Cd>"])),
        "2026-03-02": draw(st.sampled_from(["2026-03-02", "2026-02-30", "02/03/2026", "", "2026-03-02T10:00:00"])),
        "OPBD": draw(st.sampled_from(["OPBD", "PRCD", "CLBD", "XXXX"])),
        "M OU MME DUPONT JEAN": draw(FIELD).replace("<", "&lt;").replace("&", "&amp;"),
        "12797.50": draw(st.sampled_from(["12797.50", "12797.5", "0", "-1", "1e3", "12 797,50"])),
    }
    for old, new in replacements.items():
        text = text.replace(old, new, draw(st.integers(min_value=1, max_value=3)))
    return text.encode("utf-8", errors="replace")


STRATEGIES: dict[str, list[Callable[[], st.SearchStrategy[bytes]]]] = {
    "camt053": [lambda: st.binary(max_size=600), lambda: mutated(CAMT), camt_documents],
    "cfonb120": [lambda: st.binary(max_size=600), lambda: mutated(CFONB), cfonb_records],
    "ofx": [lambda: st.binary(max_size=600), lambda: mutated(OFX), ofx_documents],
}


def run_campaign(name: str, index: int, examples: int) -> None:
    reader_class, _base = READERS[name]
    strategy = STRATEGIES[name][index]()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(strategy)
    def check(data: bytes) -> None:
        survive(reader_class, data)

    check()


CASES = [(name, index) for name in STRATEGIES for index in range(3)]


@pytest.mark.parametrize(("name", "index"), CASES)
def test_parsers_raise_only_the_parse_error(name: str, index: int) -> None:
    run_campaign(name, index, SMALL)


@pytest.mark.parametrize("index", range(3))
def test_camt_c_xml_path_raises_only_the_parse_error(monkeypatch: pytest.MonkeyPatch, index: int) -> None:
    monkeypatch.setattr(camt053, "DEFUSED_LIMIT", 0)
    run_campaign("camt053", index, SMALL)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "index"), CASES)
def test_fuzz_campaign(monkeypatch: pytest.MonkeyPatch, name: str, index: int) -> None:
    """FUZZ_EXAMPLES per strategy; CAMT alternates the two XML paths."""
    if name == "camt053":
        monkeypatch.setattr(camt053, "DEFUSED_LIMIT", 0)
        run_campaign(name, index, EXAMPLES // 2)
        monkeypatch.undo()
        run_campaign(name, index, EXAMPLES - EXAMPLES // 2)
    else:
        run_campaign(name, index, EXAMPLES)
