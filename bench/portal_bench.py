"""Portal benchmark: server-side time and SQL queries of each co-owner page, 15 years of history.

    .venv/bin/python bench/portal_bench.py --requests 200
    createdb -h 127.0.0.1 -U postgres tantieme_portal_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tantieme_portal_bench .venv/bin/python bench/portal_bench.py

A fresh SQLite database in a temporary VAR_DIR (or DATABASE_URL; migrated here, and data already
there from an earlier run is reused). One firm, one condominium of `--neighbours` + 1 co-owners
(apartment, cellar and parking for the measured one, tantièmes in a general key), two syndic
contacts, the demo documents (the measured co-owner sits on the council) plus a personal document
a year, five requests with an answer each, three announcements. Ledger: calendar fiscal years
2011 to today's, and each quarter one budget call and one works-fund call (one entry each, a line
per co-owner), each paid by every co-owner by transfer a few days later (one entry per payment),
all through `post_entries_bulk`: 128 calls and 128 payments for the measured co-owner.

Each page is requested through Django's test client on the firm's host, signed in with
`force_login` (full middleware stack, templates rendered, DEBUG off): 10 warm-up requests, then
`--requests` timed ones. Queries are counted (CaptureQueriesContext) on one more request after the
timed ones, so that capturing does not slow the timed requests. Budget: p95 < 50 ms, ≤ 10 queries.
"""

from __future__ import annotations

import argparse
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
_TMP = tempfile.mkdtemp(prefix="tantieme-portal-bench-")
os.environ.setdefault("VAR_DIR", _TMP)
os.environ.setdefault("TANTIEME_ENV", "test")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tantieme.settings")

import django  # noqa: E402  (after the environment above)

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from tantieme.announcements.services import publish_announcement  # noqa: E402
from tantieme.condominiums.enums import ContactRole, KeyKind, LotKind  # noqa: E402
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner, LotShare  # noqa: E402
from tantieme.demo.documents import render_demo_pdf, seed_documents  # noqa: E402
from tantieme.documents.enums import Audience, DocumentCategory  # noqa: E402
from tantieme.documents.services import publish_document  # noqa: E402
from tantieme.funds.enums import CallKind, Frequency  # noqa: E402
from tantieme.funds.models import Budget, BudgetLine, Call, CallLine, CallNotice  # noqa: E402
from tantieme.ledger import services  # noqa: E402
from tantieme.ledger.enums import LineNature  # noqa: E402
from tantieme.ledger.models import Entry, Line  # noqa: E402
from tantieme.ledger.services import EntryDraft, LineDraft  # noqa: E402
from tantieme.ledger.statements import statement_for  # noqa: E402
from tantieme.tenancy.models import Firm  # noqa: E402
from tantieme.tenancy.scoping import firm_scope  # noqa: E402
from tantieme.tickets.enums import TicketCategory  # noqa: E402
from tantieme.tickets.services import open_ticket, reply_to_ticket  # noqa: E402
from tantieme.users.models import User  # noqa: E402
from tests.factories import (  # noqa: E402
    AllocationKeyFactory,
    CondominiumFactory,
    CoOwnerFactory,
    FirmFactory,
    LotFactory,
    LotShareFactory,
    OwnershipFactory,
    StaffUserFactory,
    SyndicContactFactory,
    co_owner_user,
)

SLUG = "portalbench"
FIRST_YEAR = 2011
REFERENCE = "A7070001"
WARM_UP = 10
BUDGET_MS, BUDGET_QUERIES = 50.0, 10


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def quarter_drafts(co_owners: list[CoOwner], day: datetime.date, rng: random.Random) -> list[EntryDraft]:
    """A budget call and a works-fund call on `day`, then each co-owner's transfer for each."""
    quarter = f"T{(day.month - 1) // 3 + 1} {day.year}"
    drafts: list[EntryDraft] = []
    for account, counterpart, nature, label in (
        ("4501", "701", LineNature.CURRENT, f"Appel {quarter} charges courantes"),
        ("4505", "105", LineNature.WORKS_FUND, f"Appel {quarter} fonds de travaux"),
    ):
        base = Decimal(rng.randint(25000, 40000) if account == "4501" else rng.randint(1500, 2500)) / 100
        amounts = {owner.pk: base + Decimal(index % 7) for index, owner in enumerate(co_owners)}
        lines = [
            LineDraft(account=account, debit=amounts[owner.pk], co_owner=owner, nature=nature, label=label)
            for owner in co_owners
        ]
        lines.append(LineDraft(account=counterpart, credit=sum(amounts.values(), Decimal("0.00"))))
        drafts.append(EntryDraft(journal="AF", date=day, label=label, lines=lines, validation_date=day))
        for owner in co_owners:
            paid_on = min(day + datetime.timedelta(days=rng.randint(3, 30)), timezone.localdate())
            drafts.append(
                EntryDraft(
                    journal="BQ1",
                    date=paid_on,
                    label=f"Virement {owner.reference_display}",
                    validation_date=paid_on,
                    lines=[
                        LineDraft(account="512", debit=amounts[owner.pk]),
                        LineDraft(
                            account=account,
                            credit=amounts[owner.pk],
                            co_owner=owner,
                            nature=nature,
                            label=f"Virement {owner.reference_display}",
                        ),
                    ],
                )
            )
    return drafts


