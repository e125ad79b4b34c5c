"""Every back-office page runs a bounded number of SQL queries, whatever the data (issue 13).

The catch-all behind each page's own `django_assert_max_num_queries`: it walks every GET pattern of
`tantieme.backoffice.urls` with the objects of the isolation walk (`tests/test_isolation.py`: its
`Demo` and `BACKOFFICE_OBJECTS`, so a new page is walked as soon as it has a provider there), as
the firm's administrator (every page is served, none answers 403), and counts the queries of each
page twice: on the seeded demo, then after its condominium has grown (30 more co-owners with lots,
shares, calls and payments every quarter of every open year, bank lines to review, requests,
documents). Each page must stay within 15 queries and run the same number both times: a count
that grows with the data is a query in a loop. `bench/backoffice_bench.py` times the same walk on
a condominium of 20,000 lots.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tantieme.backoffice import urls as backoffice_urls
from tantieme.banking.enums import ImportState, LineKind, LineStatus, StatementFormat
from tantieme.banking.models import StatementImport, StatementLine
from tantieme.condominiums.enums import LotKind
from tantieme.condominiums.models import AllocationKey, CoOwner, Lot, LotShare, Ownership
from tantieme.documents.enums import SHARED_CATEGORIES, Audience
from tantieme.documents.models import Document
from tantieme.ledger import services as ledger
from tantieme.ledger.enums import FiscalYearState
from tantieme.ledger.models import FiscalYear
from tantieme.ledger.services import EntryDraft, LineDraft
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import StaffMembership
from tantieme.tenancy.scoping import firm_scope
from tantieme.tickets.enums import TicketCategory, TicketStatus
from tantieme.tickets.models import Ticket, TicketMessage
from tests.conftest import client_for
from tests.test_isolation import BACKOFFICE_OBJECTS, Demo, _urls

pytestmark = pytest.mark.slow

MAX_QUERIES = 15
MORE = 30
# Files built from many parts of the books (not pages): a constant count, but above the pages' 15.
FILE_MAX_QUERIES = {"sale_information_pdf": 27, "closing_annexes_pdf": 31, "closing_annexes_xlsx": 31}


def _get(client: Any, path: str) -> Any:
    response = client.get(path)
    if response.streaming:  # read through the client's wrapper, which closes the file
        b"".join(response.streaming_content)
    return response


def _walk(client: Any, urls: list[tuple[str, str, bool]], *, warm_up: bool) -> dict[tuple[str, str], tuple[int, int]]:
    """{(name, path): (status, queries)} for every URL answered to a GET (POST-only views excluded)."""
    counts = {}
    for name, path, _personal in urls:
        if warm_up:  # once before counting: per-process caches (translations, templates, content types)
            _get(client, path)
        with CaptureQueriesContext(connection) as captured:
            response = _get(client, path)
        if response.status_code != 405:
            counts[name, path] = (response.status_code, len(captured.captured_queries))
    return counts


def _grow(demo: Demo) -> None:
    """30 more co-owners in the demo condominium, with everything a page may list about them."""
    condo, firm, today = demo.condo, demo.horizon, timezone.localdate()
    with firm_scope(firm):
        first = Lot.objects.filter(condominium=condo).order_by("-number").values_list("number", flat=True)[0] + 1
        people = CoOwner.objects.bulk_create(
            CoOwner(
                firm=firm,
                condominium=condo,
                reference=f"{condo.reference_letter}{condo.code}{9000 + index:04d}",
                last_name=f"CROISSANCE{index}",
                first_name="Camille",
                email=f"croissance{index}@example.org",
                address_line1="1 rue des Essais",
                postal_code="75012",
                city="Paris",
            )
            for index in range(MORE)
        )
        lots = Lot.objects.bulk_create(
            Lot(condominium=condo, number=first + index, kind=LotKind.APARTMENT) for index in range(MORE)
        )
        Ownership.objects.bulk_create(
            Ownership(co_owner=person, lot=lot, start_date=datetime.date(2015, 1, 1))
            for person, lot in zip(people, lots, strict=True)
        )
        for key in AllocationKey.objects.filter(condominium=condo):
            LotShare.objects.bulk_create(LotShare(key=key, lot=lot, shares=100) for lot in lots)
            AllocationKey.objects.filter(pk=key.pk).update(total=key.total + 100 * MORE)
        drafts = []
        for year in FiscalYear.objects.filter(condominium=condo, state=FiscalYearState.OPEN):
            day = year.start_date
            while day <= min(year.end_date, today):
                calls = [LineDraft(account="4501", debit=Decimal("250.00"), co_owner=p, label="Appel") for p in people]
                calls.append(LineDraft(account="701", credit=Decimal("250.00") * MORE))
                drafts.append(EntryDraft(journal="AF", date=day, label="Appel", lines=calls, validation_date=day))
                paid = [LineDraft(account="4501", credit=Decimal("240.00"), co_owner=p, label="Vir.") for p in people]
                paid.append(LineDraft(account="512", debit=Decimal("240.00") * MORE))
                drafts.append(EntryDraft(journal="BQ1", date=day, label="Virements", lines=paid, validation_date=day))
                day = (day.replace(day=1) + datetime.timedelta(days=95)).replace(day=1)
        ledger.post_entries_bulk(condominium=condo, drafts=drafts)
        statement = StatementImport.objects.create(
            firm=firm,
            condominium=condo,
            account_iban=condo.iban,
            format=StatementFormat.CAMT053,
            file_sha256=hashlib.sha256(b"growth").hexdigest(),
            state=ImportState.DONE,
        )
        StatementLine.objects.bulk_create(
            StatementLine(
                firm=firm,
                condominium=condo,
                statement_import=statement,
                account_iban=condo.iban,
                entry_key=f"G{index}",
                position=index,
                booking_date=today - datetime.timedelta(days=index),
                amount=Decimal(100 + index),
                label=f"VIR {person.last_name}",
                kind=LineKind.UNIDENTIFIED,
                status=LineStatus.SUSPENSE if index % 3 == 0 else LineStatus.TO_REVIEW,
            )
            for index, person in enumerate(people)
        )
        for index, person in enumerate(people[:10]):
            ticket = Ticket.objects.create(
                firm=firm,
                condominium=condo,
                co_owner=person,
                category=TicketCategory.OTHER,
                subject=f"Demande {index}",
                status=TicketStatus.NEW,
            )
            TicketMessage.objects.create(ticket=ticket, body="Bonjour")
        Document.objects.bulk_create(
            Document(
                firm=firm,
                condominium=condo,
                category=category,
                audience=Audience.CONDOMINIUM,
                title=f"Croissance {category.label}",
                document_date=today,
                year=today.year,
                file=f"documents/{firm.pk}/{condo.pk}/growth-{category.value}.pdf",
                original_filename=f"{category.value}.pdf",
                content_type="application/pdf",
                size=1000,
                sha256=hashlib.sha256(f"growth{category.value}".encode()).hexdigest(),
                published_at=timezone.now(),
            )
            for category in SHARED_CATEGORIES
        )


def test_every_backoffice_page_runs_a_bounded_constant_number_of_queries(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)
    demo = Demo()
    # The firm's administrator holds every capability: each page is served, none stops at a 403.
    StaffMembership.all_firms.filter(user=demo.manager).update(role=StaffRole.FIRM_ADMIN)
    urls = _urls(backoffice_urls, "backoffice", BACKOFFICE_OBJECTS, demo)
    client = client_for(demo.horizon, demo.manager)

    small = _walk(client, urls, warm_up=True)
    _grow(demo)
    large = _walk(client, urls, warm_up=False)

    problems = []
    for (name, path), (status, queries) in small.items():
        grown_status, grown = large[name, path]
        bound = FILE_MAX_QUERIES.get(name, MAX_QUERIES)
        if status >= 500 or grown_status >= 500:
            problems.append(f"{path}: answered {status} / {grown_status}")
        if max(queries, grown) > bound:
            problems.append(f"{path}: {queries} then {grown} queries (more than {bound})")
        elif grown != queries:
            problems.append(f"{path}: {queries} queries, then {grown} with more data")
    assert len(small) > 100, "the walk found too few pages"
    assert problems == [], "\n".join(problems)
