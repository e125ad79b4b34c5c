"""The review queue, the suspense queue, returns to the payer (pain.001) and the debit queue."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest

from tantieme.banking.enums import LineKind, LineStatus, MatchRule, ReturnState
from tantieme.banking.exceptions import BankingError
from tantieme.banking.models import MatchSuggestion, ReturnTransfer, StatementLine
from tantieme.banking.samples import SampleMovement
from tantieme.banking.services import (
    assign_line,
    confirm_suggestion,
    import_statement,
    post_debit,
    return_to_payer,
    send_to_suspense,
)
from tantieme.ledger.models import Line
from tests.banking.conftest import DUPONT_IBAN, TILLEULS_IBAN, Books, D, account_balance, owed, sample, statement

DAY = datetime.date(2026, 3, 2)
NS = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}"


def _import(books: Books, movements: list[SampleMovement], statement_id: str = "S") -> None:
    import_statement(condominium=books.condo, content=statement(movements, statement_id=statement_id))


def test_typo_reference_waits_for_one_click(books: Books) -> None:
    _import(books, [SampleMovement(D("300.00"), DAY, remittance="CHARGES A 6O6 0002", name="M MARTIN JEAN")])
    line = StatementLine.objects.get()
    assert line.status == LineStatus.TO_REVIEW
    assert line.entry is None  # nothing guessed, nothing posted
    (suggestion,) = MatchSuggestion.objects.filter(line=line)
    assert suggestion.co_owner == books.bob
    assert suggestion.rule == MatchRule.NEAR_MISS
    assert suggestion.confidence == D("0.80")
    assert "A6O60002" in suggestion.evidence
    assert "A6060002" in suggestion.evidence
    confirm_suggestion(suggestion=suggestion)
    line.refresh_from_db()
    assert line.status == LineStatus.MATCHED
    assert line.co_owner == books.bob
    assert owed(books.bob) == D("700.00")
    assert account_balance(books.condo, "512") == D("300.00")
    with pytest.raises(BankingError):
        confirm_suggestion(suggestion=suggestion)  # twice: refused, nothing posted again
    assert account_balance(books.condo, "512") == D("300.00")


def test_one_typo_suggests_the_neighbours(books: Books) -> None:
    _import(books, [SampleMovement(D("10.00"), DAY, remittance="A6060003", name="MARTIN")])
    suggestions = list(MatchSuggestion.objects.order_by("-confidence"))
    assert [s.co_owner for s in suggestions] == [books.bob, books.alice]  # the name decides the order
    assert suggestions[0].confidence == D("0.80")
    assert suggestions[1].confidence == D("0.65")


def test_several_references_go_to_review(books: Books) -> None:
    _import(books, [SampleMovement(D("10.00"), DAY, remittance="A 606 0001 ET A 606 0002")])
    line = StatementLine.objects.get()
    assert line.status == LineStatus.TO_REVIEW
    assert {s.co_owner for s in line.suggestions.all()} == {books.alice, books.bob}


def test_known_iban_is_only_a_suggestion(books: Books) -> None:
    _import(books, [SampleMovement(D("100.00"), DAY, remittance="A 606 0001", name="DUPONT", iban=DUPONT_IBAN)], "S1")
    _import(books, [SampleMovement(D("100.00"), DAY, remittance="CHARGES", name="DUPONT", iban=DUPONT_IBAN)], "S2")
    line = StatementLine.objects.get(remittance="CHARGES")
    assert line.status == LineStatus.TO_REVIEW
    (suggestion,) = line.suggestions.all()
    assert (suggestion.co_owner, suggestion.rule, suggestion.confidence) == (
        books.alice,
        MatchRule.KNOWN_IBAN,
        D("0.70"),
    )


def test_reference_against_another_owners_iban_goes_to_review(books: Books) -> None:
    _import(books, [SampleMovement(D("100.00"), DAY, remittance="A 606 0001", name="DUPONT", iban=DUPONT_IBAN)], "S1")
    _import(books, [SampleMovement(D("80.00"), DAY, remittance="A 606 0002", name="DUPONT", iban=DUPONT_IBAN)], "S2")
    line = StatementLine.objects.get(amount=D("80.00"))
    assert line.status == LineStatus.TO_REVIEW


def test_payer_name_alone_is_a_weak_suggestion(books: Books) -> None:
    _import(books, [SampleMovement(D("40.00"), DAY, remittance="CHARGES MARS", name="M MARTIN")])
    (suggestion,) = MatchSuggestion.objects.all()
    assert (suggestion.co_owner, suggestion.rule, suggestion.confidence) == (books.bob, MatchRule.NAME, D("0.50"))


def test_review_line_sent_to_suspense_then_assigned(books: Books) -> None:
    _import(books, [SampleMovement(D("40.00"), DAY, remittance="CHARGES MARS", name="M MARTIN")])
    line = StatementLine.objects.get()
    send_to_suspense(line=line)
    line.refresh_from_db()
    assert line.status == LineStatus.SUSPENSE
    assert account_balance(books.condo, "472") == D("-40.00")
    assign_line(line=line, co_owner=books.bob, on=datetime.date(2026, 3, 10))
    line.refresh_from_db()
    assert line.status == LineStatus.MATCHED
    assert line.co_owner == books.bob
    assert line.resolution_entry is not None
    assert line.resolution_entry.journal.code == "OD"
    assert account_balance(books.condo, "472") == D("0.00")
    assert owed(books.bob) == D("960.00")
    credit = Line.objects.get(entry=line.resolution_entry, co_owner=books.bob)
    assert credit.credit_matches.exists()  # lettered against Bob's call


def test_unidentified_credit_returned_to_payer_and_cleared_by_the_next_statement(books: Books) -> None:
    import_statement(condominium=books.condo, content=sample("camt053_sample.xml"))
    line = StatementLine.objects.get(amount=D("798.50"))
    assert line.status == LineStatus.SUSPENSE
    transfer = return_to_payer(line=line, creditor_name=line.counterparty_name, creditor_iban=line.counterparty_iban)
    line.refresh_from_db()
    assert line.status == LineStatus.RETURNED
    assert account_balance(books.condo, "472") == D("-798.50")  # still in suspense until the bank debits it
    root = ET.fromstring(transfer.document)  # noqa: S314 - our own document
    assert root.tag == f"{NS}Document"
    initiation = root.find(f"{NS}CstmrCdtTrfInitn")
    assert initiation is not None
    assert [child.tag.removeprefix(NS) for child in initiation] == ["GrpHdr", "PmtInf"]
    header = initiation.find(f"{NS}GrpHdr")
    assert header is not None
    assert [child.tag.removeprefix(NS) for child in header] == ["MsgId", "CreDtTm", "NbOfTxs", "CtrlSum", "InitgPty"]
    payment = initiation.find(f"{NS}PmtInf")
    assert payment is not None
    assert [child.tag.removeprefix(NS) for child in payment] == [
        "PmtInfId", "PmtMtd", "BtchBookg", "NbOfTxs", "CtrlSum", "PmtTpInf", "ReqdExctnDt",
        "Dbtr", "DbtrAcct", "DbtrAgt", "ChrgBr", "CdtTrfTxInf",
    ]  # fmt: skip
    tx = payment.find(f"{NS}CdtTrfTxInf")
    assert tx is not None
    assert [child.tag.removeprefix(NS) for child in tx] == ["PmtId", "Amt", "Cdtr", "CdtrAcct", "RmtInf"]
    assert payment.findtext(f"{NS}PmtMtd") == "TRF"
    assert payment.findtext(f"{NS}DbtrAcct/{NS}Id/{NS}IBAN") == books.condo.iban
    assert tx.findtext(f"{NS}CdtrAcct/{NS}Id/{NS}IBAN") == TILLEULS_IBAN
    amount = tx.find(f"{NS}Amt/{NS}InstdAmt")
    assert amount is not None
    assert amount.text == "798.50"
    assert amount.get("Ccy") == "EUR"
    assert header.findtext(f"{NS}CtrlSum") == "798.50"
    assert tx.findtext(f"{NS}PmtId/{NS}EndToEndId") == transfer.end_to_end_id
    assert len(transfer.end_to_end_id) <= 35
    assert len(transfer.message_id) <= 35
    # The bank executes it: the debit appears on a later statement with our end-to-end id.
    later = statement(
        [SampleMovement(D("-798.50"), datetime.date(2026, 3, 5), name="SCI LES TILLEULS",
                        end_to_end_id=transfer.end_to_end_id, reference="OUT-1")],
        statement_id="S-OUT", opening=D("12797.50"), opening_date=datetime.date(2026, 3, 2),
        closing_date=datetime.date(2026, 3, 5),
    )  # fmt: skip
    result = import_statement(condominium=books.condo, content=later)
    assert (result.matched, result.to_review) == (1, 0)
    transfer.refresh_from_db()
    line.refresh_from_db()
    assert transfer.state == ReturnState.CLEARED
    assert transfer.cleared_by is not None
    assert transfer.cleared_by.kind == LineKind.RETURN_TRANSFER
    assert line.resolution_entry is not None
    assert account_balance(books.condo, "472") == D("0.00")


def test_return_needs_a_valid_iban(books: Books) -> None:
    import_statement(condominium=books.condo, content=sample("camt053_sample.xml"))
    line = StatementLine.objects.get(amount=D("798.50"))
    with pytest.raises(BankingError, match="IBAN"):
        return_to_payer(line=line, creditor_name="X", creditor_iban="FR00 1234")
    assert not ReturnTransfer.objects.exists()


def test_debit_posted_to_the_suggested_account(books: Books) -> None:
    import_statement(condominium=books.condo, content=sample("camt053_sample.xml"))
    line = StatementLine.objects.get(amount=D("-451.00"))
    post_debit(line=line, account=line.suggested_account)
    line.refresh_from_db()
    assert line.status == LineStatus.MATCHED
    assert account_balance(books.condo, "401") == D("451.00")
    assert account_balance(books.condo, "512") == D("797.50")  # = closing − opening of the statement
    with pytest.raises(BankingError):
        post_debit(line=line, account="401")


def test_fees_suggest_662(books: Books) -> None:
    _import(books, [SampleMovement(D("-12.00"), DAY, label="FRAIS TENUE DE COMPTE", bank_code="ACMT/MDOP/CHRG")])
    assert StatementLine.objects.get().suggested_account == "662"
