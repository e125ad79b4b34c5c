"""Payments benchmark: in-process handling time of the bank's notification (IPN), PAY-03 budget.

    .venv/bin/python bench/payments_bench.py --payments 300
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tantieme_bench .venv/bin/python bench/payments_bench.py

A fresh SQLite database in a temporary VAR_DIR (or DATABASE_URL), `seed_demo`, the sandbox provider
for horizon. For each payment: `start_payment` (the confirmation page's service), then the signed
AUTHORISED IPN is POSTed to /paiements/notification/lyra/ through Django's test client (middleware,
firm resolution, signature, row lock, state change, event log, audit, outbox row, the confirmation task
(with the database task backend a row in the same transaction; with the immediate backend the e-mail to
the locmem backend and the receipt PDF, after commit), then the same IPN again (replay).
Only the notification requests are timed; no network.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_TMP = tempfile.mkdtemp(prefix="tantieme-payments-bench-")
os.environ.setdefault("VAR_DIR", _TMP)
os.environ.setdefault("TANTIEME_ENV", "test")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tantieme.settings")

import django  # noqa: E402  (after the environment above)

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from tantieme.condominiums.models import CoOwner  # noqa: E402
from tantieme.demo.payments import seed_payment_settings  # noqa: E402
from tantieme.payments.models import Payment  # noqa: E402
from tantieme.payments.providers.lyra import lyra_signature  # noqa: E402
from tantieme.payments.services import start_payment  # noqa: E402
from tantieme.tenancy.models import Firm  # noqa: E402
from tantieme.tenancy.scoping import firm_scope  # noqa: E402

TEST_KEY = "1122334455667788"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    return (
        f"| {name} | {len(values)} | {statistics.median(values):.1f} ms | **{percentile(values, 0.95):.1f} ms** "
        f"| {percentile(values, 0.99):.1f} ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=300)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    horizon = Firm.objects.get(slug="horizon")
    seed_payment_settings(horizon)
    with firm_scope(horizon):
        co_owners = list(CoOwner.objects.order_by("reference")[:50])
    client = Client(HTTP_HOST="horizon.localhost")
    first: list[float] = []
    replay: list[float] = []
    for index in range(args.payments):
        co_owner = co_owners[index % len(co_owners)]
        with firm_scope(horizon):
            __payment, redirect = start_payment(co_owner=co_owner, amount=Decimal("100.00") + index)
        fields = {name: value for name, value in redirect.fields if name.startswith("vads_")}
        fields.update(
            {
                "vads_trans_status": "AUTHORISED",
                "vads_result": "00",
                "vads_trans_uuid": f"{index:032x}",
                "vads_card_brand": "VISA",
                "vads_card_number": "XXXXXXXXXXXX0021",
                "vads_operation_type": "DEBIT",
                "vads_url_check_src": "PAY",
            }
        )
        fields["signature"] = lyra_signature(fields, TEST_KEY)
        for timings in (first, replay):
            started = time.perf_counter()
            response = client.post("/paiements/notification/lyra/", fields)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
    assert Payment.all_firms.filter(state="paid").count() == args.payments
    print("| what | n | p50 | p95 | p99 |")
    print("| --- | --- | --- | --- | --- |")
    print(summary("first notification (applied: paid, event, audit, outbox row, task queued)", first))
    print(summary("replayed notification (duplicate, 200)", replay))


if __name__ == "__main__":
    main()
