"""Back-office pages at scale (issue 13): every GET page of `/gestion/`, p50/p95 and SQL queries.

    createdb -h 127.0.0.1 -U postgres tantieme_bo_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tantieme_bo_bench .venv/bin/python bench/backoffice_bench.py
    # again later: the data is reused; --only NAME[,NAME] times some URL names; --runs N
    dropdb -h 127.0.0.1 -U postgres tantieme_bo_bench

The database is migrated here. Data (one firm `backoffice`, generated once, reused on later runs):
- 99 small condominiums of 30–200 co-owners (one lot each) with 3 years of books, bank lines,
  requests, failed card payments, a budget and some of the décret's documents: the generator of
  `bench/search_bench.py` (`make_condominium`), reused as is;
- one big condominium (code 777): 20,000 lots (15,000 apartments, 5,000 parkings owned by the
  first 5,000 co-owners), keys GEN and ASC with their shares, 15,000 co-owners, 15 calendar years
  of fiscal years with, each quarter, one call entry (a 4501 line per co-owner) and one bank entry
  of the transfers (8 % stop paying in the last two quarters), posted year by year through
  `post_entries_bulk` (1.8 M lines); a statement of 2,000 matched lines, 20 to review and 10 in
  suspense; the requests, failed card payments, this year's budget (without lines) and documents
  of `search_bench._work_to_do`. Made on the first walk, then reused: a works operation, a
  council member, an announcement, a lettering, an entry attachment, a sale, a building, a match
  suggestion, a call batch; and, through the isolation test's providers, a supplier with its IBAN,
  a contract, a validated invoice and a supplier payment batch.

The walk: every pattern of `tantieme.backoffice.urls` (as `tests/test_isolation.py` walks them),
path parameters filled by the isolation test's providers (`BACKOFFICE_OBJECTS`) on an object
describing the **big** condominium (the co-owner is A7770001, with 15 years of history). A pattern
whose provider cannot be served is reported, not skipped silently. Each URL: `--warm-up` requests,
then `--runs` timed ones through Django's test client (the firm's host, a manager with a confirmed
second factor, full middleware and templates, DEBUG off), queries counted with
`CaptureQueriesContext` on one more request. List pages are also timed with the first sort or
filter link found in the page (`?tri=…`, `?filtre=…`). POST-only URLs (405) are listed apart.
Budget (issue 13): p95 < 150 ms server-side, ≤ 15 queries.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DEBUG", "0")
# Files (ticket attachment, entry voucher) are kept between runs, like the database.
os.environ.setdefault("VAR_DIR", str(Path(tempfile.gettempdir()) / "tantieme-backoffice-bench"))

# The search bench configures Django (temporary VAR_DIR, test env, immediate tasks) and holds the
# generator of the small condominiums and the "work to do" rows; funds_bench the base-36 suffixes.
import search_bench
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from funds_bench import _suffix

from tantieme.announcements.models import Announcement
from tantieme.backoffice import urls as backoffice_urls
from tantieme.banking.enums import ImportState, LineKind, LineStatus, MatchRule, StatementFormat
from tantieme.banking.models import MatchSuggestion, StatementImport, StatementLine
from tantieme.condominiums.enums import KeyKind, LotKind
from tantieme.condominiums.models import AllocationKey, Building, Condominium, CoOwner, Lot, LotShare, Ownership
from tantieme.documents.enums import PERSONAL_CATEGORIES, Audience
from tantieme.documents.models import CouncilMembership, Document
from tantieme.funds.models import Budget, CallBatch, WorksOperation
from tantieme.ledger import services as ledger
from tantieme.ledger.models import Entry, EntryAttachment, FiscalYear, Lettering, Line
from tantieme.ledger.services import EntryDraft, LineDraft
from tantieme.payments.models import Payment
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import StaffMembership
from tantieme.tenancy.scoping import firm_scope
from tantieme.tickets.models import Ticket, TicketAttachment

SLUG, BIG = "backoffice", "777"
SMALL, BIG_LOTS, BIG_CO_OWNERS, BIG_YEARS, SMALL_YEARS = 99, 20_000, 15_000, 15, 3
BUDGET_MS, BUDGET_QUERIES = 150.0, 15
ZERO = Decimal("0.00")


def get_firm() -> Any:
    from tantieme.tenancy.models import Firm

    firm, _created = Firm.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "Cabinet Back-office",
            "legal_name": "Cabinet Back-office SAS",
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


# --- the big condominium -------------------------------------------------------------------------


def _big_people(firm: Any, condominium: Condominium, rng: random.Random) -> list[CoOwner]:
    people = []
    for index in range(BIG_CO_OWNERS):
        last = rng.choice(search_bench.SURNAMES)
        first = rng.choice(search_bench.FIRST_NAMES)
        people.append(
            CoOwner(
                firm=firm,
                condominium=condominium,
                reference=f"A{BIG}{_suffix(index + 1)}",
                civility=rng.choice(["M.", "Mme", "M. et Mme"]),
                last_name=last,
                first_name=first,
                email=f"{first.lower()}.{last.lower()}{index}@example.org" if rng.random() < 0.7 else "",
                address_line1=f"{index % 300 + 1} rue des Essais",
                postal_code="75012",
                city="Paris",
            )
        )
    CoOwner.all_firms.bulk_create(people, batch_size=5000)
    return list(CoOwner.all_firms.filter(condominium=condominium).order_by("reference"))


def _big_lots(condominium: Condominium, people: list[CoOwner]) -> None:
    """20,000 lots, keys GEN (every lot) and ASC (apartments by floor), dated ownerships."""
    Lot.all_firms.bulk_create(
        [
            Lot(
                condominium=condominium,
                number=number,
                kind=LotKind.APARTMENT if number <= BIG_CO_OWNERS else LotKind.PARKING,
                floor=number % 8,
            )
            for number in range(1, BIG_LOTS + 1)
        ],
        batch_size=5000,
    )
    lots = list(Lot.all_firms.filter(condominium=condominium).order_by("number"))
    general = [37 + (lot.number * 7919) % 113 if lot.kind == LotKind.APARTMENT else 11 for lot in lots]
    elevator = [(lot.floor or 0) * 10 + lot.number % 7 if lot.kind == LotKind.APARTMENT else 0 for lot in lots]
    keys = [
        AllocationKey.all_firms.create(
            condominium=condominium, code="GEN", label="Charges générales", total=sum(general), kind=KeyKind.GENERAL
        ),
        AllocationKey.all_firms.create(
            condominium=condominium, code="ASC", label="Ascenseur", total=sum(elevator), kind=KeyKind.SPECIAL
        ),
    ]
    LotShare.all_firms.bulk_create(
        [
            LotShare(key=key, lot=lot, shares=share)
            for key, shares in zip(keys, (general, elevator), strict=True)
            for lot, share in zip(lots, shares, strict=True)
        ],
        batch_size=5000,
    )
    start = datetime.date(2010, 1, 1)
    Ownership.all_firms.bulk_create(
        [
            Ownership(co_owner=people[index % BIG_CO_OWNERS], lot=lot, start_date=start)
            for index, lot in enumerate(lots)
        ],
        batch_size=5000,
    )


def _big_books(condominium: Condominium, people: list[CoOwner], rng: random.Random) -> set[int]:
    """15 fiscal years; each quarter a call (4501 per co-owner) and the transfers, one batch a year."""
    today = timezone.localdate()
    first_year = today.year - BIG_YEARS + 1
    ledger.create_chart(condominium=condominium)
    ledger.open_fiscal_year(condominium=condominium, start_date=datetime.date(first_year, 1, 1))
    for _year in range(BIG_YEARS - 1):
        ledger.open_fiscal_year(condominium=condominium)
    late = {person.pk for person in people if rng.random() < 0.08}
    days = search_bench.quarters(BIG_YEARS, today)
    amounts = {person.pk: Decimal(rng.randint(20000, 90000)) / 100 for person in people}
    started = time.perf_counter()
    for year in range(first_year, today.year + 1):
        drafts: list[EntryDraft] = []
        for position, day in enumerate(days):
            if day.year != year:
                continue
            calls = [LineDraft(account="4501", debit=amounts[p.pk], co_owner=p, label="Appel") for p in people]
            calls.append(LineDraft(account="701", credit=sum((amounts[p.pk] for p in people), ZERO)))
            drafts.append(
                EntryDraft(journal="AF", date=day, label=f"Appel {day:%m/%Y}", lines=calls, validation_date=day)
            )
            payers = [p for p in people if not (p.pk in late and position >= len(days) - 2)]
            paid_on = min(day + datetime.timedelta(days=10), today)
            transfers = [LineDraft(account="4501", credit=amounts[p.pk], co_owner=p, label="Virement") for p in payers]
            transfers.append(LineDraft(account="512", debit=sum((amounts[p.pk] for p in payers), ZERO)))
            drafts.append(
                EntryDraft(journal="BQ1", date=paid_on, label="Virements", lines=transfers, validation_date=paid_on)
            )
        ledger.post_entries_bulk(condominium=condominium, drafts=drafts)
        print(f"    {year}: posted, {time.perf_counter() - started:.0f} s", flush=True)
    return late


def _big_bank(firm: Any, condominium: Condominium, people: list[CoOwner], late: set[int]) -> None:
    today = timezone.localdate()
    statement = StatementImport.all_firms.create(
        firm=firm,
        condominium=condominium,
        account_iban=condominium.iban,
        format=StatementFormat.CAMT053,
        file_sha256="7" * 64,
        state=ImportState.DONE,
    )
    rows = [
        StatementLine(
            firm=firm,
            condominium=condominium,
            statement_import=statement,
            account_iban=condominium.iban,
            entry_key=f"E{position}",
            position=position,
            booking_date=today - datetime.timedelta(days=position % 60),
            amount=Decimal(200 + position % 700),
            label=f"VIR {person.last_name} {person.reference}",
            counterparty_name=person.last_name,
            counterparty_iban=search_bench.iban_of(person.pk),
            kind=LineKind.CO_OWNER_PAYMENT,
            status=LineStatus.MATCHED,
            co_owner=person,
        )
        for position, person in enumerate(p for p in people[:2500] if p.pk not in late)
        if position < 2000
    ]
    for extra, status in enumerate([LineStatus.TO_REVIEW] * 20 + [LineStatus.SUSPENSE] * 10):
        rows.append(
            StatementLine(
                firm=firm,
                condominium=condominium,
                statement_import=statement,
                account_iban=condominium.iban,
                entry_key=f"X{extra}",
                position=5000 + extra,
                booking_date=today - datetime.timedelta(days=extra * 3 + 1),
                amount=Decimal(1000 + extra * 37) / 10,
                label=f"VIR INCONNU {extra}",
                kind=LineKind.UNIDENTIFIED,
                status=status,
            )
        )
    StatementLine.all_firms.bulk_create(rows, batch_size=2000)


def make_big(firm: Any) -> None:
    rng = random.Random(777)
    started = time.perf_counter()
    condominium = Condominium.all_firms.create(
        firm=firm,
        code=BIG,
        name="Résidence Les Grands Ensembles",
        address_line1="10 avenue des Mesures",
        postal_code="75012",
        city="Paris",
        iban="FR1140031000010000113172M58",  # a valid one: the return transfer (pain.001) checks it
        bic="CDCGFRPPXXX",
        construction_year=1972,
    )
    people = _big_people(firm, condominium, rng)
    _big_lots(condominium, people)
    print(f"  big: lots, keys, co-owners in {time.perf_counter() - started:.0f} s", flush=True)
    with firm_scope(firm):
        late = _big_books(condominium, people, rng)
        _big_bank(firm, condominium, people, late)
        search_bench._work_to_do(firm, condominium, people, rng)
    print(f"  big condominium generated in {time.perf_counter() - started:.0f} s", flush=True)


def generate(firm: Any) -> None:
    rng = random.Random(13)
    started = time.perf_counter()
    existing = Condominium.all_firms.filter(firm=firm).exclude(code=BIG).count()
    for index in range(existing, SMALL):
        search_bench.make_condominium(firm, index, rng.randint(30, 200), SMALL_YEARS, rng)
        if index % 10 == 9:
            print(f"  {index + 1} small condominiums, {time.perf_counter() - started:.0f} s", flush=True)
    fresh = existing < SMALL
    if not Condominium.all_firms.filter(firm=firm, code=BIG).exists():
        make_big(firm)
        fresh = True
    if fresh and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# --- what the isolation test's providers read, for the big condominium ------------------------------


class BigDemo:
    """The attributes of `tests.test_isolation.Demo`, on the big condominium (made once, reused)."""

    def __init__(self, firm: Any) -> None:
        from tantieme.sales.models import Sale
        from tests.factories import co_owner_user

        self.horizon = firm
        with firm_scope(firm):
            self.condo = Condominium.objects.get(code=BIG)
            self.alice = CoOwner.objects.select_related("condominium").get(reference=f"A{BIG}0001")
            self.alice_user = self.alice.users.first() or co_owner_user(self.alice)
            self.ticket = Ticket.objects.filter(condominium=self.condo).order_by("pk").first()
            message = self.ticket.messages.first()
            self.attachment = TicketAttachment.objects.filter(message=message).first()
            if self.attachment is None or not self.attachment.file.storage.exists(self.attachment.file.name):
                attachment = TicketAttachment(
                    message=message, filename="photo.png", content_type="image/png", size=4, sha256="0" * 64
                )
                attachment.file.save("photo.png", ContentFile(b"\x89PNG"), save=False)
                attachment.save()
                self.attachment = attachment
            self.personal_document = self._personal_document(firm)
            self.announcement = Announcement.objects.filter(condominium=self.condo).first() or (
                Announcement.objects.create(firm=firm, condominium=self.condo, title="Travaux", body="Ascenseur")
            )
            self.council = CouncilMembership.objects.filter(condominium=self.condo).first() or (
                CouncilMembership.objects.create(
                    condominium=self.condo, co_owner=self.alice, start_date=datetime.date(2024, 6, 1)
                )
            )
            self.budget = Budget.objects.filter(condominium=self.condo).order_by("-start_date").first()
            self.operation = WorksOperation.objects.filter(condominium=self.condo).first() or (
                WorksOperation.objects.create(
                    condominium=self.condo,
                    code="RAV",
                    label="Ravalement",
                    general_meeting_date=datetime.date(2025, 6, 12),
                )
            )
            self.year = FiscalYear.objects.filter(condominium=self.condo).order_by("-start_date").first()
            self.entry = Entry.objects.filter(condominium=self.condo).order_by("-pk").first()
            self.entry_attachment = EntryAttachment.objects.filter(entry=self.entry).first()
            if self.entry_attachment is None or not self.entry_attachment.file.storage.exists(
                self.entry_attachment.file.name
            ):
                self.entry_attachment = ledger.attach_to_entry(
                    entry=self.entry, content=b"%PDF-1.4\n%%EOF\n", filename="p.pdf"
                )
            self.lettering = Lettering.objects.filter(co_owner=self.alice).first() or self._lettering()
            self.batch = CallBatch.objects.filter(condominium=self.condo).first() or CallBatch.objects.create(
                firm=firm, condominium=self.condo, period="2026-Q1"
            )
            self.payment = Payment.objects.filter(co_owner=self.alice).first()
            self.statement = StatementImport.objects.filter(condominium=self.condo).first()
            lines = StatementLine.objects.filter(statement_import__condominium=self.condo)
            self.statement_line = lines.filter(status=LineStatus.TO_REVIEW).order_by("pk").first()
            self.suggestion = MatchSuggestion.objects.filter(
                line__statement_import__condominium=self.condo
            ).first() or MatchSuggestion.objects.create(
                line=self.statement_line, co_owner=self.alice, rule=MatchRule.NAME, confidence="0.80", evidence="nom"
            )
            if not Building.objects.filter(condominium=self.condo).exists():
                Building.objects.create(condominium=self.condo, code="A", name="Bâtiment A")
            # What the isolation providers made on an earlier run (they would make them again and clash).
            from tantieme.expenses.models import Invoice
            from tantieme.supplier_payments.models import PaymentBatch

            batch = PaymentBatch.objects.filter(condominium=self.condo).order_by("pk").first()
            if batch is not None:
                self.supplier_batch = batch.pk
            invoice = Invoice.objects.filter(condominium=self.condo).select_related("supplier").order_by("pk").first()
            if invoice is not None:
                supplier = invoice.supplier
                self.expenses = {
                    "supplier": supplier.pk,
                    "bank_account": supplier.bank_accounts.order_by("pk").values_list("pk", flat=True).first(),
                    "contract": supplier.contracts.order_by("pk").values_list("pk", flat=True).first(),
                    "invoice": invoice.pk,
                    "condominium": self.condo.pk,
                }
            self.return_transfer = self._return_transfer(lines)
            self.sale = Sale.objects.filter(condominium=self.condo).first() or self._sale()

    def _personal_document(self, firm: Any) -> Document:
        document = Document.objects.filter(co_owner=self.alice).first()
        if document is None:
            document = Document.objects.create(
                firm=firm,
                condominium=self.condo,
                co_owner=self.alice,
                category=PERSONAL_CATEGORIES[0],
                audience=Audience.CO_OWNER,
                title="Relevé",
                document_date=timezone.localdate(),
                year=timezone.localdate().year,
                file=f"documents/{firm.pk}/{self.condo.pk}/alice.pdf",
                original_filename="alice.pdf",
                content_type="application/pdf",
                size=1000,
                sha256="1" * 64,
                published_at=timezone.now(),
            )
        return document

    def _lettering(self) -> Lettering:
        lines = Line.objects.filter(co_owner=self.alice, account__number="4501").order_by("date", "pk")
        first_debit = lines.filter(debit__gt=0).first()
        first_credit = lines.filter(credit__gt=0).first()
        return ledger.letter_lines(lines=[first_debit, first_credit], on=first_credit.date)

    def _return_transfer(self, lines: Any) -> Any:
        from tantieme.banking.models import ReturnTransfer
        from tantieme.banking.services import return_to_payer

        existing = ReturnTransfer.objects.filter(line__statement_import__condominium=self.condo).first()
        if existing is not None:
            return existing
        suspense = lines.filter(status=LineStatus.SUSPENSE).order_by("pk").first()
        return return_to_payer(line=suspense, creditor_name="DUPONT Marie", creditor_iban="FR7630006000011234567890189")

    def _sale(self) -> Any:
        from tantieme.sales.services import open_sale

        ownership = self.alice.ownerships.filter(end_date__isnull=True).select_related("lot").first()
        return open_sale(
            condominium=self.condo,
            seller=self.alice,
            lot_numbers=[ownership.lot.number],
            requested_on=timezone.localdate(),
            notary_name="Me NOTAIRE",
        )


# --- the walk ----------------------------------------------------------------------------------------

_LINK = re.compile(r'href="(\?[^"]*(?:tri|filtre|statut|etat|debiteurs)[^"]*)"')


def percentile(values: list[float], share: float) -> float:
    return search_bench.percentile(values, share)


def urls(demo: BigDemo) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, path) of every back-office pattern, and the names whose parameters could not be filled."""
    from django.urls import reverse

    from tests.test_isolation import BACKOFFICE_OBJECTS, _patterns

    found, missing = [], []
    for pattern in _patterns(backoffice_urls):
        converters = getattr(pattern.pattern, "converters", {})
        if not converters:
            found.append((pattern.name, reverse(f"backoffice:{pattern.name}")))
            continue
        try:
            with firm_scope(demo.horizon):
                kwargs = BACKOFFICE_OBJECTS[pattern.name](demo)
            found.append((pattern.name, reverse(f"backoffice:{pattern.name}", kwargs=kwargs)))
        except Exception as error:  # noqa: BLE001 - any failure to fill a pattern is reported
            missing.append(f"{pattern.name} ({type(error).__name__}: {error})")
    return found, missing


