"""Closing benchmark (issue 12): draft, annexes, individual statements, approval, trial balance, grand livre.

    .venv/bin/python bench/closing_bench.py                    # fresh SQLite file in a temp VAR_DIR
    createdb -h 127.0.0.1 -U postgres closing_bench
    .venv/bin/python bench/closing_bench.py --database-url postgres://postgres@127.0.0.1:5432/closing_bench
    dropdb -h 127.0.0.1 -U postgres closing_bench

Data: the condominium of `bench/funds_bench.py` (its `generate`: 20,000 lots, 15,000 co-owners, keys GEN
and ASC, fiscal year 2026), plus a third key ESC (special, on one lot in three), a budget re-voted
through `save_budget` with several class-6 accounts per key, the four quarterly calls of 2026 through
`tantieme.funds.issuing.issue_call`, `--charges` AC entries (class-6 lines, each tagged with its key,
against 401), one bank entry of financial income (716, no key: goes to GEN) and one payment per
co-owner (most pay their calls, one in ten nothing, one in ten 10 % more), all through
`post_entries_bulk`; then fiscal year 2027 is opened.

Each measured step runs in its own subprocess (this script with `--phase`), so that its peak RSS
(`getrusage(RUSAGE_SELF).ru_maxrss`) is its own, not the generation's:
- `draft`: `draft_closing` + `build_annexes` + `render_annexes_pdf` + `render_annexes_xlsx` +
  `individual_statements` + `render_individual_statement_pdf` for every co-owner (budget < 120 s,
  < 500 MB);
- `approve`: `approve_closing(publish=False)` (budget < 30 s);
- `trial`: `trial_balance` of 2026 (budget < 1 s);
- `lines`: extra lines in 2027 through `post_entries_bulk` until 2027 alone holds `--ledger-lines`;
- `stream`: `trial_balance` again on the big condominium, then the grand livre of 2027 streamed
  (`reports.stream_general_ledger` → `exports.general_ledger_table` → `exports.csv_chunks`, written to
  a temporary file), its RSS sampled while it runs (constant memory: the growth must not depend on
  the number of lines).
The clock is moved to 2027-03-01 (time_machine, ticking) so that 2026 has ended; the general meeting
approves on 2027-02-20. Every SQL statement is counted and timed (`connection.execute_wrapper`):
the table gives, per step, the queries and the time spent in the database driver, the rest being
Python. `--profile DIR` writes a cProfile of each step.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

NOW = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)
APPROVAL = datetime.date(2027, 2, 20)
YEAR_START = datetime.date(2026, 1, 1)
NEXT_START = datetime.date(2027, 1, 1)
CENT = Decimal("0.01")
PHASES = ("setup", "draft", "approve", "trial", "lines", "stream")


# --- Measuring ----------------------------------------------------------------------------------------


def _rss_mb() -> float:
    """Current resident set size (VmRSS), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class SqlMeter:
    """Counts the statements and the time spent in the driver (client + round trip + server)."""

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


class Steps:
    """Timed steps of a phase: wall time, SQL count and time, RSS after, high-water mark after."""

    def __init__(self, profile_dir: str) -> None:
        self.rows: list[dict[str, Any]] = []
        self.profile_dir = profile_dir

    @contextlib.contextmanager
    def step(self, name: str, **extra: Any) -> Iterator[dict[str, Any]]:
        from django.db import connection

        meter = SqlMeter()
        row: dict[str, Any] = {"step": name, **extra}
        profiler = cProfile.Profile() if self.profile_dir else None
        with connection.execute_wrapper(meter):
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            try:
                yield row
            finally:
                if profiler is not None:
                    profiler.disable()
                row["seconds"] = time.perf_counter() - started
        row.update(queries=meter.queries, sql_seconds=meter.seconds, rss_mb=_rss_mb(), peak_mb=_peak_mb())
        if profiler is not None:
            profiler.dump_stats(str(Path(self.profile_dir) / f"{name.replace(' ', '_')}.prof"))
        self.rows.append(row)
        print(
            f"  {name}: {row['seconds']:.2f} s, {meter.queries} queries ({meter.seconds:.2f} s in SQL), "
            f"RSS {row['rss_mb']:.0f} MiB, peak {row['peak_mb']:.0f} MiB",
            flush=True,
        )


