"""Statement lines written in bulk (ids reserved, COPY on PostgreSQL) and the keys that guard them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from tantieme.banking.enums import LineStatus
from tantieme.banking.models import MatchSuggestion, StatementLine
from tantieme.banking.samples import SampleMovement, camt053_document
from tantieme.banking.services import import_statement
from tantieme.core.bulk import COPY_THRESHOLD
from tests.banking.conftest import SAMPLE_IBAN, Books
from tests.conftest import World

DAY = datetime.date(2026, 3, 2)


def _movements(count: int, books: Books) -> list[SampleMovement]:
    """Alternately a sure match (Alice's reference) and a typo of Bob's (a suggestion to review)."""
    movements = []
    for index in range(count):
        sure = index % 2 == 0
        movements.append(
            SampleMovement(
                amount=Decimal("1.00") + index,
                day=DAY,
                remittance=f"A 606 0001 virement {index}" if sure else f"A 6O6 OOO2 virement {index}",
                name="TEST" if sure else "MARTIN",
                reference=f"BULK{index:05d}",
            )
        )
    return movements


@pytest.mark.django_db(transaction=True)
def test_a_chunk_above_the_copy_threshold_links_each_line_to_its_own_rows(books: Books) -> None:
    """Ids are reserved before the rows go in: suggestions and entries must land on the right line."""
    count = COPY_THRESHOLD + 40
    content = camt053_document(
        iban=SAMPLE_IBAN,
        statement_id="BULK-1",
        opening_balance=Decimal("0.00"),
        opening_date=DAY,
        closing_date=DAY,
        movements=_movements(count, books),
    )
    result = import_statement(condominium=books.condo, content=content, filename="bulk.xml")
    assert result.imported == count
    lines = {line.raw.get("bank_reference"): line for line in StatementLine.objects.select_related("entry")}
    for index in range(count):
        line = lines[f"BULK{index:05d}"]
        assert line.amount == Decimal("1.00") + index
        if index % 2 == 0:
            assert line.status == LineStatus.MATCHED
            assert line.co_owner_id == books.alice.pk
            assert line.entry is not None
            assert line.entry.lines.get(position=1).debit == line.amount
        else:
            assert line.status == LineStatus.TO_REVIEW
            assert [s.co_owner_id for s in MatchSuggestion.objects.filter(line=line)] == [books.bob.pk]
    # Nothing else was suggested than for the lines to review.
    assert MatchSuggestion.objects.count() == count // 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_line_belongs_to_its_imports_condominium_and_firm(books: Books, world: World) -> None:
    """One composite key (0002) replaces the three per-column keys, and says more."""
    import_statement(condominium=books.condo, content=_small_file(books))
    line = StatementLine.objects.first()
    assert line is not None
    for column, value in (
        ("condominium_id", world.other_condo.pk),
        ("firm_id", world.rivage.pk),
        ("statement_import_id", 999_999),
    ):
        with pytest.raises(IntegrityError, match="banking_line_owner_fk"), transaction.atomic():
            _forge_copy(line.pk, column, value)
    assert not StatementLine.objects.filter(entry_key="forged").exists()


def _small_file(books: Books) -> bytes:
    return camt053_document(
        iban=SAMPLE_IBAN,
        statement_id="SMALL-1",
        opening_balance=Decimal("0.00"),
        opening_date=DAY,
        closing_date=DAY,
        movements=_movements(2, books),
    )


def _forge_copy(line_id: int, column: str, value: int) -> None:
    """A copy of a line written by raw SQL with one owner column changed (refused at COMMIT)."""
    columns = (
        "firm_id, condominium_id, statement_import_id, account_iban, position, booking_date, amount, label, "
        "remittance, structured_reference, end_to_end_id, counterparty_name, counterparty_iban, counterparty_bic, "
        "bank_code, return_reason, raw, kind, status, rule, confidence, evidence, suggested_account"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO banking_statementline (entry_key, {columns}) "  # noqa: S608 - constant names
            f"SELECT 'forged', {columns} FROM banking_statementline WHERE id = %s",
            [line_id],
        )
        cursor.execute(f"UPDATE banking_statementline SET {column} = %s WHERE entry_key = 'forged'", [value])  # noqa: S608
