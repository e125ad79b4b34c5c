"""The five annexes and the individual distribution statements of spec §11.5, as figures, PDF and XLSX."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command

from tantieme.closing.annexes import Annexes, build_annexes
from tantieme.closing.models import Closing
from tantieme.closing.renderers import render_annexes_pdf, render_annexes_xlsx, render_individual_statement_pdf
from tantieme.closing.services import approve_closing, draft_closing
from tantieme.closing.statements import individual_statement, individual_statements
from tantieme.funds.issuing import instalments_between, issue_call
from tantieme.funds.models import WorksOperation
from tantieme.funds.services import InstalmentData, LineData, create_works_operation
from tantieme.ledger import services as ledger
from tantieme.ledger.models import FiscalYear
from tantieme.ledger.services import LineDraft
from tantieme.tenancy.scoping import firm_scope
from tests.funds.helpers import Example, build_example, vote_example_budget

D = Decimal
# §11.5: actual charges of 2025 per key and account.
ACTUAL = {
    "CG": {"616": D("2910.00"), "6211": D("2400.00"), "611": D("2100.00"), "602": D("1270.40"), "601": D("800.00")},
    "ASC": {"614": D("2350.00"), "602": D("511.35")},
}
EXPECTED_BY_OWNER = {"A": D("53.65"), "B": D("-7.13"), "C": D("-30.89"), "D": D("-38.87"), "E": D("14.99")}
QUARTER_DUE = {"A": D("574.94"), "B": D("865.79"), "C": D("778.73"), "D": D("862.66"), "E": D("160.38")}


def run_2025(example: Example, *, works: bool = False) -> FiscalYear:
    """Budget 2025, four quarterly calls, everyone pays but D's last quarter, the charges of §11.5.

    With `works`, an operation voted in 2024 (roof, 6 000 € on CG) called in two instalments and
    half done in 2025: it stays open and shows in annex 5."""
    condominium = example.condominium
    vote_example_budget(example)
    vote_example_budget(example, start_date=datetime.date(2026, 1, 1), general_meeting_date=datetime.date(2025, 6, 1))
    operation = None
    if works:
        operation = create_works_operation(
            condominium=condominium,
            code="TOIT",
            label="Réfection de la toiture",
            general_meeting_date=datetime.date(2024, 11, 20),
            lines=[LineData(key_code="CG", account="671", amount=D("6000.00"))],
            instalments=[
                InstalmentData(due_date=datetime.date(2025, 3, 1), weight=50),
                InstalmentData(due_date=datetime.date(2025, 9, 1), weight=50),
            ],
        )
    for instalment in instalments_between(condominium, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)):
        issue_call(instalment=instalment, validation_date=instalment.due_date)
    keys = {"CG": example.cg, "ASC": example.asc}
    for code, accounts in ACTUAL.items():
        total = sum(accounts.values(), D("0.00"))
        ledger.post_entry(
            condominium=condominium,
            journal="AC",
            date=datetime.date(2025, 12, 15),
            label=f"Charges 2025 {code}",
            lines=[
                *(LineDraft(account=number, debit=amount, key_id=keys[code].pk) for number, amount in accounts.items()),
                LineDraft(account="401", credit=total),
            ],
        )
    for number, month in enumerate((1, 4, 7, 10), start=1):
        for name, owner in example.owners.items():
            if name == "D" and number == 4:
                continue
            ledger.post_co_owner_payment(
                co_owner=owner,
                amount=QUARTER_DUE[name],
                date=datetime.date(2025, month, 5),
                validation_date=datetime.date(2025, month, 5),
                journal="BQ1",
                voucher=f"VIR-{name}-{number}",
                label=f"Virement {owner.reference_display}",
            )
    if operation is not None:
        ledger.post_entry(
            condominium=condominium,
            journal="AC",
            date=datetime.date(2025, 10, 15),
            label="Toiture : premier acompte",
            lines=[
                LineDraft(account="671", debit=D("2500.00"), key_id=example.cg.pk, operation_id=operation.pk),
                LineDraft(account="401", credit=D("2500.00")),
            ],
        )
    return FiscalYear.objects.get(condominium=condominium, start_date=datetime.date(2025, 1, 1))


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    from tests.factories import FirmFactory

    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        with time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
            built = build_example(firm=firm, years=2)
        yield built


def _year(example: Example) -> FiscalYear:
    return FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))


def _draft(example: Example, *, works: bool = False) -> tuple[FiscalYear, Closing]:
    with time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
        year = run_2025(example, works=works)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0), tick=False):
        closing = draft_closing(fiscal_year=year)
    return year, closing


def _assert_balanced(annexes: Annexes) -> None:
    statement = annexes.financial_statement
    assert statement.total_assets == statement.total_liabilities
    assert statement.balanced
    assert not [warning for warning in annexes.warnings if "équilibré" in warning]


def test_annex_3_is_the_worked_example(example: Example) -> None:
    year, closing = _draft(example)
    annexes = build_annexes(fiscal_year=year, closing=closing)
    current = annexes.current_operations
    keys = {key.code: key for key in current.keys}
    assert (keys["CG"].total_charges.budget, keys["CG"].total_charges.actual) == (D("9250.00"), D("9480.40"))
    assert (keys["ASC"].total_charges.budget, keys["ASC"].total_charges.actual) == (D("3100.00"), D("2861.35"))
    assert {row.account: row.actual for row in keys["CG"].charges} == ACTUAL["CG"]
    assert {row.account: row.budget for row in keys["ASC"].charges} == {"614": D("2500.00"), "602": D("600.00")}
    # Budget 2026 voted (the same): the N+1 column is filled; there is no 2024 to compare with.
    assert keys["CG"].total_charges.next_budget == D("9250.00")
    assert keys["CG"].total_charges.previous is None
    assert current.total_provisions.actual == D("12350.00")
    assert current.total_charges.actual == D("12341.75")
    assert (keys["CG"].result.actual, keys["ASC"].result.actual) == (D("-230.40"), D("238.65"))
    assert (keys["CG"].regularisation, keys["ASC"].regularisation) == (D("230.40"), D("-238.65"))
    assert current.result.actual == D("8.25")
    assert current.regularisation_total == D("-8.25")  # the balance before distribution
    assert annexes.header.status == "Projet, sous réserve d'approbation"
    assert annexes.warnings == ()


def test_annex_1_balances_after_distribution(example: Example) -> None:
    year, closing = _draft(example)
    annexes = build_annexes(fiscal_year=year, closing=closing)
    _assert_balanced(annexes)
    statement = annexes.financial_statement
    assert statement.simulated
    funds = {row.account: row.amount for row in statement.funds.rows}
    assert funds == {"105": D("620.00")}  # the works fund is not regularised (§11.5)
    # Bank: everything called but D's last quarter, less nothing paid out (suppliers still owed).
    called = 4 * sum(QUARTER_DUE.values(), D("0")) - QUARTER_DUE["D"]
    assert {row.account: row.amount for row in statement.treasury.rows} == {"512": called}
    debts = {row.account: row.amount for row in statement.debts.rows}
    assert debts["401"] == D("12341.75")
    balances = {owner.reference: owner for owner in statement.co_owners}
    # D owes the last quarter less the credit of the régularisation; the others their régularisation.
    assert balances["A 606 0004"].balance == QUARTER_DUE["D"] + EXPECTED_BY_OWNER["D"]
    assert balances["A 606 0001"].balance == EXPECTED_BY_OWNER["A"]
    assert balances["A 606 0002"].balance == EXPECTED_BY_OWNER["B"]
    assert balances["A 606 0002"].regularisation == EXPECTED_BY_OWNER["B"]
    receivables = {row.account: row.amount for row in statement.receivables.rows}
    assert receivables["450"] == sum(owner.debit for owner in statement.co_owners)
    assert debts["450"] == sum(owner.credit for owner in statement.co_owners)
    assert statement.previous_date is None
    assert all(row.previous is None for row in statement.treasury.rows)


def test_individual_statements_add_up_to_the_distribution(example: Example) -> None:
    _year_2025, closing = _draft(example)
    totals = {}
    for name, owner in example.owners.items():
        statement = individual_statement(closing, owner)
        totals[name] = statement.total_regularisation
        for line in statement.lines:
            assert sum((charge.share for charge in line.charges), D("0")) - line.income_share == line.share
            assert line.regularisation == line.share - line.called
    assert totals == EXPECTED_BY_OWNER
    b = individual_statement(closing, example.owners["B"])
    assert [(line.lot_number, line.key_code, line.tantiemes) for line in b.lines] == [
        (2, "ASC", "283 / 1000"),
        (2, "CG", "197 / 1000"),
        (5, "CG", "65 / 1000"),
    ]
    lot2_cg = b.lines[1]
    assert (lot2_cg.share, lot2_cg.called, lot2_cg.regularisation) == (D("1867.64"), D("1822.24"), D("45.40"))
    assert {charge.account: charge.key_amount for charge in lot2_cg.charges} == ACTUAL["CG"]
    assert b.header.status == "Projet, sous réserve d'approbation"
    assert [statement.reference for statement in individual_statements(closing)] == [
        owner.reference for owner in example.owners.values()
    ]


def test_approved_annexes_and_statements(example: Example) -> None:
    year, closing = _draft(example)
    draft = build_annexes(fiscal_year=year, closing=closing)
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False):
        closing = approve_closing(fiscal_year=year, approval_date=datetime.date(2026, 4, 15))
    year.refresh_from_db()
    approved = build_annexes(fiscal_year=year, closing=closing)
    _assert_balanced(approved)
    assert not approved.financial_statement.simulated
    # The approval posted what the draft simulated: the same balance sheet and co-owner balances.
    assert approved.financial_statement.co_owners == tuple(
        owner.__class__(
            reference=owner.reference,
            name=owner.name,
            balance=owner.balance,
            regularisation=D("0.00"),
            previous=owner.previous,
        )
        for owner in draft.financial_statement.co_owners
    )
    assert approved.financial_statement.total_assets == draft.financial_statement.total_assets
    assert approved.current_operations.regularisation_total == D("-8.25")
    assert approved.general_account.current.total_income.actual == D("12350.00")  # provisions, régul left out
    assert approved.header.status == "Approuvé par l'assemblée générale du 15/04/2026"
    statement = individual_statement(closing, example.owners["A"])
    assert statement.total_regularisation == D("53.65")
    assert statement.header.status == "Approuvé par l'assemblée générale du 15/04/2026"


def test_annex_2_and_works_operations(example: Example) -> None:
    year, closing = _draft(example, works=True)
    annexes = build_annexes(fiscal_year=year, closing=closing)
    _assert_balanced(annexes)
    general = annexes.general_account
    current = {row.account: row for row in general.current.charges}
    assert current["602"].actual == D("1781.75")
    assert current["602"].budget == D("1750.00")
    assert current["602"].next_budget == D("1750.00")
    assert current["602"].after_next_budget is None
    assert current["602"].previous is None
    assert {row.account: row.actual for row in general.current.income} == {"701": D("12350.00")}
    assert {row.account: row.budget for row in general.current.income} == {"701": D("12350.00")}
    assert general.current.result.actual == D("8.25")
    assert {row.account: row.actual for row in general.works.charges} == {"671": D("2500.00")}
    assert general.has_next_budget
    assert not general.has_after_next_budget
    # Annex 5: the roof is open; voted 6 000, called 6 000, spent 2 500; its spending waits on 120.
    assert annexes.closed_works.operations == ()
    (roof,) = annexes.open_works.operations
    assert (roof.figures.voted, roof.figures.called, roof.figures.spent) == (D("6000.00"), D("6000.00"), D("2500.00"))
    assert roof.figures.balance == D("3500.00")
    assert [key.code for key in roof.keys] == ["CG"]
    assert annexes.open_works.pending_works == D("2500.00")
    assert annexes.open_works.ties
    funds = {row.account: row.amount for row in annexes.financial_statement.funds.rows}
    assert funds == {"102": D("6000.00"), "105": D("620.00"), "120": D("-2500.00")}
    # After the approval 120 holds it for real; the roof done and closed in 2026 goes to annex 4.
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False):
        closing = approve_closing(fiscal_year=year, approval_date=datetime.date(2026, 4, 15))
        approved = build_annexes(fiscal_year=year, closing=closing)
        assert approved.open_works.pending_works == D("2500.00")
        assert approved.open_works.ties
        _assert_balanced(approved)
        assert {row.account: row.actual for row in approved.general_account.works.charges} == {"671": D("2500.00")}
        ledger.post_entry(
            condominium=example.condominium,
            journal="AC",
            date=datetime.date(2026, 4, 18),
            label="Toiture : solde",
            lines=[
                LineDraft(account="671", debit=D("3400.00"), key_id=example.cg.pk, operation_id=roof_id(example)),
                LineDraft(account="401", credit=D("3400.00")),
            ],
        )
    WorksOperation.objects.filter(code="TOIT").update(state="closed")
    next_year = FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2026, 1, 1))
    with time_machine.travel(datetime.datetime(2027, 2, 1, 12, 0), tick=False):
        ledger.open_fiscal_year(condominium=example.condominium)
        closing_2026 = draft_closing(fiscal_year=next_year)
    annexes_2026 = build_annexes(fiscal_year=next_year, closing=closing_2026)
    _assert_balanced(annexes_2026)
    (closed,) = annexes_2026.closed_works.operations
    assert (closed.figures.spent, closed.figures.spent_in_year, closed.figures.called) == (
        D("5900.00"),
        D("3400.00"),
        D("6000.00"),
    )
    assert closed.figures.balance == D("100.00")  # left on 102 until the general meeting decides
    assert annexes_2026.open_works.operations == ()
    funds_2026 = {row.account: (row.amount, row.previous) for row in annexes_2026.financial_statement.funds.rows}
    assert funds_2026["102"] == (D("100.00"), D("6000.00"))
    assert funds_2026["120"] == (None, D("-2500.00"))
    assert annexes_2026.general_account.works.charges[0].previous == D("2500.00")
    assert annexes_2026.general_account.current.charges[0].previous is not None


def roof_id(example: Example) -> int:
    return WorksOperation.objects.get(condominium=example.condominium, code="TOIT").pk


def _pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def test_pdf_and_workbook(example: Example) -> None:
    year, closing = _draft(example, works=True)
    annexes = build_annexes(fiscal_year=year, closing=closing)
    pdf = render_annexes_pdf(annexes)
    assert pdf.startswith(b"%PDF")
    assert _pages(pdf) >= 5  # each annex starts on its own page
    assert render_annexes_pdf(annexes) == pdf  # invariant: the same annexes, the same bytes
    workbook = openpyxl.load_workbook(io.BytesIO(render_annexes_xlsx(annexes)))
    assert workbook.sheetnames == ["Annexe 1", "Annexe 2", "Annexe 3", "Annexe 4", "Annexe 5"]
    sheet = workbook["Annexe 3"]
    cells = {row[1].value: row for row in sheet.iter_rows() if len(row) > 4 and row[1].value}
    total = cells["Total des provisions appelées"]
    assert total[4].value == 12350  # a number, not text
    assert total[4].number_format == "#,##0.00"
    assert total[1].font.i
    (heading,) = [row for row in sheet.iter_rows() if row[0].value == "Compte"]
    assert heading[0].font.b
    statement = individual_statement(closing, example.owners["B"])
    content = render_individual_statement_pdf(statement)
    assert content.startswith(b"%PDF")
    assert _pages(content) == 1


def test_export_annexes_command(example: Example, tmp_path: Path) -> None:
    with time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
        run_2025(example)
    arguments = ["--firm", "exemple", "--condominium", "606", "--year", "2025", "--output-dir", str(tmp_path)]
    with pytest.raises(CommandError, match="close_fiscal_year --year 2025 --draft"):
        call_command("export_annexes", *arguments)
    assert not list(tmp_path.iterdir())
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0), tick=False):
        draft_closing(fiscal_year=_year(example))
    call_command("export_annexes", *arguments)
    assert (tmp_path / "annexes-606-2025.pdf").read_bytes().startswith(b"%PDF")
    assert openpyxl.load_workbook(tmp_path / "annexes-606-2025.xlsx").sheetnames[0] == "Annexe 1"
    statements = sorted(path.name for path in (tmp_path / "releves").iterdir())
    assert statements == [f"{owner.reference}.pdf" for owner in example.owners.values()]
    with pytest.raises(CommandError, match="pas d'exercice clos en 2031"):
        call_command("export_annexes", "--condominium", "606", "--year", "2031", "--output-dir", str(tmp_path))


def test_a_draft_older_than_the_books_is_flagged_and_still_balances(example: Example) -> None:
    year, closing = _draft(example)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, 0), tick=False):
        ledger.post_entry(
            condominium=example.condominium,
            journal="AC",
            date=datetime.date(2025, 12, 30),
            label="Facture sans clé",
            lines=[LineDraft(account="615", debit=D("10.00")), LineDraft(account="401", credit=D("10.00"))],
        )
    annexes = build_annexes(fiscal_year=year, closing=closing)
    (warning,) = annexes.warnings
    assert "ne sont pas répartis" in warning
    assert warning.endswith(": 10,00\xa0€.")
    _assert_balanced(annexes)
    receivables = {row.account: row.amount for row in annexes.financial_statement.receivables.rows}
    assert receivables["6/7"] == D("10.00")  # charges left to distribute, visible until the draft is redone
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, 0), tick=False):
        ledger.post_entry(
            condominium=example.condominium,
            journal="AC",
            date=datetime.date(2025, 12, 30),
            label="Facture tardive",
            lines=[
                LineDraft(account="615", debit=D("5.00"), key_id=example.cg.pk),
                LineDraft(account="401", credit=D("5.00")),
            ],
        )
    annexes = build_annexes(fiscal_year=year, closing=closing)
    assert any("recalculez-le" in warning for warning in annexes.warnings)
    _assert_balanced(annexes)


def test_a_long_statement_breaks_pages() -> None:
    from tantieme.closing.annexes import Header
    from tantieme.closing.statements import ChargeShare, IndividualStatement, StatementLine

    header = Header(
        firm_name="Cabinet",
        firm_legal_name="Cabinet SARL",
        firm_address="1 rue\n75001 Paris",
        firm_contact="",
        firm_card="",
        condominium_code="606",
        condominium_name="Résidence",
        condominium_address="1 rue\n75001 Paris",
        registry_number="",
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        year_label="2025",
        previous_start=None,
        previous_end=None,
        is_draft=False,
        status="Approuvé par l'assemblée générale du 15/04/2026",
    )
    charge = ChargeShare(account="602", label="Électricité " * 20, key_amount=D("100.00"), share=D("10.00"))
    line = StatementLine(
        lot_number=1,
        lot_label="Lot 1 – Cave",
        key_code="CG",
        key_label="Charges générales",
        shares=100,
        key_total=1000,
        key_charges=D("300.00"),
        key_income=D("0.00"),
        charges=(charge,) * 3,
        income_share=D("0.00"),
        share=D("30.00"),
        called=D("25.00"),
        regularisation=D("5.00"),
    )
    statement = IndividualStatement(
        header=header,
        reference="A6060001",
        reference_display="A 606 0001",
        name="M. TEST",
        address="1 rue\n75001 Paris",
        owners_on=datetime.date(2026, 4, 15),
        lines=(line,) * 30,
    )
    assert statement.total_regularisation == D("150.00")
    content = render_individual_statement_pdf(statement)
    assert _pages(content) >= 3