# --- Phases ----------------------------------------------------------------------------------------------


def _condominium(args: argparse.Namespace) -> Any:
    from tantieme.condominiums.models import Condominium

    return Condominium.all_firms.select_related("firm").get(firm__slug=args.slug, code=args.code)


def _year(condominium: Any, start: datetime.date) -> Any:
    from tantieme.ledger.models import FiscalYear

    return FiscalYear.objects.get(condominium=condominium, start_date=start)


def _budget_lines(lots: int) -> list[Any]:
    """Several class-6 accounts per key, scaled to the size of the condominium as funds_bench does."""
    from tantieme.funds.services import LineData

    scale = Decimal(lots) / 20
    amounts = {
        "GEN": {"611": "210.01", "616": "280.00", "6211": "240.00", "602": "95.50", "633": "60.00", "615": "45.25"},
        "ASC": {"614": "250.03", "602": "40.00", "615": "35.70"},
        "ESC": {"611": "30.00", "602": "12.40", "604": "8.15"},
    }
    return [
        LineData(key_code=key, account=account, amount=(Decimal(amount) * scale).quantize(CENT))
        for key, accounts in amounts.items()
        for account, amount in accounts.items()
    ]


def _add_staircase_key(condominium: Any) -> None:
    """Key ESC « Escalier B »: a special key on one lot in three (the others have no share at all)."""
    from tantieme.condominiums.enums import KeyKind
    from tantieme.condominiums.models import AllocationKey, Lot, LotShare

    lots = list(Lot.objects.filter(condominium=condominium, number__gt=0).order_by("number"))
    members = [(lot, 20 + lot.number % 17) for lot in lots if lot.number % 3 == 0]
    key = AllocationKey.objects.create(
        condominium=condominium,
        code="ESC",
        label="Escalier B",
        total=sum(shares for _lot, shares in members),
        kind=KeyKind.SPECIAL,
    )
    LotShare.objects.bulk_create([LotShare(key=key, lot=lot, shares=s) for lot, s in members], batch_size=5000)


