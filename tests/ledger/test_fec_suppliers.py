"""FEC of supplier accounts (expenses-and-suppliers §2.1, §11.7): CompteNum = the collective 401/408,
CompAuxNum = the supplier's code, CompAuxLib = its legal name — invoice, payment and à-nouveaux."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tantieme.banking.services import import_statement
from tantieme.expenses.enums import InvoiceKind
from tantieme.expenses.models import Invoice
from tantieme.expenses.services import InvoiceInput, LineInput, enter_invoice, record_accrual
from tantieme.ledger.fec import COLUMNS, fec_rows, render_fec
from tantieme.ledger.models import Account, FiscalYear
from tantieme.supplier_payments.services import batch_content, build_batch, mark_sent
from tests.formats.camt_batch import batch_entry, statement_with
from tests.supplier_payments.conftest import (  # noqa: F401 — the worked example's fixture
    EXECUTION_DAY,
    PROPOSAL_DAY,
    TILLEULS_IBAN,
    Tilleuls,
    tilleuls,
)

D = Decimal


def pay_and_credit(books: Tilleuls) -> Invoice:
    """§11: F1–F4 paid by the batch of 15/10/2026 (debit read back from a CAMT.053), then F5, the
    252,00 credit note of ASCENSEURS DU SUD after F4 was paid (its 401 ends with a debit balance),
    and the 462,00 accrual of HYGIÈNE SERVICES on 408 at 31/12/2026."""
    batch = mark_sent(
        batch=build_batch(
            condominium=books.condo,
            execution_date=EXECUTION_DAY,
            due_by=datetime.date(2026, 10, 26),
            today=PROPOSAL_DAY,
        )
    )
    entry = batch_entry(batch_content(batch), booking_date=EXECUTION_DAY, with_details=False)
    import_statement(condominium=books.condo, content=statement_with([entry], iban=TILLEULS_IBAN, day=EXECUTION_DAY))
    credit_note = enter_invoice(
        condominium=books.condo,
        data=InvoiceInput(
            supplier=books.suppliers["FRN00005"],
            number="AV-2026-0071",
            issue_date=datetime.date(2026, 11, 10),
            kind=InvoiceKind.CREDIT_NOTE,
            total_ttc=D("252.00"),
            label="Pénalité arrêt ascenseur 21 jours",
            lines=[LineInput(account="614", key=books.keys["ASC"], amount=D("252.00"))],
        ),
        actor=books.accountant,
    )
    record_accrual(
        condominium=books.condo,
        supplier=books.suppliers["FRN00006"],
        fiscal_year=FiscalYear.objects.get(condominium=books.condo, start_date=datetime.date(2026, 1, 1)),
        account="615",
        key=books.keys["CG"],
        amount=D("462.00"),
        label="Dératisation du 15/12/2026",
        justification="Devis signé DV-2026-077",
        actor=books.accountant,
    )
    return credit_note


def _records(year: FiscalYear) -> list[dict[str, str]]:
    return [dict(zip(COLUMNS, row, strict=True)) for row in fec_rows(year)]


def _year(books: Tilleuls, start: int) -> FiscalYear:
    return FiscalYear.objects.get(condominium=books.condo, start_date=datetime.date(start, 1, 1))


def test_supplier_sub_accounts_carry_their_auxiliary(tilleuls: Tilleuls) -> None:  # noqa: F811
    account = Account.objects.get(condominium=tilleuls.condo, number="40100003")
    assert (account.auxiliary_code, account.auxiliary_label, account.collective) == (
        "FRN00003",
        tilleuls.suppliers["FRN00003"].legal_name,
        "401",
    )
    assert Account.objects.get(condominium=tilleuls.condo, number="512").auxiliary_code == ""


def test_fec_writes_supplier_lines_on_401_with_their_auxiliary(tilleuls: Tilleuls) -> None:  # noqa: F811
    pay_and_credit(tilleuls)
    records = _records(_year(tilleuls, 2026))
    assert not any(record["CompteNum"].startswith(("40100", "40800")) for record in records)
    name = tilleuls.suppliers["FRN00003"].legal_name
    invoice = next(r for r in records if r["JournalCode"] == "AC" and r["CompAuxNum"] == "FRN00003")
    assert (invoice["CompteNum"], invoice["CompteLib"], invoice["CompAuxLib"]) == (
        "401",
        "Fournisseurs - factures parvenues",
        name,
    )
    assert (invoice["Debit"], invoice["Credit"]) == ("0,00", "1980,00")
    assert invoice["EcritureLet"]  # settled by the transfer
    payments = [r for r in records if r["JournalCode"] == "BQ1" and r["CompteNum"] == "401"]
    assert [(r["CompAuxNum"], r["Debit"]) for r in payments] == [
        ("FRN00002", "385,00"),
        ("FRN00003", "1980,00"),
        ("FRN00004", "11000,00"),
        ("FRN00005", "2520,00"),
    ]
    assert payments[1]["CompAuxLib"] == name
    bank = next(r for r in records if r["JournalCode"] == "BQ1" and r["CompteNum"] == "512")
    assert (bank["CompAuxNum"], bank["CompAuxLib"], bank["Credit"]) == ("", "", "15885,00")
    accrual = next(r for r in records if r["JournalCode"] == "OD" and r["CompAuxNum"] == "FRN00006")
    assert (accrual["CompteNum"], accrual["CompteLib"], accrual["Credit"]) == (
        "408",
        "Fournisseurs - factures non parvenues",
        "462,00",
    )
    # Co-owner auxiliaries are unchanged by it, and the file is still balanced.
    assert all(r["CompAuxNum"].startswith("FRN") for r in records if r["CompteNum"].startswith("40"))
    debit = sum(D(r["Debit"].replace(",", ".")) for r in records)
    assert debit == sum(D(r["Credit"].replace(",", ".")) for r in records)
    content = render_fec(_year(tilleuls, 2026)).decode("iso-8859-15")
    assert "|401|Fournisseurs - factures parvenues|FRN00003|" in content


def test_carried_forward_balance_of_a_supplier_is_auxiliary(tilleuls: Tilleuls) -> None:  # noqa: F811
    pay_and_credit(tilleuls)  # the books of 2027 are open too (build_tilleuls)
    opening = [r for r in _records(_year(tilleuls, 2027)) if r["PieceRef"] == "AN" and r["CompteNum"] in ("401", "408")]
    assert [(r["CompteNum"], r["CompAuxNum"], r["Debit"], r["Credit"]) for r in opening] == [
        ("401", "FRN00005", "252,00", "0,00"),
        ("408", "FRN00006", "0,00", "462,00"),
    ]
    assert opening[0]["CompAuxLib"] == tilleuls.suppliers["FRN00005"].legal_name
