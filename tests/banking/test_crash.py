"""Crash safety (REL-04): an import SIGKILLed three times, then run again, ends exactly once per line.

Runs the real `manage.py import_statement` in subprocesses on a fresh SQLite database of its own
(the bench script seeds it and writes the CAMT file), kills it after a random delay, three times,
then lets a last run finish and checks: every movement once, no duplicate key, every entry
balanced, the bank account moved by exactly the file's net amount.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "banking_bench.py"
ENTRIES = 30000


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _progress(database: Path) -> int:
    """Movements the import has committed so far (read straight from SQLite, WAL allows it)."""
    if not database.exists():
        return -1
    with closing(sqlite3.connect(database, timeout=20)) as connection:
        try:
            row = connection.execute("SELECT COALESCE(SUM(progress), 0) FROM banking_statementimport").fetchone()
        except sqlite3.OperationalError:
            return -1
    return int(row[0])


@pytest.mark.slow
def test_import_killed_three_times_ends_exactly_once(tmp_path: Path) -> None:
    env = dict(os.environ, VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'crash.sqlite3'}")
    env["TANTIEME_ENV"] = "test"
    _run(env, str(ROOT / "manage.py"), "migrate", "--noinput", "--skip-checks")
    _run(env, str(BENCH), "--child", "seed", "200")
    statement = tmp_path / "large.camt053.xml"
    _run(env, str(BENCH), "--child", "write", str(statement), str(ENTRIES), "200")
    command = [sys.executable, str(ROOT / "manage.py"), "import_statement", str(statement), "--condominium", "606"]
    rng = random.Random()
    kills = []
    database = tmp_path / "crash.sqlite3"
    for _attempt in range(3):
        before = _progress(database)
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
        # Wait until this run has committed a chunk of new movements (a resumed run first recounts
        # the ones already there, quickly), then kill it after a short random delay: the import is
        # fast enough that a longer one often lets the run finish.
        deadline = time.monotonic() + 60
        while _progress(database) <= before and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        delay = rng.uniform(0.0, 0.3)
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        _out, err = process.communicate()
        assert process.returncode in (0, -signal.SIGKILL), err.decode()[-2000:]
        kills.append((round(delay, 2), _progress(database), process.returncode))
    output = _run(env, *command[1:])
    check = json.loads(_run(env, str(BENCH), "--child", "check").strip().splitlines()[-1])
    print(f"kills (delay s, progress, exit code): {kills}; last run: {output.strip()}; ledger: {check}")  # noqa: T201 - shown with -s
    assert sum(code == -signal.SIGKILL for _delay, _progress_at, code in kills) >= 2, kills
    assert check["statement_lines"] == ENTRIES
    assert check["duplicate_keys"] == 0
    assert check["unbalanced_entries"] == 0
    assert check["debits"] == check["credits"]
    assert check["bank_moved"] == check["file_net"]
    assert check["imports"] == 1
    assert check["import_done"]
    assert check["import_counts"] == [ENTRIES, ENTRIES, ENTRIES, 0]  # total, progress, imported, skipped