def _get(client: Client, path: str) -> Any:
    response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def measure(client: Client, path: str, runs: int, warm_up: int) -> dict[str, Any]:
    for _ in range(warm_up):
        response = _get(client, path)
    reset_queries()  # the log of the previous request would hide this one's (request_started resets it)
    with CaptureQueriesContext(connection) as captured:
        response = _get(client, path)
    # Read now: `captured_queries` slices the connection's log, which the next request clears.
    queries = list(captured.captured_queries)
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        _get(client, path)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    sql = sum(float(query["time"]) for query in queries) * 1000
    return {
        "status": response.status_code,
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "cpu": statistics.median(cpu),
        "queries": len(queries),
        "sql": sql,
        "response": response,
    }


def row(name: str, path: str, figures: dict[str, Any]) -> str:
    over = []
    if figures["p95"] >= BUDGET_MS:
        over.append("time")
    if figures["queries"] > BUDGET_QUERIES:
        over.append("queries")
    verdict = "**" + " + ".join(over) + "**" if over else "met"
    return (
        f"| {name} | `{path}` | {figures['status']} | {figures['p50']:.1f} | {figures['p95']:.1f} "
        f"| {figures['cpu']:.1f} | {figures['queries']} | {figures['sql']:.1f} | {verdict} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warm-up", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated URL names to time (default: all)")
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args()
    assert not settings.DEBUG, "run with DEBUG=0"
    call_command("migrate", verbosity=0)
    firm = get_firm()
    generate(firm)
    if args.generate_only:
        return
    demo = BigDemo(firm)
    with firm_scope(firm):
        print(
            f"database: {connection.vendor}; {Condominium.objects.count()} condominiums, "
            f"{CoOwner.objects.count():,} co-owners, {Line.objects.count():,} ledger lines; big condominium: "
            f"{Lot.objects.filter(condominium=demo.condo).count():,} lots, "
            f"{CoOwner.objects.filter(condominium=demo.condo).count():,} co-owners, "
            f"{Line.objects.filter(condominium=demo.condo).count():,} lines, "
            f"{Line.objects.filter(co_owner=demo.alice).count()} lines of {demo.alice.reference}"
        )
    client = search_bench.staff_client(firm)
    # The firm's administrator holds every capability: each page is served, none stops at a 403.
    StaffMembership.all_firms.filter(firm=firm).update(role=StaffRole.FIRM_ADMIN)
    found, missing = urls(demo)
    only = {name for name in args.only.split(",") if name}
    print(f"{args.runs} timed requests each after {args.warm_up} warm-up; load {os.getloadavg()[0]:.1f}")
    print("| page | path | status | p50 ms | p95 ms | CPU p50 ms | queries | SQL ms | budget |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    post_only, failures = [], []
    for name, path in found:
        if only and name not in only:
            continue
        try:
            response = _get(client, path)
            if response.status_code == 405:
                post_only.append(name)
                continue
            figures = measure(client, path, args.runs, args.warm_up)
        except Exception as error:  # noqa: BLE001 - a page that fails is reported, the walk goes on
            failures.append(f"{name} {path} -> {type(error).__name__}: {error}")
            continue
        print(row(name, path, figures), flush=True)
        if figures["status"] >= 400:
            failures.append(f"{name} {path} -> {figures['status']}")
        content = figures["response"].content if not figures["response"].streaming else b""
        links = _LINK.findall(content.decode("utf-8", "replace")) if content else []
        if links:
            query = unescape(links[0])
            figures = measure(client, path + query, args.runs, args.warm_up)
            print(row(f"{name} (sorted/filtered)", path + query, figures), flush=True)
    print(f"\nPOST only (not timed): {', '.join(post_only) or 'none'}")
    print(f"Patterns without a parameter value (not timed): {'; '.join(missing) or 'none'}")
    print(f"Errors: {'; '.join(failures) or 'none'}")


if __name__ == "__main__":
    main()
