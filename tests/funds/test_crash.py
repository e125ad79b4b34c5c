"""A batch killed with SIGKILL three times at random points, then restarted, issues everything once.

The subprocesses share a file-based SQLite database of their own (a temporary VAR_DIR and
DATABASE_URL): the data comes from `bench/funds_bench.py --setup-only`, the batch is
`manage.py issue_calls`, the final check reads the database and runs `manage.py check_ledger`.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
LOTS, CO_OWNERS = 500, 380

CHECK = """
import json
import django
django.setup()
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.documents.models import Document
from tantieme.funds.models import Call, CallNotice
from tantieme.ledger.models import Entry
from tantieme.notifications.models import OutboundMessage
from tantieme.tenancy.scoping import firm_scope
import datetime
from django.core.files.storage import default_storage
from django.utils import timezone
from tantieme.documents.orphans import storage_folders, purge_orphan_files
# A kill between writing a notice's file and committing its row leaves an orphan file: the
# periodic purge deletes it once no transaction can still commit it.
purged = purge_orphan_files(now=timezone.now() + datetime.timedelta(hours=2))
files = sum(len(default_storage.listdir(folder)[1]) for folder in storage_folders(default_storage, "documents"))
condominium = Condominium.all_firms.select_related("firm").get(code="778")
with firm_scope(condominium.firm):
    calls = list(Call.objects.filter(condominium=condominium, period="2026-Q1"))
    notices = CallNotice.objects.filter(call__in=calls)
    per_owner = {}
    for co_owner_id in notices.values_list("co_owner_id", flat=True):
        per_owner[co_owner_id] = per_owner.get(co_owner_id, 0) + 1
    print(json.dumps({
        "calls": len(calls),
        "entries": Entry.objects.filter(condominium=condominium, journal__code="AF").count(),
        "co_owners": CoOwner.objects.filter(condominium=condominium).count(),
        "owners_with_one_call": sum(1 for count in per_owner.values() if count == 1),
        "owners_with_more": sum(1 for count in per_owner.values() if count > 1),
        "notices_without_document": notices.filter(document__isnull=True).count(),
        "documents": Document.objects.filter(condominium=condominium, category="call_for_funds").count(),
        "distinct_documents": notices.values("document_id").distinct().count(),
        "emails": OutboundMessage.objects.filter(template="funds_call_notice").count(),
        "consenting": CoOwner.objects.filter(condominium=condominium, e_notification_consent=True).count(),
        "purged": purged,
        "files": files,
    }))
"""


def _run(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.slow
def test_a_batch_killed_three_times_completes_exactly_once(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TANTIEME_ENV": "test",
        "VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "tantieme.settings",
    }
    setup = _run(
        env, "bench/funds_bench.py", "--setup-only", "--slug", "crash", "--code", "778",
        "--lots", str(LOTS), "--co-owners", str(CO_OWNERS), "--consent-every", "3",
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr
    command = ["manage.py", "issue_calls", "--firm", "crash", "--condominium", "778", "--period", "2026-Q1"]
    rng = random.Random()
    kills = []
    for _attempt in range(3):
        process = subprocess.Popen(  # noqa: S603
            [PYTHON, *command, "--no-progress"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        delay = rng.uniform(1.0, 6.0)
        time.sleep(delay)
        finished = process.poll() is not None
        if not finished:
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        kills.append((round(delay, 2), "finished before the kill" if finished else "killed"))
    final = _run(env, *command, "--no-progress")
    assert final.returncode == 0, (kills, final.stdout, final.stderr)
    state = json.loads(_run(env, "-c", CHECK).stdout)
    assert state["calls"] == 1, (kills, state)
    assert state["entries"] == 1, (kills, state)
    assert state["owners_with_one_call"] == CO_OWNERS, (kills, state)
    assert state["owners_with_more"] == 0
    assert state["notices_without_document"] == 0
    assert state["documents"] == CO_OWNERS == state["distinct_documents"]
    assert state["emails"] == state["consenting"]
    assert state["files"] == state["documents"], (kills, state)  # orphans (if any kill left one) purged
    books = _run(env, "manage.py", "check_ledger", "--firm", "crash", "--condominium", "778")
    assert books.returncode == 0, books.stdout + books.stderr
