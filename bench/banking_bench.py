"""Banking benchmark: a CAMT.053 of 100,000 entries imported and matched, then imported again.

    .venv/bin/python bench/banking_bench.py [--entries 100000] [--co-owners 1000]

Runs on a fresh SQLite database in a temporary VAR_DIR (or on DATABASE_URL if it is set to a
PostgreSQL database created for the purpose). Each measured step runs in its own subprocess,
which reports its wall time and its peak RSS (resource.getrusage, ru_maxrss).

The file: 90 % transfers quoting a co-owner reference (half as an RF creditor reference),
3 % with a typo in the reference (review queue), 3 % unreferenced (suspense), 2 % card
remittances (5128) and 2 % debits (suppliers and fees). Budgets (issue 8): import + matching
< 30 s and < 300 MB; re-import < 10 s adding nothing.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IBAN = "FR7630006000011234567890189"
DAY0 = datetime.date(2026, 3, 2)


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tantieme.settings")
    import django

    django.setup()


def seed(co_owners: int) -> None:
    _django()
    from tantieme.condominiums.models import Condominium, CoOwner
    from tantieme.ledger import services
    from tantieme.ledger.services import EntryDraft, LineDraft
    from tantieme.tenancy.models import Firm
    from tantieme.tenancy.scoping import firm_scope

    firm = Firm.objects.create(
        slug="bench",
        name="Bench",
        legal_name="Bench SARL",
        address_line1="1 rue",
        postal_code="75001",
        city="Paris",
        siren="732829320",
    )
    condo = Condominium.all_firms.create(
        firm=firm,
        code="606",
        name="Résidence du banc",
        address_line1="1 rue",
        postal_code="75001",
        city="Paris",
        iban=IBAN,
        bic="AGRIFRPP",
    )
    CoOwner.all_firms.bulk_create(
        CoOwner(
            firm=firm,
            condominium=condo,
            reference=f"A606{n:04d}",
            last_name=f"NOM{n}",
            first_name="Jean",
            address_line1="1 rue",
            postal_code="75001",
            city="Paris",
        )
        for n in range(1, co_owners + 1)
    )
    with firm_scope(firm):
        services.create_chart(condominium=condo)
        services.open_fiscal_year(condominium=condo, start_date=datetime.date(2026, 1, 1))
        owners = list(CoOwner.objects.filter(condominium=condo))
        amount = Decimal("300.00")
        lines = [LineDraft(account="4501", debit=amount, co_owner=owner) for owner in owners]
        lines.append(LineDraft(account="701", credit=amount * len(owners)))
        services.post_entries_bulk(
            condominium=condo,
            drafts=[EntryDraft(journal="AF", date=datetime.date(2026, 1, 1), label="Appel T1 2026", lines=lines)],
        )


def write_file(path: Path, entries: int, co_owners: int, seed_value: int = 8) -> dict[str, int]:
    _django()
    from tantieme.banking.samples import SampleMovement, camt053_chunks
    from tantieme.core.references import creditor_reference

    rng = random.Random(seed_value)
    expected = {"reference": 0, "typo": 0, "unreferenced": 0, "card": 0, "debit": 0}
    movements: list[SampleMovement] = []
    for n in range(entries):
        day = DAY0 + datetime.timedelta(days=n * 20 // entries)
        owner = rng.randint(1, co_owners)
        reference = f"A606{owner:04d}"
        amount = Decimal(rng.randint(1000, 90000)) / 100
        roll = rng.random()
        bank_ref = f"B{n:012d}"
        if roll < 0.45:
            kind, mv = (
                "reference",
                SampleMovement(
                    amount,
                    day,
                    remittance=f"CHARGES T1 2026 REF A 606 {owner:04d}",
                    name=f"M OU MME NOM{owner} JEAN",
                    reference=bank_ref,
                ),
            )
        elif roll < 0.90:
            kind, mv = (
                "reference",
                SampleMovement(
                    amount,
                    day,
                    structured_reference=creditor_reference(reference),
                    name=f"NOM{owner} JEAN",
                    reference=bank_ref,
                    end_to_end_id=f"{reference}-2026T1",
                ),
            )
        elif roll < 0.93:
            typo = f"A 6O6 {owner:04d}"
            kind, mv = (
                "typo",
                SampleMovement(amount, day, remittance=f"CHARGES {typo}", name=f"NOM{owner} JEAN", reference=bank_ref),
            )
        elif roll < 0.96:
            kind, mv = (
                "unreferenced",
                SampleMovement(amount, day, remittance="VIREMENT", name=f"INCONNU {n}", reference=bank_ref),
            )
        elif roll < 0.98:
            kind, mv = "card", SampleMovement(amount, day, label=f"REMISE CB {n}", reference=bank_ref)
        else:
            kind, mv = (
                "debit",
                SampleMovement(-amount, day, name="ASCENSEURS DU SUD", remittance=f"FACTURE {n}", reference=bank_ref),
            )
        expected[kind] += 1
        movements.append(mv)
    net = sum((mv.amount for mv in movements), Decimal("0.00"))
    with path.open("w", encoding="utf-8") as handle:
        for piece in camt053_chunks(
            iban=IBAN,
            statement_id="BENCH-1",
            opening_balance=Decimal("0.00"),
            opening_date=DAY0 - datetime.timedelta(days=1),
            closing_date=DAY0 + datetime.timedelta(days=20),
            movements=movements,
            count=len(movements),
            net=net,
        ):
            handle.write(piece)
    return expected


class _SqlTimer:
    """Wall time per statement shape (client + round trip + server), for BENCH_SQL_TIMING=FILE."""

    def __init__(self) -> None:
        self.totals: dict[str, list[float]] = {}

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = " ".join(str(sql).split())[:160]
            total = self.totals.setdefault(shape, [0.0, 0])
            total[0] += time.perf_counter() - started
            total[1] += 1

    def wrap(self, owner: object, name: str, shape: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                total = self.totals.setdefault(shape, [0.0, 0])
                total[0] += time.perf_counter() - started
                total[1] += 1

        setattr(owner, name, timed)

    def dump(self, path: Path) -> None:
        rows = sorted(self.totals.items(), key=lambda item: -item[1][0])
        lines = [f"{seconds:8.2f} s {int(count):8d}  {shape}" for shape, (seconds, count) in rows]
        path.write_text("\n".join(lines) + "\n")


def run_import(path: Path) -> None:
    _django()
    from tantieme.banking.services import import_statement
    from tantieme.condominiums.models import Condominium
    from tantieme.tenancy.scoping import firm_scope

    condo = Condominium.all_firms.select_related("firm").get(code="606")
    profile_path = os.environ.get("BENCH_PROFILE", "")
    profiler = None
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()
    sql_timing_path = os.environ.get("BENCH_SQL_TIMING", "")
    sql_timer = _SqlTimer() if sql_timing_path else None
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    content = path.read_bytes()
    if profiler is not None:
        profiler.enable()
    with firm_scope(condo.firm):
        chunk = int(os.environ.get("BENCH_CHUNK", "0")) or None
        options = {"chunk_size": chunk} if chunk else {}
        if sql_timer is not None:
            from django.db import connection

            sql_timer.wrap(connection, "commit", "COMMIT (deferred checks)")
            for module_name, function in (
                ("tantieme.ledger.services", "_insert_entries"),
                ("tantieme.ledger.services", "_insert_lines"),
                ("tantieme.banking.services", "_insert_lines"),
                ("tantieme.banking.services", "_survey"),
                ("tantieme.banking.matching", "decide"),
                ("tantieme.ledger.services", "_post"),
                ("tantieme.banking.posting", "_open_items"),
                ("tantieme.banking.services", "_import_chunk"),
            ):
                sql_timer.wrap(importlib.import_module(module_name), function, f"{module_name}.{function}")
            with connection.execute_wrapper(sql_timer):
                result = import_statement(condominium=condo, content=content, filename=path.name, **options)
            sql_timer.dump(Path(f"{sql_timing_path}.{time.time_ns()}"))
        else:
            result = import_statement(condominium=condo, content=content, filename=path.name, **options)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile_path)
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime - before.ru_utime + usage.ru_stime - before.ru_stime
    peak_kib = usage.ru_maxrss
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 2),
                "cpu_seconds": round(cpu, 2),
                "peak_mib": round(peak_kib / 1024, 1),
                "already": result.already_imported,
                "imported": result.imported,
                "skipped": result.skipped,
                "matched": result.matched,
                "to_review": result.to_review,
                "suspense": result.suspense,
            }
        )
    )


def check() -> None:
    _django()
    from django.db.models import Count, Sum

    from tantieme.banking.models import StatementLine
    from tantieme.ledger.models import Entry, Line
    from tantieme.tenancy.scoping import all_firms_scope

    with all_firms_scope():
        sums = Line.objects.aggregate(debit=Sum("debit"), credit=Sum("credit"))
        unbalanced = (
            Line.objects.values("entry_id").annotate(d=Sum("debit"), c=Sum("credit")).exclude(d=models_f("c")).count()
        )
        duplicates = StatementLine.objects.values("entry_key").annotate(n=Count("id")).filter(n__gt=1).count()
        from tantieme.banking.enums import ImportState
        from tantieme.banking.models import StatementImport

        bank = Line.objects.filter(account__number="512").aggregate(debit=Sum("debit"), credit=Sum("credit"))
        net = sum((amount for amount in StatementLine.objects.values_list("amount", flat=True)), Decimal("0.00"))
        posted = Decimal(bank["debit"] or 0) - Decimal(bank["credit"] or 0)
        queued = sum(
            (amount for amount in StatementLine.objects.filter(entry__isnull=True).values_list("amount", flat=True)),
            Decimal("0.00"),
        )
        imports = list(StatementImport.objects.values_list("state", flat=True))
        counts = list(StatementImport.objects.values_list("total", "progress", "imported", "skipped")[:1])
        print(
            json.dumps(
                {
                    "import_counts": list(counts[0]) if counts else [],
                    "imports": len(imports),
                    "import_done": all(state == ImportState.DONE for state in imports),
                    "file_net": str(net),
                    "bank_moved": str((posted + queued).quantize(Decimal("0.01"))),
                    "statement_lines": StatementLine.objects.count(),
                    "entries": Entry.objects.count(),
                    "debits": str(Decimal(sums["debit"]).quantize(Decimal("0.01"))),
                    "credits": str(Decimal(sums["credit"]).quantize(Decimal("0.01"))),
                    "unbalanced_entries": unbalanced,
                    "duplicate_keys": duplicates,
                }
            )
        )


def models_f(name: str):
    from django.db.models import F

    return F(name)


def _child(env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, "--child", *args], env=env, check=False, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"step {args[0]} failed:\n{done.stderr[-3000:]}")
    output = done.stdout
    return json.loads(output.strip().splitlines()[-1]) if output.strip() else {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--co-owners", type=int, default=1000)
    parser.add_argument("--child", nargs="*")
    options = parser.parse_args()
    if options.child:
        step, *rest = options.child
        if step == "seed":
            seed(int(rest[0]))
        elif step == "write":
            print(json.dumps(write_file(Path(rest[0]), int(rest[1]), int(rest[2]))))
        elif step == "import":
            run_import(Path(rest[0]))
        elif step == "check":
            check()
        return
    with tempfile.TemporaryDirectory(prefix="tantieme-bank-bench-") as tmp:
        env = dict(os.environ, VAR_DIR=tmp, TANTIEME_ENV=os.environ.get("TANTIEME_ENV", "test"))
        subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--skip-checks"],
            env=env,
            check=True,
            capture_output=True,
        )
        _child(env, "seed", str(options.co_owners))
        path = Path(tmp) / "bench.camt053.xml"
        started = time.perf_counter()
        expected = _child(env, "write", str(path), str(options.entries), str(options.co_owners))
        print(
            f"file: {options.entries} entries, {path.stat().st_size / 1e6:.1f} MB, written in "
            f"{time.perf_counter() - started:.1f} s; composition {expected}"
        )
        first = _child(env, "import", str(path))
        print(f"import + matching: {first}")
        second = _child(env, "import", str(path))
        print(f"re-import, same file: {second}")
        copy = Path(tmp) / "bench-copy.camt053.xml"
        copy.write_bytes(path.read_bytes().replace(b"<MsgId>BENCH-1</MsgId>", b"<MsgId>BENCH-2</MsgId>", 1))
        third = _child(env, "import", str(copy))
        print(f"re-import, same movements in another file: {third}")
        print(f"ledger: {_child(env, 'check')}")


if __name__ == "__main__":
    main()
