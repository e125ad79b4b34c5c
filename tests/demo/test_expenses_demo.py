"""The demo's year of expenses (`tantieme.demo.expenses`): suppliers with valid identities, contracts
on the extranet, invoices through the services consistent with the budget, batches executed and
their debits matched on the bank statements, a draft closing with real charges; A 606 0001 still
owes 1 210,77 €."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from schwifty import IBAN
from stdnum.fr import siret, tva

from tantieme.banking.enums import LineStatus
from tantieme.banking.models import StatementLine
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.demo.expenses import APPROVAL_THRESHOLD, SUPPLIERS, SYNDIC_IBANS
from tantieme.demo.history import DEMO_BALANCE, LATE_PAYER
from tantieme.demo.seeding import seed_demo
from tantieme.documents.models import Document
from tantieme.expenses.enums import InvoiceKind, InvoiceStatus, PaymentMeans
from tantieme.expenses.models import Contract, Invoice, Supplier
from tantieme.funds.actuals import budget_actuals
from tantieme.ledger.checks import check_books
from tantieme.ledger.models import FiscalYear
from tantieme.ledger.queries import balance
from tantieme.search.models import CoOwnerBalance
from tantieme.supplier_payments.enums import BatchStatus
from tantieme.supplier_payments.models import PaymentBatch
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope

# The day of the syndic's letter: most of the year is behind, the works are under way.
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
TODAY = NOW.date()


def test_the_demo_suppliers_have_valid_identities() -> None:
    for demo in SUPPLIERS:
        assert siret.is_valid(demo.data.siret), demo.data.legal_name
        assert demo.data.siret.startswith(demo.data.siren), demo.data.legal_name
        assert not demo.data.vat_number or tva.is_valid(demo.data.vat_number), demo.data.legal_name
        IBAN(demo.iban, validate_bban=True)
    for iban in SYNDIC_IBANS.values():
        IBAN(iban, validate_bban=True)


@pytest.mark.django_db
def test_each_condominium_has_a_year_of_expenses() -> None:
    seed_demo(now=NOW)
    for firm in Firm.objects.all():
        with firm_scope(firm):
            assert Supplier.objects.count() == len(SUPPLIERS) + 1  # and the syndic itself
            for condominium in Condominium.objects.order_by("code"):
                year = FiscalYear.objects.get(condominium=condominium, start_date__lte=TODAY, end_date__gte=TODAY)
                invoices = Invoice.objects.filter(condominium=condominium)
                assert invoices.count() >= 15, condominium.code
                assert all(i.entry_id is not None for i in invoices)
                assert all(i.file for i in invoices)  # the PDF the council opens in its space
                assert all(year.start_date <= i.entry.date <= TODAY for i in invoices.select_related("entry"))
                # Approval: the premium above the threshold approved by the manager; the works'
                # second progress invoice waiting.
                above = invoices.filter(total_ttc__gt=APPROVAL_THRESHOLD, approved_by__isnull=False)
                assert above.exists(), condominium.code
                assert invoices.filter(status=InvoiceStatus.VALIDATED, total_ttc__gt=APPROVAL_THRESHOLD).count() == 1
                assert invoices.filter(lines__operation__isnull=False).count() == 2
                # Paid: batches executed (closed on their debit), direct debits matched.
                batches = PaymentBatch.objects.filter(condominium=condominium)
                assert batches.count() >= 3
                assert set(batches.values_list("status", flat=True)) == {BatchStatus.CLOSED}
                assert invoices.filter(status=InvoiceStatus.PAID).count() >= 5
                assert invoices.filter(payment_means=PaymentMeans.DIRECT_DEBIT, status=InvoiceStatus.PAID).exists()
                supplier_debits = StatementLine.objects.filter(
                    condominium=condominium, statement_import__filename__startswith="camt053-"
                )
                assert supplier_debits.count() >= batches.count()
                assert set(supplier_debits.values_list("status", flat=True)) == {LineStatus.MATCHED}
                # Contracts, on the extranet in the décret's categories.
                assert Contract.objects.filter(condominium=condominium).count() >= 6
                published = set(
                    Document.objects.filter(condominium=condominium, archived_at__isnull=True).values_list(
                        "category", flat=True
                    )
                )
                assert {"insurance", "maintenance_contracts", "syndic_contract"} <= published
                # Budget against actual: every budget line consumed, none far beyond its budget.
                actuals = budget_actuals(year, today=TODAY)
                rows = [row for key in actuals.keys for row in key.rows]
                assert rows
                assert all(row.in_budget for row in rows)
                for row in rows:
                    assert (
                        Decimal("0.2") * row.figures.budget
                        <= row.figures.actual
                        <= row.figures.budget * Decimal("1.05")
                    ), (condominium.code, row.account)
                # The draft closing distributes these charges.
                assert year.closing.state == "draft"
                assert sum(Decimal(item["charges"]) for item in year.closing.key_totals) > 0
                assert check_books(condominium) == []
                if condominium.code in ("606", "149"):  # a year since January
                    assert invoices.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1
                    assert invoices.count() >= 35
    with firm_scope(Firm.objects.get(slug="horizon")):
        assert balance(CoOwner.objects.get(reference=LATE_PAYER), at=TODAY) == DEMO_BALANCE
        # « À traiter » shows him among the arrears from the start: the balance index is filled.
        late = CoOwnerBalance.objects.get(co_owner__reference=LATE_PAYER)
        assert late.balance == DEMO_BALANCE
