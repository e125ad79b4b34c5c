"""Reports of the books: trial balance openings (classes 6 and 7 never carried), the streamed
general ledger, the searches and tables behind the back office's accounting screens."""

from __future__ import annotations

import csv
import datetime
import io
import tracemalloc
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from tantieme.condominiums.models import Condominium
from tantieme.ledger import exports, reports, services
from tantieme.ledger.models import Account, FiscalYear, Line
from tantieme.ledger.services import EntryDraft, LineDraft
from tantieme.tenancy.models import Firm
from tests.conftest import World
from tests.ledger.factories import D, open_books, post_call


def _post(condominium: Condominium, journal: str, day: datetime.date, label: str, *lines: LineDraft) -> None:
    services.post_entry(condominium=condominium, journal=journal, date=day, label=label, lines=list(lines))


def _two_years(world: World) -> tuple[FiscalYear, FiscalYear]:
    """2025: a call, a water invoice, a payment. 2026: another invoice."""
    condo, alice = world.condo, world.alice
    first, second = open_books(condo, first_year=2025, years=2)
    post_call(condo, alice, D("1000.00"), date=datetime.date(2025, 1, 1))
    _post(
        condo,
        "AC",
        datetime.date(2025, 3, 1),
        "Eau 2025",
        LineDraft(account="601", debit=D("300.00")),
        LineDraft(account="401", credit=D("300.00")),
    )
    services.post_co_owner_payment(
        co_owner=alice, amount=D("600.00"), date=datetime.date(2025, 2, 1), journal="BQ1", label="Virement"
    )
    _post(
        condo,
        "AC",
        datetime.date(2026, 2, 1),
        "Eau 2026",
        LineDraft(account="601", debit=D("120.00")),
        LineDraft(account="401", credit=D("120.00")),
    )
    return first, second


def test_the_opening_of_a_year_never_shows_classes_6_or_7(world: World, in_horizon: Firm) -> None:
    _first, second = _two_years(world)
    rows = {row.account: row for row in reports.trial_balance(second)}
    # 701 had only 2025 lines: not in 2026 at all. 601 opens at zero and shows 2026 only.
    assert "701" not in rows
    assert rows["601"].opening == 0
    assert rows["601"].debit == D("120.00")
    assert rows["601"].closing == D("120.00")
    # Balance-sheet accounts carry forward.
    assert rows["4501"].opening == D("400.00")
    assert rows["512"].opening == D("600.00")
    assert rows["401"].opening == D("-300.00")
    for row in rows.values():
        if row.account[0] in "67":
            assert row.opening == 0, row


def test_within_a_year_classes_6_and_7_open_with_the_year_so_far(world: World, in_horizon: Firm) -> None:
    first, _second = _two_years(world)
    rows = {row.account: row for row in reports.trial_balance(first, start=datetime.date(2025, 6, 1))}
    assert rows["601"].opening == D("300.00")  # the year's own lines before the period
    assert rows["701"].opening == D("-1000.00")


def test_the_trial_balance_is_one_query(world: World, in_horizon: Firm, django_assert_num_queries: Any) -> None:
    """Per account, a range of the (account, date) index read by correlated subqueries: one query."""
    _first, second = _two_years(world)
    with django_assert_num_queries(1):
        rows = {row.account: row for row in reports.trial_balance(second)}
    assert rows["4501"].opening == D("400.00")
    assert rows["4501"].account == "4501"


def test_the_trial_balance_of_a_prefix_is_its_rows(world: World, in_horizon: Firm) -> None:
    _first, second = _two_years(world)
    rows = reports.trial_balance(second)
    assert reports.trial_balance(second, account_prefix="4") == [row for row in rows if row.account.startswith("4")]
    assert reports.trial_balance(second, account_prefix="") == rows


