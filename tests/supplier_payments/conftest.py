"""The spec's worked example (expenses-and-suppliers §11) in condominium 606: suppliers with verified
IBANs, invoices F1–F4 approved, books 2026 open, the condominium's account that of the sample."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from tantieme.condominiums.models import AllocationKey, Condominium
from tantieme.expenses.enums import BankAccountStatus, PaymentMeans
from tantieme.expenses.models import Invoice, Supplier, SupplierBankAccount
from tantieme.expenses.services import InvoiceInput, LineInput, approve_invoice, enter_invoice, supplier_account
from tantieme.ledger.models import Line
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.factories import AllocationKeyFactory, StaffUserFactory
from tests.ledger.factories import open_books

TILLEULS_IBAN = "FR7630006000011234567890189"
PROPOSAL_DAY = datetime.date(2026, 10, 12)
EXECUTION_DAY = datetime.date(2026, 10, 15)
LONG_AGO = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)

SUPPLIERS = {
    "FRN00002": ("PLOMBERIE DURAND", "FR2420041010071234567K02030", "PSSTFRPP"),
    "FRN00003": ("NET ÉCLAT SARL", "FR7630004008200001023456773", "BNPAFRPP"),
    "FRN00004": ("TOITURES DU RHÔNE SAS", "FR7610278073000002059130143", ""),
    "FRN00005": ("ASCENSEURS DU SUD SAS", "FR7630003015200005012345643", "SOGEFRPP"),
    "FRN00006": ("HYGIÈNE SERVICES 69 SARL", "FR7616807000013123456789037", "CCBPFRPP"),
}
# Invoice, supplier, date, TTC, key (F3 is put on 615/BATB here: the payment does not read the works side).
INVOICES = [
    ("D-2026-118", "FRN00002", datetime.date(2026, 9, 10), "385.00", "CG", datetime.date(2026, 10, 10)),
    ("NE-2026-0917", "FRN00003", datetime.date(2026, 9, 15), "1980.00", "CG", datetime.date(2026, 10, 15)),
    ("TR-26-0452", "FRN00004", datetime.date(2026, 9, 18), "11000.00", "BATB", datetime.date(2026, 10, 18)),
    ("ADS-2026-3310", "FRN00005", datetime.date(2026, 9, 25), "2520.00", "ASC", datetime.date(2026, 10, 25)),
]


def D(text: str) -> Decimal:
    return Decimal(text)


@dataclass
class Tilleuls:
    world: World
    condo: Condominium
    accountant: Any
    manager: Any
    verifier: Any
    keys: dict[str, AllocationKey] = field(default_factory=dict)
    suppliers: dict[str, Supplier] = field(default_factory=dict)
    invoices: list[Invoice] = field(default_factory=list)

    def invoice(
        self,
        number: str,
        code: str,
        amount: str,
        *,
        issue: datetime.date = datetime.date(2026, 9, 20),
        due: datetime.date = datetime.date(2026, 10, 10),
        approve: bool = True,
        means: str = "",
        key: str = "CG",
    ) -> Invoice:
        invoice = enter_invoice(
            condominium=self.condo,
            data=InvoiceInput(
                supplier=self.suppliers[code],
                number=number,
                issue_date=issue,
                due_date=due,
                total_ttc=D(amount),
                lines=[LineInput(account="615", amount=D(amount), key=self.keys[key])],
                payment_means=means,
            ),
            actor=self.accountant,
        )
        if approve:
            invoice = approve_invoice(invoice=invoice, actor=self.manager)
        return invoice


def add_supplier(books: Tilleuls, code: str, name: str, iban: str, bic: str, *, means: str = "") -> Supplier:
    supplier = Supplier.objects.create(
        firm=books.world.horizon,
        code=code,
        legal_name=name,
        town="Lyon",
        postal_code="69007",
        street="5 rue de Gerland",
        country="FR",
        payment_means=means or PaymentMeans.TRANSFER,
    )
    SupplierBankAccount.objects.create(
        supplier=supplier,
        iban=iban,
        bic=bic,
        holder_name=name,
        status=BankAccountStatus.VERIFIED,
        created_by=books.accountant,
        verified_by=books.verifier,
        verified_at=LONG_AGO,
        evidence="Rappel au numéro du contrat.",
    )
    supplier_account(condominium=books.condo, supplier=supplier)
    books.suppliers[code] = supplier
    return supplier


@pytest.fixture
def tilleuls(world: World) -> Iterator[Tilleuls]:
    Condominium.all_firms.filter(pk=world.condo.pk).update(
        iban=TILLEULS_IBAN, bic="AGRIFRPP", name="Résidence Les Tilleuls"
    )
    world.condo.refresh_from_db()
    accountant = StaffUserFactory(firm=world.horizon, membership=StaffRole.ACCOUNTANT)
    verifier = StaffUserFactory(firm=world.horizon, membership=StaffRole.MANAGER)
    with firm_scope(world.horizon):
        open_books(world.condo, first_year=2026)
        books = Tilleuls(
            world=world, condo=world.condo, accountant=accountant, manager=world.manager, verifier=verifier
        )
        for code in ("CG", "BATB", "ASC"):
            books.keys[code] = AllocationKeyFactory(condominium=world.condo, code=code)
        for code, (name, iban, bic) in SUPPLIERS.items():
            add_supplier(books, code, name, iban, bic)
        for number, code, issue, amount, key, due in INVOICES:
            books.invoices.append(books.invoice(number, code, amount, issue=issue, due=due, key=key))
        yield books


def balance(condo: Condominium, number: str) -> Decimal:
    total = Decimal("0.00")
    for debit, credit in Line.objects.filter(condominium=condo, account__number=number).values_list("debit", "credit"):
        total += debit - credit
    return total
