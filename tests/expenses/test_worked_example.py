"""The worked example of expenses-and-suppliers.md §11 through the services, to the cent."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Sum

from tantieme.closing.services import draft_closing
from tantieme.expenses import services
from tantieme.expenses.enums import InvoiceStatus
from tantieme.expenses.models import Invoice
from tantieme.expenses.queries import amounts_due
from tantieme.ledger.models import Entry, FiscalYear, Line, cents
from tests.expenses.factories import Tilleuls, enter_example_invoice

D = Decimal


def _lines(entry: Entry) -> list[tuple[str, str, Decimal, Decimal, str | None]]:
    return [
        (
            line.account.number,
            (line.key.code if line.key else (line.operation.code if line.operation else "")),
            line.debit,
            line.credit,
            None,
        )
        for line in entry.lines.select_related("account", "key", "operation").order_by("position")
    ]


def _actual(tilleuls: Tilleuls, year: int) -> dict[tuple[str, str], Decimal]:
    rows = (
        Line.objects.filter(
            condominium=tilleuls.condominium, account__number__startswith="6", entry__fiscal_year__start_date__year=year
        )
        .values("account__number", "key__code", "operation__code")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    return {
        (row["account__number"], row["key__code"] or row["operation__code"]): cents(row["debit"]) - cents(row["credit"])
        for row in rows
    }


def run_example(tilleuls: Tilleuls) -> None:
    for name in ("F1", "F2", "F3", "F4"):
        enter_example_invoice(tilleuls, name)
    for name in ("F2", "F3", "F4"):
        services.approve_invoice(invoice=tilleuls.invoices[name], actor=tilleuls.manager)
    enter_example_invoice(tilleuls, "F5")
    year_2026 = FiscalYear.objects.get(condominium=tilleuls.condominium, start_date=datetime.date(2026, 1, 1))
    services.record_accrual(
        condominium=tilleuls.condominium,
        supplier=tilleuls.suppliers["FRN00006"],
        fiscal_year=year_2026,
        account="615",
        key=tilleuls.keys["CG"],
        amount=D("462.00"),
        label="Dératisation du 15/12/2026",
        justification="Devis signé DV-2026-077",
        actor=tilleuls.accountant,
    )
    enter_example_invoice(tilleuls, "F6")


def test_postings_of_the_worked_example(tilleuls: Tilleuls) -> None:
    run_example(tilleuls)
    inv = tilleuls.invoices
    assert inv["F1"].entry.code == "AC2026-0001"
    assert _lines(inv["F1"].entry) == [
        ("615", "CG", D("385.00"), D("0.00"), None),
        ("40100002", "", D("0.00"), D("385.00"), None),
    ]
    assert inv["F2"].entry.code == "AC2026-0002"
    assert _lines(inv["F2"].entry) == [
        ("611", "CG", D("1188.00"), D("0.00"), None),
        ("611", "BATB", D("792.00"), D("0.00"), None),
        ("40100003", "", D("0.00"), D("1980.00"), None),
    ]
    assert _lines(inv["F3"].entry) == [
        ("671", "OP-2026-01", D("11000.00"), D("0.00"), None),
        ("40100004", "", D("0.00"), D("11000.00"), None),
    ]
    assert inv["F4"].entry.code == "AC2026-0004"
    assert inv["F5"].entry.code == "AC2026-0005"
    assert _lines(inv["F5"].entry) == [
        ("614", "ASC", D("0.00"), D("252.00"), None),
        ("40100005", "", D("252.00"), D("0.00"), None),
    ]
    # F6: dated 31/12/2026, received 02/02/2027 after the cut-off (20/01/2027) → booked in 2027.
    f6 = inv["F6"].entry
    assert (f6.code, f6.date, f6.voucher_date, f6.voucher) == (
        "AC2027-0001",
        datetime.date(2027, 2, 2),
        datetime.date(2026, 12, 31),
        "HS-2026-1231",
    )
    accrual = Entry.objects.get(condominium=tilleuls.condominium, code="OD2026-0001")
    assert accrual.date == datetime.date(2026, 12, 31)
    assert _lines(accrual) == [
        ("615", "CG", D("462.00"), D("0.00"), None),
        ("40800006", "", D("0.00"), D("462.00"), None),
    ]
    reversal = Entry.objects.get(condominium=tilleuls.condominium, code="OD2027-0001")
    assert reversal.date == datetime.date(2027, 1, 1)
    assert reversal.reverses_id == accrual.pk
    # §11.9: actual 2026 by key and account; 2027 carries the +6,00 difference.
    assert _actual(tilleuls, 2026) == {
        ("611", "CG"): D("1188.00"),
        ("615", "CG"): D("847.00"),
        ("611", "BATB"): D("792.00"),
        ("614", "ASC"): D("2268.00"),
        ("671", "OP-2026-01"): D("11000.00"),
    }
    assert _actual(tilleuls, 2027) == {("615", "CG"): D("6.00")}
    statuses = {name: Invoice.objects.get(pk=invoice.pk).status for name, invoice in inv.items()}
    assert statuses["F1"] == InvoiceStatus.APPROVED  # 385,00 under the 1 500,00 threshold
    assert statuses["F2"] == statuses["F3"] == InvoiceStatus.APPROVED
    assert statuses["F6"] == InvoiceStatus.APPROVED  # 468,00 under the threshold
    # F5 refers to F4, still unpaid here: it is lettered against it, 2 268,00 remain to pay.
    assert statuses["F4"] == InvoiceStatus.PARTLY_PAID
    assert amounts_due([Invoice.objects.get(pk=inv["F4"].pk), Invoice.objects.get(pk=inv["F1"].pk)]) == {
        inv["F4"].pk: D("2268.00"),
        inv["F1"].pk: D("385.00"),
    }


def test_closing_distributes_the_invoices_by_key(tilleuls: Tilleuls) -> None:
    run_example(tilleuls)
    year = FiscalYear.objects.get(condominium=tilleuls.condominium, start_date=datetime.date(2026, 1, 1))
    closing = draft_closing(fiscal_year=year, on=datetime.date(2027, 3, 1))
    totals = {row["code"]: D(row["charges"]) for row in closing.key_totals}
    assert totals == {"CG": D("2035.00"), "BATB": D("792.00"), "ASC": D("2268.00")}


def test_invoice_lines_consume_their_budget_line(tilleuls: Tilleuls) -> None:
    from tantieme.funds.services import LineData, save_budget

    save_budget(
        condominium=tilleuls.condominium,
        start_date=datetime.date(2026, 1, 1),
        general_meeting_date=datetime.date(2025, 6, 10),
        lines=[
            LineData(key_code="CG", account="611", amount=D("1200.00"), label="Nettoyage"),
            LineData(key_code="CG", account="615", amount=D("900.00"), label="Entretien"),
            LineData(key_code="BATB", account="611", amount=D("800.00"), label="Nettoyage escalier B"),
            LineData(key_code="ASC", account="614", amount=D("2500.00"), label="Contrat ascenseur"),
        ],
        works_fund_amount=D("270.00"),
    )
    invoice = enter_example_invoice(tilleuls, "F2")
    lines = list(invoice.lines.select_related("budget_line__key").order_by("position"))
    assert [(line.budget_line.key.code, line.budget_line.amount) for line in lines if line.budget_line] == [
        ("CG", D("1200.00")),
        ("BATB", D("800.00")),
    ]
    f3 = enter_example_invoice(tilleuls, "F3")
    assert f3.lines.get().budget_line is None  # works: outside the budget