def test_account_opening_is_the_trial_balance_s(world: World, in_horizon: Firm) -> None:
    first, second = _two_years(world)
    condo_accounts = {account.number: account for account in Account.objects.filter(condominium=world.condo)}
    for year, start in ((second, None), (first, datetime.date(2025, 6, 1)), (first, None)):
        rows = {row.account: row.opening for row in reports.trial_balance(year, start=start)}
        for number, account in condo_accounts.items():
            assert reports.account_opening(year, account, start) == rows.get(number, D("0.00")), (year, number)


def test_trial_balance_totals_balance(world: World, in_horizon: Firm) -> None:
    first, second = _two_years(world)
    totals = reports.trial_balance_totals(reports.trial_balance(first))
    assert totals.balanced
    assert totals.opening_gap == 0
    assert totals.closing_debit == totals.closing_credit
    # 2025's charges and income were never distributed: 2026 opens 700 short (1000 called, 300 spent).
    totals = reports.trial_balance_totals(reports.trial_balance(second))
    assert totals.balanced
    assert totals.opening_gap == D("700.00")


def test_the_general_ledger_stream_has_running_balances_and_totals(world: World, in_horizon: Firm) -> None:
    first, _second = _two_years(world)
    rows = list(reports.stream_general_ledger(first))
    lines = [row for row in rows if row.kind == "line"]
    assert len(lines) == Line.objects.filter(entry__fiscal_year=first).count()
    grand = rows[-1]
    assert grand.kind == "grand_total"
    assert grand.debit == grand.credit == sum((row.debit for row in lines), Decimal(0))
    by_account = {row.account: row for row in rows if row.kind == "total"}
    assert by_account["4501"].balance == D("400.00")
    assert by_account["512"].balance == D("600.00")
    # The stream agrees with the list-building general_ledger.
    listed = {account.account: account.closing for account in reports.general_ledger(first)}
    assert {number: row.balance for number, row in by_account.items()} == listed


def test_the_stream_shows_accounts_with_an_opening_but_no_line(world: World, in_horizon: Firm) -> None:
    _first, second = _two_years(world)
    rows = list(reports.stream_general_ledger(second))
    totals = {row.account: row.balance for row in rows if row.kind == "total"}
    assert totals["512"] == D("600.00")  # no 2026 line, still listed with its balance
    assert totals["4501"] == D("400.00")
    assert totals["401"] == D("-420.00")
    assert "701" not in totals
    only_512 = list(reports.stream_general_ledger(second, account_prefix="51"))
    assert {row.account for row in only_512 if row.kind != "grand_total"} == {"512"}


def test_the_stream_builds_its_queries_before_reading(world: World, in_horizon: Firm) -> None:
    """A StreamingHttpResponse reads the rows after the view returned, outside the firm scope."""
    first, _second = _two_years(world)
    stream = reports.stream_general_ledger(first)
    from tantieme.tenancy.scoping import no_scope

    with no_scope():
        rows = list(stream)
    assert rows[-1].kind == "grand_total"


def test_csv_of_the_general_ledger(world: World, in_horizon: Firm) -> None:
    first, _second = _two_years(world)
    table = exports.general_ledger_table(reports.stream_general_ledger(first), title="Grand livre")
    content = exports.csv_bytes(table)
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Compte"
    assert rows[-1][0] == "Total général"
    assert rows[-1][7] == rows[-1][8] == "1900,00"
    assert any(row[1] == "01/02/2025" for row in rows)


def test_large_general_ledger_streams_in_constant_memory(world: World, in_horizon: Firm) -> None:
    """20,000 lines: the CSV generator holds one chunk, never the whole ledger."""
    condo = world.condo
    (year,) = open_books(condo, first_year=2025)
    drafts = [
        EntryDraft(
            journal="OD",
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=index % 360),
            label=f"Mouvement {index}",
            lines=[LineDraft(account="512", debit=D("1.00")), LineDraft(account="472", credit=D("1.00"))],
        )
        for index in range(10_000)
    ]
    services.post_entries_bulk(condominium=condo, drafts=drafts)
    table = exports.general_ledger_table(reports.stream_general_ledger(year), title="Grand livre")
    tracemalloc.start()
    try:
        size = 0
        last = b""
        for chunk in exports.csv_chunks(table):
            size += len(chunk)
            last = chunk
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 1_000_000
    assert b"Total g\xc3\xa9n\xc3\xa9ral;;;;;;;10000,00;10000,00;" in last
    assert peak < 8_000_000, peak  # the whole file would be > 1 MB of text, many times that as rows


