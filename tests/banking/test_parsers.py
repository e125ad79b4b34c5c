"""Statement parsers on the samples, on edge cases, and on hostile XML."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tantieme.banking.parsers import (
    Camt053Reader,
    Cfonb120Reader,
    OfxReader,
    StatementParseError,
    camt053,
    detect_format,
    open_statement,
)
from tantieme.banking.parsers.base import normalise
from tantieme.banking.parsers.cfonb120 import decode_amount, encode_amount, iban_from_rib
from tests.banking.conftest import SAMPLE_IBAN, sample

OFX = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102

<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR
<BANKACCTFROM><BANKID>30006<BRANCHID>00001<ACCTID>12345678901<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260301<DTEND>20260302
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260302<TRNAMT>450.00<FITID>F1<NAME>M OU MME DUPONT JEAN<MEMO>CHARGES REF A 606 0001
</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260302<TRNAMT>-451,00<FITID>F2<NAME>ASCENSEURS DU SUD<MEMO>FACTURE 2026-0042
</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>12797.50<DTASOF>20260302</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


def read(content: bytes) -> tuple[list, list]:  # type: ignore[type-arg]
    reader = open_statement(content)
    entries = list(reader.entries())
    return entries, reader.statements


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("123.40", "0000000001234{"),
        ("484.38", "0000000004843H"),
        ("-92.00", "0000000000920}"),
        ("-0.01", "0000000000000J"),
        ("1234567.89", "0000012345678I"),
        ("-35243.16", "0000000352431O"),
    ],
)
def test_overpunch_vectors(value: str, encoded: str) -> None:
    assert decode_amount(encoded, 2, "t") == Decimal(value)
    assert encode_amount(Decimal(value)) == encoded


def test_rib_to_iban() -> None:
    assert iban_from_rib("30006", "00001", "12345678901") == SAMPLE_IBAN
    assert iban_from_rib("40031", "00001", "0000113172M") == "FR1140031000010000113172M58"


def test_formats_are_detected() -> None:
    assert detect_format(sample("camt053_sample.xml")) == "camt053"
    assert detect_format(sample("releve_cfonb120.txt")) == "cfonb120"
    assert detect_format(OFX) == "ofx"
    with pytest.raises(StatementParseError):
        detect_format(b"")
    with pytest.raises(StatementParseError):
        detect_format(b"<html></html>")


@pytest.mark.parametrize("limit", [camt053.DEFUSED_LIMIT, 0])
def test_camt_sample(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Both XML paths (defusedxml for small files, the C pull parser for large ones) read the same."""
    monkeypatch.setattr(camt053, "DEFUSED_LIMIT", limit)
    entries, statements = read(sample("camt053_sample.xml"))
    assert [entry.amount for entry in entries] == [Decimal("450.00"), Decimal("798.50"), Decimal("-451.00")]
    first, second, third = entries
    assert first.bank_reference == "2026030200012345"
    assert first.remittance == "CHARGES T1 2026 REF A 606 0001 DUPONT"
    assert first.counterparty_name == "M OU MME DUPONT JEAN"
    assert first.counterparty_iban == "FR1420041010050500013M02606"
    assert first.bank_code == "PMNT/RCDT/ESCT"
    assert second.structured_reference == "RF33G149X369"
    assert second.end_to_end_id == "G149X369-2026T1"
    assert third.counterparty_name == "ASCENSEURS DU SUD"
    (statement,) = statements
    assert statement.iban == SAMPLE_IBAN
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("12000.00"), Decimal("12797.50"))
    assert statement.balance_checked
    assert statement.statement_id == "STMT-2026-061"


def test_camt_later_versions_and_status_code() -> None:
    content = (
        sample("camt053_sample.xml")
        .replace(b"camt.053.001.02", b"camt.053.001.08")
        .replace(b"<Sts>BOOK</Sts>", b"<Sts><Cd>BOOK</Cd></Sts>")
    )
    reader = open_statement(content)
    assert isinstance(reader, Camt053Reader)
    assert reader.version == 8
    assert len(list(reader.entries())) == 3