def _charges_drafts(condominium: Any, budget_lines: list[Any], count: int) -> list[Any]:
    """`count` supplier invoices over the year; per key and account, the year's total is its budget
    × a factor (GEN 1.04, ASC 0.93, ESC 1.07): insufficiencies and excesses, both signs per co-owner."""
    from tantieme.condominiums.models import AllocationKey
    from tantieme.core.money import allocate
    from tantieme.ledger.services import EntryDraft, LineDraft

    keys = dict(AllocationKey.objects.filter(condominium=condominium).values_list("code", "pk"))
    factors = {"GEN": Decimal("1.04"), "ASC": Decimal("0.93"), "ESC": Decimal("1.07")}
    pairs = [
        (line.key_code, line.account, (line.amount * factors[line.key_code]).quantize(CENT)) for line in budget_lines
    ]
    per_entry = 4
    uses: dict[int, list[int]] = {index: [] for index in range(len(pairs))}
    plan: list[list[int]] = []
    for entry in range(count):
        chosen = sorted({(entry * per_entry + offset) % len(pairs) for offset in range(per_entry)})
        plan.append(chosen)
        for index in chosen:
            uses[index].append(entry)
    amounts: dict[tuple[int, int], Decimal] = {}
    for index, entries in uses.items():
        weights = [3 + (entry * 7919 + index) % 11 for entry in entries]
        for entry, part in zip(entries, allocate(pairs[index][2], weights), strict=True):
            amounts[(entry, index)] = part
    drafts = []
    for entry, chosen in enumerate(plan):
        day = YEAR_START + datetime.timedelta(days=entry * 364 // count)
        lines = [
            LineDraft(
                account=pairs[index][1],
                debit=amounts[(entry, index)],
                key_id=keys[pairs[index][0]],
                label=f"Facture {entry + 1:04d} {pairs[index][0]}",
            )
            for index in chosen
        ]
        total = sum((line.debit for line in lines), Decimal(0))
        lines.append(LineDraft(account="401", credit=total, label=f"Fournisseur facture {entry + 1:04d}"))
        drafts.append(
            EntryDraft(journal="AC", date=day, label=f"Facture fournisseur {entry + 1:04d}", lines=lines,
                       voucher=f"F{entry + 1:05d}", validation_date=day)
        )  # fmt: skip
    interest = Decimal("1234.56")
    drafts.append(
        EntryDraft(journal="BQ1", date=datetime.date(2026, 12, 31), label="Intérêts du compte séparé",
                   validation_date=datetime.date(2026, 12, 31),
                   lines=[LineDraft(account="512", debit=interest), LineDraft(account="716", credit=interest)])
    )  # fmt: skip
    return drafts


def _payment_drafts(condominium: Any) -> list[Any]:
    """One transfer per co-owner for the year's calls: 8 in 10 pay exactly, 1 in 10 nothing, 1 in 10 +10 %."""
    from django.db.models import Sum

    from tantieme.condominiums.models import CoOwner
    from tantieme.ledger.models import Line
    from tantieme.ledger.services import EntryDraft, LineDraft

    owners = {owner.pk: owner for owner in CoOwner.objects.filter(condominium=condominium)}
    called: dict[int, dict[str, Decimal]] = {}
    for owner_id, number, debit in (
        Line.objects.filter(condominium=condominium, co_owner__isnull=False, date__lt=NEXT_START)
        .values_list("co_owner_id", "account__number")
        .annotate(debit=Sum("debit"))
        .order_by("co_owner_id", "account__number")
    ):
        called.setdefault(owner_id, {})[number] = debit
    drafts = []
    for index, (owner_id, accounts) in enumerate(sorted(called.items())):
        if index % 10 == 0:
            continue
        factor = Decimal("1.10") if index % 10 == 1 else Decimal(1)
        owner = owners[owner_id]
        day = datetime.date(2026, 1, 10) + datetime.timedelta(days=index % 340)
        lines = [
            LineDraft(account=number, credit=(amount * factor).quantize(CENT), co_owner=owner, label="Virement")
            for number, amount in sorted(accounts.items())
            if amount
        ]
        if not lines:
            continue
        total = sum((line.credit for line in lines), Decimal(0))
        drafts.append(
            EntryDraft(journal="BQ1", date=day, label=f"Virement {owner.reference}", validation_date=day,
                       lines=[LineDraft(account="512", debit=total), *lines])
        )  # fmt: skip
    return drafts


def phase_setup(args: argparse.Namespace, steps: Steps) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from funds_bench import generate

    from tantieme.funds.issuing import instalments_for_period, issue_call
    from tantieme.funds.services import save_budget
    from tantieme.ledger import services as ledger
    from tantieme.ledger.models import Line
    from tantieme.tenancy.scoping import firm_scope

    with steps.step("migrate"):
        call_command("migrate", verbosity=0)
    with steps.step("generate (funds_bench)"):
        generate(slug=args.slug, code=args.code, lots=args.lots, co_owners=args.co_owners)
    condominium = _condominium(args)
    with firm_scope(condominium.firm):
        budget_lines = _budget_lines(args.lots)
        with steps.step("key ESC + budget (3 keys, 12 accounts)"):
            _add_staircase_key(condominium)
            total = sum((line.amount for line in budget_lines), Decimal(0))
            save_budget(
                condominium=condominium,
                start_date=YEAR_START,
                general_meeting_date=datetime.date(2025, 6, 12),
                lines=budget_lines,
                works_fund_amount=(total * Decimal("0.05")).quantize(CENT),
            )
        for quarter in range(1, 5):
            with steps.step(f"issue_call 2026-Q{quarter}") as row:
                instalments = instalments_for_period(condominium, f"2026-Q{quarter}")
                for instalment in instalments:
                    issue_call(instalment=instalment)
                row["calls"] = len(instalments)
        with steps.step(f"{args.charges} charges + payments (post_entries_bulk)") as row:
            drafts = _charges_drafts(condominium, budget_lines, args.charges)
            ledger.post_entries_bulk(condominium=condominium, drafts=drafts)
            payments = _payment_drafts(condominium)
            ledger.post_entries_bulk(condominium=condominium, drafts=payments)
            row["entries"] = len(drafts) + len(payments)
        ledger.open_fiscal_year(condominium=condominium, one_year_ahead=True)
        lines = Line.objects.filter(condominium=condominium).count()
    if connection.vendor == "postgresql" and not args.no_analyze:
        # What autovacuum would have done by the general meeting (this server runs without it).
        with steps.step("ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"lines_2026": lines}


def phase_draft(args: argparse.Namespace, steps: Steps) -> dict[str, Any]:
    from tantieme.closing.annexes import build_annexes
    from tantieme.closing.models import DistributionLine
    from tantieme.closing.renderers import render_annexes_pdf, render_annexes_xlsx, render_individual_statement_pdf
    from tantieme.closing.services import draft_closing
    from tantieme.closing.statements import individual_statements
    from tantieme.tenancy.scoping import firm_scope

    condominium = _condominium(args)
    with firm_scope(condominium.firm):
        year = _year(condominium, YEAR_START)
        started = time.perf_counter()
        with steps.step("draft_closing") as row:
            closing = draft_closing(fiscal_year=year)
        row["distribution_lines"] = DistributionLine.objects.filter(closing=closing).count()
        row["regularisation_total"] = str(closing.regularisation_total)
        row["blocking"] = [item["detail"] for item in closing.checklist if not item["ok"] and item["blocking"]]
        with steps.step("build_annexes"):
            annexes = build_annexes(fiscal_year=year, closing=closing)
        with steps.step("render_annexes_pdf") as row:
            row["bytes"] = len(render_annexes_pdf(annexes))
        with steps.step("render_annexes_xlsx") as row:
            row["bytes"] = len(render_annexes_xlsx(annexes))
        with steps.step("individual_statements") as row:
            statements = individual_statements(closing)
            row["count"] = len(statements)
        with steps.step("render_individual_statement_pdf × all") as row:
            size = 0
            for statement in statements:
                size += len(render_individual_statement_pdf(statement))
            row.update(count=len(statements), bytes=size)
        total = time.perf_counter() - started
    return {"draft_total_seconds": total, "warnings": list(annexes.warnings)}


def phase_approve(args: argparse.Namespace, steps: Steps) -> dict[str, Any]:
    from tantieme.closing.services import approve_closing
    from tantieme.ledger.models import Entry, Line
    from tantieme.tenancy.scoping import firm_scope

    condominium = _condominium(args)
    with firm_scope(condominium.firm):
        year = _year(condominium, YEAR_START)
        before = Line.objects.filter(condominium=condominium).count()
        with steps.step("approve_closing"):
            approve_closing(fiscal_year=year, approval_date=APPROVAL, publish=False)
        posted = Line.objects.filter(condominium=condominium).count() - before
        entries = Entry.objects.filter(condominium=condominium, journal__code="RE").count()
    return {"posted_lines": posted, "re_entries": entries}


def _trial(steps: Steps, year: Any, name: str, runs: int = 5) -> float:
    from tantieme.ledger.reports import trial_balance

    durations = []
    for run in range(runs):
        with steps.step(f"{name} run {run + 1}") as row:
            row["accounts"] = len(trial_balance(year))
        durations.append(row["seconds"])
    durations.sort()
    return durations[len(durations) // 2]


def phase_trial(args: argparse.Namespace, steps: Steps) -> dict[str, Any]:
    from tantieme.ledger.models import Line
    from tantieme.tenancy.scoping import firm_scope

    condominium = _condominium(args)
    with firm_scope(condominium.firm):
        lines = Line.objects.filter(condominium=condominium).count()
        median = _trial(steps, _year(condominium, YEAR_START), "trial_balance 2026")
    return {"trial_2026_median": median, "condominium_lines": lines}


def phase_lines(args: argparse.Namespace, steps: Steps) -> dict[str, Any]:
    """Calls and remittances of 1,000 co-owners each (1,001 lines an entry) in 2027, by batches of
    ≈ 100,000 lines (one post_entries_bulk each), until 2027 holds `--ledger-lines` lines."""
    from django.db import connection

    from tantieme.condominiums.models import AllocationKey, CoOwner
    from tantieme.ledger import services as ledger
    from tantieme.ledger.models import Line
    from tantieme.ledger.services import EntryDraft, LineDraft
    from tantieme.tenancy.scoping import firm_scope

    condominium = _condominium(args)
    with firm_scope(condominium.firm):
        owners = list(CoOwner.objects.filter(condominium=condominium).order_by("reference"))
        general = AllocationKey.objects.get(condominium=condominium, code="GEN").pk
        existing = Line.objects.filter(condominium=condominium, date__gte=NEXT_START).count()
        group = 1000
        posted, batch, rank = 0, 0, 0
        with steps.step("post extra 2027 lines") as row:
            while existing + posted < args.ledger_lines:
                drafts: list[Any] = []
                while sum(len(draft.lines) for draft in drafts) < 100_000:
                    first = (rank * group) % len(owners)
                    chunk = owners[first : first + group]
                    day = NEXT_START + datetime.timedelta(days=rank % 365)
                    amounts = [
                        Decimal(100 + (rank * 31 + index * 7) % 900) + Decimal("0.25") for index in range(len(chunk))
                    ]
                    total = sum(amounts, Decimal(0))
                    label = f"{'Appel' if rank % 2 == 0 else 'Remise'} {rank}"
                    side = "debit" if rank % 2 == 0 else "credit"
                    lines = [
                        LineDraft(account="4501", co_owner=owner, label=label, **{side: amount})
                        for owner, amount in zip(chunk, amounts, strict=True)
                    ]
                    if rank % 2 == 0:
                        lines.append(LineDraft(account="701", credit=total, key_id=general, label=label))
                    else:
                        lines.insert(0, LineDraft(account="512", debit=total, label=label))
                    drafts.append(
                        EntryDraft(
                            journal="AF" if rank % 2 == 0 else "BQ1",
                            date=day,
                            label=label,
                            lines=lines,
                            validation_date=day,
                        )
                    )
                    rank += 1
                count = sum(len(draft.lines) for draft in drafts)
                ledger.post_entries_bulk(condominium=condominium, drafts=drafts)
                posted += count
                batch += 1
                if batch % 5 == 0:
                    print(f"    {existing + posted:,} lines in 2027", flush=True)
            row["lines"] = posted
        if connection.vendor == "postgresql" and not args.no_analyze:
            with steps.step("ANALYZE"), connection.cursor() as cursor:
                cursor.execute("ANALYZE ledger_line")
                cursor.execute("ANALYZE ledger_entry")
        total = Line.objects.filter(condominium=condominium).count()
        in_year = Line.objects.filter(condominium=condominium, date__gte=NEXT_START).count()
    return {"posted": posted, "condominium_lines": total, "lines_2027": in_year}


def phase_stream(args: argparse.Namespace, steps: Steps) -> dict[str, Any]:
    from tantieme.ledger.exports import csv_chunks, general_ledger_table
    from tantieme.ledger.models import Line
    from tantieme.ledger.reports import stream_general_ledger
    from tantieme.tenancy.scoping import firm_scope

    condominium = _condominium(args)
    with firm_scope(condominium.firm):
        lines = Line.objects.filter(condominium=condominium).count()
        year_2026 = _year(condominium, YEAR_START)
        year_2027 = _year(condominium, NEXT_START)
        median_2026 = _trial(steps, year_2026, "trial_balance 2026 (big condominium)")
        median_2027 = _trial(steps, year_2027, "trial_balance 2027 (big year)")
        rss_before = _rss_mb()
        samples: list[tuple[int, float]] = []
        with (
            tempfile.NamedTemporaryFile(prefix="grand-livre-", suffix=".csv") as output,
            steps.step("stream grand livre 2027 → CSV") as row,
        ):
            rows = stream_general_ledger(year_2027)
            counted = 0

            def counting(source: Iterator[Any]) -> Iterator[Any]:
                nonlocal counted
                for item in source:
                    counted += 1
                    if counted % 100_000 == 0:
                        samples.append((counted, _rss_mb()))
                    yield item

            size = 0
            for chunk in csv_chunks(general_ledger_table(counting(rows), title="Grand livre 2027")):
                output.write(chunk)
                size += len(chunk)
            row.update(rows=counted, bytes=size)
    peaks = [rss for _count, rss in samples] or [_rss_mb()]
    return {
        "condominium_lines": lines,
        "trial_2026_median": median_2026,
        "trial_2027_median": median_2027,
        "stream_rows": counted,
        "stream_bytes": size,
        "rss_before_stream": rss_before,
        "rss_max_during_stream": max(peaks),
        "rss_samples": samples[:: max(1, len(samples) // 10)] + samples[-1:],
    }


# --- Orchestration ---------------------------------------------------------------------------------------


def _configure_child() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tantieme.settings")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django

    django.setup()


def run_phase(args: argparse.Namespace) -> None:
    import time_machine

    _configure_child()
    steps = Steps(args.profile)
    phase = {
        "setup": phase_setup,
        "draft": phase_draft,
        "approve": phase_approve,
        "trial": phase_trial,
        "lines": phase_lines,
        "stream": phase_stream,
    }[args.phase]
    with time_machine.travel(NOW, tick=True):
        result = phase(args, steps)
    result.update(steps=steps.rows, peak_mb=_peak_mb())
    print("RESULT " + json.dumps(result, default=str), flush=True)


def _child(phase: str, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, __file__, "--phase", phase, "--slug", args.slug, "--code", args.code]
    command += ["--lots", str(args.lots), "--co-owners", str(args.co_owners), "--charges", str(args.charges)]
    command += ["--ledger-lines", str(args.ledger_lines), "--profile", args.profile]
    command += ["--no-analyze"] if args.no_analyze else []
    print(f"[{phase}]", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)  # noqa: S603
    result: dict[str, Any] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT ") :])
        else:
            print(line, end="", flush=True)
    if process.wait() != 0 or not result:
        raise SystemExit(f"phase {phase} failed (exit {process.returncode})")
    result["wall_seconds"] = time.perf_counter() - started
    return result


def _step(result: dict[str, Any], name: str) -> dict[str, Any]:
    return next(row for row in result["steps"] if row["step"] == name)


def _sql(row: dict[str, Any]) -> str:
    return f"{row['queries']} q, {row['sql_seconds']:.2f} s SQL"


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace, vendor: str) -> None:
    setup, draft, approve = results["setup"], results["draft"], results["approve"]
    trial, lines, stream = results["trial"], results["lines"], results.get("stream")
    load = os.getloadavg()
    print()
    print(f"{vendor}, {args.lots:,} lots, {args.co_owners:,} co-owners, {os.cpu_count()} cores, load average now "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip
    print("| step | result | SQL | budget |")
    print("| --- | --- | --- | --- |")
    for row in setup["steps"]:
        if row["step"].startswith("issue_call"):
            print(f"| setup: {row['step']} | {row['seconds']:.1f} s | {_sql(row)} | |")
    print(f"| setup: ledger lines in 2026 | {setup['lines_2026']:,} | | |")
    budget_ok = draft["draft_total_seconds"] < 120 and draft["peak_mb"] < 500
    for name in (
        "draft_closing",
        "build_annexes",
        "render_annexes_pdf",
        "render_annexes_xlsx",
        "individual_statements",
        "render_individual_statement_pdf × all",
    ):
        row = _step(draft, name)
        extra = ""
        if "count" in row:
            extra += f", {row['count']:,} statements"
        if "bytes" in row:
            extra += f", {row['bytes'] / 1024:,.0f} KiB"
        if "distribution_lines" in row:
            extra += f", {row['distribution_lines']:,} distribution lines"
        print(f"| draft: {name} | {row['seconds']:.2f} s{extra} | {_sql(row)} | |")
    print(
        f"| **draft total** (peak RSS) | **{draft['draft_total_seconds']:.1f} s** ({draft['peak_mb']:.0f} MiB) | | "
        f"< 120 s, < 500 MB: {'met' if budget_ok else 'NOT MET'} |"
    )
    row = _step(approve, "approve_closing")
    print(
        f"| **approve_closing** ({approve['re_entries']:,} RE entries, {approve['posted_lines']:,} lines; peak "
        f"{approve['peak_mb']:.0f} MiB) | **{row['seconds']:.1f} s** | {_sql(row)} | < 30 s: "
        f"{'met' if row['seconds'] < 30 else 'NOT MET'} |"
    )
    median = trial["trial_2026_median"]
    print(
        f"| **trial_balance 2026** ({trial['condominium_lines']:,} lines in the condominium), median of 5 | "
        f"**{median * 1000:.0f} ms** | {_sql(_step(trial, 'trial_balance 2026 run 1'))} | < 1 s: "
        f"{'met' if median < 1 else 'NOT MET'} |"
    )
    row = _step(lines, "post extra 2027 lines")
    if row["lines"]:
        print(f"| extra lines in 2027 (post_entries_bulk) | {row['lines']:,} in {row['seconds']:.0f} s "
              f"({row['lines'] / row['seconds']:,.0f}/s) | {_sql(row)} | |")  # fmt: skip
    if stream is not None:
        for key, label in (("trial_2026_median", "2026"), ("trial_2027_median", "2027")):
            print(
                f"| **trial_balance {label}**, condominium of {stream['condominium_lines']:,} lines "
                f"({lines['lines_2027']:,} in 2027), median of 5 | **{stream[key] * 1000:.0f} ms** | | < 1 s: "
                f"{'met' if stream[key] < 1 else 'NOT MET'} |"
            )
        row = _step(stream, "stream grand livre 2027 → CSV")
        growth = stream["rss_max_during_stream"] - stream["rss_before_stream"]
        print(
            f"| **grand livre 2027 streamed to CSV** ({row['rows']:,} rows, {row['bytes'] / 2**20:,.0f} MiB) | "
            f"**{row['seconds']:.1f} s**, RSS {stream['rss_before_stream']:.0f} → max "
            f"{stream['rss_max_during_stream']:.0f} MiB (**+{growth:.0f} MiB**), process peak {stream['peak_mb']:.0f} "
            f"MiB | {_sql(row)} | constant memory |"
        )
        print("RSS while streaming (rows read, MiB): " + ", ".join(f"{n:,}: {r:.0f}" for n, r in stream["rss_samples"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lots", type=int, default=20_000)
    parser.add_argument("--co-owners", type=int, default=15_000)
    parser.add_argument("--charges", type=int, default=200, help="Supplier invoices (AC entries) in 2026.")
    parser.add_argument("--ledger-lines", type=int, default=2_000_000, help="Lines of 2027 for the grand livre.")
    parser.add_argument("--database-url", default="", help="An empty database (default: a temporary SQLite file).")
    parser.add_argument("--profile", default="", help="Directory for a cProfile of every step.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary SQLite directory.")
    parser.add_argument(
        "--no-analyze", action="store_true", help="PostgreSQL: no ANALYZE after the generation (stale statistics)."
    )
    parser.add_argument("--slug", default="closingbench")
    parser.add_argument("--code", default="888")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args)
        return
    env = dict(os.environ)
    temporary = None
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if "DATABASE_URL" not in env:
        temporary = Path(tempfile.mkdtemp(prefix="tantieme-closing-bench-"))
        env["VAR_DIR"] = str(temporary)
        env["DATABASE_URL"] = f"sqlite:///{temporary / 'bench.sqlite3'}"
    vendor = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    try:
        for phase in PHASES:
            if phase == "stream" and not args.ledger_lines:
                continue
            results[phase] = _child(phase, args, env)
    finally:
        if temporary is not None and not args.keep:
            shutil.rmtree(temporary, ignore_errors=True)
    report(results, args, vendor)
    print(f"whole run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
