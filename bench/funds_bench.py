"""Calls-for-funds benchmark: one quarterly call for 20,000 lots and 15,000 co-owners.

    .venv/bin/python bench/funds_bench.py                      # fresh SQLite file in a temp VAR_DIR
    .venv/bin/python bench/funds_bench.py --database-url postgres://postgres@127.0.0.1:5432/tantieme_bench

Steps, each timed: generate the condominium (bulk inserts: lots, keys GEN and ASC, co-owners, dated
ownerships, the chart, fiscal year 2026 and the voted budget with its works fund, through
`save_budget`); compute and post the Q1 2026 call (`issue_call`: the production path, one AF entry,
one notice row per co-owner, one line per lot and key); build the notices' data and render every
PDF with `--workers` processes; optionally (`--publish`) publish them in "Mes documents" through
`publish_notices`. Peak memory is the maximum resident set size of this process and of the
rendering workers (`resource.getrusage`).

`--setup-only` stops after the generation: the crash test (tests/funds/test_crash.py) uses it to
fill its own database before killing `manage.py issue_calls`.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _configure(args: argparse.Namespace) -> None:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    if "DATABASE_URL" not in os.environ:
        var_dir = Path(tempfile.mkdtemp(prefix="tantieme-funds-bench-"))
        os.environ["VAR_DIR"] = str(var_dir)
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tantieme.settings")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django

    django.setup()


def _suffix(index: int) -> str:
    """Four base-36 characters: references A777 0001 … A777 0BKF for 15,000 co-owners."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    for _ in range(4):
        index, rest = divmod(index, 36)
        text = digits[rest] + text
    return text


def _give_logins(firm: Any, co_owners: list[Any]) -> None:
    """Activated extranet logins (one password hash shared, computed once): a notice is e-mailed
    only to a consenting co-owner who can sign in."""
    from django.contrib.auth.hashers import make_password

    from tantieme.condominiums.models import CoOwner
    from tantieme.users.enums import UserKind
    from tantieme.users.models import User

    password = make_password("Bench-Password-2026!")
    users = User.objects.bulk_create(
        [
            User(firm=firm, kind=UserKind.CO_OWNER, login=co_owner.reference, email=co_owner.email, password=password)
            for co_owner in co_owners
        ],
        batch_size=5000,
    )
    links = CoOwner.users.through
    links.objects.bulk_create(
        [links(coowner_id=co_owner.pk, user_id=user.pk) for co_owner, user in zip(co_owners, users, strict=True)],
        batch_size=5000,
    )


