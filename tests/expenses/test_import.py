"""Factur-X reading and the `import_invoices` command: CSV and Factur-X, all or nothing, idempotent."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tantieme.expenses.facturx_reader import read_facturx
from tantieme.expenses.importing import CSV_COLUMNS
from tantieme.expenses.models import Invoice, InvoiceImport
from tantieme.expenses.queries import match_supplier
from tantieme.ledger.models import Entry, Line
from tests.expenses.factories import F2_DATA, Tilleuls, blank_pdf, facturx_pdf

D = Decimal

HEADER = ";".join(CSV_COLUMNS)
CSV = (
    HEADER
    + """
81234567600017;D-2026-118;facture;10/09/2026;10/10/2026;;;385,00;Fuite colonne;615;CG;;385,00;
52987654200018;NE-2026-0917;facture;15/09/2026;15/10/2026;;;1 980,00;Entretien 2026;611;CG;;1 188,00;Halls et cour
52987654200018;NE-2026-0917;facture;15/09/2026;15/10/2026;;;1 980,00;Entretien 2026;611;BATB;;792,00;Escalier B
43318822400011;TR-26-0452;facture;18/09/2026;18/10/2026;;;11000.00;Toiture B;671;;OP-2026-01;11000.00;
90155320600011;ADS-2026-3310;facture;25/09/2026;25/10/2026;;;2520,00;Contrat ascenseur;614;ASC;;2520,00;
90155320600011;AV-2026-0071;avoir;10/11/2026;;;;252,00;Pénalité;614;ASC;;252,00;;ADS-2026-3310
"""
)


def test_facturx_prefill_from_a_real_pdf(tilleuls: Tilleuls) -> None:
    prefill = read_facturx(facturx_pdf())
    assert prefill is not None
    assert (prefill.number, prefill.issue_date, prefill.due_date) == (
        "NE-2026-0917",
        datetime.date(2026, 9, 15),
        datetime.date(2026, 10, 15),
    )
    assert (prefill.total_ht, prefill.total_vat, prefill.total_ttc) == (D("1650.00"), D("330.00"), D("1980.00"))
    assert [(line.amount, line.net_amount) for line in prefill.lines] == [
        (D("1188.00"), D("990.00")),
        (D("792.00"), D("660.00")),
    ]
    assert prefill.payee_iban == "FR7630004008200001023456773"
    assert not prefill.is_credit_note
    assert match_supplier(firm_id=tilleuls.firm.pk, prefill=prefill) == tilleuls.suppliers["FRN00003"]
    assert read_facturx(blank_pdf()) is None
    assert read_facturx(b"%PDF-1.4 garbage") is None


def test_csv_import_posts_the_example_and_is_idempotent(
    tilleuls: Tilleuls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "factures.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("import_invoices", "--firm", "tilleuls", "--condominium", "700", str(path))
    assert "5 facture(s) comptabilisée(s)" in capsys.readouterr().out
    assert list(Entry.objects.filter(journal__code="AC").order_by("number").values_list("code", flat=True)) == [
        f"AC2026-000{n}" for n in range(1, 6)
    ]
    f2 = Invoice.objects.get(number="NE-2026-0917")
    assert list(Line.objects.filter(entry=f2.entry).values_list("account__number", "key__code", "debit", "credit")) == [
        ("611", "CG", D("1188.00"), D("0.00")),
        ("611", "BATB", D("792.00"), D("0.00")),
        ("40100003", None, D("0.00"), D("1980.00")),
    ]
    credit_note = Invoice.objects.get(number="AV-2026-0071")
    assert credit_note.preceding_invoice == Invoice.objects.get(number="ADS-2026-3310")
    call_command("import_invoices", "--firm", "tilleuls", "--condominium", "700", str(path))
    assert "déjà importé" in capsys.readouterr().out
    assert Invoice.objects.count() == 5
    assert InvoiceImport.objects.count() == 1


def test_csv_import_is_all_or_nothing(tilleuls: Tilleuls, tmp_path: Path) -> None:
    bad = CSV.replace("1 188,00;Halls", "1 187,00;Halls").replace("52987654200018;NE", "52987654200018;NE")
    path = tmp_path / "factures.csv"
    path.write_text(bad + "99999999999999;X-1;facture;01/10/2026;;;;10,00;;615;CG;;10,00;\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_invoices", "--firm", "tilleuls", "--condominium", "700", str(path))
    message = str(error.value)
    assert "Rien n'a été importé" in message
    assert "écart de 1,00" in message
    assert "99999999999999" in message
    assert Invoice.objects.count() == 0
    assert Entry.objects.count() == 0
    assert InvoiceImport.objects.count() == 0


def test_facturx_import_with_accounting_references(tilleuls: Tilleuls, tmp_path: Path) -> None:
    data = copy.deepcopy(F2_DATA)
    data["BG-25"][0]["BT-133"] = "611 CG"
    data["BG-25"][1]["BT-133"] = "611 BATB"
    path = tmp_path / "NE-2026-0917.pdf"
    path.write_bytes(facturx_pdf(data))
    call_command("import_invoices", "--firm", "tilleuls", "--condominium", "700", str(path))
    invoice = Invoice.objects.get()
    assert invoice.einvoice
    assert invoice.file
    assert invoice.sha256
    assert invoice.payee_iban == "FR7630004008200001023456773"
    assert invoice.total_ttc == D("1980.00")
    assert list(invoice.lines.values_list("account", "key__code", "amount")) == [
        ("611", "CG", D("1188.00")),
        ("611", "BATB", D("792.00")),
    ]


def test_facturx_without_allocation_is_refused(tilleuls: Tilleuls, tmp_path: Path) -> None:
    path = tmp_path / "f2.pdf"
    path.write_bytes(facturx_pdf())
    plain = tmp_path / "scan.pdf"
    plain.write_bytes(blank_pdf())
    with pytest.raises(CommandError) as error:
        call_command("import_invoices", "--firm", "tilleuls", "--condominium", "700", str(path), str(plain))
    assert "ni référence comptable" in str(error.value)
    assert "sans facture électronique" in str(error.value)
    assert Invoice.objects.count() == 0


def test_unknown_condominium(tilleuls: Tilleuls, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(CommandError, match="pas de copropriété 999"):
        call_command("import_invoices", "--firm", "tilleuls", "--condominium", "999", str(path))
