"""The same bank day in two formats (issue 15, item 2): each movement is posted once.

The bank's references differ between its CFONB 120 and CAMT.053 files of the same day, so the
entry keys do not see the repeat: the movement's fingerprint (account, booking date, signed
amount, counterparty, rank among identical ones) and the booking day do. A file that repeats a
day already imported from another format is refused whole, with the days and movements named.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tantieme.audit.models import AuditEvent
from tantieme.banking.exceptions import ImportRefusedError
from tantieme.banking.models import StatementImport, StatementLine
from tantieme.banking.samples import SampleMovement, camt053_document, cfonb120_document
from tantieme.banking.services import import_statement
from tantieme.ledger.models import Entry, Line
from tests.banking.conftest import SAMPLE_IBAN, Books, D, account_balance, owed

DAY1 = datetime.date(2026, 3, 1)
DAY2 = datetime.date(2026, 3, 2)
DAY3 = datetime.date(2026, 3, 3)
OPENING = D("1000.00")


def _alice(day: datetime.date, amount: str = "234.56") -> SampleMovement:
    return SampleMovement(D(amount), day, remittance="CHARGES T1 REF A 606 0001", name="M ET MME TEST ALICE")


def _bob(day: datetime.date, amount: str = "120.00") -> SampleMovement:
    return SampleMovement(D(amount), day, remittance="APPEL A 606 0002", name="MARTIN BOB")


def _supplier(day: datetime.date) -> SampleMovement:
    return SampleMovement(D("-80.00"), day, remittance="FACTURE 2026-7 JARDIN", name="JARDINS DU MIDI")


def _cfonb(
    movements: list[SampleMovement], *, opening_date: datetime.date, closing_date: datetime.date, opening: Decimal
) -> bytes:
    return cfonb120_document(
        iban=SAMPLE_IBAN,
        opening_balance=opening,
        opening_date=opening_date,
        closing_date=closing_date,
        movements=movements,
    )


def _camt(
    movements: list[SampleMovement],
    *,
    opening_date: datetime.date,
    closing_date: datetime.date,
    opening: Decimal,
    statement_id: str = "CAMT-X",
) -> bytes:
    # The bank's own references (AcctSvcrRef) differ from the CFONB numéros d'écriture.
    referenced = [
        SampleMovement(
            m.amount,
            m.day,
            remittance=m.remittance,
            name=m.name,
            reference=f"{m.day:%Y%m%d}{rank:08d}",
        )
        for rank, m in enumerate(movements, start=1)
    ]
    return camt053_document(
        iban=SAMPLE_IBAN,
        statement_id=statement_id,
        opening_balance=opening,
        opening_date=opening_date,
        closing_date=closing_date,
        movements=referenced,
    )


def _counts() -> dict[str, int]:
    return {
        "imports": StatementImport.objects.count(),
        "lines": StatementLine.objects.count(),
        "entries": Entry.objects.count(),
        "ledger_lines": Line.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _refused(books: Books, content: bytes) -> ImportRefusedError:
    before = _counts()
    with pytest.raises(ImportRefusedError) as caught:
        import_statement(condominium=books.condo, content=content, filename="autre-format")
    assert _counts() == before  # all or nothing
    return caught.value


def _day_movements(day: datetime.date) -> list[SampleMovement]:
    return [_alice(day), _bob(day), _supplier(day)]


def _assert_posted_once(books: Books) -> None:
    assert StatementLine.objects.count() == 3
    assert owed(books.alice) == D("765.44")  # 1 000 − 234,56, once
    assert owed(books.bob) == D("880.00")
    assert account_balance(books.condo, "512") == D("354.56")  # 234,56 + 120 (the debit waits in the queue)


def test_single_day_cfonb_then_camt_posts_each_receipt_once(books: Books) -> None:
    movements = _day_movements(DAY2)
    cfonb = _cfonb(movements, opening_date=DAY2, closing_date=DAY2, opening=OPENING)
    camt = _camt(movements, opening_date=DAY2, closing_date=DAY2, opening=OPENING)
    first = import_statement(condominium=books.condo, content=cfonb, filename="releve.txt")
    assert (first.imported, first.matched) == (3, 2)
    _assert_posted_once(books)
    error = _refused(books, camt)
    assert "02/03/2026" in error.message
    assert "CFONB 120" in error.message
    assert "un seul format" in error.message
    assert "234,56" in error.message  # the movements already there are named
    assert "3 reconnus" in error.message
    _assert_posted_once(books)
    # Idempotent: the same file again is refused again, still nothing written.
    _refused(books, camt)
    _assert_posted_once(books)


def test_single_day_camt_then_cfonb_posts_each_receipt_once(books: Books) -> None:
    movements = _day_movements(DAY2)
    camt = _camt(movements, opening_date=DAY2, closing_date=DAY2, opening=OPENING)
    cfonb = _cfonb(movements, opening_date=DAY2, closing_date=DAY2, opening=OPENING)
    import_statement(condominium=books.condo, content=camt, filename="releve.xml")
    _assert_posted_once(books)
    error = _refused(books, cfonb)
    assert "02/03/2026" in error.message
    assert "CAMT.053" in error.message
    _assert_posted_once(books)


def test_statements_sharing_only_a_boundary_day(books: Books) -> None:
    """CFONB days 1–2, then CAMT days 2–3: day 2 is in both, refused; a CAMT of day 3 alone goes in."""
    cfonb = _cfonb(
        [_bob(DAY1, "10.00"), *_day_movements(DAY2)],
        opening_date=datetime.date(2026, 2, 28),
        closing_date=DAY2,
        opening=OPENING,
    )
    import_statement(condominium=books.condo, content=cfonb, filename="fevrier-mars.txt")
    after_cfonb = OPENING + D("10.00") + D("274.56")
    assert StatementLine.objects.count() == 4
    overlapping = _camt(
        [*_day_movements(DAY2), _bob(DAY3, "15.00")], opening_date=DAY2, closing_date=DAY3, opening=OPENING + 10
    )
    error = _refused(books, overlapping)
    assert "02/03/2026" in error.message
    assert "03/03/2026" not in error.message.split("Rien")[0]
    assert owed(books.alice) == D("765.44")
    assert owed(books.bob) == D("870.00")
    # The next statement in the other format starts on the balance date the first one ends on
    # (02/03): no movement of day 2 in it, nothing repeated, it is imported.
    next_day = _camt([_bob(DAY3, "15.00")], opening_date=DAY2, closing_date=DAY3, opening=after_cfonb)
    result = import_statement(condominium=books.condo, content=next_day, filename="mars.xml")
    assert (result.imported, result.skipped) == (1, 0)
    assert owed(books.bob) == D("855.00")
    assert StatementLine.objects.count() == 5


def test_unrecognised_movement_on_a_day_already_imported_is_refused_and_named(books: Books) -> None:
    import_statement(
        condominium=books.condo,
        content=_cfonb(_day_movements(DAY2), opening_date=DAY2, closing_date=DAY2, opening=OPENING),
    )
    extra = SampleMovement(D("42.00"), DAY2, remittance="DON", name="INCONNU SARL")
    error = _refused(
        books, _camt([*_day_movements(DAY2), extra], opening_date=DAY2, closing_date=DAY2, opening=OPENING)
    )
    assert "3 reconnus" in error.message
    assert "INCONNU SARL" in error.message
    _assert_posted_once(books)


def test_identical_movements_on_the_same_day_stay_two(books: Books) -> None:
    """Alice pays 100 € twice on day 2 (same text): two movements, kept both, and recognised both."""
    twice = [_alice(DAY2, "100.00"), _alice(DAY2, "100.00")]
    result = import_statement(
        condominium=books.condo, content=_cfonb(twice, opening_date=DAY2, closing_date=DAY2, opening=OPENING)
    )
    assert (result.imported, result.matched) == (2, 2)
    fingerprints = set(StatementLine.objects.values_list("fingerprint", flat=True))
    assert len(fingerprints) == 2
    assert "" not in fingerprints
    assert None not in fingerprints
    assert owed(books.alice) == D("800.00")
    error = _refused(books, _camt(twice, opening_date=DAY2, closing_date=DAY2, opening=OPENING))
    assert "2 reconnus" in error.message
    assert owed(books.alice) == D("800.00")
    # The same two again on another day, in the other format: new movements, both kept.
    later = import_statement(
        condominium=books.condo,
        content=_camt(
            [_alice(DAY3, "100.00"), _alice(DAY3, "100.00")], opening_date=DAY2, closing_date=DAY3, opening=D("1200.00")
        ),
    )
    assert (later.imported, later.skipped) == (2, 0)
    assert owed(books.alice) == D("600.00")
    assert StatementLine.objects.count() == 4


def test_same_movement_gives_the_same_fingerprint_in_both_formats(books: Books, world: object) -> None:
    """Imported in two condominiums with the same account: CFONB here, CAMT there, same fingerprints."""
    from tantieme.condominiums.models import Condominium
    from tantieme.tenancy.scoping import firm_scope
    from tests.conftest import World
    from tests.ledger.factories import open_books

    assert isinstance(world, World)
    movements = [*_day_movements(DAY2), _alice(DAY2, "100.00"), _alice(DAY2, "100.00")]
    import_statement(
        condominium=books.condo,
        content=_cfonb(movements, opening_date=DAY2, closing_date=DAY2, opening=OPENING),
    )
    here = sorted(StatementLine.objects.values_list("fingerprint", flat=True))
    Condominium.all_firms.filter(pk=world.other_condo.pk).update(iban=SAMPLE_IBAN)
    world.other_condo.refresh_from_db()
    with firm_scope(world.rivage):
        open_books(world.other_condo, first_year=2026)
        import_statement(
            condominium=world.other_condo,
            content=_camt(movements, opening_date=DAY2, closing_date=DAY2, opening=OPENING),
        )
        there = sorted(StatementLine.objects.values_list("fingerprint", flat=True))
    assert here == there
    assert len(set(here)) == 5
