"""Importing statements: the sample files, idempotence, overlaps, refusals (nothing written)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tantieme.audit.models import AuditEvent
from tantieme.banking.enums import ImportState, LineKind, LineStatus, MatchRule
from tantieme.banking.exceptions import ImportRefusedError
from tantieme.banking.models import MatchSuggestion, StatementImport, StatementLine
from tantieme.banking.samples import SampleMovement
from tantieme.banking.services import import_statement
from tantieme.ledger.models import Entry, Line
from tests.banking.conftest import (
    DUPONT_IBAN,
    SAMPLE_IBAN,
    Books,
    D,
    account_balance,
    owed,
    sample,
    statement,
)

DAY = datetime.date(2026, 3, 2)


def _counts() -> dict[str, int]:
    return {
        "imports": StatementImport.objects.count(),
        "lines": StatementLine.objects.count(),
        "entries": Entry.objects.count(),
        "ledger_lines": Line.objects.count(),
        "suggestions": MatchSuggestion.objects.count(),
    }


@pytest.mark.parametrize("name", ["camt053_sample.xml", "releve_cfonb120.txt"])
def test_sample_file_imports_with_the_expected_results(books: Books, name: str) -> None:
    # By hand from the file: +450.00 "REF A 606 0001 DUPONT" (Alice, sure), +798.50 RF33G149X369
    # (G149X369 is not a co-owner of 606: suspense), −451.00 to the lift company (debit queue, 401).
    result = import_statement(condominium=books.condo, content=sample(name), filename=name)
    assert (result.imported, result.matched, result.suspense, result.to_review, result.skipped) == (3, 1, 1, 1, 0)
    job = result.statement_import
    assert job.state == ImportState.DONE
    assert (job.total, job.progress, job.imported, job.matched, job.suspense, job.to_review) == (3, 3, 3, 1, 1, 1)
    assert job.opening_balance == D("12000.00")
    assert job.closing_balance == D("12797.50")
    assert job.account_iban == SAMPLE_IBAN
    lines = list(StatementLine.objects.order_by("position"))
    assert [line.amount for line in lines] == [D("450.00"), D("798.50"), D("-451.00")]
    alice_line, unknown_line, debit_line = lines
    assert alice_line.status == LineStatus.MATCHED
    assert alice_line.co_owner == books.alice
    assert alice_line.rule == MatchRule.REFERENCE
    assert alice_line.confidence == D("0.95")
    assert alice_line.entry is not None
    assert alice_line.entry.journal.code == "BQ1"
    assert unknown_line.status == LineStatus.SUSPENSE
    assert unknown_line.kind == LineKind.UNIDENTIFIED
    assert debit_line.status == LineStatus.TO_REVIEW
    assert debit_line.kind == LineKind.DEBIT
    assert debit_line.suggested_account == "401"
    assert debit_line.entry is None
    # Ledger: 512 received 450.00 + 798.50; 472 holds 798.50; Alice owes 1 000 − 450.
    assert account_balance(books.condo, "512") == D("1248.50")
    assert account_balance(books.condo, "472") == D("-798.50")
    assert owed(books.alice) == D("550.00")
    assert owed(books.bob) == D("1000.00")
    credit = alice_line.entry.lines.get(position=2)
    assert credit.account.number == "4501"
    assert credit.credit == D("450.00")
    assert credit.co_owner == books.alice
    assert credit.credit_matches.count() == 1  # lettered against the call
    assert AuditEvent.objects.filter(action="banking.statement.imported").count() == 1


def test_cfonb_without_line_breaks_gives_the_same_lines(books: Books) -> None:
    content = sample("releve_cfonb120.txt").replace(b"\r", b"").replace(b"\n", b"")
    result = import_statement(condominium=books.condo, content=content, filename="stream.txt")
    assert (result.imported, result.matched, result.suspense, result.to_review) == (3, 1, 1, 1)


def test_rf_reference_matches_in_the_other_firm(world: object) -> None:
    from tantieme.condominiums.models import Condominium
    from tantieme.tenancy.scoping import firm_scope
    from tests.conftest import World
    from tests.ledger.factories import open_books

    assert isinstance(world, World)
    Condominium.all_firms.filter(pk=world.other_condo.pk).update(iban=SAMPLE_IBAN)
    world.other_condo.refresh_from_db()
    with firm_scope(world.rivage):
        open_books(world.other_condo, first_year=2026)
        result = import_statement(condominium=world.other_condo, content=sample("camt053_sample.xml"))
        # RF33G149X369 is Charlie's creditor reference: a sure match (1.00); A 606 0001 is unknown here.
        assert (result.matched, result.suspense, result.to_review) == (1, 1, 1)
        line = StatementLine.objects.get(amount=D("798.50"))
        assert line.co_owner == world.charlie
        assert line.rule == MatchRule.CREDITOR_REFERENCE
        assert line.confidence == D("1.00")


def test_same_file_twice_adds_nothing(books: Books) -> None:
    import_statement(condominium=books.condo, content=sample("camt053_sample.xml"))
    before = _counts()
    again = import_statement(condominium=books.condo, content=sample("camt053_sample.xml"))
    assert again.already_imported
    assert (again.imported, again.skipped) == (0, 3)
    assert _counts() == before


def test_same_movements_in_another_file_add_nothing(books: Books) -> None:
    """Another file (new message id) with the same entries: the bank references (AcctSvcrRef) skip them."""
    import_statement(condominium=books.condo, content=sample("camt053_sample.xml"))
    before = _counts()
    overlapping = sample("camt053_sample.xml").replace(b"STMT20260302-0001", b"STMT20260302-0002")
    result = import_statement(condominium=books.condo, content=overlapping, filename="copie.xml")
    assert not result.already_imported
    assert (result.imported, result.skipped) == (0, 3)
    after = _counts()
    assert after["lines"] == before["lines"]
    assert after["entries"] == before["entries"]
    assert after["imports"] == before["imports"] + 1


def test_overlapping_statements_without_bank_references(books: Books) -> None:
    """Days 1–2 then days 2–3: the 2nd's movements of day 2 are the same keys (hash + occurrence)."""
    day1, day2, day3 = datetime.date(2026, 3, 1), datetime.date(2026, 3, 2), datetime.date(2026, 3, 3)
    twin = SampleMovement(D("100.00"), day2, remittance="SANS REFERENCE", name="INCONNU")
    first = [SampleMovement(D("50.00"), day1, remittance="A 606 0002", name="MARTIN"), twin, twin]
    second = [twin, twin, SampleMovement(D("30.00"), day3, remittance="A 606 0002", name="MARTIN")]
    one = import_statement(
        condominium=books.condo,
        content=statement(first, statement_id="S1", opening_date=datetime.date(2026, 2, 28), closing_date=day2),
    )
    assert (one.imported, one.matched, one.suspense) == (3, 1, 2)  # two genuine identical transfers stay two
    two = import_statement(
        condominium=books.condo,
        content=statement(second, statement_id="S2", opening=D("1150.00"), opening_date=day1, closing_date=day3),
    )
    assert (two.imported, two.skipped) == (1, 2)
    assert StatementLine.objects.count() == 4
    assert account_balance(books.condo, "512") == D("280.00")
    assert any("chevauche" in warning for warning in two.warnings)


