"""Search and « À traiter » benchmark (issue 13): 100,000 co-owners in 100 condominiums, PostgreSQL.

    createdb -h 127.0.0.1 -U postgres tantieme_search_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tantieme_search_bench \
        .venv/bin/python bench/search_bench.py --co-owners 100000 --years 2

The database is migrated here; data already there from an earlier run is reused (same firm slug).
One firm, `--condominiums` condominiums (towns from a list), `--co-owners` co-owners spread evenly
(French surnames and first names drawn at random, so « martin » finds about one in fifty; an
e-mail for 70 %), one lot and one ownership each. Ledger: calendar fiscal years over `--years`
years up to this one; each quarter already begun, one call entry (a 4501 line per co-owner) and
one bank entry of the transfers (a 4501 credit per payer) through `post_entries_bulk`, the
production path; 8 % of co-owners stop paying in the last two quarters (the arrears). Bank: the
transfers of the last quarter as matched statement lines with the payer's IBAN, plus lines to
review and in suspense; 5 waiting requests, 2 failed card payments, a budget and 0–9 of the
décret's documents per condominium. Rows go in by `bulk_create` (and the ledger by COPY).

Then the index of balances that « À traiter » reads for its arrears is refreshed (timed: the
periodic job's cost). Timed through Django's test client on the firm's host, signed in as a manager (portfolio: every
condominium) with a confirmed second factor: full middleware stack, templates rendered, DEBUG off.
Each query kind and the landing page: 10 warm-up requests, then `--runs` timed ones (the text
varies between runs for references, e-mails, lots and IBANs); queries counted on one more request.
« Python CPU » is the CPU time of this process per request (Django, templates, psycopg), which the
machine's load inflates less than the wall time.
Budgets (issue 13): search p95 < 100 ms; « À traiter » p95 < 150 ms; ≤ 15 queries.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_TMP = tempfile.mkdtemp(prefix="tantieme-search-bench-")
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
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from tantieme.banking.enums import ImportState, LineKind, LineStatus, StatementFormat  # noqa: E402
from tantieme.banking.models import StatementImport, StatementLine  # noqa: E402
from tantieme.condominiums.enums import LotKind  # noqa: E402
from tantieme.condominiums.models import Condominium, CoOwner, Lot, Ownership  # noqa: E402
from tantieme.documents.enums import SHARED_CATEGORIES, Audience  # noqa: E402
from tantieme.documents.models import Document  # noqa: E402
from tantieme.funds.models import Budget  # noqa: E402
from tantieme.ledger import services  # noqa: E402
from tantieme.ledger.models import Line  # noqa: E402
from tantieme.ledger.services import EntryDraft, LineDraft  # noqa: E402
from tantieme.payments.enums import PaymentMode, PaymentState, ProviderKind  # noqa: E402
from tantieme.payments.models import Payment, PaymentProviderConfig  # noqa: E402
from tantieme.search.balances import refresh_balances  # noqa: E402
from tantieme.tenancy.enums import StaffRole  # noqa: E402
from tantieme.tenancy.models import Firm, StaffMembership  # noqa: E402
from tantieme.tenancy.scoping import firm_scope  # noqa: E402
from tantieme.tickets.enums import TicketCategory, TicketStatus  # noqa: E402
from tantieme.tickets.models import Ticket, TicketMessage  # noqa: E402
from tantieme.users.enums import UserKind  # noqa: E402
from tantieme.users.models import User  # noqa: E402

SLUG = "recherche"


def _words(text: str) -> list[str]:
    return text.split()


WARM_UP = 10
SEARCH_BUDGET_MS, PAGE_BUDGET_MS, BUDGET_QUERIES = 100.0, 150.0, 15
SURNAMES = _words(
    "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL LEFEBVRE LEROY "
    "ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE ROUSSEAU VINCENT MULLER "
    "LEFEVRE FAURE ANDRE MERCIER BLANC GUERIN BOYER GARNIER CHEVALIER FRANCOIS LEGRAND GAUTHIER GARCIA "
    "PERRIN ROBIN CLEMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU GAUTIER MASSON MARCHAND DUVAL DENIS DUMONT "
    "MARIE LEMAIRE NOEL MEYER DUFOUR MEUNIER BRUN BLANCHARD GIRAUD JOLY RIVIERE LUCAS BRUNET GAILLARD "
    "BARBIER ARNAUD MARTINEZ GERARD ROCHE RENARD SCHMITT ROY LEROUX COLIN VIDAL CARON PICARD ROGER FABRE "
    "AUBERT LEMOINE RENAUD DUMAS LACROIX OLIVIER PHILIPPE BOURGEOIS PIERRE BENOIT REY LECLERC PAYET "
    "ROLLAND LECLERCQ GUILLAUME LECOMTE LOPEZ JEAN DUPUY GUILLOT HUBERT BERGER CARPENTIER SANCHEZ DUPUIS "
    "MOULIN LOUIS DESCHAMPS HUET VASSEUR PEREZ BOUCHER FLEURY ROYER KLEIN JACQUET ADAM PARIS POIRIER "
    "MARTY AUBRY GUYOT CARRE CHARLES RENAULT CHARPENTIER MENARD MAILLARD BARON BERTIN"
)
FIRST_NAMES = _words(
    "Jean Marie Michel Pierre Philippe Nathalie Isabelle Sylvie Catherine Alain Nicolas Christophe Sophie "
    "Patrick Christine Stéphane Valérie Sandrine Laurent Julien Camille Léa Hugo Lucas Emma Chloé Louis "
    "Manon Thomas Inès Hélène Élodie François Céline Aurélie Antoine Paul Claire Anne"
)
TOWNS = _words(
    "Paris Lyon Marseille Toulouse Nice Nantes Montpellier Strasbourg Bordeaux Lille Rennes Reims Toulon "
    "Grenoble Dijon Angers Nîmes Villeurbanne Clermont-Ferrand Aix-en-Provence"
)
TARGET_AMOUNT = Decimal("1210.77")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def get_firm() -> Firm:
    firm, _created = Firm.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "Recherche Syndic",
            "legal_name": "Recherche Syndic SARL",
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


def iban_of(number: int) -> str:
    return f"FR76{number:023d}"


def quarters(years: int, today: datetime.date) -> list[datetime.date]:
    first = today.year - years + 1
    return [
        datetime.date(year, month, 1)
        for year in range(first, today.year + 1)
        for month in (1, 4, 7, 10)
        if datetime.date(year, month, 1) <= today
    ]


def make_condominium(firm: Firm, index: int, size: int, years: int, rng: random.Random) -> None:
    today = timezone.localdate()
    code = f"{100 + index:03d}"
    condominium = Condominium.all_firms.create(
        firm=firm,
        code=code,
        name=f"Résidence {rng.choice(['Les Tilleuls', 'Le Parc', 'Les Glycines', 'Bellevue', 'Le Clos'])} {code}",
        address_line1=f"{index + 1} avenue du Bench",
        postal_code="75001",
        city=TOWNS[index % len(TOWNS)],
        iban=iban_of(10_000_000 + index),
        bic="CDCGFRPPXXX",
    )
    co_owners = []
    for number in range(1, size + 1):
        last = rng.choice(SURNAMES)
        if rng.random() < 0.2:
            last = f"{last}-{rng.choice(SURNAMES)}"
        first = rng.choice(FIRST_NAMES)
        email = f"{first.lower()}.{last.lower()}{index}{number}@example.org" if rng.random() < 0.7 else ""
        co_owners.append(
            CoOwner(
                firm=firm,
                condominium=condominium,
                reference=f"A{code}{number:04d}",
                civility=rng.choice(["M.", "Mme", "M. et Mme"]),
                last_name=last,
                first_name=first,
                email=email,
                address_line1="1 rue du Banc",
                postal_code="75001",
                city=condominium.city,
            )
        )
    co_owners = CoOwner.all_firms.bulk_create(co_owners, batch_size=2000)
    lots = Lot.all_firms.bulk_create(
        [Lot(condominium=condominium, number=number, kind=LotKind.APARTMENT) for number in range(1, size + 1)],
        batch_size=2000,
    )
    Ownership.all_firms.bulk_create(
        [
            Ownership(co_owner=owner, lot=lot, start_date=datetime.date(2010, 1, 1))
            for owner, lot in zip(co_owners, lots, strict=True)
        ],
        batch_size=2000,
    )
    with firm_scope(firm):
        services.create_chart(condominium=condominium)
        services.open_fiscal_year(condominium=condominium, start_date=datetime.date(today.year - years + 1, 1, 1))
        for _year in range(years - 1):
            services.open_fiscal_year(condominium=condominium)
        late = {owner.pk for owner in co_owners if rng.random() < 0.08}
        days = quarters(years, today)
        drafts: list[EntryDraft] = []
        amounts = {owner.pk: Decimal(rng.randint(20000, 90000)) / 100 for owner in co_owners}
        for position, day in enumerate(days):
            calls = [LineDraft(account="4501", debit=amounts[o.pk], co_owner=o, label="Appel") for o in co_owners]
            total = sum((amounts[o.pk] for o in co_owners), Decimal("0.00"))
            calls.append(LineDraft(account="701", credit=total))
            drafts.append(
                EntryDraft(journal="AF", date=day, label=f"Appel {day:%m/%Y}", lines=calls, validation_date=day)
            )
            payers = [o for o in co_owners if not (o.pk in late and position >= len(days) - 2)]
            paid_on = min(day + datetime.timedelta(days=10), today)
            transfers = [LineDraft(account="4501", credit=amounts[o.pk], co_owner=o, label="Virement") for o in payers]
            transfers.append(LineDraft(account="512", debit=sum((amounts[o.pk] for o in payers), Decimal("0.00"))))
            drafts.append(
                EntryDraft(journal="BQ1", date=paid_on, label="Virements", lines=transfers, validation_date=paid_on)
            )
        services.post_entries_bulk(condominium=condominium, drafts=drafts)
    statement_import = StatementImport.all_firms.create(
        firm=firm,
        condominium=condominium,
        account_iban=condominium.iban,
        format=StatementFormat.CAMT053,
        file_sha256=hashlib.sha256(code.encode()).hexdigest(),
        state=ImportState.DONE,
    )
    last_day = min(days[-1] + datetime.timedelta(days=10), today)
    lines = []
    for position, owner in enumerate(co_owners):
        if owner.pk in late:
            continue
        amount = TARGET_AMOUNT if position % 997 == 0 else amounts[owner.pk]
        lines.append(
            StatementLine(
                firm=firm,
                condominium=condominium,
                statement_import=statement_import,
                account_iban=condominium.iban,
                entry_key=f"E{position}",
                position=position,
                booking_date=last_day,
                amount=amount,
                label=f"VIR {owner.last_name} {owner.reference}",
                counterparty_name=owner.last_name,
                counterparty_iban=iban_of(owner.pk),
                kind=LineKind.CO_OWNER_PAYMENT,
                status=LineStatus.MATCHED,
                co_owner=owner,
            )
        )
    for extra, status in enumerate([LineStatus.TO_REVIEW] * 5 + [LineStatus.SUSPENSE] * 3):
        lines.append(
            StatementLine(
                firm=firm,
                condominium=condominium,
                statement_import=statement_import,
                account_iban=condominium.iban,
                entry_key=f"X{extra}",
                position=size + extra,
                booking_date=today - datetime.timedelta(days=rng.randint(1, 60)),
                amount=Decimal(rng.randint(1000, 90000)) / 100,
                label="VIR INCONNU",
                kind=LineKind.UNIDENTIFIED,
                status=status,
            )
        )
    StatementLine.all_firms.bulk_create(lines, batch_size=2000)
    _work_to_do(firm, condominium, co_owners, rng)


def _work_to_do(firm: Firm, condominium: Condominium, co_owners: list[CoOwner], rng: random.Random) -> None:
    """Requests waiting, failed card payments, this year's budget, some of the décret's documents."""
    today, code, size = timezone.localdate(), condominium.code, len(co_owners)
    now = timezone.now()
    for number in range(5):
        owner = co_owners[rng.randrange(size)]
        moment = now - datetime.timedelta(hours=rng.randint(1, 200))
        ticket = Ticket.all_firms.create(
            firm=firm,
            condominium=condominium,
            co_owner=owner,
            category=TicketCategory.OTHER,
            subject=f"Demande {number}",
            status=TicketStatus.NEW,
            created_at=moment,
            updated_at=moment,
        )
        TicketMessage.all_firms.create(ticket=ticket, body="Bonjour", created_at=moment)
    config = PaymentProviderConfig.all_firms.filter(firm=firm).first()
    if config is None:
        config = PaymentProviderConfig.all_firms.create(firm=firm, provider=ProviderKind.SANDBOX)
    for number in range(2):
        Payment.all_firms.create(
            firm=firm,
            condominium=condominium,
            co_owner=co_owners[number],
            config=config,
            provider=ProviderKind.SANDBOX,
            mode=PaymentMode.TEST,
            amount=Decimal("250.00"),
            state=PaymentState.ERROR,
            order_id=f"BENCH-{code}-{number}",
            created_at=now - datetime.timedelta(days=1),
        )
    Budget.all_firms.create(
        condominium=condominium,
        start_date=datetime.date(today.year, 1, 1),
        end_date=datetime.date(today.year, 12, 31),
    )
    documents = [
        Document(
            firm=firm,
            condominium=condominium,
            category=category,
            audience=Audience.CONDOMINIUM,
            title=str(category.label),
            document_date=today,
            year=today.year,
            file=f"documents/{firm.pk}/{condominium.pk}/{category.value}.pdf",
            original_filename=f"{category.value}.pdf",
            content_type="application/pdf",
            size=1000,
            sha256=hashlib.sha256(f"{code}{category.value}".encode()).hexdigest(),
            published_at=now,
        )
        for category in rng.sample(SHARED_CATEGORIES, rng.randint(0, len(SHARED_CATEGORIES)))
    ]
    Document.all_firms.bulk_create(documents)


def generate(firm: Firm, condominiums: int, co_owners: int, years: int) -> None:
    rng = random.Random(13)
    existing = Condominium.all_firms.filter(firm=firm).count()
    size = co_owners // condominiums
    started = time.perf_counter()
    for index in range(existing, condominiums):
        make_condominium(firm, index, size, years, rng)
        if index % 10 == 9:
            print(f"  {index + 1} condominiums, {time.perf_counter() - started:.0f} s", flush=True)
    if existing < condominiums:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE") if connection.vendor == "postgresql" else cursor.execute("ANALYZE")


def staff_client(firm: Firm) -> Client:
    user = User.objects.filter(firm=firm, kind=UserKind.STAFF).first()
    if user is None:
        user = User.objects.create(
            firm=firm, kind=UserKind.STAFF, login="gestion@recherche.example", email="g@r.example"
        )
        StaffMembership.all_firms.create(firm=firm, user=user, role=StaffRole.MANAGER)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client(HTTP_HOST=f"{firm.slug}.localhost")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client: Client, name: str, texts: Callable[[int], str], *, runs: int, path: str, budget: float) -> None:
    def get(index: int) -> int:
        text = texts(index)
        response = client.get(path, {"q": text} if text else {})
        assert response.status_code in (200, 302), (name, text, response.status_code)
        return response.status_code

    for index in range(WARM_UP):
        get(index)
    timings, cpu, redirects = [], [], 0
    for index in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        redirects += get(WARM_UP + index) == 302
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as captured:
        get(0)
    queries = len(captured.captured_queries)
    p95 = percentile(timings, 0.95)
    verdict = "met" if p95 < budget and queries <= BUDGET_QUERIES else "**not met**"
    print(
        f"| {name} | {statistics.median(timings):.1f} ms | {p95:.1f} ms | {percentile(timings, 0.99):.1f} ms "
        f"| {statistics.median(cpu):.1f} ms | {queries} | {redirects}/{runs} | {verdict} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--co-owners", type=int, default=100_000)
    parser.add_argument("--condominiums", type=int, default=100)
    parser.add_argument("--years", type=int, default=2, help="ledger history (calendar years up to this one)")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--only", choices=["search", "page"], help="time only the searches or only the page")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    firm = get_firm()
    generate(firm, args.condominiums, args.co_owners, args.years)
    started = time.perf_counter()
    owing = refresh_balances(firm=firm)
    refresh_seconds = time.perf_counter() - started
    with firm_scope(firm):
        total = CoOwner.objects.count()
        lines = Line.objects.count()
        bank = StatementLine.objects.count()
        sample = list(CoOwner.objects.order_by("?").values("pk", "reference", "email", "condominium__code")[:500])
    rng = random.Random(7)
    print(f"database: {connection.vendor}; {total:,} co-owners, {lines:,} ledger lines, {bank:,} bank lines")
    print(f"index of balances refreshed in {refresh_seconds:.1f} s ({owing:,} co-owners owing)")
    client = staff_client(firm)
    size = args.co_owners // args.condominiums

    print(f"{args.runs} requests each after {WARM_UP} warm-up requests")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| what | p50 | p95 | p99 | Python CPU p50 | queries | one result (302) | budget |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    if args.only != "page":
        time_searches(client, args, sample, size, rng)
    if args.only != "search":
        measure(
            client,
            f"« À traiter » ({args.condominiums} condominiums, no portfolio limit)",
            lambda i: "",
            runs=args.runs,
            path="/gestion/",
            budget=PAGE_BUDGET_MS,
        )


def time_searches(
    client: Client, args: argparse.Namespace, sample: list[dict[str, Any]], size: int, rng: random.Random
) -> None:
    search = "/gestion/recherche/"

    def odd_reference(index: int) -> str:
        reference = sample[index % len(sample)]["reference"]
        style = index % 3
        if style == 0:
            return reference.lower()
        if style == 1:
            return f"{reference[0]}-{reference[1:4]}-{reference[4:]}"
        return f"{reference[0].lower()} {reference[1:4]} {reference[4:]}"

    emails = [row["email"] for row in sample if row["email"]]
    measure(
        client, "name, common (« martin »)", lambda i: "martin", runs=args.runs, path=search, budget=SEARCH_BUDGET_MS
    )
    measure(
        client,
        "name, two words (surname + first name)",
        lambda i: f"{rng.choice(SURNAMES).lower()} {rng.choice(FIRST_NAMES)}",
        runs=args.runs,
        path=search,
        budget=SEARCH_BUDGET_MS,
    )
    measure(
        client,
        "reference in odd spacing (a6060001, A-606-0001, a 606 0001)",
        odd_reference,
        runs=args.runs,
        path=search,
        budget=SEARCH_BUDGET_MS,
    )
    measure(
        client,
        "e-mail (whole address)",
        lambda i: emails[i % len(emails)],
        runs=args.runs,
        path=search,
        budget=SEARCH_BUDGET_MS,
    )
    measure(
        client,
        "lot number (« lot N »: one per condominium)",
        lambda i: f"lot {i % size + 1}",
        runs=args.runs,
        path=search,
        budget=SEARCH_BUDGET_MS,
    )
    measure(
        client, "amount (« 1 210,77 € »)", lambda i: "1 210,77 €", runs=args.runs, path=search, budget=SEARCH_BUDGET_MS
    )
    measure(
        client,
        "payer IBAN",
        lambda i: iban_of(sample[i % len(sample)]["pk"]),
        runs=args.runs,
        path=search,
        budget=SEARCH_BUDGET_MS,
    )
    measure(
        client, "condominium town (« lyon »)", lambda i: "lyon", runs=args.runs, path=search, budget=SEARCH_BUDGET_MS
    )


if __name__ == "__main__":
    main()