def test_xlsx_and_pdf_tables(world: World, in_horizon: Firm) -> None:
    first, _second = _two_years(world)
    rows = reports.trial_balance(first)
    table = exports.trial_balance_table(rows, reports.trial_balance_totals(rows), title="Balance 2025")
    with exports.xlsx_file(table) as handle:
        values = list(load_workbook(handle).active.values)
    assert values[0][0] == "Compte"
    assert values[-1][0] == "Total"
    assert Decimal(str(values[-1][3])) == Decimal(str(values[-1][4])) == D("1900.00")
    pdf = exports.pdf_bytes(table, firm=world.horizon, reference="Copropriété 606")
    assert pdf.startswith(b"%PDF")


def test_a_formula_is_never_written_to_a_spreadsheet(world: World, in_horizon: Firm) -> None:
    table = exports.Table(title="t", header=("a",), rows=[("=HYPERLINK(1)",), ("-3",)], widths=(10,), numeric_from=1)
    text = exports.csv_bytes(table).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert "'-3" in text


def test_search_entries(world: World, in_horizon: Firm) -> None:
    first, _second = _two_years(world)
    everything = reports.search_entries(first, reports.EntryFilters())
    assert everything.count() == 3
    assert everything.first().total is not None
    water = reports.search_entries(first, reports.EntryFilters(account="60"))
    assert [entry.label for entry in water] == ["Eau 2025"]
    assert [e.label for e in reports.search_entries(first, reports.EntryFilters(amount=D("600.00")))] == ["Virement"]
    assert reports.search_entries(first, reports.EntryFilters(label="eau")).count() == 1
    assert reports.search_entries(first, reports.EntryFilters(journal="AF")).count() == 1
    assert reports.search_entries(first, reports.EntryFilters(voucher="AF2025")).count() == 1
    assert (
        reports.search_entries(
            first, reports.EntryFilters(start=datetime.date(2025, 1, 15), end=datetime.date(2025, 2, 15))
        ).count()
        == 1
    )


def test_journal_summaries_count_entries_per_year(world: World, in_horizon: Firm) -> None:
    first, second = _two_years(world)
    summaries = {summary.journal.code: summary for summary in reports.journal_summaries(world.condo.pk)}
    assert summaries["AC"].counts == {first.pk: 1, second.pk: 1}
    assert summaries["AF"].total == 1
    assert summaries["OD"].total == 0


def test_entry_lines_show_lettering_codes(world: World, in_horizon: Firm) -> None:
    first, _second = _two_years(world)
    payment = reports.search_entries(first, reports.EntryFilters(journal="BQ1")).get()
    views = reports.entry_lines(payment)
    assert [view.lettering for view in views] == ["", "AA"]


@pytest.mark.parametrize("today", [datetime.date(2025, 6, 1), datetime.date(2030, 1, 1), datetime.date(2020, 1, 1)])
def test_current_fiscal_year(world: World, in_horizon: Firm, today: datetime.date) -> None:
    years = list(reversed(open_books(world.condo, first_year=2025, years=2)))
    chosen = reports.current_fiscal_year(years, today)
    assert chosen is not None
    assert chosen.start_date.year == {2025: 2025, 2030: 2026, 2020: 2025}[today.year]


def test_account_lines_have_a_running_balance(world: World, in_horizon: Firm) -> None:
    first, _second = _two_years(world)
    account = world.condo.accounts.get(number="4501")
    lines = list(reports.account_lines(first, account))
    assert [Decimal(line.running).quantize(Decimal("0.01")) for line in lines] == [D("1000.00"), D("400.00")]
