"""PostgreSQL guards of migration 0004: a line can only be added by the transaction that inserted its
entry, so the deferred balance check runs once per new entry at COMMIT."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from tantieme.condominiums.models import Condominium
from tantieme.core.bulk import COPY_THRESHOLD
from tantieme.ledger import services
from tantieme.ledger.checks import check_books
from tantieme.ledger.models import Account, Entry, FiscalYear, Journal, Line
from tantieme.ledger.services import EntryDraft, LineDraft
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.ledger.factories import D, open_books

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JAN = datetime.date(2025, 1, 1)


@pytest.fixture
def condo(world: World) -> Iterator[Condominium]:
    with firm_scope(world.horizon):
        open_books(world.condo, first_year=2025)
        yield world.condo


def simple(amount: str = "100.00") -> list[LineDraft]:
    return [LineDraft(account="512", debit=D(amount)), LineDraft(account="472", credit=D(amount))]


def posted(condo: Condominium) -> Entry:
    """An entry posted and committed by its own transaction."""
    with transaction.atomic():
        return services.post_entry(condominium=condo, journal="OD", date=JAN, label="x", lines=simple())


def insert_line(
    condo: Condominium,
    entry_id: int,
    position: int,
    *,
    debit: str = "0",
    credit: str = "0",
    posted_txid: str | int | None = None,
    firm_id: int | None = None,
    condominium_id: int | None = None,
    date: datetime.date = JAN,
) -> None:
    """A line written by raw SQL, bypassing the services (and, if given, forging posted_txid, firm…)."""
    account_id = Account.objects.get(condominium=condo, number="512").pk
    columns = "firm_id, condominium_id, entry_id, position, date, account_id, debit, credit, nature, label"
    values: list[int | str | Decimal | datetime.date] = [
        firm_id or condo.firm_id,
        condominium_id or condo.pk,
        entry_id,
        position,
        date,
        account_id,
        Decimal(debit),
        Decimal(credit),
        "current",
        "x",
    ]
    marks = ", ".join(["%s"] * len(values))
    if posted_txid is not None:
        columns += ", posted_txid"
        marks += f", {posted_txid}"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO ledger_line ({columns}) VALUES ({marks})", values)  # noqa: S608


def test_an_unbalanced_entry_is_refused_at_commit(condo: Condominium) -> None:
    def one_sided_line_added() -> None:
        entry = services.post_entry(condominium=condo, journal="OD", date=JAN, label="x", lines=simple())
        insert_line(condo, entry.pk, 3, debit="5.00")  # accepted now, refused at COMMIT

    with pytest.raises(IntegrityError, match="Unbalanced"), transaction.atomic():
        one_sided_line_added()
    with pytest.raises(IntegrityError, match="Unbalanced"), transaction.atomic():
        Entry.objects.create(  # an entry without any line
            firm=condo.firm,
            condominium=condo,
            journal=Journal.objects.get(condominium=condo, code="OD"),
            fiscal_year=FiscalYear.objects.get(condominium=condo),
            number=99,
            code="OD2025-0099",
            date=JAN,
            validation_date=JAN,
            voucher_date=JAN,
            label="x",
            posted_at=datetime.datetime.now(datetime.UTC),
        )
    assert not Entry.objects.filter(condominium=condo).exists()


def test_a_line_cannot_be_added_to_an_entry_committed_earlier(condo: Condominium) -> None:
    entry = posted(condo)

    # Even a balanced pair, which a per-entry check would not notice: the foreign key refuses it.
    def balanced_pair_added() -> None:
        insert_line(condo, entry.pk, 3, debit="5.00")
        insert_line(condo, entry.pk, 4, credit="5.00")

    with pytest.raises(IntegrityError, match="ledger_line_entry_same_txid"), transaction.atomic():
        balanced_pair_added()
    with pytest.raises(IntegrityError, match="ledger_line_entry_same_txid"), transaction.atomic():
        Line.objects.create(
            firm=condo.firm,
            condominium=condo,
            entry=entry,
            position=3,
            date=JAN,
            account=Account.objects.get(condominium=condo, number="512"),
            debit=D("5.00"),
            label="ajout",
        )
    assert Line.objects.filter(entry=entry).count() == 2
    assert check_books(condo) == []


@pytest.mark.parametrize("stranger", ["firm", "condominium", "date"])
def test_a_line_must_repeat_its_entrys_firm_condominium_and_date(
    condo: Condominium, world: World, stranger: str
) -> None:
    """Lines carry no foreign key on firm/condominium (0005): the entry's check at COMMIT compares them."""
    elsewhere = {
        "firm": {"firm_id": world.rivage.pk},
        "condominium": {"condominium_id": world.other_condo.pk},
        "date": {"date": JAN + datetime.timedelta(days=1)},
    }[stranger]

    def balanced_pair_with_a_stranger() -> None:
        entry = services.post_entry(condominium=condo, journal="OD", date=JAN, label="x", lines=simple())
        insert_line(condo, entry.pk, 3, debit="5.00", **elsewhere)  # type: ignore[arg-type]
        insert_line(condo, entry.pk, 4, credit="5.00")

    with pytest.raises(IntegrityError, match="another firm, condominium or date"), transaction.atomic():
        balanced_pair_with_a_stranger()
    assert not Entry.objects.filter(condominium=condo).exists()