def test_gap_with_the_previous_statement_is_reported(books: Books) -> None:
    import_statement(condominium=books.condo, content=sample("camt053_sample.xml"))
    later = statement(
        [SampleMovement(D("10.00"), datetime.date(2026, 3, 20), remittance="A6060002")],
        statement_id="S-LATER",
        opening=D("12797.50"),
        opening_date=datetime.date(2026, 3, 19),
        closing_date=datetime.date(2026, 3, 20),
    )
    result = import_statement(condominium=books.condo, content=later)
    assert any("manquants" in warning for warning in result.warnings)
    assert result.statement_import.warnings == result.warnings


def _refused(books: Books, content: bytes) -> ImportRefusedError:
    before = _counts()
    audit = AuditEvent.objects.count()
    with pytest.raises(ImportRefusedError) as caught:
        import_statement(condominium=books.condo, content=content, filename="bad")
    assert _counts() == before
    assert AuditEvent.objects.count() == audit
    return caught.value


def test_wrong_iban_is_refused(books: Books) -> None:
    error = _refused(books, sample("camt053_sample.xml").replace(SAMPLE_IBAN.encode(), b"FR1420041010050500013M02606"))
    assert "pas sur celui de la copropriété" in str(error)
    assert DUPONT_IBAN in str(error)