def build(neighbours: int) -> tuple[Firm, User]:
    """Create the firm and its data, or return them when an earlier run left them in the database."""
    existing = Firm.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing, User.objects.get(firm=existing, login=REFERENCE)
    today = timezone.localdate()
    rng = random.Random(707)
    firm = FirmFactory(slug=SLUG, name="Portail Bench Syndic")
    staff = StaffUserFactory(firm=firm, login=f"gestion@{SLUG}.example", first_name="Claire")
    with firm_scope(firm):
        condominium: Condominium = CondominiumFactory(firm=firm, code="707", name="Résidence du Banc")
        owner = CoOwnerFactory(
            condominium=condominium,
            reference=REFERENCE,
            civility="M. et Mme",
            last_name="BANC",
            email="banc@example.com",
            e_notification_consent=True,
        )
        co_owners = [owner] + [CoOwnerFactory(condominium=condominium) for _ in range(neighbours)]
        key = AllocationKeyFactory(condominium=condominium, code="GEN", kind=KeyKind.GENERAL, total=10000)
        for number, kind in ((1, LotKind.APARTMENT), (2, LotKind.CELLAR), (3, LotKind.PARKING)):
            lot = LotFactory(condominium=condominium, number=number, kind=kind)
            LotShareFactory(key=key, lot=lot, shares=120 if kind == LotKind.APARTMENT else 10)
            OwnershipFactory(co_owner=owner, lot=lot, start_date=datetime.date(2004, 5, 3))
        for neighbour in co_owners[1:]:
            OwnershipFactory(co_owner=neighbour, lot=LotFactory(condominium=condominium, number=100 + neighbour.pk))
        SyndicContactFactory(firm=firm, name="Claire Gestion", role=ContactRole.MANAGER)
        SyndicContactFactory(firm=firm, name="Paul Compta", role=ContactRole.ACCOUNTANT)
        user = co_owner_user(owner)

        services.create_chart(condominium=condominium)
        services.open_fiscal_year(condominium=condominium, start_date=datetime.date(FIRST_YEAR, 1, 1))
        for _year in range(FIRST_YEAR + 1, today.year + 1):
            services.open_fiscal_year(condominium=condominium)
        started = time.perf_counter()
        for year in range(FIRST_YEAR, today.year + 1):
            days = [datetime.date(year, month, 1) for month in (1, 4, 7, 10)]
            drafts = [draft for day in days if day <= today for draft in quarter_drafts(co_owners, day, rng)]
            services.post_entries_bulk(condominium=condominium, drafts=drafts)
        print(f"ledger: {Line.all_firms.filter(firm=firm).count():,} lines in {time.perf_counter() - started:.1f} s")

        seed_documents(condominium, today=today, council_member=owner)
        for year in range(today.year - 4, today.year + 1):
            title = f"Relevé de compte {year}"
            publish_document(
                condominium=condominium,
                category=DocumentCategory.STATEMENT,
                audience=Audience.CO_OWNER,
                co_owner=owner,
                title=title,
                content=render_demo_pdf(condominium=condominium, title=title, paragraphs=(f"Exercice {year}.",)),
                filename=f"releve-{year}.pdf",
                document_date=datetime.date(year, 12, 31),
            )
        for index in range(5):
            ticket = open_ticket(
                co_owner=owner,
                author=user,
                category=TicketCategory.TECHNICAL,
                subject=f"Demande {index + 1}",
                body="Bonjour, pourriez-vous vérifier l'éclairage du hall ?",
            )
            reply_to_ticket(ticket=ticket, author=staff, body="Un électricien passe la semaine prochaine.")
        for index in range(3):
            publish_announcement(
                condominium=condominium,
                title=f"Information {index + 1}",
                body="Coupure d'eau mardi de 9 h à 12 h.",
                send_email=False,
                actor=staff,
            )
    return firm, user


