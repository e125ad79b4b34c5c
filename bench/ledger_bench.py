"""Ledger benchmark: generate N lines of 15-year histories, then time balances, statements, bulk posting.

    createdb -h 127.0.0.1 -U postgres tantieme_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tantieme_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tantieme_bench \
        .venv/bin/python bench/ledger_bench.py --lines 2000000

Data: condominiums of 100 co-owners, 15 calendar years (2011–2025). Each quarter, one call entry
(4501 budget, 4502 works, 4505 works fund for every co-owner, three counterparts) and one payment
entry per co-owner (512 / 4501, 4502, 4505): 6 co-owner lines a quarter, 360 over 15 years.
Everything is posted through `post_entries_bulk`, the production path (numbering, triggers).
A second run reuses the data when the database already holds enough lines.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tantieme.settings")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tantieme.condominiums.models import Condominium, CoOwner  # noqa: E402
from tantieme.ledger import services  # noqa: E402
from tantieme.ledger.enums import LineNature  # noqa: E402
from tantieme.ledger.models import Line  # noqa: E402
from tantieme.ledger.queries import balance  # noqa: E402
from tantieme.ledger.services import EntryDraft, LineDraft  # noqa: E402
from tantieme.ledger.statements import statement_for  # noqa: E402
from tantieme.tenancy.models import Firm  # noqa: E402
from tantieme.tenancy.scoping import firm_scope  # noqa: E402

CO_OWNERS = 100
FIRST_YEAR, YEARS = 2011, 15
LINES_PER_CONDOMINIUM = YEARS * 4 * (CO_OWNERS * 3 + 3 + CO_OWNERS * 4)
ZERO = Decimal("0.00")


def get_firm() -> Firm:
    firm, _created = Firm.objects.get_or_create(
        slug="bench",
        defaults={
            "name": "Bench Syndic",
            "legal_name": "Bench Syndic SARL",
            "address_line1": "1 rue du Banc",
            "postal_code": "75001",
            "city": "Paris",
            "contact_email": "bench@example.com",
            "siren": "732829320",
            "professional_card": "CPI 7501 2020 000 000 001",
            "financial_guarantor": "Galian",
        },
    )
    return firm


def make_condominium(firm: Firm, index: int) -> tuple[Condominium, list[CoOwner]]:
    code = f"{100 + index:03d}"
    condominium = Condominium.all_firms.create(
        firm=firm,
        code=code,
        name=f"Résidence {code}",
        address_line1="1 rue du Banc",
        postal_code="75001",
        city="Paris",
        iban="FR1140031000010000113172M58",
        bic="CDCGFRPPXXX",
    )
    CoOwner.all_firms.bulk_create(
        CoOwner(
            firm=firm,
            condominium=condominium,
            reference=f"A{code}{number:04d}",
            last_name=f"NOM{number}",
            address_line1="1 rue du Banc",
            postal_code="75001",
            city="Paris",
        )
        for number in range(1, CO_OWNERS + 1)
    )
    co_owners = list(CoOwner.all_firms.filter(condominium=condominium).order_by("reference"))
    services.create_chart(condominium=condominium)
    services.open_fiscal_year(condominium=condominium, start_date=datetime.date(FIRST_YEAR, 1, 1))
    for _year in range(YEARS - 1):
        services.open_fiscal_year(condominium=condominium)
    return condominium, co_owners


def year_drafts(co_owners: list[CoOwner], year: int, rng: random.Random) -> list[EntryDraft]:
    drafts: list[EntryDraft] = []
    for quarter, month in enumerate((1, 4, 7, 10), start=1):
        day = datetime.date(year, month, 1)
        lines: list[LineDraft] = []
        totals = {"701": ZERO, "102": ZERO, "105": ZERO}
        amounts = {}
        for owner in co_owners:
            budget = Decimal(rng.randint(20000, 90000)) / 100
            works = Decimal(rng.randint(1000, 9000)) / 100
            fund = Decimal(rng.randint(500, 4000)) / 100
            amounts[owner.pk] = (budget, works, fund)
            label = f"Appel T{quarter} {year}"
            lines += [
                LineDraft(account="4501", debit=budget, co_owner=owner, label=f"{label} budget"),
                LineDraft(
                    account="4502", debit=works, co_owner=owner, nature=LineNature.WORKS, label=f"{label} travaux"
                ),
                LineDraft(
                    account="4505", debit=fund, co_owner=owner, nature=LineNature.WORKS_FUND, label=f"{label} fonds"
                ),
            ]
            totals["701"] += budget
            totals["102"] += works
            totals["105"] += fund
        lines += [LineDraft(account=number, credit=total) for number, total in totals.items()]
        drafts.append(
            EntryDraft(journal="AF", date=day, label=f"Appel T{quarter} {year}", lines=lines, validation_date=day)
        )
        for owner in co_owners:
            budget, works, fund = amounts[owner.pk]
            paid_on = day + datetime.timedelta(days=rng.randint(0, 40))
            drafts.append(
                EntryDraft(
                    journal="BQ1",
                    date=paid_on,
                    label=f"Virement {owner.reference}",
                    validation_date=paid_on,
                    lines=[
                        LineDraft(account="512", debit=budget + works + fund),
                        LineDraft(account="4501", credit=budget, co_owner=owner, label="Virement budget"),
                        LineDraft(
                            account="4502",
                            credit=works,
                            co_owner=owner,
                            nature=LineNature.WORKS,
                            label="Virement travaux",
                        ),
                        LineDraft(
                            account="4505",
                            credit=fund,
                            co_owner=owner,
                            nature=LineNature.WORKS_FUND,
                            label="Virement fonds",
                        ),
                    ],
                )
            )
    return drafts


def generate(firm: Firm, target: int) -> tuple[int, float]:
    rng = random.Random(606)
    existing = Line.all_firms.count()
    condominiums = Condominium.all_firms.filter(firm=firm).count()
    posted_lines, posting_seconds = 0, 0.0
    while existing + posted_lines < target:
        with firm_scope(firm):
            condominium, co_owners = make_condominium(firm, condominiums)
            condominiums += 1
            for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
                drafts = year_drafts(co_owners, year, rng)
                count = sum(len(draft.lines) for draft in drafts)
                started = time.perf_counter()
                services.post_entries_bulk(condominium=condominium, drafts=drafts)
                posting_seconds += time.perf_counter() - started
                posted_lines += count
        print(
            f"  {condominium.code}: {existing + posted_lines:,} lines, "
            f"{posted_lines / posting_seconds:,.0f} lines/s so far",
            flush=True,
        )
    return posted_lines, posting_seconds


def timed(function, runs: int) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    durations, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            durations.append((time.perf_counter() - started) * 1000)
        queries = max(queries, len(captured.captured_queries))
        reset_queries()
    return durations, queries


def describe(name: str, durations: list[float], queries: int, budget_ms: float) -> str:
    median = statistics.median(durations)
    p95 = sorted(durations)[int(len(durations) * 0.95) - 1]
    verdict = "OK" if p95 < budget_ms else "OVER BUDGET"
    return f"{name}: median {median:.2f} ms, p95 {p95:.2f} ms, {queries} queries (budget {budget_ms} ms) {verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Warning: run against PostgreSQL (DATABASE_URL=postgres://...) for meaningful figures.")
    firm = get_firm()
    print(f"Generating up to {args.lines:,} lines ({LINES_PER_CONDOMINIUM:,} per condominium)…", flush=True)
    posted, seconds = generate(firm, args.lines)
    if posted:
        print(f"Bulk posting: {posted:,} lines in {seconds:.1f} s = {posted / seconds:,.0f} lines/s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ledger_line") if connection.vendor == "postgresql" else None
    total = Line.all_firms.count()
    print(f"Lines in the database: {total:,}")

    rng = random.Random(1)
    with firm_scope(firm):
        co_owners = list(CoOwner.objects.filter(condominium__firm=firm).order_by("pk"))
        sample = [rng.choice(co_owners) for _ in range(args.runs)]
        iterator = iter(sample * 2)
        durations, queries = timed(lambda: balance(next(iterator), at=datetime.date(2025, 12, 31)), args.runs)
        print(describe("Balance of one co-owner", durations, queries, 5))
        iterator = iter(sample * 2)
        lengths: list[int] = []

        def statement() -> None:
            lengths.append(
                len(statement_for(next(iterator), datetime.date(FIRST_YEAR, 1, 1), datetime.date(2025, 12, 31)).lines)
            )

        durations, queries = timed(statement, args.runs)
        print(describe(f"15-year statement ({min(lengths)}–{max(lengths)} lines)", durations, queries, 30))

        # One more batch measured on its own: a year of calls and payments for 3 condominiums.
        condominium, owners = make_condominium(firm, Condominium.all_firms.filter(firm=firm).count())
        drafts = [draft for year in range(FIRST_YEAR, FIRST_YEAR + 3) for draft in year_drafts(owners, year, rng)]
        count = sum(len(draft.lines) for draft in drafts)
        started = time.perf_counter()
        services.post_entries_bulk(condominium=condominium, drafts=drafts)
        elapsed = time.perf_counter() - started
        print(f"Bulk posting, one batch of {len(drafts)} entries / {count:,} lines: {count / elapsed:,.0f} lines/s")


if __name__ == "__main__":
    main()
