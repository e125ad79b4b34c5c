"""Bad input of issue 14 that concerns invoices and suppliers: refused with a clear message, nothing written."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from tantieme.audit.models import AuditEvent
from tantieme.expenses import services
from tantieme.expenses.enums import BankAccountStatus, InvoiceStatus, PaymentBlock
from tantieme.expenses.exceptions import (
    AllocationError,
    DuplicateInvoiceError,
    ExpenseError,
    IdentityError,
)
from tantieme.expenses.identity import clean_siren, clean_siret, clean_vat_number
from tantieme.expenses.models import Invoice, InvoiceLine, Supplier, SupplierBankAccount
from tantieme.expenses.services import LineInput, SupplierData
from tantieme.ledger import services as ledger
from tantieme.ledger.models import Entry, FiscalYear
from tests.expenses.factories import SUPPLIERS, Tilleuls, enter_example_invoice, example_invoice_input

D = Decimal


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Supplier.objects.count(),
        SupplierBankAccount.objects.count(),
        Invoice.objects.count(),
        InvoiceLine.objects.count(),
        Entry.objects.count(),
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siren", "123456789", "SIREN « 123456789 » invalide"),
        ("siret", "52987654200019", "SIRET « 52987654200019 » invalide"),
        ("vat_number", "FR41529876542", "TVA intracommunautaire « FR41529876542 » invalide"),
    ],
)
def test_wrong_identity_is_refused(tilleuls: Tilleuls, field: str, value: str, message: str) -> None:
    before = _counts()
    values = {"legal_name": "FAUSSE SARL", field: value}
    with pytest.raises(IdentityError, match=message):
        services.create_supplier(firm=tilleuls.firm, data=SupplierData(**values))
    assert _counts() == before


def test_siret_of_another_siren_is_refused(tilleuls: Tilleuls) -> None:
    with pytest.raises(IdentityError, match="ne commence pas par le SIREN"):
        services.create_supplier(
            firm=tilleuls.firm, data=SupplierData(legal_name="X", siren="529876542", siret="43318822400011")
        )


def test_wrong_iban_is_refused(tilleuls: Tilleuls) -> None:
    supplier = tilleuls.suppliers["FRN00003"]
    before = _counts()
    with pytest.raises(IdentityError, match="IBAN « FR7630004008200001023456774 » invalide"):
        services.add_bank_account(supplier=supplier, iban="FR7630004008200001023456774")
    # A wrong RIB key with right IBAN check digits is caught by validate_bban=True.
    with pytest.raises(IdentityError):
        services.add_bank_account(supplier=supplier, iban="FR7630004008200001023456772")
    assert _counts() == before


def test_identity_vectors_of_the_spec() -> None:
    for values in SUPPLIERS.values():
        assert clean_siren(values["siren"]) == values["siren"]
        assert clean_siret(values["siret"], siren=values["siren"]) == values["siret"]
        assert clean_vat_number(values["vat_number"]) == values["vat_number"]
    assert clean_siret("35600000049837") == "35600000049837"  # La Poste: sum of digits
    with pytest.raises(IdentityError):
        clean_siren("123456789")


def test_iban_is_verified_by_another_user(tilleuls: Tilleuls) -> None:
    supplier = tilleuls.suppliers["FRN00003"]
    new = services.add_bank_account(supplier=supplier, iban="FR7610278073000002059130143", actor=tilleuls.accountant)
    assert new.status == BankAccountStatus.PENDING
    with pytest.raises(ExpenseError, match="une autre personne"):
        services.verify_bank_account(bank_account=new, evidence="RIB signé", actor=tilleuls.accountant)
    services.verify_bank_account(bank_account=new, evidence="RIB signé", actor=tilleuls.manager)
    statuses = dict(SupplierBankAccount.objects.filter(supplier=supplier).values_list("iban", "status"))
    assert statuses == {
        "FR7630004008200001023456773": BankAccountStatus.REVOKED,
        "FR7610278073000002059130143": BankAccountStatus.VERIFIED,
    }


def test_unbalanced_allocation_is_refused(tilleuls: Tilleuls) -> None:
    data = example_invoice_input(tilleuls, "F2")
    unbalanced = dataclasses.replace(
        data,
        lines=[
            LineInput(account="611", key=tilleuls.keys["CG"], amount=D("1188.00")),
            LineInput(account="611", key=tilleuls.keys["BATB"], amount=D("791.99")),
        ],
    )
    before = _counts()
    with pytest.raises(AllocationError, match=r"ne fait pas le total TTC .* écart de 0,01"):
        services.enter_invoice(condominium=tilleuls.condominium, data=unbalanced)
    assert _counts() == before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"account": "671", "key": "CG"}, "se ventile sur une opération de travaux"),
        ({"account": "615", "key": None}, "se ventile sur une clé de répartition"),
        ({"account": "401", "key": "CG"}, "n'est pas un compte de charges"),
    ],
)
def test_allocation_rules(tilleuls: Tilleuls, line: dict[str, str | None], message: str) -> None:
    key = tilleuls.keys[line["key"]] if line["key"] else None
    data = dataclasses.replace(
        example_invoice_input(tilleuls, "F1"),
        lines=[LineInput(account=str(line["account"]), key=key, amount=D("385.00"))],
    )
    with pytest.raises(AllocationError, match=message):
        services.enter_invoice(condominium=tilleuls.condominium, data=data)
    assert Invoice.objects.count() == 0


def test_duplicate_number_is_refused(tilleuls: Tilleuls) -> None:
    enter_example_invoice(tilleuls, "F1")
    before = _counts()
    again = dataclasses.replace(example_invoice_input(tilleuls, "F1"), issue_date=datetime.date(2026, 9, 11))
    with pytest.raises(DuplicateInvoiceError, match="Doublon : la facture n° D-2026-118 de PLOMBERIE DURAND"):
        services.enter_invoice(condominium=tilleuls.condominium, data=again)
    assert _counts() == before


def test_same_amount_and_date_is_refused(tilleuls: Tilleuls) -> None:
    enter_example_invoice(tilleuls, "F1")
    before = _counts()
    other_number = dataclasses.replace(example_invoice_input(tilleuls, "F1"), number="D-2026-119")
    with pytest.raises(DuplicateInvoiceError, match=r"Doublon probable .* 385,00"):
        services.enter_invoice(condominium=tilleuls.condominium, data=other_number)
    assert _counts() == before


def test_invoice_on_a_closed_year_is_refused(tilleuls: Tilleuls) -> None:
    year = FiscalYear.objects.get(condominium=tilleuls.condominium, start_date=datetime.date(2026, 1, 1))
    ledger.close_fiscal_year(fiscal_year=year, require_distribution=False)
    before = _counts()
    with pytest.raises(ExpenseError, match="exercice clôturé"):
        enter_example_invoice(tilleuls, "F1")
    assert _counts() == before
    # Booked in the open year as « exercice antérieur », it is accepted.
    data = dataclasses.replace(example_invoice_input(tilleuls, "F1"), booking_date=datetime.date(2027, 1, 15))
    invoice = services.enter_invoice(condominium=tilleuls.condominium, data=data)
    assert invoice.entry is not None
    assert (invoice.entry.date, invoice.entry.voucher_date) == (datetime.date(2027, 1, 15), datetime.date(2026, 9, 10))


def test_supplier_linked_to_syndic_needs_an_ag_resolution(tilleuls: Tilleuls) -> None:
    supplier = services.create_supplier(
        firm=tilleuls.firm, data=SupplierData(legal_name="FILIALE DU SYNDIC", linked_to_syndic=True)
    )
    data = dataclasses.replace(example_invoice_input(tilleuls, "F1"), supplier=supplier, number="FS-1")
    before = _counts()
    with pytest.raises(ExpenseError, match=r"art\. 39"):
        services.enter_invoice(condominium=tilleuls.condominium, data=data)
    assert _counts() == before
    invoice = services.enter_invoice(
        condominium=tilleuls.condominium,
        data=dataclasses.replace(data, ag_resolution="AG du 10/04/2026, résolution 12"),
    )
    assert invoice.entry is not None


def test_iban_on_the_invoice_never_changes_the_supplier(tilleuls: Tilleuls) -> None:
    data = dataclasses.replace(example_invoice_input(tilleuls, "F1"), payee_iban="FR7630004008200001023456773")
    invoice = services.enter_invoice(condominium=tilleuls.condominium, data=data)
    assert invoice.payment_block == PaymentBlock.IBAN_MISMATCH
    assert not invoice.is_payable
    supplier = tilleuls.suppliers["FRN00002"]
    assert list(SupplierBankAccount.objects.filter(supplier=supplier).values_list("iban", "status")) == [
        ("FR2420041010071234567K02030", BankAccountStatus.VERIFIED)
    ]
    with pytest.raises(ExpenseError, match="IBAN vérifié"):
        services.unblock_payment(invoice=invoice, actor=tilleuls.manager)


def test_approval_above_the_threshold_and_audit(tilleuls: Tilleuls) -> None:
    invoice = enter_example_invoice(tilleuls, "F2")
    assert invoice.status == InvoiceStatus.VALIDATED
    assert not invoice.is_payable
    services.approve_invoice(invoice=invoice, actor=tilleuls.manager)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED
    assert invoice.is_payable
    actions = set(AuditEvent.objects.filter(object_id=str(invoice.pk)).values_list("action", flat=True))
    assert {"expenses.invoice.created", "expenses.invoice.validated", "expenses.invoice.approved"} <= actions
    assert list(invoice.events.values_list("step", flat=True)) == ["validated", "approved"]


def test_council_visa_lifts_the_block(tilleuls: Tilleuls) -> None:
    services.save_settings(
        condominium=tilleuls.condominium, approval_threshold=D("1500.00"), council_visa_required=True
    )
    invoice = enter_example_invoice(tilleuls, "F2")
    assert invoice.payment_block == PaymentBlock.AWAITING_COUNCIL
    services.approve_invoice(invoice=invoice, actor=tilleuls.manager)
    services.give_council_visa(invoice=invoice, co_owner=tilleuls.owners["A"], user=None)
    invoice.refresh_from_db()
    assert invoice.is_payable


def test_a_refused_invoice_leaves_no_pdf_behind(tilleuls: Tilleuls) -> None:
    from django.core.files.storage import default_storage

    from tests.expenses.factories import blank_pdf

    supplier = services.create_supplier(
        firm=tilleuls.firm, data=SupplierData(legal_name="FILIALE DU SYNDIC", linked_to_syndic=True)
    )
    data = dataclasses.replace(example_invoice_input(tilleuls, "F1"), supplier=supplier, number="FS-2")
    with pytest.raises(ExpenseError, match=r"art\. 39"):
        services.enter_invoice(condominium=tilleuls.condominium, data=data, pdf=blank_pdf(), filename="fs.pdf")
    folder = f"expenses/{tilleuls.firm.pk}/{tilleuls.condominium.pk}/invoices"
    assert not default_storage.exists(folder) or default_storage.listdir(folder)[1] == []
