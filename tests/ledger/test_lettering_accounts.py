"""Lettering of general accounts (401 suppliers, 472 suspense, 5128 card receipts…), the reason
stored on an entry, and entry attachments (issue 12)."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, connections, transaction
from PIL import Image

from tantieme.audit.models import AuditEvent
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.ledger import services
from tantieme.ledger.checks import check_books
from tantieme.ledger.exceptions import AttachmentRefusedError, LetteringError
from tantieme.ledger.fec import fec_rows
from tantieme.ledger.lettering import account_letterings, account_open_lines
from tantieme.ledger.models import (
    Account,
    AccountLetteringCounter,
    Entry,
    EntryAttachment,
    FiscalYear,
    Lettering,
    LetteringCounter,
    Line,
    Match,
)
from tantieme.ledger.services import EntryDraft, LineDraft
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.ledger.factories import D, open_books, post_call

JAN = datetime.date(2025, 1, 1)


@dataclass
class Books:
    firm: Firm
    condo: Condominium
    alice: CoOwner
    bob: CoOwner
    years: list[FiscalYear]


@pytest.fixture
def books(world: World) -> Iterator[Books]:
    with firm_scope(world.horizon):
        years = open_books(world.condo, first_year=2025, years=2)
        yield Books(world.horizon, world.condo, world.alice, world.bob, years)


def invoice(books: Books, amount: str, *, day: datetime.date, voucher: str = "FAC-1") -> Line:
    """A supplier invoice: Dr 615 / Cr 401; returns its 401 line."""
    entry = services.post_entry(
        condominium=books.condo,
        journal="AC",
        date=day,
        label=f"Facture {voucher}",
        voucher=voucher,
        validation_date=day,
        lines=[LineDraft(account="615", debit=D(amount)), LineDraft(account="401", credit=D(amount))],
    )
    return entry.lines.get(account__number="401")


def settlement(books: Books, amount: str, *, day: datetime.date, account: str = "401") -> Line:
    """Paid from the bank: Dr 401 (or 472…) / Cr 512; returns the first line."""
    entry = services.post_entry(
        condominium=books.condo,
        journal="BQ1",
        date=day,
        label="Virement fournisseur",
        validation_date=day,
        lines=[LineDraft(account=account, debit=D(amount)), LineDraft(account="512", credit=D(amount))],
    )
    return entry.lines.get(position=1)


# --- Lettering a general account ------------------------------------------------------------------


def test_a_supplier_invoice_is_lettered_with_its_payment_and_the_fec_shows_the_code(books: Books) -> None:
    bill = invoice(books, "1210.77", day=datetime.date(2025, 3, 1))
    paid = settlement(books, "1210.77", day=datetime.date(2025, 3, 20))
    lettering = services.letter_lines(lines=[bill, paid], on=datetime.date(2025, 3, 21))
    assert (lettering.code, lettering.co_owner_id, lettering.account.number) == ("AA", None, "401")
    assert [(m.debit_line_id, m.credit_line_id, m.amount) for m in lettering.matches.all()] == [
        (paid.pk, bill.pk, D("1210.77"))
    ]
    assert services.open_amounts([bill, paid]) == {bill.pk: D("0.00"), paid.pk: D("0.00")}
    assert AuditEvent.objects.filter(action="ledger.lettering.created", object_id=str(lettering.pk)).exists()
    rows = list(fec_rows(books.years[0]))
    lettered = [row for row in rows if row[4] == "401"]
    assert [(row[11], row[12], row[13], row[14]) for row in lettered] == [
        ("0,00", "1210,77", "AA", "20250321"),
        ("1210,77", "0,00", "AA", "20250321"),
    ]
    assert all(row[13] == "" for row in rows if row[4] in ("615", "512"))
    assert check_books(books.condo) == []


def test_partial_payments_and_codes_per_account(books: Books) -> None:
    bill = invoice(books, "300.00", day=datetime.date(2025, 2, 1))
    first = settlement(books, "100.00", day=datetime.date(2025, 2, 10))
    assert services.letter_lines(lines=[bill, first], on=datetime.date(2025, 2, 11)).code == "AA"
    open_items = account_open_lines(Account.objects.get(condominium=books.condo, number="401"))
    assert [(item.line.pk, item.open_amount) for item in open_items.lines] == [(bill.pk, D("200.00"))]
    assert (open_items.count, open_items.open_debit, open_items.open_credit) == (1, D("0.00"), D("200.00"))
    # The FEC writes a code only for a line lettering settles fully.
    rows = [row for row in fec_rows(books.years[0]) if row[4] == "401"]
    assert [(row[11], row[13]) for row in rows] == [("0,00", ""), ("100,00", "AA")]
    second = settlement(books, "200.00", day=datetime.date(2025, 3, 10))
    assert services.letter_lines(lines=[bill, second], on=datetime.date(2025, 3, 11)).code == "AB"
    # 472 has its own codes: AA again. And a co-owner's codes are their own too.
    receipt = services.post_entry(
        condominium=books.condo,
        journal="BQ1",
        date=datetime.date(2025, 4, 1),
        label="Virement non identifié",
        lines=[LineDraft(account="512", debit=D("50.00")), LineDraft(account="472", credit=D("50.00"))],
    ).lines.get(account__number="472")
    cleared = settlement(books, "50.00", day=datetime.date(2025, 4, 2), account="472")
    suspense = services.letter_lines(lines=[receipt, cleared], on=datetime.date(2025, 4, 3))
    assert (suspense.code, suspense.account.number) == ("AA", "472")
    call = post_call(books.condo, books.alice, D("50.00"), date=JAN)
    paid = services.post_entry(
        condominium=books.condo,
        journal="BQ1",
        date=datetime.date(2025, 1, 10),
        label="Virement",
        lines=[
            LineDraft(account="512", debit=D("50.00")),
            LineDraft(account="4501", credit=D("50.00"), co_owner=books.alice),
        ],
    )
    alice = services.letter_lines(
        lines=[call.lines.get(position=1), paid.lines.get(position=2)], on=datetime.date(2025, 1, 11)
    )
    assert (alice.code, alice.co_owner_id) == ("AA", books.alice.pk)
    counters = dict(AccountLetteringCounter.objects.values_list("account__number", "last_index"))
    assert counters == {"401": 1, "472": 0}
    assert LetteringCounter.objects.get(co_owner=books.alice).last_index == 0
    assert check_books(books.condo) == []


def test_lines_of_two_accounts_or_of_a_co_owner_and_a_general_account_are_never_lettered_together(
    books: Books,
) -> None:
    bill = invoice(books, "100.00", day=datetime.date(2025, 2, 1))
    other = settlement(books, "100.00", day=datetime.date(2025, 2, 2), account="472")
    with pytest.raises(LetteringError, match="même compte"):
        services.letter_lines(lines=[bill, other], on=datetime.date(2025, 2, 3))
    call = post_call(books.condo, books.alice, D("100.00"), date=JAN)
    co_owner_line = call.lines.get(position=1)
    with pytest.raises(LetteringError, match="compte copropriétaire et une ligne d'un compte général"):
        services.letter_lines(lines=[co_owner_line, bill], on=datetime.date(2025, 2, 3))
    bob_paid = services.post_entry(
        condominium=books.condo,
        journal="BQ1",
        date=datetime.date(2025, 1, 10),
        label="Virement",
        lines=[LineDraft(account="512", debit=D("100.00")), LineDraft(account="4501", credit=D("100.00"),
                                                                       co_owner=books.bob)],
    )  # fmt: skip
    with pytest.raises(LetteringError, match="même copropriétaire"):
        services.letter_lines(lines=[co_owner_line, bob_paid.lines.get(position=2)], on=datetime.date(2025, 2, 3))
    # The art. 1342-10 imputation stays on co-owner accounts.
    with pytest.raises(LetteringError, match="1342-10"):
        services.letter_line(line=bill, on=datetime.date(2025, 2, 3))
    # Two lines of one side have nothing to match.
    second_bill = invoice(books, "20.00", day=datetime.date(2025, 2, 5), voucher="FAC-2")
    with pytest.raises(LetteringError, match="plus rien à lettrer"):
        services.letter_lines(lines=[bill, second_bill], on=datetime.date(2025, 2, 6))
    assert not Lettering.objects.exists()
    assert not Match.objects.exists()


def test_unlettering_a_general_account_opens_its_lines_and_never_gives_the_code_again(books: Books) -> None:
    bill = invoice(books, "80.00", day=datetime.date(2025, 2, 1))
    paid = settlement(books, "80.00", day=datetime.date(2025, 2, 2))
    lettering = services.letter_lines(lines=[bill, paid], on=datetime.date(2025, 2, 3))
    assert [row.lettering.code for row in account_letterings(lettering.account)] == ["AA"]
    services.unletter(lettering=lettering)
    event = AuditEvent.objects.get(action="ledger.lettering.removed")
    assert event.data == {"code": "AA", "co_owner": None, "account": lettering.account_id}
    assert services.open_amounts([bill, paid]) == {bill.pk: D("80.00"), paid.pk: D("80.00")}
    assert account_open_lines(lettering.account).count == 2
    again = services.letter_lines(lines=[bill, paid], on=datetime.date(2025, 2, 4))
    assert again.code == "AB"
    assert check_books(books.condo) == []


def test_codes_are_unique_per_general_account_in_the_database(books: Books) -> None:
    bill = invoice(books, "10.00", day=datetime.date(2025, 2, 1))
    paid = settlement(books, "10.00", day=datetime.date(2025, 2, 2))
    lettering = services.letter_lines(lines=[bill, paid], on=datetime.date(2025, 2, 3))
    with pytest.raises(IntegrityError), transaction.atomic():
        Lettering.objects.create(
            firm=books.firm, condominium=books.condo, account=lettering.account, code="AA", date=JAN
        )
    # The same code on another general account, or for a co-owner on 4501, is fine.
    suspense = Account.objects.get(condominium=books.condo, number="472")
    Lettering.objects.create(firm=books.firm, condominium=books.condo, account=suspense, code="AA", date=JAN)
    budget = Account.objects.get(condominium=books.condo, number="4501")
    Lettering.objects.create(
        firm=books.firm, condominium=books.condo, account=budget, co_owner=books.alice, code="AA", date=JAN
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Lettering.objects.create(
            firm=books.firm, condominium=books.condo, account=budget, co_owner=books.alice, code="AA", date=JAN
        )


def test_check_books_reports_lettering_beyond_amounts_and_on_the_wrong_kind_of_account(books: Books) -> None:
    bill = invoice(books, "10.00", day=datetime.date(2025, 2, 1))
    paid = settlement(books, "10.00", day=datetime.date(2025, 2, 2))
    lettering = services.letter_lines(lines=[bill, paid], on=datetime.date(2025, 2, 3))
    forged = Lettering.objects.create(
        firm=books.firm, condominium=books.condo, account=lettering.account, code="ZZ", date=JAN
    )
    Match.objects.create(lettering=forged, debit_line=paid, credit_line=bill, amount=D("5.00"))
    budget = Account.objects.get(condominium=books.condo, number="4501")
    Lettering.objects.create(firm=books.firm, condominium=books.condo, account=budget, code="AA", date=JAN)
    problems = check_books(books.condo)
    assert f"Ligne {bill.pk} lettrée pour 15.00, au-delà de son montant 10.00." in problems
    assert f"Ligne {paid.pk} lettrée pour 15.00, au-delà de son montant 10.00." in problems
    assert "Lettrage AA au compte 4501 : compte copropriétaire sans copropriétaire." in problems


def test_a_reversed_invoice_releases_its_payment(books: Books) -> None:
    bill = invoice(books, "60.00", day=datetime.date(2025, 2, 1))
    paid = settlement(books, "60.00", day=datetime.date(2025, 2, 2))
    services.letter_lines(lines=[bill, paid], on=datetime.date(2025, 2, 3))
    reversal = services.reverse_entry(entry=bill.entry, reason="Facture en double")
    assert reversal.reason == "Facture en double"
    reversed_401 = reversal.lines.get(account__number="401")
    # The invoice is lettered with its reversal; the payment is open again.
    assert services.open_amounts([bill, reversed_401, paid]) == {
        bill.pk: D("0.00"),
        reversed_401.pk: D("0.00"),
        paid.pk: D("60.00"),
    }
    # 615 is not a lettered account: its lines are left alone.
    assert not Match.objects.filter(debit_line__account__number="615").exists()
    assert check_books(books.condo) == []


# --- Concurrency (PostgreSQL) ----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_letterings_of_one_account_never_duplicate_a_code(world: World) -> None:
    with firm_scope(world.horizon):
        open_books(world.condo, first_year=2025)
        books = Books(world.horizon, world.condo, world.alice, world.bob, [])
        pairs = [
            (
                invoice(books, "10.00", day=datetime.date(2025, 2, 1), voucher=f"FAC-{index}"),
                settlement(books, "10.00", day=datetime.date(2025, 2, 2)),
            )
            for index in range(24)
        ]
    threads_count = 6
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_count)

    def work(mine: list[tuple[Line, Line]]) -> None:
        try:
            with firm_scope(world.horizon):
                barrier.wait()
                for bill, paid in mine:
                    services.letter_lines(lines=[bill, paid], on=datetime.date(2025, 2, 3))
                # Everyone also tries the first pair: only one lettering may take it.
                with contextlib.suppress(LetteringError):
                    services.letter_lines(lines=list(pairs[0]), on=datetime.date(2025, 2, 3))
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(pairs[index::threads_count],)) for index in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with firm_scope(world.horizon):
        codes = sorted(Lettering.objects.values_list("code", flat=True))
        assert len(codes) == len(set(codes)) == 24
        assert codes == sorted(services.lettering_code(index) for index in range(24))
        assert AccountLetteringCounter.objects.get(account__number="401").last_index == 23
        assert check_books(world.condo) == []
    assert connection.vendor == "postgresql"


# --- The reason on the entry --------------------------------------------------------------------------


def test_the_reason_is_inserted_with_the_entry_one_by_one_and_in_bulk(books: Books) -> None:
    entry = services.post_entry(
        condominium=books.condo,
        journal="OD",
        date=datetime.date(2025, 6, 30),
        label="Reclassement",
        reason="  Facture imputée au mauvais compte  ",
        lines=[LineDraft(account="615", debit=D("10.00")), LineDraft(account="601", credit=D("10.00"))],
    )
    assert Entry.objects.get(pk=entry.pk).reason == "Facture imputée au mauvais compte"
    lines = [LineDraft(account="512", debit=D("1.00")), LineDraft(account="472", credit=D("1.00"))]
    drafts = [
        EntryDraft(journal="OD", date=JAN, label=f"Lot {index}", lines=lines, reason="Reprise" if index else "")
        for index in range(250)  # above the COPY threshold on PostgreSQL
    ]
    with transaction.atomic():
        posted = services.post_entries_bulk(condominium=books.condo, drafts=drafts)
    reasons = dict(Entry.objects.filter(pk__in=[e.pk for e in posted]).values_list("label", "reason"))
    assert reasons["Lot 0"] == ""
    assert reasons["Lot 1"] == reasons["Lot 249"] == "Reprise"
    assert (
        services.post_entry(condominium=books.condo, journal="OD", date=JAN, label="Sans motif", lines=lines).reason
        == ""
    )


# --- Attachments ----------------------------------------------------------------------------------------


def _png_with_metadata() -> bytes:
    image = Image.new("RGB", (4, 4), "red")
    output = io.BytesIO()
    image.save(output, "PNG", pnginfo=_text_chunk())
    return output.getvalue()


def _text_chunk() -> object:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Alice Martin, 12 rue des Lilas")
    return info


def test_attach_to_entry_stores_the_file_with_its_metadata(books: Books, world: World) -> None:
    entry = invoice(books, "10.00", day=datetime.date(2025, 2, 1)).entry
    pdf = b"%PDF-1.4\n%test\n"
    attachment = services.attach_to_entry(entry=entry, content=pdf, filename="../Facture eau.pdf", actor=world.manager)
    assert attachment.original_filename == "Facture eau.pdf"
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(pdf))
    assert attachment.sha256 == hashlib.sha256(pdf).hexdigest()
    assert attachment.uploaded_by == world.manager
    assert attachment.file.name.startswith(f"ledger/{books.firm.pk}/{books.condo.pk}/entries/{entry.pk}/")
    with default_storage.open(attachment.file.name, "rb") as handle:
        assert handle.read() == pdf
    assert list(EntryAttachment.objects.filter(entry=entry)) == [attachment]
    event = AuditEvent.objects.get(action="ledger.attachment.added")
    assert event.data["name"] == "Facture eau.pdf"
    # An image loses its metadata and a wrong extension is corrected.
    image = services.attach_to_entry(entry=entry, content=_png_with_metadata(), filename="scan.pdf")
    assert (image.original_filename, image.content_type) == ("scan.png", "image/png")
    with default_storage.open(image.file.name, "rb") as handle:
        assert b"Alice Martin" not in handle.read()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"MZ\x90\x00binary", "piece.pdf", "ni un PDF"),
        (b"", "piece.pdf", "vide"),
        (b"%PDF-1.4\n", "piece.exe", "doit être un PDF"),
        (b"\x89PNG\r\n\x1a\nbroken", "scan.png", "illisible"),
    ],
)
def test_attach_to_entry_refuses_what_the_upload_rules_refuse(
    books: Books, content: bytes, name: str, expected: str
) -> None:
    entry = invoice(books, "10.00", day=datetime.date(2025, 2, 1)).entry
    with pytest.raises(AttachmentRefusedError, match=expected):
        services.attach_to_entry(entry=entry, content=content, filename=name)
    assert not EntryAttachment.objects.exists()


def test_an_entry_of_another_firm_cannot_be_given_an_attachment(books: Books, world: World) -> None:
    entry = invoice(books, "10.00", day=datetime.date(2025, 2, 1)).entry
    with firm_scope(world.rivage), pytest.raises(Entry.DoesNotExist):
        services.attach_to_entry(entry=entry, content=b"%PDF-1.4\n", filename="x.pdf")
