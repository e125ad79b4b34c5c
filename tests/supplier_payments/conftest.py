"""The spec's worked example (expenses-and-suppliers §11) built by the expenses app's factories:
SDC RÉSIDENCE LES TILLEULS (700) of horizon, five suppliers with verified IBANs, F1–F4 entered and
approved, books 2026 open, the account of the sample statement."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from tantieme.condominiums.models import AllocationKey, Condominium
from tantieme.expenses.enums import BankAccountStatus, InvoiceStatus, PaymentMeans
from tantieme.expenses.models import Invoice, Supplier, SupplierBankAccount
from tantieme.expenses.services import (
    InvoiceInput,
    LineInput,
    approve_invoice,
    enter_invoice,
    save_settings,
    supplier_account,
)
from tantieme.ledger.models import Line
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.expenses.factories import build_tilleuls, enter_example_invoice

TILLEULS_IBAN = "FR7630006000011234567890189"
PROPOSAL_DAY = datetime.date(2026, 10, 12)
EXECUTION_DAY = datetime.date(2026, 10, 15)
# The IBANs were verified long before the proposal (outside the cooling period of §2.3).
LONG_AGO = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)


def D(text: str) -> Decimal:
    return Decimal(text)


@dataclass
class Tilleuls:
    world: World
    condo: Condominium
    accountant: Any  # holds Can.PAY_SUPPLIERS
    manager: Any  # approves invoices; verified the suppliers' IBANs
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
        """Another invoice on 615 [key], validated, approved unless `approve=False` (every invoice
        needs a « bon à payer » once the fixture is built: threshold 0)."""
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
    """A supplier with an IBAN verified long ago, and its 401 account in the condominium's books."""
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
    with firm_scope(world.horizon):
        example = build_tilleuls(world.horizon)
        SupplierBankAccount.objects.filter(status=BankAccountStatus.VERIFIED).update(verified_at=LONG_AGO)
        invoices = []
        for name in ("F1", "F2", "F3", "F4"):
            invoice = enter_example_invoice(example, name)
            if invoice.status == InvoiceStatus.VALIDATED:  # above the 1 500 € threshold
                invoice = approve_invoice(invoice=invoice, actor=example.manager)
            invoices.append(invoice)
        save_settings(condominium=example.condominium, approval_threshold=D("0.00"))
        yield Tilleuls(
            world=world,
            condo=example.condominium,
            accountant=example.accountant,
            manager=example.manager,
            verifier=example.manager,
            keys=example.keys,
            suppliers=example.suppliers,
            invoices=invoices,
        )


def balance(condo: Condominium, number: str) -> Decimal:
    total = Decimal("0.00")
    for debit, credit in Line.objects.filter(condominium=condo, account__number=number).values_list("debit", "credit"):
        total += debit - credit
    return total