def ensure_call(firm: Firm, today: datetime.date) -> str:
    """The current quarter's budget call as the funds app stores it (budget lines, call, notice, a
    line per lot), on the ledger's own AF entry: what « D'où vient ce montant ? » reads. Its entry
    code. Added once, also to a database left by an earlier run."""
    with firm_scope(firm):
        owner = CoOwner.objects.get(reference=REFERENCE)
        existing = Call.objects.filter(condominium=owner.condominium).select_related("entry").first()
        if existing is not None:
            return existing.entry.code
        condominium = owner.condominium
        entry = (
            Entry.objects.filter(condominium=condominium, journal__code="AF", lines__account__number="4501")
            .order_by("-date")
            .first()
        )
        assert entry is not None
        key = AllocationKey.objects.get(condominium=condominium, code="GEN")
        budget = Budget.objects.create(
            condominium=condominium,
            start_date=datetime.date(entry.date.year, 1, 1),
            end_date=datetime.date(entry.date.year, 12, 31),
            frequency=Frequency.QUARTERLY,
        )
        for account, label, amount in (("616", "Assurance", "8000.00"), ("6211", "Syndic", "6000.00")):
            BudgetLine.objects.create(budget=budget, key=key, account=account, label=label, amount=Decimal(amount))
        call = Call.objects.create(
            firm=firm,
            condominium=condominium,
            kind=CallKind.BUDGET,
            budget=budget,
            number=(entry.date.month - 1) // 3 + 1,
            period=f"{entry.date.year}-Q{(entry.date.month - 1) // 3 + 1}",
            due_date=entry.date,
            label=entry.label,
            entry=entry,
            key_totals=[{"key_id": key.pk, "code": key.code, "works_fund": False, "amount": "3500.00"}],
            issued_at=timezone.now(),
        )
        notice = CallNotice.objects.create(call=call, co_owner=owner, amount_current=Decimal("49.00"))
        for share in LotShare.objects.filter(key=key, lot__ownerships__co_owner=owner).select_related("lot"):
            amount = (Decimal("3500.00") * share.shares / key.total).quantize(Decimal("0.01"))
            CallLine.objects.create(
                call=call,
                notice=notice,
                lot=share.lot,
                key=key,
                shares=share.shares,
                key_total=key.total,
                amount=amount,
            )
        return entry.code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--neighbours", type=int, default=49, help="other co-owners in the condominium")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    firm, user = build(args.neighbours)
    today = timezone.localdate()
    call_code = ensure_call(firm, today)
    pages = [
        ("/", "Accueil"),
        ("/contacts/", "Contacts syndic"),
        ("/mon-compte/", "Mon compte, période par défaut (exercice en cours)"),
        (f"/mon-compte/?start=01/01/{FIRST_YEAR}&end=31/12/{today.year}", "Mon compte, 15 ans"),
        (f"/mon-compte/?detail={call_code}", "D'où vient ce montant ? (un appel)"),
        ("/mes-biens/", "Mes biens"),
        ("/mes-demandes/", "Mes demandes"),
        ("/mes-informations/", "Mes informations"),
        ("/mes-documents/", "Mes documents"),
    ]
    with firm_scope(firm):
        owner = CoOwner.objects.get(reference=REFERENCE)
        history = statement_for(owner, datetime.date(FIRST_YEAR, 1, 1), datetime.date(today.year, 12, 31))
        lines = Line.objects.filter(condominium=owner.condominium).count()
    print(f"{REFERENCE}: {len(history.lines)} lines over 15 years; {lines:,} ledger lines in the condominium")
    client = Client(HTTP_HOST=f"{firm.slug}.localhost")
    client.force_login(user)
    vendor = connection.vendor
    print(f"database: {vendor}; {args.requests} requests a page after {WARM_UP} warm-up requests")
    print("| page | p50 | p95 | queries | budget |")
    print("| --- | --- | --- | --- | --- |")
    for path, name in pages:
        for _ in range(WARM_UP):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = len(captured.captured_queries)
        p95 = percentile(timings, 0.95)
        met = p95 < BUDGET_MS and queries <= BUDGET_QUERIES
        verdict = "met" if met else "**not met**"
        print(f"| {name} (`{path}`) | {statistics.median(timings):.1f} ms | {p95:.1f} ms | {queries} | {verdict} |")


if __name__ == "__main__":
    main()
