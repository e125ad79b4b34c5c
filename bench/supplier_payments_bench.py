"""Supplier payments benchmark: a 1,000-payment pain.001.001.09 built and validated, then read back.

    .venv/bin/python bench/supplier_payments_bench.py [--payments 1000] [--suppliers 100]

Two measures (issue 14: « a 1,000-payment pain.001 built and validated < 5 s »):

1. the format alone (`tantieme.formats.pain001.build_credit_transfer`): the EPC checks on the
   values, the XML, the XSD validation (xmlschema) and the EPC checks on the bytes — cold (the XSD
   is parsed the first time) and warm;
2. the product (`supplier_payments.services.build_batch`) on a fresh SQLite database in a
   temporary VAR_DIR: `--payments` approved invoices of `--suppliers` suppliers (set up through
   the expenses services, not timed), the batch built, stored and validated (timed); then the
   bank's debit of the whole batch on a CAMT.053 imported (timed): one BQ1 entry, every 401 line
   lettered, every invoice paid.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
IBAN = "FR7630006000011234567890189"
SUPPLIER_IBAN = "FR7630004008200001023456773"


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tantieme.settings")
    import django

    django.setup()


def format_only(payments: int) -> None:
    sys.path.insert(0, str(ROOT))
    from tantieme.formats import pain001

    address = pain001.PostalAddress("Lyon", "FR", "5 rue de Gerland", "", "69007")
    creditor = pain001.Party("NET ECLAT SARL", SUPPLIER_IBAN, "BNPAFRPP", address)
    transfers = tuple(
        pain001.Transfer(f"AC2026-{n:05d}", Decimal(f"{100 + n}.{n % 100:02d}"), creditor, f"FACT NE-2026-{n:05d}")
        for n in range(1, payments + 1)
    )
    message = pain001.CreditTransferMessage(
        message_id="TNT-SCT-20261012-0001",
        created_at=datetime.datetime(2026, 10, 12, 10, 30, tzinfo=ZoneInfo("Europe/Paris")),
        debtor=pain001.Party("SDC RESIDENCE LES TILLEULS", IBAN, "AGRIFRPP"),
        instructions=(pain001.PaymentInstruction("TNT-SCT-20261012-0001-01", datetime.date(2026, 10, 15), transfers),),
    )
    for label in ("cold", "warm"):
        start = time.perf_counter()
        content = pain001.build_credit_transfer(message, today=datetime.date(2026, 10, 12))
        elapsed = time.perf_counter() - start
        print(f"format {label}: {payments} payments, {len(content) / 1024:.0f} KiB, {elapsed:.2f} s")


def product(payments: int, suppliers: int) -> None:
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tantieme.banking.services import import_statement
    from tantieme.condominiums.models import AllocationKey, Condominium
    from tantieme.expenses.enums import BankAccountStatus, InvoiceStatus
    from tantieme.expenses.models import Invoice, Supplier, SupplierBankAccount
    from tantieme.expenses.services import InvoiceInput, LineInput, enter_invoice, supplier_account
    from tantieme.ledger import services as ledger
    from tantieme.supplier_payments.enums import BatchStatus
    from tantieme.supplier_payments.services import batch_content, build_batch, mark_sent
    from tantieme.tenancy.models import Firm
    from tantieme.tenancy.scoping import firm_scope
    from tests.formats.camt_batch import batch_entry, statement_with

    firm = Firm.objects.create(slug="bench", name="Bench")
    with firm_scope(firm):
        condo = Condominium.objects.create(
            firm=firm, code="606", name="Résidence Les Tilleuls", iban=IBAN, bic="AGRIFRPP", reference_letter="A"
        )
        ledger.create_chart(condominium=condo)
        ledger.open_fiscal_year(condominium=condo, start_date=datetime.date(2026, 1, 1))
        key = AllocationKey.objects.create(condominium=condo, code="CG", label="Charges générales", total=1000)
        start = time.perf_counter()
        made = []
        for n in range(1, suppliers + 1):
            supplier = Supplier.objects.create(
                firm=firm, code=f"FRN{n + 1:05d}", legal_name=f"FOURNISSEUR {n}", town="Lyon", country="FR"
            )
            SupplierBankAccount.objects.create(
                supplier=supplier,
                iban=SUPPLIER_IBAN,
                bic="BNPAFRPP",
                holder_name=supplier.legal_name,
                status=BankAccountStatus.VERIFIED,
                verified_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
            )
            supplier_account(condominium=condo, supplier=supplier)
            made.append(supplier)
        for n in range(payments):
            amount = Decimal(f"{50 + n}.{n % 100:02d}")  # unique per supplier: no duplicate warning
            enter_invoice(
                condominium=condo,
                data=InvoiceInput(
                    supplier=made[n % suppliers],
                    number=f"F-{n:05d}",
                    issue_date=datetime.date(2026, 9, 1),
                    due_date=datetime.date(2026, 10, 10),
                    total_ttc=amount,
                    lines=[LineInput(account="615", amount=amount, key=key)],
                ),
            )
        Invoice.objects.filter(status=InvoiceStatus.VALIDATED).update(status=InvoiceStatus.APPROVED)
        print(f"setup: {suppliers} suppliers, {payments} invoices posted in {time.perf_counter() - start:.1f} s")

        start = time.perf_counter()
        batch = build_batch(
            condominium=condo,
            execution_date=datetime.date(2026, 10, 15),
            due_by=datetime.date(2026, 10, 15),
            today=datetime.date(2026, 10, 12),
        )
        elapsed = time.perf_counter() - start
        print(
            f"build_batch: {batch.nb_of_txs} payments, CtrlSum {batch.ctrl_sum}, built + stored + validated "
            f"in {elapsed:.2f} s"
        )
        mark_sent(batch=batch)
        entry = batch_entry(batch_content(batch), booking_date=datetime.date(2026, 10, 15), with_details=False)
        camt = statement_with([entry], iban=IBAN, day=datetime.date(2026, 10, 15), opening=Decimal("999999999.00"))
        start = time.perf_counter()
        result = import_statement(condominium=condo, content=camt)
        elapsed = time.perf_counter() - start
        batch.refresh_from_db()
        paid = Invoice.objects.filter(status=InvoiceStatus.PAID).count()
        assert batch.status == BatchStatus.CLOSED, batch.status
        print(
            f"bank debit read back: matched={result.matched}, {paid} invoices paid and lettered, "
            f"batch {batch.get_status_display()}, in {elapsed:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payments", type=int, default=1000)
    parser.add_argument("--suppliers", type=int, default=100)
    parser.add_argument("--step", choices=["format", "product"], default=None)
    options = parser.parse_args()
    if options.step == "format":
        format_only(options.payments)
        return
    if options.step == "product":
        product(options.payments, options.suppliers)
        return
    args = ["--payments", str(options.payments), "--suppliers", str(options.suppliers)]
    subprocess.run([sys.executable, __file__, "--step", "format", *args], check=True)  # noqa: S603 - ourselves
    with tempfile.TemporaryDirectory(prefix="tantieme-bench-") as var_dir:
        env = dict(os.environ, VAR_DIR=var_dir)
        env.pop("DATABASE_URL", None)
        command = [sys.executable, __file__, "--step", "product", *args]
        subprocess.run(command, check=True, env=env, cwd=ROOT)  # noqa: S603 - this script, our arguments


if __name__ == "__main__":
    main()