def test_a_line_needs_an_existing_entry(condo: Condominium) -> None:
    with pytest.raises(IntegrityError, match="ledger_line_entry_same_txid"), transaction.atomic():
        insert_line(condo, 999_999, 1, debit="5.00")


def test_a_forged_posted_txid_is_refused(condo: Condominium) -> None:
    entry = posted(condo)
    with connection.cursor() as cursor:
        cursor.execute("SELECT posted_txid FROM ledger_entry WHERE id = %s", [entry.pk])
        (entry_txid,) = cursor.fetchone()
    assert entry_txid > 0
    # The committed entry's own transaction id: the foreign key would match, the CHECK refuses it.
    with pytest.raises(IntegrityError, match="ledger_line_posted_in_current_txid"), transaction.atomic():
        insert_line(condo, entry.pk, 3, debit="5.00", posted_txid=entry_txid)
    # The rows migrated before 0004 carry 0: forging 0 is refused too.
    with pytest.raises(IntegrityError, match="ledger_line_posted_in_current_txid"), transaction.atomic():
        insert_line(condo, entry.pk, 3, debit="5.00", posted_txid=0)

    # In the entry's own transaction, another id is refused as well.
    def line_with_another_txid() -> None:
        fresh = services.post_entry(condominium=condo, journal="OD", date=JAN, label="y", lines=simple())
        insert_line(condo, fresh.pk, 3, debit="5.00", posted_txid="txid_current() + 1")

    with pytest.raises(IntegrityError, match="ledger_line_posted_in_current_txid"), transaction.atomic():
        line_with_another_txid()
    assert Line.objects.filter(condominium=condo).count() == 2


def test_savepoints_share_the_transaction_id(condo: Condominium) -> None:
    with transaction.atomic():
        with transaction.atomic():
            entry = services.post_entry(condominium=condo, journal="OD", date=JAN, label="x", lines=simple())
        with transaction.atomic():  # another savepoint, same top-level transaction
            insert_line(condo, entry.pk, 3, debit="5.00")
            insert_line(condo, entry.pk, 4, credit="5.00")
    assert Line.objects.filter(entry=entry).count() == 4
    assert check_books(condo) == []


def test_lines_of_many_entries_in_one_copy_commit(condo: Condominium) -> None:
    count = COPY_THRESHOLD + 50  # entries and lines both above the threshold: both go in by COPY
    drafts = [EntryDraft(journal="OD", date=JAN, label=f"e{i}", lines=simple(f"{i + 1}.00")) for i in range(count)]
    entries = services.post_entries_bulk(condominium=condo, drafts=drafts)
    assert len(entries) == count
    assert Line.objects.filter(condominium=condo).count() == 2 * count
    assert check_books(condo) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(DISTINCT l.posted_txid), bool_and(l.posted_txid = e.posted_txid)"
            " FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry_id WHERE e.condominium_id = %s",
            [condo.pk],
        )
        assert cursor.fetchone() == (1, True)
        cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'ledger_line_balanced'")
        assert cursor.fetchone() == (0,)


def test_one_unbalanced_entry_in_a_copy_batch_refuses_the_batch(condo: Condominium) -> None:
    count = COPY_THRESHOLD + 50
    drafts = [EntryDraft(journal="OD", date=JAN, label=f"e{i}", lines=simple()) for i in range(count)]

    def batch_with_one_unbalanced_entry() -> None:
        entries = services.post_entries_bulk(condominium=condo, drafts=drafts)
        insert_line(condo, entries[count // 2].pk, 3, credit="0.01")

    with pytest.raises(IntegrityError, match="Unbalanced"), transaction.atomic():
        batch_with_one_unbalanced_entry()
    assert not Entry.objects.filter(condominium=condo).exists()