def generate(*, slug: str, code: str, lots: int, co_owners: int, consent_every: int = 0) -> None:
    """A condominium of `lots` lots owned by `co_owners` co-owners (some own two or more lots)."""
    from tantieme.condominiums.enums import KeyKind, LotKind
    from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner, Lot, LotShare, Ownership
    from tantieme.funds.services import LineData, save_budget
    from tantieme.ledger import services as ledger
    from tantieme.tenancy.models import Firm
    from tantieme.tenancy.scoping import firm_scope

    firm, _ = Firm.objects.get_or_create(
        slug=slug,
        defaults={
            "name": f"Cabinet {slug}",
            "legal_name": f"Cabinet {slug} SAS",
            "address_line1": "1 rue du Banc",
            "postal_code": "75001",
            "city": "Paris",
            "contact_email": f"contact@{slug}.example",
            "siren": "732829320",
            "professional_card": "CPI 7501 2020 000 000 001",
            "financial_guarantor": "Garantie Exemple, 1 place du Test, 75008 Paris",
        },
    )
    with firm_scope(firm):
        condominium = Condominium.objects.create(
            firm=firm,
            code=code,
            name=f"Résidence {code}",
            address_line1="10 avenue des Mesures",
            postal_code="75012",
            city="Paris",
            iban="FR1140031000010000113172M58",
            bic="CDCGFRPPXXX",
        )
        lot_rows = [
            Lot(
                condominium=condominium,
                number=number,
                kind=LotKind.APARTMENT if number % 4 else LotKind.PARKING,
                floor=number % 8,
            )
            for number in range(1, lots + 1)
        ]
        Lot.objects.bulk_create(lot_rows, batch_size=5000)
        lot_rows = list(Lot.objects.filter(condominium=condominium).order_by("number"))
        general_shares = [37 + (lot.number * 7919) % 113 if lot.kind == LotKind.APARTMENT else 11 for lot in lot_rows]
        elevator_shares = [
            (lot.floor or 0) * 10 + lot.number % 7 if lot.kind == LotKind.APARTMENT else 0 for lot in lot_rows
        ]
        general = AllocationKey.objects.create(
            condominium=condominium,
            code="GEN",
            label="Charges générales",
            total=sum(general_shares),
            kind=KeyKind.GENERAL,
        )
        elevator = AllocationKey.objects.create(
            condominium=condominium, code="ASC", label="Ascenseur", total=sum(elevator_shares), kind=KeyKind.SPECIAL
        )
        LotShare.objects.bulk_create(
            [
                *(LotShare(key=general, lot=lot, shares=s) for lot, s in zip(lot_rows, general_shares, strict=True)),
                *(LotShare(key=elevator, lot=lot, shares=s) for lot, s in zip(lot_rows, elevator_shares, strict=True)),
            ],
            batch_size=5000,
        )
        letter = condominium.reference_letter
        people = [
            CoOwner(
                firm=firm,
                condominium=condominium,
                reference=f"{letter}{code}{_suffix(index + 1)}",
                civility="M." if index % 2 else "Mme",
                last_name=f"NOM{index + 1:05d}",
                first_name="Camille",
                address_line1=f"{index % 300 + 1} rue des Essais",
                postal_code="75012",
                city="Paris",
                email=f"proprietaire{index + 1}@example.org" if consent_every else "",
                e_notification_consent=bool(consent_every and index % consent_every == 0),
            )
            for index in range(co_owners)
        ]
        CoOwner.objects.bulk_create(people, batch_size=5000)
        people = list(CoOwner.objects.filter(condominium=condominium).order_by("reference"))
        _give_logins(firm, [person for person in people if person.e_notification_consent])
        start = datetime.date(2010, 1, 1)
        Ownership.objects.bulk_create(
            [
                Ownership(co_owner=people[index % co_owners], lot=lot, start_date=start)
                for index, lot in enumerate(lot_rows)
            ],
            batch_size=5000,
        )
        ledger.create_chart(condominium=condominium)
        ledger.open_fiscal_year(condominium=condominium, start_date=datetime.date(2026, 1, 1))
        scale = Decimal(lots) / 20
        lines = [
            LineData(key_code="GEN", account="616", amount=(Decimal("280.00") * scale).quantize(Decimal("0.01"))),
            LineData(key_code="GEN", account="6211", amount=(Decimal("240.00") * scale).quantize(Decimal("0.01"))),
            LineData(key_code="GEN", account="611", amount=(Decimal("210.01") * scale).quantize(Decimal("0.01"))),
            LineData(key_code="ASC", account="614", amount=(Decimal("250.03") * scale).quantize(Decimal("0.01"))),
        ]
        total = sum((line.amount for line in lines), Decimal(0))
        save_budget(
            condominium=condominium,
            start_date=datetime.date(2026, 1, 1),
            general_meeting_date=datetime.date(2025, 6, 12),
            lines=lines,
            works_fund_amount=(total * Decimal("0.05")).quantize(Decimal("0.01")),
        )


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:  # noqa: PLR0915 - a linear script: generate, post, render, publish, report
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lots", type=int, default=20_000)
    parser.add_argument("--co-owners", type=int, default=15_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--code", default="777")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--consent-every", type=int, default=0, help="1 co-owner in N consents to e-mail.")
    parser.add_argument("--setup-only", action="store_true")
    parser.add_argument("--no-migrate", action="store_true")
    parser.add_argument("--publish", action="store_true", help="Also publish the notices in the documents.")
    args = parser.parse_args()
    _configure(args)

    from django.core.management import call_command

    if not args.no_migrate:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrate: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    generate(slug=args.slug, code=args.code, lots=args.lots, co_owners=args.co_owners, consent_every=args.consent_every)
    print(f"generate {args.lots} lots, {args.co_owners} co-owners: {time.perf_counter() - started:.1f} s")
    if args.setup_only:
        return

    from tantieme.condominiums.models import Condominium
    from tantieme.funds.issuing import instalments_for_period, issue_call, notice_data, publish_notices
    from tantieme.funds.models import CallLine, CallNotice
    from tantieme.funds.rendering import pool_renderer
    from tantieme.ledger.models import Line
    from tantieme.tenancy.scoping import firm_scope

    condominium = Condominium.all_firms.select_related("firm").get(firm__slug=args.slug, code=args.code)
    with firm_scope(condominium.firm):
        (instalment,) = instalments_for_period(condominium, "2026-Q1")
        started = time.perf_counter()
        call, _created = issue_call(instalment=instalment)
        post_seconds = time.perf_counter() - started
        notices = CallNotice.objects.filter(call=call).count()
        print(
            f"compute + post Q1 2026: {post_seconds:.1f} s — {notices} notices, "
            f"{CallLine.objects.filter(call=call).count()} call lines, "
            f"{Line.objects.filter(entry=call.entry).count()} ledger lines, total {call.total}"
        )

        started = time.perf_counter()
        rows = list(
            CallNotice.objects.filter(call=call).select_related(
                "co_owner", "call__condominium__firm", "call__operation"
            )
        )
        data = []
        for start in range(0, len(rows), 1000):
            data += notice_data(rows[start : start + 1000])
        data_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with pool_renderer(args.workers) as render:
            pdfs: list[bytes] = []
            for start in range(0, len(data), 500):
                pdfs += render(data[start : start + 500])
        render_seconds = time.perf_counter() - started
        size = sum(len(pdf) for pdf in pdfs)
        print(
            f"notices: data {data_seconds:.1f} s, render {len(pdfs)} PDFs with {args.workers} workers "
            f"{render_seconds:.1f} s ({len(pdfs) / render_seconds:.0f}/s, {size / len(pdfs) / 1024:.1f} KiB each)"
        )
        del pdfs, data, rows
        if args.publish:
            started = time.perf_counter()
            with pool_renderer(args.workers) as render:
                result = publish_notices(call=call, render=render, chunk=500)
            print(
                f"publish {result.published} notices ({result.emailed} e-mails): {time.perf_counter() - started:.1f} s"
            )
    own, children = _peak_mb()
    print(f"peak RSS: main process {own:.0f} MiB, largest worker {children:.0f} MiB")


if __name__ == "__main__":
    main()
