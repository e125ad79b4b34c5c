"""Expenses benchmark (issue 14): a firm with 10,000 supplier invoices a year, then entering an
invoice through the back office, the invoices list and the approval queue.

    .venv/bin/python bench/expenses_bench.py [--invoices 10000] [--condominiums 50] [--entries 60]
    createdb -h 127.0.0.1 -U postgres tantieme_exp_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tantieme_exp_bench .venv/bin/python bench/expenses_bench.py
    dropdb -h 127.0.0.1 -U postgres tantieme_exp_bench

A fresh SQLite database in a temporary VAR_DIR (or DATABASE_URL; migrated here). One firm,
`--condominiums` condominiums (keys GEN, ASC, ESC and a voted budget of 12 lines each), 40 suppliers
of the firm, each with its 401 sub-account in every condominium (`expenses.services.supplier_account`).

The year's `--invoices` invoices (one to three lines on the keys and their accounts, one credit note
in twenty-five, one invoice in eight above the 1 500 € approval threshold and so waiting in the
queue, one in two a Factur-X with its CII XML on the row) are written by a **bulk path that
produces the rows `enter_invoice` does**: the AC entries through the production bulk poster
`ledger.services.post_entries_bulk` (Dr 6xx [key] / Cr 401·supplier, a credit note the other way,
voucher = the invoice number), then the `Invoice` rows (status, booking date, entry, internal
number = entry code), their `InvoiceLine`s tied to the budget line they consume and their
`InvoiceEvent`s (validated; approved under the threshold) by `bulk_create`. It skips one audit
record per invoice (the bulk poster writes one per condominium) and the PDFs. `--via-services`
enters every invoice through `enter_invoice` instead (the same rows, ≈ 20–40 ms each: use it with
fewer invoices).

Measured through Django's test client on the firm's host, signed in as a firm administrator with a
second factor (full middleware, templates rendered), after warm-up runs:

- entering an invoice, the two steps of the back office: POST `factures/nouvelle/` (the PDF, a real
  Factur-X of two lines) → GET `copropriete/<pk>/saisie/?piece=…` (Factur-X read, form prefilled) →
  POST the same with the supplier, the total and two allocation lines (validated: posted in AC);
  `--entries` invoices, each step timed and the three together;
- GET `factures/` (the list: newest first, 25 a page) and GET `approbation/` (the queue).

Queries are counted on one more run of each. Budget (issue 14): entering an invoice p95 < 150 ms
server-side; list and queue ≤ 15 queries and p95 < 150 ms.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import functools
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_TMP = tempfile.mkdtemp(prefix="tantieme-expenses-bench-")
os.environ.setdefault("VAR_DIR", _TMP)
os.environ.setdefault("TANTIEME_ENV", "test")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tantieme.settings")

import django  # noqa: E402  (after the environment above)

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from facturx import generate_xml  # noqa: E402

from tantieme.condominiums.enums import KeyKind  # noqa: E402
from tantieme.condominiums.models import AllocationKey, Condominium  # noqa: E402
from tantieme.expenses import services as expenses  # noqa: E402
from tantieme.expenses.enums import ApprovalStep, InvoiceKind, InvoiceStatus  # noqa: E402
from tantieme.expenses.models import Invoice, InvoiceEvent, InvoiceLine, Supplier  # noqa: E402
from tantieme.funds.models import BudgetLine  # noqa: E402
from tantieme.funds.services import LineData, save_budget  # noqa: E402
from tantieme.ledger import services as ledger  # noqa: E402
from tantieme.ledger.services import EntryDraft, LineDraft  # noqa: E402
from tantieme.tenancy.enums import StaffRole  # noqa: E402
from tantieme.tenancy.models import Firm  # noqa: E402
from tantieme.tenancy.scoping import firm_scope  # noqa: E402
from tests.conftest import client_for  # noqa: E402
from tests.expenses.factories import F2_DATA, facturx_pdf  # noqa: E402
from tests.factories import AllocationKeyFactory, CondominiumFactory, FirmFactory, StaffUserFactory  # noqa: E402

YEAR = 2026
SUPPLIERS = 40
THRESHOLD = Decimal("1500.00")  # the default approval threshold of a condominium
BUDGET = {
    "GEN": {"602": "9000.00", "611": "14000.00", "614": "1200.00", "615": "8000.00", "616": "4200.00"},
    "ASC": {"614": "6000.00", "615": "2500.00", "6211": "900.00"},
    "ESC": {"611": "5000.00", "602": "1800.00", "615": "1500.00", "616": "600.00"},
}
PAIRS = [(key, account) for key, accounts in BUDGET.items() for account in accounts]
WARM_UP = 5
PAGE_RUNS = 60
BUDGET_MS = 150.0
BUDGET_QUERIES = 15
CENT = Decimal("0.01")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _amounts(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    """`total` split in `parts` positive amounts to the cent."""
    if parts == 1:
        return [total]
    weights = [rng.randrange(1, 10) for _ in range(parts)]
    amounts = [(total * weight / sum(weights)).quantize(CENT) for weight in weights[:-1]]
    amounts.append(total - sum(amounts, Decimal("0")))
    return amounts if all(amount > 0 for amount in amounts) else [total]


@functools.cache
def _cii_xml() -> str:
    values = copy.deepcopy(F2_DATA)
    return str(generate_xml(values, flavor="factur-x", level="en16931", check_schematron=False).decode())


def _condominium(firm: Firm, index: int) -> tuple[Condominium, dict[str, AllocationKey]]:
    condominium = CondominiumFactory(firm=firm, code=f"{index:03d}", name=f"Résidence {index:03d}")
    keys = {
        "GEN": AllocationKeyFactory(condominium=condominium, code="GEN", kind=KeyKind.GENERAL, total=10000),
        "ASC": AllocationKeyFactory(condominium=condominium, code="ASC", total=1000),
        "ESC": AllocationKeyFactory(condominium=condominium, code="ESC", total=1000),
    }
    ledger.create_chart(condominium=condominium)
    ledger.open_fiscal_year(condominium=condominium, start_date=datetime.date(YEAR, 1, 1))
    save_budget(
        condominium=condominium,
        start_date=datetime.date(YEAR, 1, 1),
        general_meeting_date=datetime.date(YEAR - 1, 6, 1),
        lines=[
            LineData(key_code=key, account=account, amount=Decimal(amount))
            for key, accounts in BUDGET.items()
            for account, amount in accounts.items()
        ],
        works_fund_amount=Decimal("3000.00"),
    )
    return condominium, keys


def _bulk_invoices(
    *,
    condominium: Condominium,
    keys: dict[str, AllocationKey],
    suppliers: list[Supplier],
    accounts: dict[int, str],
    count: int,
    rng: random.Random,
    actor: Any,
) -> None:
    """`count` validated invoices of the year: what `enter_invoice` writes, in bulk (see the docstring)."""
    budget_lines = {
        (line.key_id, line.account): line
        for line in BudgetLine.objects.filter(budget__condominium=condominium).order_by("budget__is_provisional", "pk")
    }
    drafts: list[EntryDraft] = []
    specs: list[dict[str, Any]] = []
    for index in range(count):
        supplier = suppliers[rng.randrange(len(suppliers))]
        credit_note = index % 25 == 24
        large = index % 8 == 0 and not credit_note
        total = Decimal(rng.randrange(150001, 900000) if large else rng.randrange(3000, 140000)) / 100
        parts = rng.sample(PAIRS, rng.choice((1, 1, 2, 3)))
        legs = [
            (key, account, amount)
            for (key, account), amount in zip(parts, _amounts(rng, total, len(parts)), strict=False)
        ]
        issue = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(0, 330))
        number = f"{'AV' if credit_note else 'F'}-{supplier.code[3:]}-{index:05d}"
        what = "avoir" if credit_note else "fact."
        lines = [
            LineDraft(
                account=account,
                debit=Decimal("0") if credit_note else amount,
                credit=amount if credit_note else Decimal("0"),
                label=f"{supplier.display_name} {number}",
                key_id=keys[key].pk,
            )
            for key, account, amount in legs
        ]
        lines.append(
            LineDraft(
                account=accounts[supplier.pk],
                debit=total if credit_note else Decimal("0"),
                credit=Decimal("0") if credit_note else total,
                label=f"{supplier.display_name} {what} {number}",
            )
        )
        drafts.append(
            EntryDraft(
                journal="AC",
                date=issue,
                label=f"{supplier.display_name} {what} {number}",
                lines=lines,
                voucher=number,
                voucher_date=issue,
            )
        )
        specs.append({"supplier": supplier, "credit_note": credit_note, "large": large, "total": total, "legs": legs})
    drafts_and_specs = sorted(zip(drafts, specs, strict=True), key=lambda pair: pair[0].date)
    entries = ledger.post_entries_bulk(condominium=condominium, drafts=[draft for draft, _spec in drafts_and_specs])
    now = timezone.now()
    # One invoice in two is a Factur-X: its CII XML (≈ 8 KB) is kept on the row, as entering one does.
    xml = _cii_xml()
    invoices = []
    for index, ((draft, spec), entry) in enumerate(zip(drafts_and_specs, entries, strict=True)):
        invoices.append(
            Invoice(
                firm_id=condominium.firm_id,
                condominium=condominium,
                supplier=spec["supplier"],
                kind=InvoiceKind.CREDIT_NOTE if spec["credit_note"] else InvoiceKind.INVOICE,
                number=draft.voucher,
                issue_date=draft.date,
                due_date=draft.date + datetime.timedelta(days=30),
                booking_date=draft.date,
                label=draft.label,
                total_ttc=spec["total"],
                status=InvoiceStatus.VALIDATED if spec["large"] else InvoiceStatus.APPROVED,
                payment_means=spec["supplier"].payment_means,
                entry=entry,
                internal_number=entry.code,
                created_by=actor,
                validated_at=now,
                validated_by=actor,
                einvoice=index % 2 == 0,
                einvoice_xml=xml if index % 2 == 0 else "",
            )
        )
    Invoice.all_firms.bulk_create(invoices, batch_size=2000)
    rows, events = [], []
    for invoice, (_draft, spec) in zip(invoices, drafts_and_specs, strict=True):
        for position, (key, account, amount) in enumerate(spec["legs"], start=1):
            rows.append(
                InvoiceLine(
                    invoice=invoice,
                    position=position,
                    account=account,
                    key=keys[key],
                    budget_line=budget_lines.get((keys[key].pk, account)),
                    amount=amount,
                )
            )
        events.append(InvoiceEvent(invoice=invoice, step=ApprovalStep.VALIDATED, at=now, actor=actor))
        if invoice.status == InvoiceStatus.APPROVED:
            events.append(InvoiceEvent(invoice=invoice, step=ApprovalStep.APPROVED, at=now, actor=actor))
    InvoiceLine.all_firms.bulk_create(rows, batch_size=5000)
    InvoiceEvent.all_firms.bulk_create(events, batch_size=5000)


def _service_invoices(
    condominium: Condominium, keys: dict[str, AllocationKey], suppliers: list[Supplier], count: int, rng: random.Random
) -> None:
    for index in range(count):
        supplier = suppliers[rng.randrange(len(suppliers))]
        credit_note = index % 25 == 24
        total = Decimal(rng.randrange(3000, 900000 if index % 8 == 0 else 140000)) / 100
        parts = rng.sample(PAIRS, rng.choice((1, 1, 2, 3)))
        issue = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(0, 330))
        expenses.enter_invoice(
            condominium=condominium,
            data=expenses.InvoiceInput(
                supplier=supplier,
                kind=InvoiceKind.CREDIT_NOTE if credit_note else InvoiceKind.INVOICE,
                number=f"{'AV' if credit_note else 'F'}-{supplier.code[3:]}-{index:05d}",
                issue_date=issue,
                due_date=issue + datetime.timedelta(days=30),
                total_ttc=total,
                lines=[
                    expenses.LineInput(account=account, key=keys[key], amount=amount)
                    for (key, account), amount in zip(parts, _amounts(rng, total, len(parts)), strict=False)
                ],
            ),
        )


def build(invoices: int, condominiums: int, via_services: bool) -> tuple[Firm, Any, list[int]]:
    rng = random.Random(14)
    firm = FirmFactory(slug="depenses", name="Cabinet Dépenses")
    started = time.perf_counter()
    with firm_scope(firm):
        admin = StaffUserFactory(firm=firm, membership=StaffRole.FIRM_ADMIN)
        suppliers = [
            Supplier.objects.create(
                firm=firm,
                code=f"FRN{n + 2:05d}",
                legal_name=f"FOURNISSEUR {n + 2:02d} SARL",
                town="Lyon",
                postal_code="69007",
                street="5 rue de Gerland",
                country="FR",
            )
            for n in range(SUPPLIERS)
        ]
        made = [_condominium(firm, index) for index in range(1, condominiums + 1)]
        elapsed = time.perf_counter() - started
        print(f"setup: {condominiums} condominiums (chart, year, budget), {SUPPLIERS} suppliers in {elapsed:.1f} s")
        started = time.perf_counter()
        per_condominium = invoices // condominiums
        for condominium, keys in made:
            with transaction.atomic():
                accounts = {
                    supplier.pk: expenses.supplier_account(condominium=condominium, supplier=supplier).account.number
                    for supplier in suppliers
                }
                if via_services:
                    _service_invoices(condominium, keys, suppliers, per_condominium, rng)
                else:
                    _bulk_invoices(
                        condominium=condominium,
                        keys=keys,
                        suppliers=suppliers,
                        accounts=accounts,
                        count=per_condominium,
                        rng=rng,
                        actor=admin,
                    )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
        total = Invoice.objects.count()
        waiting = Invoice.objects.filter(status=InvoiceStatus.VALIDATED).count()
        print(
            f"invoices: {total:,} ({waiting:,} waiting for approval) in {time.perf_counter() - started:.1f} s "
            f"({'enter_invoice' if via_services else 'bulk path'})"
        )
        return firm, admin, [condominium.pk for condominium, _keys in made]


def _enter_steps(client: Any, *, condominium_id: int, supplier_id: int, key_ids: list[int], n: int) -> dict[str, float]:
    """One invoice through the back office; the milliseconds of each step."""
    number = f"NE-BENCH-{n:05d}"
    pdf = facturx_pdf(copy.deepcopy(F2_DATA), **{"BT-1": number, "BT-83": number})
    timings: dict[str, float] = {}
    started = time.perf_counter()
    upload = client.post(
        reverse("backoffice:expenses_invoice_upload"),
        {"condominium": condominium_id, "file": SimpleUploadedFile(f"{number}.pdf", pdf, "application/pdf")},
    )
    timings["upload"] = (time.perf_counter() - started) * 1000
    assert upload.status_code == 302, upload.status_code
    started = time.perf_counter()
    page = client.get(upload["Location"])
    timings["form"] = (time.perf_counter() - started) * 1000
    assert page.status_code == 200, page.status_code
    token = re.search(r'name="piece" value="([^"]+)"', page.content.decode())
    assert token is not None
    form = {
        "piece": token.group(1),
        "supplier": supplier_id,
        "kind": "invoice",
        "number": number,
        "issue_date": "2026-09-15",
        "due_date": "2026-10-15",
        "total_ttc": "1 980,00",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-account": "611",
        "lines-0-target": f"key:{key_ids[0]}",
        "lines-0-amount": "1 188,00",
        "lines-1-account": "611",
        "lines-1-target": f"key:{key_ids[1]}",
        "lines-1-amount": "792,00",
    }
    started = time.perf_counter()
    saved = client.post(reverse("backoffice:expenses_invoice_enter", args=[condominium_id]), form)
    timings["validate"] = (time.perf_counter() - started) * 1000
    assert saved.status_code == 302, saved.content.decode()[:1500]
    timings["total"] = timings["upload"] + timings["form"] + timings["validate"]
    return timings


def _page(client: Any, path: str) -> Callable[[], None]:
    def run() -> None:
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10000, help="invoices in the year, over the firm")
    parser.add_argument("--condominiums", type=int, default=50)
    parser.add_argument("--entries", type=int, default=60, help="invoices entered through the back office")
    parser.add_argument("--via-services", action="store_true", help="enter_invoice for every invoice (slow)")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    firm, admin, condominium_ids = build(args.invoices, args.condominiums, args.via_services)
    with firm_scope(firm):
        supplier_ids = list(Supplier.objects.order_by("code").values_list("pk", flat=True))
        keys = {
            pk: list(AllocationKey.objects.filter(condominium_id=pk).order_by("code").values_list("pk", flat=True))
            for pk in condominium_ids
        }
    client = client_for(firm, admin)
    print(f"database: {connection.vendor}")
    print("| what | n | p50 | p95 | queries | budget |")
    print("| --- | --- | --- | --- | --- | --- |")
    steps: dict[str, list[float]] = {"upload": [], "form": [], "validate": [], "total": []}
    queries: dict[str, int] = {}
    runs = WARM_UP + args.entries
    for n in range(runs + 1):
        condominium_id = condominium_ids[n % len(condominium_ids)]
        supplier_id = supplier_ids[n % len(supplier_ids)]
        if n == runs:  # one more, queries counted per step
            with CaptureQueriesContext(connection) as captured:
                _enter_steps(
                    client, condominium_id=condominium_id, supplier_id=supplier_id, key_ids=keys[condominium_id], n=n
                )
            queries["total"] = len(captured.captured_queries)
            break
        timings = _enter_steps(
            client, condominium_id=condominium_id, supplier_id=supplier_id, key_ids=keys[condominium_id], n=n
        )
        if n >= WARM_UP:
            for name, value in timings.items():
                steps[name].append(value)
    names = {
        "upload": "POST the PDF (step 1)",
        "form": "GET the form, Factur-X read and prefilled",
        "validate": "POST the allocation, validated (posted in AC)",
        "total": "entering an invoice: the three requests",
    }
    for name, values in steps.items():
        p95 = percentile(values, 0.95)
        verdict = ("met" if p95 < BUDGET_MS else "**not met**") if name in ("validate", "total") else ""
        counted = str(queries["total"]) if name == "total" else ""
        print(
            f"| {names[name]} | {len(values)} | {statistics.median(values):.1f} ms | {p95:.1f} ms | {counted} "
            f"| {verdict} |"
        )
    for name, path in (
        ("GET invoices list", reverse("backoffice:expenses_invoices")),
        ("GET approval queue", reverse("backoffice:expenses_approvals")),
    ):
        run = _page(client, path)
        for _ in range(WARM_UP):
            run()
        timings = []
        for _ in range(PAGE_RUNS):
            started = time.perf_counter()
            run()
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            run()
        count = len(captured.captured_queries)
        p95 = percentile(timings, 0.95)
        verdict = "met" if p95 < BUDGET_MS and count <= BUDGET_QUERIES else "**not met**"
        print(
            f"| {name} `{path}` | {PAGE_RUNS} | {statistics.median(timings):.1f} ms | {p95:.1f} ms | {count} "
            f"| {verdict} |"
        )


if __name__ == "__main__":
    main()
