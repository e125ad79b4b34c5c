"""The pain.001 writer: the spec's worked example to the byte (canonically), the XSD, the EPC rules."""

from __future__ import annotations

import dataclasses
import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from tantieme.formats import pain001
from tantieme.formats.pain001 import (
    PAIN_001_001_03,
    Pain001Error,
    Party,
    PaymentInstruction,
    PostalAddress,
    Transfer,
    build_credit_transfer,
    check_document,
    check_message,
    transliterate,
    validate_xml,
)
from tests.formats.pain001_example import DEBTOR, SPEC_XML, example_message

TODAY = datetime.date(2026, 10, 12)
NS = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"


def canonical(xml: str | bytes) -> str:
    text = xml.decode() if isinstance(xml, bytes) else xml
    body = text.split("?>", 1)[1]
    return ET.canonicalize(body, strip_text=True)


def test_worked_example_equals_the_spec_file() -> None:
    message = example_message()
    assert message.number_of_transactions == 4
    assert message.control_sum == Decimal("15885.00")
    content = build_credit_transfer(message, today=TODAY)
    assert canonical(content) == canonical(SPEC_XML)
    root = ET.fromstring(content)  # noqa: S314 - our own document
    assert root.findtext(f"{NS}CstmrCdtTrfInitn/{NS}GrpHdr/{NS}NbOfTxs") == "4"
    assert root.findtext(f"{NS}CstmrCdtTrfInitn/{NS}GrpHdr/{NS}CtrlSum") == "15885.00"
    assert root.findtext(f"{NS}CstmrCdtTrfInitn/{NS}PmtInf/{NS}CtrlSum") == "15885.00"
    assert root.findtext(f"{NS}CstmrCdtTrfInitn/{NS}PmtInf/{NS}BtchBookg") == "true"


def test_the_spec_file_is_valid_against_the_official_xsd() -> None:
    assert validate_xml(SPEC_XML.encode()) == []
    assert check_document(SPEC_XML.encode()) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("<CtrlSum>15885.00</CtrlSum>\n  ", "<CtrlSum>15885.001</CtrlSum>\n  ", "CtrlSum 15885.001"),
        (">385.00<", ">385.001<", "deux décimales"),
        (">385.00<", ">0<", "hors de 0.01"),
        ("<NbOfTxs>4</NbOfTxs><CtrlSum>15885.00</CtrlSum>\n   <InitgPty>",
         "<NbOfTxs>5</NbOfTxs><CtrlSum>99.00</CtrlSum>\n   <InitgPty>", "NbOfTxs 5"),
    ],
)  # fmt: skip
def test_files_the_xsd_accepts_and_the_epc_rules_refuse(old: str, new: str, expected: str) -> None:
    assert old in SPEC_XML
    bad = SPEC_XML.replace(old, new, 1).encode()
    assert validate_xml(bad) == []  # valid for the XSD…
    problems = check_document(bad)
    assert any(expected in problem for problem in problems), problems  # …refused by our checks


def test_the_xsd_refuses_what_it_can_see() -> None:
    too_long = SPEC_XML.replace("TNT-2026-F0001", "X" * 36).encode()
    assert validate_xml(too_long)
    short_bic = SPEC_XML.replace("PSSTFRPP", "PSSTFRP").encode()
    assert validate_xml(short_bic)
    batch = SPEC_XML.replace("<BtchBookg>true", "<BtchBookg>oui").encode()
    assert validate_xml(batch)


def _one(**changes: object) -> list[str]:
    base = example_message().instructions[0].transfers[0]
    transfer = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
    instruction = dataclasses.replace(example_message().instructions[0], transfers=(transfer,))
    return check_message(example_message(instructions=(instruction,)), today=TODAY)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"amount": Decimal("385.001")}, "deux décimales"),
        ({"amount": Decimal("0.00")}, "hors de 0,01"),
        ({"amount": Decimal("1000000000.00")}, "hors de 0,01"),
        ({"end_to_end_id": "A//B"}, "EndToEndId"),
        ({"end_to_end_id": "X" * 36}, "EndToEndId"),
        ({"end_to_end_id": "FACTURE N°1"}, "EndToEndId"),
        ({"remittance": "FACT " + "1" * 136}, "141 caractères"),
        ({"creditor": Party("X" * 71, "FR7630004008200001023456773")}, "71 caractères"),
        ({"creditor": Party("DURAND", "FR7630004008200001023456774")}, "IBAN"),
        ({"creditor": Party("DURAND", "FR7630004008200001023456773", "ABC")}, "BIC"),
        ({"creditor_reference": "RF00 1234"}, "ISO 11649"),
    ],
)
def test_values_the_epc_refuses(changes: dict[str, object], expected: str) -> None:
    problems = _one(**changes)
    assert any(expected in problem for problem in problems), problems