def test_camt_001_01_is_refused() -> None:
    with pytest.raises(StatementParseError, match=r"001\.02"):
        open_statement(sample("camt053_sample.xml").replace(b"camt.053.001.02", b"camt.053.001.01"))


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&xxe;</BkToCstmrStmt></Document>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol2;</Document>"""


@pytest.mark.parametrize("content", [XXE, LAUGHS])
@pytest.mark.parametrize("limit", [camt053.DEFUSED_LIMIT, 0])
def test_dtd_and_entities_are_refused(monkeypatch: pytest.MonkeyPatch, content: bytes, limit: int) -> None:
    monkeypatch.setattr(camt053, "DEFUSED_LIMIT", limit)
    with pytest.raises(StatementParseError, match="DTD"):
        list(open_statement(content).entries())


def test_utf16_xml_is_refused() -> None:
    content = sample("camt053_sample.xml").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    with pytest.raises(StatementParseError):
        list(Camt053Reader(content).entries())


def test_camt_batch_entry_is_split_per_transaction() -> None:
    content = sample("camt053_sample.xml")
    one = content.index(b"<TxDtls>")
    end = content.index(b"</TxDtls>") + len(b"</TxDtls>")
    detail = content[one:end]
    first = detail.replace(
        b'<AmtDtls><TxAmt><Amt Ccy="EUR">450.00</Amt>', b'<AmtDtls><TxAmt><Amt Ccy="EUR">400.00</Amt>'
    )
    second = (
        detail.replace(b"450.00", b"50.00")
        .replace(b"A 606 0001 DUPONT", b"A 606 0002 MARTIN")
        .replace(b"<AcctSvcrRef>2026030200012345</AcctSvcrRef>", b"")
    )
    entries, _statements = read(content[:one] + first + second + content[end:])
    assert [entry.amount for entry in entries[:2]] == [Decimal("400.00"), Decimal("50.00")]
    assert entries[0].bank_reference == "2026030200012345/1"
    assert entries[1].bank_reference == "2026030200012345/2"


def test_cfonb_sample_with_and_without_line_breaks() -> None:
    for content in (
        sample("releve_cfonb120.txt"),
        sample("releve_cfonb120.txt").replace(b"\r", b"").replace(b"\n", b""),
        sample("releve_cfonb120.txt").replace(b"\r\n", b"\n"),
    ):
        entries, statements = read(content)
        assert isinstance(open_statement(content), Cfonb120Reader)
        assert [entry.amount for entry in entries] == [Decimal("450.00"), Decimal("798.50"), Decimal("-451.00")]
        assert entries[0].remittance == "CHARGES T1 2026 REF A 606 0001 DUPONT"
        assert entries[0].counterparty_name == "M OU MME DUPONT JEAN"
        assert entries[1].structured_reference == "RF33G149X369"
        assert entries[1].end_to_end_id == "G149X369-2026T1"
        assert entries[2].counterparty_name == "ASCENSEURS DU SUD"
        assert entries[0].booking_date == datetime.date(2026, 3, 2)
        assert entries[0].bank_reference == "20260302/0012345"
        assert statements[0].iban == SAMPLE_IBAN
        assert statements[0].balance_checked


def test_cfonb_short_complement_lines_are_padded() -> None:
    content = b"\r\n".join(line.rstrip() for line in sample("releve_cfonb120.txt").splitlines())
    entries, _statements = read(content)
    assert len(entries) == 3


def test_cfonb_lc2_continues_lcc() -> None:
    lines = sample("releve_cfonb120.txt").decode().splitlines()
    lc2 = lines[3][:45] + "LC2" + "SUITE DU MOTIF".ljust(70) + "  "
    entries, _statements = read("\r\n".join([*lines[:4], lc2, *lines[4:]]).encode())
    assert entries[0].remittance == "CHARGES T1 2026 REF A 606 0001 DUPONT SUITE DU MOTIF"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda lines: lines[:-1], "tronqué"),
        (lambda lines: [lines[0], "99" + lines[1][2:], *lines[2:]], "inconnu"),
        (lambda lines: [lines[0], lines[2], *lines[3:]], "sans mouvement"),
        (lambda lines: [lines[0], lines[1][:90] + "00000000045X0{" + lines[1][104:], *lines[2:]], "illisible"),
    ],
)
def test_cfonb_errors_name_the_line(mutate: object, message: str) -> None:
    lines = sample("releve_cfonb120.txt").decode().splitlines()
    content = "\r\n".join(mutate(lines)).encode()  # type: ignore[operator]
    with pytest.raises(StatementParseError, match=message) as caught:
        list(open_statement(content).entries())
    assert caught.value.location.startswith("ligne")


def test_ofx_fallback() -> None:
    reader = open_statement(OFX)
    assert isinstance(reader, OfxReader)
    entries = list(reader.entries())
    assert [entry.amount for entry in entries] == [Decimal("450.00"), Decimal("-451.00")]
    assert entries[0].bank_reference == "F1"
    assert entries[0].remittance == "CHARGES REF A 606 0001"
    (statement,) = reader.statements
    assert statement.iban == SAMPLE_IBAN
    assert statement.opening_balance == Decimal("12798.50")


@given(st.text(max_size=60))
def test_normalise_ascii_shortcut_gives_what_the_unicode_path_gives(text: str) -> None:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).upper()
    assert normalise(text) == re.sub(r"[^A-Z0-9]+", " ", plain).strip()


def test_normalise_drops_accents_case_and_punctuation() -> None:
    assert normalise("Réf. a-606_0001 Hélène") == "REF A 606 0001 HELENE"
    assert normalise("") == ""
