"""Posting rules, reversals, closing, lettering, statements, exports and the database guards."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction

from tantieme.audit.models import AuditEvent
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.ledger import services
from tantieme.ledger.checks import check_books
from tantieme.ledger.enums import LineNature
from tantieme.ledger.exceptions import (
    ClosedFiscalYearError,
    InvalidLineError,
    LedgerError,
    UnbalancedEntryError,
    UnknownAccountError,
)
from tantieme.ledger.models import Entry, FiscalYear, Line
from tantieme.ledger.queries import balance, unpaid_items
from tantieme.ledger.renderers import render_statement_csv, render_statement_pdf
from tantieme.ledger.services import EntryDraft, LineDraft
from tantieme.ledger.statements import history_start, statement_for
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import TenantScopeError, firm_scope
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


def simple(amount: str = "100.00", **kwargs: object) -> list[LineDraft]:
    return [LineDraft(account="512", debit=D(amount)), LineDraft(account="472", credit=D(amount))]


# --- Posting rules ------------------------------------------------------------------------------


def test_chart_and_journals(books: Books) -> None:
    numbers = set(books.condo.accounts.values_list("number", flat=True))
    assert {"105", "4501", "4505", "459", "512", "5128", "701", "705", "4728", "120"} <= numbers
    assert set(books.condo.journals.values_list("code", flat=True)) == {"AN", "AF", "AC", "BQ1", "CB", "OD", "RE"}
    assert services.create_chart(condominium=books.condo) == 0  # idempotent
    account = services.add_account(condominium=books.condo, number="5121", label="Banque - livret")
    services.add_journal(condominium=books.condo, code="BQ2", label="Livret", kind="bank", bank_account=account)
    with pytest.raises(UnknownAccountError, match="classes 1 à 7"):
        services.add_account(condominium=books.condo, number="8901", label="Bilan d'ouverture")
    with pytest.raises(UnknownAccountError, match="parallèle"):
        services.add_account(condominium=books.condo, number="6901", label="Compte inventé")


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([LineDraft(account="512", debit=D("10.00"))], UnbalancedEntryError),
        (
            [LineDraft(account="512", debit=D("10.00")), LineDraft(account="472", credit=D("9.99"))],
            UnbalancedEntryError,
        ),
        (
            [LineDraft(account="512", debit=D("10.00"), credit=D("1.00")), LineDraft(account="472", credit=D("9.00"))],
            InvalidLineError,
        ),
        ([LineDraft(account="512", debit=D("-10.00")), LineDraft(account="472", debit=D("10.00"))], InvalidLineError),
        ([LineDraft(account="512", debit=D("0.00")), LineDraft(account="472", credit=D("0.00"))], InvalidLineError),
        ([LineDraft(account="512", debit=D("1.001")), LineDraft(account="472", credit=D("1.001"))], InvalidLineError),
        ([LineDraft(account="4501", debit=D("10.00")), LineDraft(account="701", credit=D("10.00"))], InvalidLineError),
        (
            [LineDraft(account="9999", debit=D("10.00")), LineDraft(account="701", credit=D("10.00"))],
            UnknownAccountError,
        ),
    ],
)
def test_refused_entries_write_nothing(books: Books, lines: list[LineDraft], error: type[Exception]) -> None:
    with pytest.raises(error):
        services.post_entry(condominium=books.condo, journal="OD", date=JAN, label="Essai", lines=lines)
    assert not Entry.objects.exists()


def test_co_owner_of_another_condominium_is_refused(books: Books, world: World) -> None:
    with pytest.raises(InvalidLineError):
        post_call(books.condo, world.charlie, D("10.00"), date=JAN)


def test_numbering_per_journal_and_year_and_audit(books: Books) -> None:
    codes = [
        services.post_entry(condominium=books.condo, journal=journal, date=day, label="x", lines=simple()).code
        for journal, day in [
            ("OD", JAN),
            ("OD", JAN),
            ("BQ1", JAN),
            ("OD", datetime.date(2026, 3, 1)),
        ]
    ]
    assert codes == ["OD2025-0001", "OD2025-0002", "BQ12025-0001", "OD2026-0001"]
    assert AuditEvent.objects.filter(action="ledger.entry.posted").count() == 4
    assert check_books(books.condo) == []


def test_no_entry_outside_an_open_year(books: Books) -> None:
    with pytest.raises(ClosedFiscalYearError):
        services.post_entry(
            condominium=books.condo, journal="OD", date=datetime.date(2024, 12, 31), label="x", lines=simple()
        )
    services.close_fiscal_year(fiscal_year=books.years[0])
    with pytest.raises(ClosedFiscalYearError):
        services.post_entry(condominium=books.condo, journal="OD", date=JAN, label="x", lines=simple())
    with pytest.raises(ClosedFiscalYearError):
        services.close_fiscal_year(fiscal_year=books.years[0])


def test_fiscal_years_are_contiguous_and_at_most_12_or_18_months(world: World) -> None:
    with firm_scope(world.horizon):
        services.create_chart(condominium=world.condo)
        with pytest.raises(LedgerError, match="18 mois"):
            services.open_fiscal_year(
                condominium=world.condo, start_date=datetime.date(2024, 7, 1), end_date=datetime.date(2026, 1, 31)
            )
        first = services.open_fiscal_year(
            condominium=world.condo, start_date=datetime.date(2024, 7, 1), end_date=datetime.date(2025, 12, 31)
        )
        assert first.label == "2025"
        with pytest.raises(LedgerError, match="lendemain"):
            services.open_fiscal_year(condominium=world.condo, start_date=datetime.date(2026, 2, 1))
        second = services.open_fiscal_year(condominium=world.condo)
        assert (second.start_date, second.end_date) == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))


def test_reversal_points_to_the_original_and_reopens_what_was_paid(books: Books) -> None:
    call = post_call(books.condo, books.alice, D("300.00"), date=JAN)
    payment = services.post_co_owner_payment(
        co_owner=books.alice, amount=D("300.00"), date=datetime.date(2025, 1, 5), journal="BQ1", label="Virement"
    )
    assert balance(books.alice) == 0
    assert unpaid_items(books.alice, at=datetime.date(2025, 2, 1)) == []
    reversal = services.reverse_entry(entry=payment, date=datetime.date(2025, 1, 20), label="Rejet de prélèvement")
    assert reversal.reverses == payment
    assert reversal.code == "BQ12025-0002"
    assert balance(books.alice) == D("300.00")
    unpaid = unpaid_items(books.alice, at=datetime.date(2025, 2, 1))
    assert [(item.line.entry_id, item.open_amount) for item in unpaid] == [(call.pk, D("300.00"))]
    with pytest.raises(LedgerError, match="déjà été contre-passée"):
        services.reverse_entry(entry=payment)
    with pytest.raises(LedgerError, match="déjà une contre-passation"):
        services.reverse_entry(entry=reversal)
    assert check_books(books.condo) == []


# --- Lettering ----------------------------------------------------------------------------------


def test_payment_settles_the_oldest_due_items_first(books: Books) -> None:
    """Code civil art. 1342-10: due before not yet due, oldest first, pro rata on the same date."""
    post_call(books.condo, books.alice, D("100.00"), date=JAN)
    post_call(
        books.condo, books.alice, D("30.00"), date=JAN, account="4505", counterpart="105", nature=LineNature.WORKS_FUND
    )
    post_call(books.condo, books.alice, D("200.00"), date=datetime.date(2025, 4, 1))
    post_call(books.condo, books.alice, D("50.00"), date=datetime.date(2025, 2, 1))
    # 140 paid on 15/02: 01/01 items (130) first, then 10 on 01/02; the 01/04 call is not due yet.
    services.post_co_owner_payment(
        co_owner=books.alice, amount=D("140.00"), date=datetime.date(2025, 2, 15), journal="BQ1", label="Virement"
    )
    unpaid = unpaid_items(books.alice, at=datetime.date(2025, 4, 2))
    assert [(item.line.date, item.open_amount) for item in unpaid] == [
        (datetime.date(2025, 2, 1), D("40.00")),
        (datetime.date(2025, 4, 1), D("200.00")),
    ]
    assert unpaid[0].age_days == 60
    # A shortfall on one date is shared in proportion (largest remainder): 100 of 130 over 100 + 30.
    shares = services.plan_payment(co_owner=books.bob, amount=D("1.00"), on=JAN)
    assert (shares[0].account, shares[0].amount) == ("4501", D("1.00"))  # nothing open: an advance
    post_call(books.condo, books.bob, D("100.00"), date=JAN)
    post_call(
        books.condo, books.bob, D("30.00"), date=JAN, account="4505", counterpart="105", nature=LineNature.WORKS_FUND
    )
    shares = services.plan_payment(co_owner=books.bob, amount=D("100.00"), on=JAN)
    assert {(share.account, share.amount) for share in shares} == {("4501", D("76.92")), ("4505", D("23.08"))}
    assert check_books(books.condo) == []


def test_lettering_codes_and_partial_matches(books: Books) -> None:
    first = post_call(books.condo, books.alice, D("100.00"), date=JAN)
    second = post_call(books.condo, books.alice, D("100.00"), date=datetime.date(2025, 4, 1))
    payment = services.post_entry(
        condominium=books.condo,
        journal="BQ1",
        date=datetime.date(2025, 4, 10),
        label="Virement",
        lines=[
            LineDraft(account="512", debit=D("150.00")),
            LineDraft(account="4501", credit=D("150.00"), co_owner=books.alice),
        ],
    )
    lines = [first.lines.get(position=1), second.lines.get(position=1), payment.lines.get(position=2)]
    lettering = services.letter_lines(lines=lines, on=datetime.date(2025, 4, 11))
    assert lettering.code == "AA"
    assert [(m.debit_line.entry_id, m.amount) for m in lettering.matches.order_by("id")] == [
        (first.pk, D("100.00")),
        (second.pk, D("50.00")),
    ]
    assert [item.open_amount for item in unpaid_items(books.alice, at=datetime.date(2025, 5, 1))] == [D("50.00")]
    assert services.lettering_code(0) == "AA"
    assert services.lettering_code(27) == "BB"
    assert services.lettering_code(675) == "ZZ"
    assert services.lettering_code(676) == "AAA"


# --- Statements ---------------------------------------------------------------------------------


def test_statement_from_an_opening_entry_and_its_renderings(books: Books, world: World) -> None:
    with firm_scope(world.horizon):
        FiscalYear.objects.all()  # the scope is set
    content = "référence;date;montant;libellé\nA 606 0001;01/01/2025;1 210,77;Solde repris du syndic précédent\n"
    from tantieme.ledger.openings import import_opening_balances

    report = import_opening_balances(condominium=books.condo, content=content)
    assert report.posted == ["A6060001"]
    again = import_opening_balances(condominium=books.condo, content=content)
    assert again.already_there == ["A6060001"]
    assert again.entries == []
    post_call(books.condo, books.alice, D("500.00"), date=datetime.date(2025, 4, 1), label="Appel T2 2025")
    assert history_start(books.alice) == JAN
    statement = statement_for(books.alice, datetime.date(2025, 2, 1), datetime.date(2025, 12, 31))
    assert statement.opening_balance == D("1210.77")
    assert [(line.label, line.balance) for line in statement.lines] == [("Appel T2 2025", D("1710.77"))]
    assert statement.closing_balance == D("1710.77")
    csv_text = render_statement_csv(statement).decode("utf-8-sig")
    assert "01/04/2025;AF2025-0001;Appel T2 2025;500,00;;1710,77;" in csv_text
    assert csv_text.splitlines()[1].endswith(";1210,77;")
    pdf = render_statement_pdf(statement)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1500


def test_statement_and_balance_query_counts(books: Books, django_assert_max_num_queries: object) -> None:
    for month in range(1, 13):
        post_call(books.condo, books.alice, D("100.00"), date=datetime.date(2025, month, 1))
        services.post_co_owner_payment(
            co_owner=books.alice,
            amount=D("100.00"),
            date=datetime.date(2025, month, 3),
            journal="BQ1",
            label="Virement",
        )
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        assert balance(books.alice, at=datetime.date(2025, 12, 31)) == 0
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        statement = statement_for(books.alice, JAN, datetime.date(2025, 12, 31))
    assert len(statement.lines) == 24


def test_opening_import_reports_every_bad_row(books: Books) -> None:
    from tantieme.ledger.openings import OpeningImportError, import_opening_balances

    content = "A6060001;01/01/2025;abc\nA6069999;01/01/2025;10\nA6060002;32/01/2025;10\nA6060002;01/01/2025;10\n"
    with pytest.raises(OpeningImportError) as raised:
        import_opening_balances(condominium=books.condo, content=content)
    problems = raised.value.problems
    assert [problem.split(" :")[0] for problem in problems] == ["ligne 1", "ligne 2", "ligne 3", "ligne 4"]
    assert not Entry.objects.exists()


# --- Commands -----------------------------------------------------------------------------------


def test_commands(books: Books, tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    out = Path(str(tmp_path))
    csv_file = out / "soldes.csv"
    csv_file.write_text('A6060001,31/12/2025,"-80,00",Avance\nA6060002,31/12/2025,42.10,\n', encoding="utf-8")
    call_command("import_opening_balances", str(csv_file), "--firm", "horizon", "--condominium", "606")
    assert balance(books.bob) == D("42.10")
    assert balance(books.alice) == D("-80.00")
    call_command("check_ledger", "--firm", "horizon")
    call_command("export_fec", "--condominium", "606", "--firm", "horizon", "--year", "2025", "--output-dir", str(out))
    fec = (out / "AH1000606FEC20251231.txt").read_bytes() if (out / "AH1000606FEC20251231.txt").exists() else None
    files = list(out.glob("*FEC20251231.txt"))
    assert len(files) == 1
    fec = files[0].read_bytes().decode("iso-8859-15")
    assert fec.splitlines()[1].startswith("AN|À-nouveaux|AN2025-0001|20251231|4501|")
    # The description that must accompany it (A47 A-1 II), in the same encoding.
    (described,) = out.glob("*FEC20251231-descriptif.txt")
    description = described.read_bytes().decode("iso-8859-15")
    assert files[0].name in description
    assert f"Contenu : {len(fec.splitlines()) - 1} lignes d'écriture" in description
    assert "Jeu de caractères : ISO 8859-15" in description
    assert "barre verticale « | »" in description
    assert all(f". {column} : " in description for column in fec.splitlines()[0].split("|"))
    assert "- AN : À-nouveaux" in description
    for report in ("trial-balance", "general-ledger", "journal"):
        for output in ("csv", "pdf"):
            call_command(
                "export_ledger",
                "--condominium",
                "606",
                "--year",
                "2025",
                "--report",
                report,
                "--format",
                output,
                "--output-dir",
                str(out),
            )
    assert len(list(out.glob("606-*"))) == 6
    bad = out / "bad.csv"
    bad.write_text("X;01/01/2025;1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command("import_opening_balances", str(bad), "--firm", "horizon", "--condominium", "606")


def test_check_ledger_fails_on_a_tampered_closed_year(books: Books) -> None:
    services.post_entry(condominium=books.condo, journal="OD", date=JAN, label="x", lines=simple())
    services.close_fiscal_year(fiscal_year=books.years[0])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fire the pending checks before ALTER TABLE
            cursor.execute("ALTER TABLE ledger_line DISABLE TRIGGER ledger_line_immutable")
    Line.objects.filter(account__number="512").update(label="changé")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE ledger_line ENABLE TRIGGER ledger_line_immutable")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert any("empreinte" in problem for problem in check_books(books.condo))
    with pytest.raises(CommandError):
        call_command("check_ledger", "--condominium", "606", "--firm", "horizon")


def test_ledger_rows_need_a_firm_scope(books: Books) -> None:
    with firm_scope(books.firm):
        post_call(books.condo, books.alice, D("10.00"), date=JAN)
    from tantieme.tenancy.scoping import no_scope

    with no_scope(), pytest.raises(TenantScopeError):
        list(Line.objects.all())


# --- Database guards (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
def test_database_refuses_changes_to_posted_lines(books: Books) -> None:
    entry = services.post_entry(condominium=books.condo, journal="OD", date=JAN, label="x", lines=simple())
    for change in (
        lambda: Line.objects.filter(entry=entry).update(label="x"),
        lambda: Line.objects.filter(entry=entry).delete(),
        lambda: Entry.objects.filter(pk=entry.pk).update(label="x"),
    ):
        with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
            change()
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_line SET debit = debit + 1 WHERE entry_id = %s", [entry.pk])


@pytest.mark.postgres
def test_database_refuses_an_unbalanced_entry_at_commit(books: Books) -> None:
    entry = services.post_entry(condominium=books.condo, journal="OD", date=JAN, label="x", lines=simple())

    def add_one_sided_line() -> None:
        Line.objects.create(
            firm=books.firm,
            condominium=books.condo,
            entry=entry,
            position=3,
            date=JAN,
            account=books.condo.accounts.get(number="512"),
            debit=D("5.00"),
            label="ajout",
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(IntegrityError, match="Unbalanced"), transaction.atomic():
        add_one_sided_line()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.postgres
def test_database_refuses_an_entry_in_a_closed_year(books: Books) -> None:
    services.close_fiscal_year(fiscal_year=books.years[0])
    sequence_year = books.years[0]
    with pytest.raises(IntegrityError, match="closed"), transaction.atomic():
        Entry.objects.create(
            firm=books.firm,
            condominium=books.condo,
            journal=books.condo.journals.get(code="OD"),
            fiscal_year=sequence_year,
            number=1,
            code="OD2025-0001",
            date=JAN,
            validation_date=JAN,
            voucher_date=JAN,
            label="x",
            posted_at=datetime.datetime.now(datetime.UTC),
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_postings_never_leave_a_gap_or_a_duplicate(world: World) -> None:
    with firm_scope(world.horizon):
        open_books(world.condo, first_year=2025)
    threads_count, per_thread = 6, 8
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_count)

    def work() -> None:
        try:
            with firm_scope(world.horizon):
                barrier.wait()
                for _ in range(per_thread):
                    services.post_entries_bulk(
                        condominium=world.condo,
                        drafts=[EntryDraft(journal="AF", date=JAN, label="Appel", lines=simple("10.00"))] * 2,
                    )
                    post_call(world.condo, world.alice, D("10.00"), date=JAN)
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with firm_scope(world.horizon):
        numbers = sorted(Entry.objects.filter(journal__code="AF").values_list("number", flat=True))
        assert numbers == list(range(1, threads_count * per_thread * 3 + 1))
        assert check_books(world.condo) == []