def test_nothing_is_written_when_a_rule_is_broken() -> None:
    with pytest.raises(Pain001Error, match="deux décimales") as caught:
        build_credit_transfer(
            example_message(
                instructions=(
                    dataclasses.replace(
                        example_message().instructions[0],
                        transfers=(
                            dataclasses.replace(
                                example_message().instructions[0].transfers[0], amount=Decimal("385.001")
                            ),
                        ),
                    ),
                )
            ),
            today=TODAY,
        )
    assert len(caught.value.problems) == 1


def test_execution_date_is_a_target_business_day_not_in_the_past() -> None:
    def with_date(day: datetime.date) -> list[str]:
        instruction = dataclasses.replace(example_message().instructions[0], execution_date=day)
        return check_message(example_message(instructions=(instruction,)), today=TODAY)

    assert with_date(datetime.date(2026, 10, 15)) == []
    assert any("passée" in p for p in with_date(datetime.date(2026, 10, 9)))
    saturday = with_date(datetime.date(2026, 10, 17))
    assert any("19/10/2026" in p for p in saturday), saturday  # the next business day is named
    assert pain001.is_target_business_day(datetime.date(2026, 4, 2))
    for holiday in ("2026-04-03", "2026-04-06", "2026-05-01", "2026-12-25", "2027-01-01", "2027-03-26"):
        assert not pain001.is_target_business_day(datetime.date.fromisoformat(holiday)), holiday
    assert pain001.add_target_business_days(datetime.date(2026, 10, 15), 3) == datetime.date(2026, 10, 20)


def test_duplicate_identifiers_are_refused() -> None:
    instruction = example_message().instructions[0]
    twice = dataclasses.replace(instruction, transfers=(instruction.transfers[0], instruction.transfers[0]))
    problems = check_message(example_message(instructions=(twice,)), today=TODAY)
    assert any("en double" in p for p in problems)


def test_transliteration_to_the_epc_set() -> None:
    assert transliterate("NET'ÉCLAT & FILS – Œuvres  n° 5 «bis»") == "NET'ECLAT + FILS - OEuvres no 5 bis"
    assert transliterate("Hygiène Services 69 SARL") == "Hygiene Services 69 SARL"
    assert transliterate("Straße 1_2") == "Strasse 1-2"


def test_structured_address_and_several_execution_dates() -> None:
    address = PostalAddress(town="Lyon", country="FR", street="5 rue de Gerland", postcode="69007")
    creditor = Party("NET ÉCLAT SARL", "FR7630004008200001023456773", "BNPAFRPP", address)
    first = PaymentInstruction(
        "TNT-SCT-20261012-0001-01",
        datetime.date(2026, 10, 15),
        (Transfer("E1", Decimal("10.00"), creditor, "FACT 1"),),
    )
    reference = Transfer("E2", Decimal("0.01"), creditor, creditor_reference="RF18539007547034")
    second = PaymentInstruction("TNT-SCT-20261012-0001-02", datetime.date(2026, 10, 16), (reference,))
    content = build_credit_transfer(example_message(instructions=(first, second)), today=TODAY)
    root = ET.fromstring(content)  # noqa: S314 - our own document
    initiation = root.find(f"{NS}CstmrCdtTrfInitn")
    assert initiation is not None
    assert initiation.findtext(f"{NS}GrpHdr/{NS}NbOfTxs") == "2"
    assert initiation.findtext(f"{NS}GrpHdr/{NS}CtrlSum") == "10.01"
    payments = initiation.findall(f"{NS}PmtInf")
    assert [p.findtext(f"{NS}CtrlSum") for p in payments] == ["10.00", "0.01"]
    adr = payments[0].find(f"{NS}CdtTrfTxInf/{NS}Cdtr/{NS}PstlAdr")
    assert adr is not None
    assert [child.tag.removeprefix(NS) for child in adr] == ["StrtNm", "PstCd", "TwnNm", "Ctry"]
    assert payments[1].findtext(f"{NS}CdtTrfTxInf/{NS}RmtInf/{NS}Strd/{NS}CdtrRefInf/{NS}Ref") == "RF18539007547034"


def test_an_address_needs_a_town_and_a_country() -> None:
    problems = _one(creditor=Party("DURAND", "FR7630004008200001023456773", "", PostalAddress(town="", country="FR")))
    assert any("adresse" in p for p in problems)


def test_debtor_without_bic_is_not_provided_rather_than_empty() -> None:
    content = build_credit_transfer(example_message(debtor=dataclasses.replace(DEBTOR, bic="")), today=TODAY).decode()
    assert "<Othr>" in content
    assert "NOTPROVIDED" in content
    assert "<FinInstnId />" not in content


def test_version_03_for_returns_is_valid_too() -> None:
    content = build_credit_transfer(example_message(version=PAIN_001_001_03), today=TODAY)
    assert b"pain.001.001.03" in content
    assert b"<BIC>AGRIFRPP</BIC>" in content
    assert validate_xml(content) == []