@pytest.mark.parametrize(
    ("name", "cut", "where"),
    [
        ("camt053_sample.xml", 0.6, "ligne"),  # XML cut in the middle of an entry
        ("releve_cfonb120.txt", 0.7, "ligne"),  # no 07 record
    ],
)
def test_truncated_file_is_refused_and_says_where(books: Books, name: str, cut: float, where: str) -> None:
    content = sample(name)
    error = _refused(books, content[: int(len(content) * cut)])
    assert where in error.location


def test_tampered_amount_is_refused(books: Books) -> None:
    tampered = sample("camt053_sample.xml").replace(b">450.00<", b">4500.00<")
    error = _refused(books, tampered)
    assert "solde incohérent" in error.message
    tampered_cfonb = sample("releve_cfonb120.txt").replace(b"0000000004500{", b"0000000045000{")
    error = _refused(books, tampered_cfonb)
    assert "solde incohérent" in error.message
    assert error.location == "ligne 12"


def test_removed_entry_is_refused(books: Books) -> None:
    content = sample("camt053_sample.xml")
    start = content.index(b"<Ntry>")
    end = content.index(b"</Ntry>") + len(b"</Ntry>")
    error = _refused(books, content[:start] + content[end:])
    assert "3 écritures" in error.message or "solde" in error.message


def test_date_outside_open_years_is_refused(books: Books) -> None:
    old = statement(
        [SampleMovement(D("10.00"), datetime.date(2024, 5, 2), remittance="A6060002")],
        opening_date=datetime.date(2024, 5, 1),
        closing_date=datetime.date(2024, 5, 2),
    )
    error = _refused(books, old)
    assert "aucun exercice ouvert" in error.message


def test_pending_entries_are_counted_not_posted(books: Books) -> None:
    content = sample("camt053_sample.xml").replace(b"<Sts>BOOK</Sts>", b"<Sts>PDNG</Sts>", 1)
    content = content.replace(b"12797.50", b"12347.50")  # the closing balance without the pending 450.00
    result = import_statement(condominium=books.condo, content=content)
    assert (result.imported, result.pending) == (2, 1)
    assert not StatementLine.objects.filter(amount=D("450.00")).exists()


def test_card_remittance_goes_to_5128_as_a_whole(books: Books) -> None:
    content = statement(
        [
            SampleMovement(D("250.00"), DAY, label="REMISE CB 0203 12 FACTURES", bank_code="PMNT/RCDT/ESCT"),
            SampleMovement(D("99.00"), DAY, name="STRIPE PAYMENTS EUROPE", remittance="STRIPE PAYOUT A 606 0001"),
        ]
    )
    result = import_statement(condominium=books.condo, content=content)
    assert (result.matched, result.suspense, result.to_review) == (2, 0, 0)
    assert set(StatementLine.objects.values_list("kind", flat=True)) == {LineKind.CARD_REMITTANCE}
    assert account_balance(books.condo, "5128") == D("-349.00")
    assert owed(books.alice) == D("1000.00")  # never credited to the co-owner again


def test_decimal_only_in_amounts(books: Books) -> None:
    import_statement(condominium=books.condo, content=sample("camt053_sample.xml"))
    for line in StatementLine.objects.all():
        assert isinstance(line.amount, Decimal)


def test_same_days_in_another_format_are_refused(books: Books) -> None:
    import_statement(condominium=books.condo, content=sample("camt053_sample.xml"))
    error = _refused(books, sample("releve_cfonb120.txt"))
    assert "un seul format" in error.message
