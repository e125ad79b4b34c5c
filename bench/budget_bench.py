"""Budget against actual benchmark (issue 14 item 6): the service and the staff page, 2,000 charge lines.

    .venv/bin/python bench/budget_bench.py --lines 2000 --requests 100
    createdb -h 127.0.0.1 -U postgres tantieme_budget_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tantieme_budget_bench .venv/bin/python bench/budget_bench.py

A fresh SQLite database in a temporary VAR_DIR (or DATABASE_URL; migrated here). One firm, one
condominium of 60 lots in three keys (GEN, ASC, ESC), a budget of 15 lines voted for the year, and
`--lines` class-6 charge lines spread over the year on those keys and accounts (invoices of two
lines each, one credit note in twenty, one account in five with no budget line: « hors budget »),
plus a works operation with 50 invoices and the year's four calls of provisions (701 per key) — all
through `post_entries_bulk`. The clock is set to 30/09 of the year.

Measured, after 10 warm-up runs, over `--requests` runs each:
- `budget_actuals(year, today=30/09)` (the service: every figure of the page);
- GET `/gestion/suivi-budgetaire/<pk>/` through Django's test client on the firm's host, signed in
  as a firm administrator with a second factor (full middleware stack, template rendered).
Queries are counted on one more run. Budget: p95 < 200 ms for both, ≤ 15 queries for the page.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_TMP = tempfile.mkdtemp(prefix="tantieme-budget-bench-")
os.environ.setdefault("VAR_DIR", _TMP)
os.environ.setdefault("TANTIEME_ENV", "test")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tantieme.settings")

import django  # noqa: E402  (after the environment above)

django.setup()

import time_machine  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tantieme.condominiums.enums import KeyKind  # noqa: E402
from tantieme.funds.actuals import budget_actuals  # noqa: E402
from tantieme.funds.services import InstalmentData, LineData, create_works_operation, save_budget  # noqa: E402
from tantieme.ledger import services  # noqa: E402
from tantieme.ledger.models import FiscalYear, Line  # noqa: E402
from tantieme.ledger.services import EntryDraft, LineDraft  # noqa: E402
from tantieme.tenancy.enums import StaffRole  # noqa: E402
from tantieme.tenancy.models import Firm  # noqa: E402
from tantieme.tenancy.scoping import firm_scope  # noqa: E402
from tests.conftest import client_for  # noqa: E402
from tests.factories import (  # noqa: E402
    AllocationKeyFactory,
    CondominiumFactory,
    FirmFactory,
    LotFactory,
    LotShareFactory,
    StaffUserFactory,
)

YEAR = 2026
TODAY = datetime.datetime(YEAR, 9, 30, 12, 0, tzinfo=datetime.UTC)
WARM_UP = 10
BUDGET_MS = 200.0
BUDGET_QUERIES = 15
CENT = Decimal("0.01")
BUDGET = {
    "GEN": {"611": "12000", "616": "8000", "6211": "9000", "602": "3500", "615": "2500", "601": "2200", "633": "900"},
    "ASC": {"614": "6000", "602": "1200", "615": "1500"},
    "ESC": {"611": "3000", "602": "800", "615": "700", "604": "400", "6213": "300"},
}
OFF_BUDGET = {"GEN": "6222", "ASC": "6223", "ESC": "6222"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def build(lines: int) -> tuple[Firm, int, int]:
    rng = random.Random(14)
    firm = FirmFactory(slug="budget", name="Cabinet Budget")
    with firm_scope(firm):
        condominium = CondominiumFactory(firm=firm, code="BGT")
        keys = {
            "GEN": AllocationKeyFactory(condominium=condominium, code="GEN", kind=KeyKind.GENERAL, total=10000),
            "ASC": AllocationKeyFactory(condominium=condominium, code="ASC", total=1000),
            "ESC": AllocationKeyFactory(condominium=condominium, code="ESC", total=1000),
        }
        for number in range(1, 61):
            lot = LotFactory(condominium=condominium, number=number)
            LotShareFactory(key=keys["GEN"], lot=lot, shares=160 + number)
            LotShareFactory(key=keys["ASC"], lot=lot, shares=16 if number > 10 else 0)
            LotShareFactory(key=keys["ESC"], lot=lot, shares=30 if number % 2 else 0)
        services.create_chart(condominium=condominium)
        year = services.open_fiscal_year(condominium=condominium, start_date=datetime.date(YEAR, 1, 1))
        budget_lines = [
            LineData(key_code=key, account=account, amount=Decimal(amount))
            for key, accounts in BUDGET.items()
            for account, amount in accounts.items()
        ]
        total = sum((line.amount for line in budget_lines), Decimal("0"))
        save_budget(
            condominium=condominium,
            start_date=datetime.date(YEAR, 1, 1),
            general_meeting_date=datetime.date(YEAR - 1, 6, 1),
            lines=budget_lines,
            works_fund_amount=(total * Decimal("0.05")).quantize(CENT),
        )
        pairs = [(key, account) for key, accounts in BUDGET.items() for account in accounts]
        pairs += list(OFF_BUDGET.items())
        drafts: list[EntryDraft] = []
        for index in range(lines // 2):
            day = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(0, 270))
            parts = rng.sample(pairs, 2)
            amounts = [Decimal(rng.randrange(1000, 60000)) / 100 for _ in parts]
            credit_note = index % 20 == 19
            legs = [
                LineDraft(
                    account=account, key_id=keys[key].pk, **({"credit": amount} if credit_note else {"debit": amount})
                )
                for (key, account), amount in zip(parts, amounts, strict=True)
            ]
            total_invoice = sum(amounts, Decimal("0"))
            legs.append(
                LineDraft(account="401", **({"debit": total_invoice} if credit_note else {"credit": total_invoice}))
            )
            drafts.append(EntryDraft(journal="AC", date=day, label=f"Facture {index}", lines=legs, voucher=f"F{index}"))
        # Provisions called per key (701) each quarter; the counterpart on 471 stands for the co-owners'
        # 4501 lines (only the 701 side is read here).
        for month in (1, 4, 7):
            day = datetime.date(YEAR, month, 1)
            legs = []
            for code, accounts in BUDGET.items():
                quarter = (sum((Decimal(amount) for amount in accounts.values()), Decimal("0")) / 4).quantize(CENT)
                legs.append(LineDraft(account="701", credit=quarter, key_id=keys[code].pk))
                legs.append(LineDraft(account="471", debit=quarter))
            drafts.append(EntryDraft(journal="OD", date=day, label=f"Provisions {month}", lines=legs))
        operation = create_works_operation(
            condominium=condominium,
            code="TOIT",
            label="Toiture",
            general_meeting_date=datetime.date(YEAR - 1, 6, 1),
            lines=[LineData(key_code="GEN", account="671", amount=Decimal("150000.00"))],
            instalments=[InstalmentData(due_date=datetime.date(YEAR, 3, 1), weight=100)],
        )
        for index in range(50):
            amount = Decimal(rng.randrange(100000, 300000)) / 100
            drafts.append(
                EntryDraft(
                    journal="AC",
                    date=datetime.date(YEAR, 2, 1) + datetime.timedelta(days=index * 4),
                    label=f"Situation de travaux {index}",
                    lines=[
                        LineDraft(account="671", debit=amount, key_id=keys["GEN"].pk, operation_id=operation.pk),
                        LineDraft(account="401", credit=amount),
                    ],
                )
            )
        started = time.perf_counter()
        services.post_entries_bulk(condominium=condominium, drafts=drafts)
        charge_lines = Line.objects.filter(
            condominium=condominium, account__number__startswith="6", operation__isnull=True
        ).count()
        print(f"ledger: {charge_lines:,} current charge lines posted in {time.perf_counter() - started:.1f} s")
        assert isinstance(year, FiscalYear)
        return firm, condominium.pk, year.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000, help="class-6 charge lines in the year")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    firm, condominium_pk, year_pk = build(args.lines)
    with firm_scope(firm):
        admin = StaffUserFactory(firm=firm, membership=StaffRole.FIRM_ADMIN)
        year = FiscalYear.objects.get(pk=year_pk)
    client = client_for(firm, admin)
    path = f"/gestion/suivi-budgetaire/{condominium_pk}/"
    print(f"database: {connection.vendor}; {args.requests} runs each after {WARM_UP} warm-up runs")
    print("| what | p50 | p95 | queries | budget |")
    print("| --- | --- | --- | --- | --- |")
    with time_machine.travel(TODAY, tick=True):
        with firm_scope(firm):

            def service() -> None:
                budget_actuals(year, today=TODAY.date())

            rows = [("`budget_actuals` (service)", service)]

        def page() -> None:
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        rows.append((f"GET `{path}` (staff page)", page))
        for name, run in rows:
            with firm_scope(firm) if "service" in name else contextlib.nullcontext():
                for _ in range(WARM_UP):
                    run()
                timings = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    run()
                    timings.append((time.perf_counter() - started) * 1000)
                with CaptureQueriesContext(connection) as captured:
                    run()
            queries = len(captured.captured_queries)
            p95 = percentile(timings, 0.95)
            met = p95 < BUDGET_MS and queries <= BUDGET_QUERIES
            verdict = "met" if met else "**not met**"
            print(f"| {name} | {statistics.median(timings):.1f} ms | {p95:.1f} ms | {queries} | {verdict} |")


if __name__ == "__main__":
    main()
