"""A movement the bank re-sends with a corrected amount under the same reference (issue 15, defect 6):
the entry already posted stays, and the import warns instead of skipping it silently."""

from __future__ import annotations

from tantieme.banking.models import StatementImport, StatementLine
from tantieme.banking.services import import_statement
from tantieme.ledger.models import Entry
from tests.banking.conftest import Books, D, sample


def test_a_corrected_amount_under_a_known_reference_is_reported(books: Books) -> None:
    import_statement(condominium=books.condo, content=sample("camt053_sample.xml"))
    entries = Entry.objects.count()
    corrected = (
        sample("camt053_sample.xml")
        .replace(b"STMT20260302-0001", b"STMT20260302-0002")
        .replace(b'<Amt Ccy="EUR">798.50</Amt>', b'<Amt Ccy="EUR">789.50</Amt>')
        .replace(b"12797.50", b"12788.50")  # the closing balance, for the file to stay consistent
    )
    result = import_statement(condominium=books.condo, content=corrected, filename="corrige.xml")
    assert (result.imported, result.skipped) == (0, 3)
    assert Entry.objects.count() == entries
    assert StatementLine.objects.get(amount=D("798.50"))  # the line in the books is unchanged
    (warning,) = [text for text in result.warnings if "autre montant" in text]
    assert "789,50" in warning
    assert "798,50" in warning
    assert warning in StatementImport.objects.get(filename="corrige.xml").warnings


def test_the_same_amount_again_says_nothing(books: Books) -> None:
    import_statement(condominium=books.condo, content=sample("camt053_sample.xml"))
    again = sample("camt053_sample.xml").replace(b"STMT20260302-0001", b"STMT20260302-0002")
    result = import_statement(condominium=books.condo, content=again, filename="copie.xml")
    assert not [text for text in result.warnings if "autre montant" in text]
