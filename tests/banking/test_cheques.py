"""Cheque deposits: one slip → one bank entry, each cheque lettered (art. 1342-10), refusals that
write nothing, and the bank statement's credit of the slip matched to it instead of suspense."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tantieme.audit.models import AuditEvent
from tantieme.banking.cheques import ChequeDepositError, ChequeDraft, bank_journals, record_cheque_deposit
from tantieme.banking.enums import LineKind, LineStatus, MatchRule
from tantieme.banking.models import Cheque, ChequeDeposit, StatementLine
from tantieme.banking.samples import SampleMovement, cfonb120_document
from tantieme.banking.services import import_statement
from tantieme.ledger.exceptions import ClosedFiscalYearError
from tantieme.ledger.models import Entry, Line, Match
from tests.banking.conftest import SAMPLE_IBAN, Books, D, account_balance, owed, statement
from tests.factories import CoOwnerFactory
from tests.ledger.factories import post_call

DAY = datetime.date(2026, 3, 2)


def _deposit(
    books: Books, cheques: list[ChequeDraft], *, slip: str = "0001234", day: datetime.date = DAY
) -> ChequeDeposit:
    (journal,) = bank_journals(books.condo)
    return record_cheque_deposit(
        condominium=books.condo, journal=journal, deposit_date=day, slip_number=slip, cheques=cheques
    )


def _counts() -> tuple[int, int, int, int, int]:
    return (
        ChequeDeposit.objects.count(),
        Cheque.objects.count(),
        Entry.objects.count(),
        Line.objects.count(),
        Match.objects.count(),
    )


def test_one_slip_is_one_bank_entry_with_a_line_per_cheque_each_lettered(books: Books) -> None:
    # Alice owes 1 000 (call of 01/01), Bob 1 000. Alice pays 400 + 100 by two cheques, Bob 1 000.
    deposit = _deposit(
        books,
        [
            ChequeDraft(
                co_owner=books.alice, drawer_name="M. TEST", number="1111", amount=D("400.00"), bank_name="LCL"
            ),
            ChequeDraft(co_owner=books.bob, drawer_name="MARTIN Paul", number="2222", amount=D("1000.00")),
            ChequeDraft(co_owner=books.alice, drawer_name="Mme TEST", number="3333", amount=D("100.00")),
        ],
    )
    assert deposit.total == D("1500.00")
    entry = deposit.entry
    assert entry.journal.code == "BQ1"
    assert entry.voucher == "0001234"
    lines = list(entry.lines.order_by("position").select_related("account", "co_owner"))
    assert [(line.account.number, line.debit, line.credit, line.co_owner) for line in lines] == [
        ("512", D("1500.00"), D("0.00"), None),
        ("4501", D("0.00"), D("400.00"), books.alice),
        ("4501", D("0.00"), D("1000.00"), books.bob),
        ("4501", D("0.00"), D("100.00"), books.alice),
    ]
    assert "1111" in lines[1].label
    assert "M. TEST" in lines[1].label
    # Each cheque line is lettered against the call it settles.
    for line in lines[1:]:
        assert sum(match.amount for match in line.credit_matches.all()) == line.credit
    assert owed(books.alice) == D("500.00")
    assert owed(books.bob) == D("0.00")
    assert account_balance(books.condo, "512") == D("1500.00")
    assert [cheque.number for cheque in deposit.cheques.all()] == ["1111", "2222", "3333"]
    event = AuditEvent.objects.get(action="banking.cheque_deposit.recorded")
    assert event.data["total"] == "1500.00"


def test_the_imputation_order_settles_due_items_first_then_the_oldest(books: Books) -> None:
    # Alice: the 01/01 call (1 000, due), a works call dated 01/06 (not yet due on 02/03) on 4502.
    post_call(books.condo, books.alice, D("300.00"), date=datetime.date(2026, 6, 1), account="4502", counterpart="702")
    _deposit(books, [ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="9", amount=D("1200.00"))])
    credited = list(
        Line.objects.filter(co_owner=books.alice, credit__gt=0)
        .order_by("position")
        .values_list("account__number", "credit")
    )
    # 1 000 settles the due call on 4501, the next 200 the later works call on 4502.
    assert credited == [("4501", D("1000.00")), ("4502", D("200.00"))]
    assert owed(books.alice) == D("100.00")


def test_an_overpayment_is_an_advance_on_4501(books: Books) -> None:
    _deposit(books, [ChequeDraft(co_owner=books.bob, drawer_name="MARTIN", number="1", amount=D("1250.00"))])
    assert owed(books.bob) == D("-250.00")


@pytest.mark.parametrize(
    ("amount", "number", "message"),
    [
        (D("0.00"), "1", "positif"),
        (D("-10.00"), "1", "positif"),
        (D("10.001"), "1", "décimales"),
        (D("10.00"), " ", "numéro du chèque"),
    ],
)
def test_bad_cheques_are_refused_with_nothing_written(books: Books, amount: Decimal, number: str, message: str) -> None:
    before = _counts()
    with pytest.raises(ChequeDepositError, match=message):
        _deposit(
            books,
            [
                ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="7", amount=D("10.00")),
                ChequeDraft(co_owner=books.bob, drawer_name="MARTIN", number=number, amount=amount),
            ],
        )
    assert _counts() == before


def test_a_duplicate_cheque_number_in_one_slip_is_refused(books: Books) -> None:
    before = _counts()
    with pytest.raises(ChequeDepositError, match="deux fois"):
        _deposit(
            books,
            [
                ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="7", amount=D("10.00")),
                ChequeDraft(co_owner=books.bob, drawer_name="MARTIN", number="7", amount=D("20.00")),
            ],
        )
    assert _counts() == before


def test_a_co_owner_of_another_condominium_is_refused(books: Books) -> None:
    from tests.factories import CondominiumFactory

    other = CondominiumFactory(firm=books.world.horizon, code="707")
    stranger = CoOwnerFactory(condominium=other, reference="A7070001")
    before = _counts()
    with pytest.raises(ChequeDepositError, match="n'est pas copropriétaire"):
        _deposit(books, [ChequeDraft(co_owner=stranger, drawer_name="X", number="1", amount=D("10.00"))])
    assert _counts() == before


def test_a_closed_fiscal_year_refuses_the_slip(books: Books) -> None:
    before = _counts()
    with pytest.raises(ClosedFiscalYearError):
        _deposit(
            books,
            [ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="1", amount=D("10.00"))],
            day=datetime.date(2025, 12, 31),
        )
    assert _counts() == before


def test_a_slip_number_is_recorded_once(books: Books) -> None:
    _deposit(books, [ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="1", amount=D("10.00"))])
    before = _counts()
    with pytest.raises(ChequeDepositError, match="déjà enregistré"):
        _deposit(books, [ChequeDraft(co_owner=books.bob, drawer_name="MARTIN", number="2", amount=D("20.00"))])
    assert _counts() == before


@pytest.mark.parametrize("fmt", ["camt053", "cfonb120"])
def test_the_bank_credit_of_the_slip_is_matched_to_the_deposit_not_suspense(books: Books, fmt: str) -> None:
    deposit = _deposit(
        books,
        [
            ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="1111", amount=D("400.00")),
            ChequeDraft(co_owner=books.bob, drawer_name="MARTIN", number="2222", amount=D("350.50")),
        ],
    )
    movements = [
        # The bank books the slip two days later as one credit of its total (its number in the label).
        SampleMovement(
            amount=D("750.50"),
            day=datetime.date(2026, 3, 4),
            label="REMISE CHEQUES 0001234",
            bank_code="PMNT/RCHQ/BCHQ" if fmt == "camt053" else "",
            end_to_end_id="",
            reference="CHQ0001",
        ),
        # Same amount the next day, nothing to do with the slip: suspense as before.
        SampleMovement(amount=D("750.50"), day=datetime.date(2026, 3, 5), name="INCONNU SA", remittance="DIVERS"),
    ]
    closing = datetime.date(2026, 3, 5)
    if fmt == "camt053":
        content = statement(movements, closing_date=closing)
    else:
        content = cfonb120_document(
            iban=SAMPLE_IBAN,
            opening_balance=D("1000.00"),
            opening_date=datetime.date(2026, 3, 1),
            closing_date=closing,
            movements=movements,
        )
    bank_before = account_balance(books.condo, "512")
    entries_before = Entry.objects.count()
    result = import_statement(condominium=books.condo, content=content, filename=f"releve.{fmt}")
    assert (result.imported, result.matched, result.suspense) == (2, 1, 1)
    line = StatementLine.objects.get(booking_date=datetime.date(2026, 3, 4))
    assert line.status == LineStatus.MATCHED
    assert line.kind == LineKind.CHEQUE_DEPOSIT
    assert line.rule == MatchRule.CHEQUE_DEPOSIT
    assert line.confidence == D("1.00")
    assert line.entry_id == deposit.entry_id
    deposit.refresh_from_db()
    assert deposit.statement_line_id == line.pk
    # Only the unrelated credit was posted (to 472); the slip's credit is not posted twice.
    assert Entry.objects.count() == entries_before + 1
    assert account_balance(books.condo, "512") == bank_before + D("750.50")
    assert account_balance(books.condo, "472") == D("-750.50")
    assert owed(books.alice) == D("600.00")


def test_a_cheque_remittance_without_the_slip_number_is_matched_by_its_total(books: Books) -> None:
    deposit = _deposit(books, [ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="1", amount=D("99.00"))])
    content = statement(
        [SampleMovement(amount=D("99.00"), day=datetime.date(2026, 3, 3), label="REM CHQ", end_to_end_id="")],
        closing_date=datetime.date(2026, 3, 3),
    )
    result = import_statement(condominium=books.condo, content=content)
    assert result.matched == 1
    line = StatementLine.objects.get()
    assert (line.entry_id, line.confidence) == (deposit.entry_id, D("0.95"))


def test_a_credit_booked_before_the_slip_is_not_the_slip(books: Books) -> None:
    _deposit(books, [ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="1", amount=D("99.00"))])
    content = statement(
        [SampleMovement(amount=D("99.00"), day=datetime.date(2026, 3, 1), label="REMISE CHEQUES 0001234")],
        closing_date=datetime.date(2026, 3, 1),
    )
    result = import_statement(condominium=books.condo, content=content)
    assert result.suspense == 1
    assert ChequeDeposit.objects.get().statement_line_id is None


def test_one_slip_is_taken_by_one_credit_only(books: Books) -> None:
    deposit = _deposit(books, [ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="1", amount=D("99.00"))])
    twice = SampleMovement(amount=D("99.00"), day=datetime.date(2026, 3, 3), label="REMISE CHQ", end_to_end_id="")
    content = statement([twice, twice], closing_date=datetime.date(2026, 3, 3))
    result = import_statement(condominium=books.condo, content=content)
    assert (result.matched, result.suspense) == (1, 1)
    deposit.refresh_from_db()
    matched = StatementLine.objects.get(status=LineStatus.MATCHED)
    assert deposit.statement_line_id == matched.pk
    assert account_balance(books.condo, "472") == D("-99.00")  # the second one is money nobody explained yet


def test_a_slip_recorded_after_its_credit_went_to_suspense_clears_472(books: Books) -> None:
    content = statement(
        [SampleMovement(amount=D("400.00"), day=datetime.date(2026, 3, 4), label="REMISE CHEQUES 0001234")],
        closing_date=datetime.date(2026, 3, 4),
    )
    assert import_statement(condominium=books.condo, content=content).suspense == 1
    assert account_balance(books.condo, "472") == D("-400.00")
    deposit = _deposit(books, [ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="1", amount=D("400.00"))])
    line = StatementLine.objects.get()
    assert (line.status, line.kind, line.resolution_entry_id) == (
        LineStatus.MATCHED,
        LineKind.CHEQUE_DEPOSIT,
        deposit.entry_id,
    )
    assert deposit.statement_line_id == line.pk
    assert deposit.entry.journal.code == "OD"
    # The bank was debited once (at import); the slip cleared the suspense account into Alice's.
    assert account_balance(books.condo, "512") == D("400.00")
    assert account_balance(books.condo, "472") == D("0.00")
    assert owed(books.alice) == D("600.00")


def test_a_slip_recorded_after_its_credit_went_to_review_is_its_posting(books: Books) -> None:
    content = statement(
        [SampleMovement(amount=D("400.00"), day=datetime.date(2026, 3, 4), name="TEST", label="REMISE CHQ")],
        closing_date=datetime.date(2026, 3, 4),
    )
    assert import_statement(condominium=books.condo, content=content).to_review == 1
    deposit = _deposit(books, [ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="1", amount=D("400.00"))])
    line = StatementLine.objects.get()
    assert (line.status, line.entry_id) == (LineStatus.MATCHED, deposit.entry_id)
    assert not line.suggestions.exists()
    assert deposit.entry.journal.code == "BQ1"
    assert account_balance(books.condo, "512") == D("400.00")
    assert owed(books.alice) == D("600.00")


def test_a_slip_on_a_second_bank_account_is_not_matched_on_the_main_accounts_statement(books: Books) -> None:
    from tantieme.ledger.enums import JournalKind
    from tantieme.ledger.services import add_account, add_journal

    account = add_account(condominium=books.condo, number="5121", label="Banque - livret")
    second = add_journal(
        condominium=books.condo, code="BQ2", label="Livret", kind=JournalKind.BANK, bank_account=account
    )
    deposit = record_cheque_deposit(
        condominium=books.condo,
        journal=second,
        deposit_date=DAY,
        slip_number="L-1",
        cheques=[ChequeDraft(co_owner=books.alice, drawer_name="TEST", number="1", amount=D("99.00"))],
    )
    assert deposit.entry.journal.code == "BQ2"
    assert account_balance(books.condo, "5121") == D("99.00")
    content = statement(
        [SampleMovement(amount=D("99.00"), day=datetime.date(2026, 3, 3), label="REMISE CHQ L-1")],
        closing_date=datetime.date(2026, 3, 3),
    )
    assert import_statement(condominium=books.condo, content=content).suspense == 1
    deposit.refresh_from_db()
    assert deposit.statement_line_id is None


def test_a_slip_number_with_separators_is_cited_as_whole_words() -> None:
    from tantieme.banking.matching import names_slip

    assert names_slip("REMISE CHQ L-1 DU 03/03", "L-1")
    assert names_slip("remise chèques n°0001234", "0001234")  # « ° » separates the words
    assert names_slip("REMISE 0001234", "0001234")
    assert not names_slip("VIR 100012345", "0001234")
    assert not names_slip("REMISE 12", "1")
