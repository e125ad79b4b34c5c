"""Back office « Clôture »: draft, approval, downloads; roles, portfolio and firm walls; bounded queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine

from tantieme.closing.models import Closing, ClosingState
from tantieme.ledger.models import Entry, FiscalYear
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tests.closing.test_closing import run_2025
from tests.conftest import client_for
from tests.factories import FirmFactory, StaffUserFactory
from tests.funds.helpers import Example, build_example


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        with time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
            built = build_example(firm=firm, years=2)
            run_2025(built)
        yield built


def _year(example: Example) -> FiscalYear:
    return FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))


def test_an_accountant_drafts_downloads_and_approves(  # type: ignore[no-untyped-def]
    example: Example, django_assert_max_num_queries, django_capture_on_commit_callbacks
) -> None:
    accountant = StaffUserFactory(firm=example.firm, membership=StaffRole.ACCOUNTANT)
    client = client_for(example.firm, accountant)
    year = _year(example)
    url = f"/gestion/cloture/exercice/{year.pk}/"
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0), tick=False):
        assert "Pas encore de projet" in client.get(url).content.decode()
        response = client.post(f"{url}projet/")
        assert response.status_code == 302
        with django_assert_max_num_queries(15):
            page = client.get(url).content.decode()
    assert "Projet, sous réserve d" in page
    assert "230,40" in page
    assert "-238,65" in page
    assert "A 606 0001" in page
    assert "53,65" in page
    for suffix, signature in (("annexes.pdf", b"%PDF"), ("annexes.xlsx", b"PK")):
        download = client.get(f"{url}{suffix}")
        assert download.status_code == 200
        assert download.content.startswith(signature)
        assert download["Cache-Control"] == "private, no-store"
    statement = client.get(f"{url}repartition/{example.owners['A'].pk}.pdf")
    assert statement.content.startswith(b"%PDF")
    # Without the confirmation nothing happens; with it, the year is approved and locked.
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False):
        client.post(f"{url}approuver/", {"approval_date": "2026-04-15"})
        assert not Entry.objects.filter(journal__code="RE").exists()
        with django_capture_on_commit_callbacks(execute=True):  # the approval task, after the commit
            client.post(f"{url}approuver/", {"approval_date": "2026-04-15", "confirm": "on"})
    closing = Closing.objects.get(fiscal_year=year)
    assert closing.state == ClosingState.APPROVED
    assert closing.approval_requested_for is None
    assert closing.documents_finished_at is not None
    assert Entry.objects.filter(journal__code="RE").count() == 5
    assert "assemblée générale du 15/04/2026" in client.get(url).content.decode()


def test_roles_and_walls(example: Example) -> None:
    year = _year(example)
    url = f"/gestion/cloture/exercice/{year.pk}/"
    manager = StaffUserFactory(firm=example.firm, membership=StaffRole.MANAGER)
    readonly = client_for(example.firm, manager)
    assert readonly.get(url).status_code == 200
    assert readonly.post(f"{url}projet/").status_code == 403
    assert readonly.post(f"{url}approuver/", {"approval_date": "2026-04-15", "confirm": "on"}).status_code == 403
    assert not Closing.objects.exists()
    other = FirmFactory(slug="ailleurs")
    outsider = StaffUserFactory(firm=other, membership=StaffRole.FIRM_ADMIN)
    with firm_scope(other):
        foreign = client_for(other, outsider)
        for path in ("", "projet/", "annexes.pdf", f"repartition/{example.owners['A'].pk}.pdf"):
            response = foreign.post(url + path) if path == "projet/" else foreign.get(url + path)
            assert response.status_code == 404, path


def test_an_approval_refused_by_its_task_says_why(example: Example) -> None:
    """The page's checks pass, but a charge without key posted since the draft stops the task."""
    from tantieme.closing.publishing import approve_requested_closing
    from tantieme.closing.services import draft_closing, request_approval
    from tantieme.ledger import services as ledger
    from tantieme.ledger.services import LineDraft

    accountant = StaffUserFactory(firm=example.firm, membership=StaffRole.ACCOUNTANT)
    year = _year(example)
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False):
        draft_closing(fiscal_year=year)
        closing = request_approval(fiscal_year=year, approval_date=datetime.date(2026, 4, 15), actor=accountant)
        ledger.post_entry(
            condominium=example.condominium,
            journal="AC",
            date=datetime.date(2025, 12, 30),
            label="Sans clé",
            lines=[LineDraft(account="615", debit=Decimal("10.00")), LineDraft(account="401", credit=Decimal("10.00"))],
        )
        closing = approve_requested_closing(closing_id=closing.pk)
        page = client_for(example.firm, accountant).get(f"/gestion/cloture/exercice/{year.pk}/").content.decode()
    assert closing.state == ClosingState.DRAFT
    assert closing.approval_requested_for is None
    assert "sans clé" in closing.approval_error
    assert "approbation a été refusée" in page
    assert not Entry.objects.filter(journal__code="RE").exists()


def test_the_regularisations_sort_and_export(example: Example) -> None:
    """Issue 13.7: one row per co-owner whatever the sort (the groups stay whole), CSV and XLSX."""
    accountant = StaffUserFactory(firm=example.firm, membership=StaffRole.ACCOUNTANT)
    client = client_for(example.firm, accountant)
    year = _year(example)
    url = f"/gestion/cloture/exercice/{year.pk}/"
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0), tick=False):
        client.post(f"{url}projet/")
        rows = client.get(url, {"tri": "regularisation", "ordre": "desc"}).context["owner_rows"]
        csv = b"".join(client.get(url, {"format": "csv", "tri": "regularisation"}).streaming_content).decode()
    amounts = [row["regularisation"] for row in rows]
    assert amounts == sorted(amounts, reverse=True)
    assert len({row["pk"] for row in rows}) == len(rows) == len(example.owners)
    header, *lines = csv.lstrip("\ufeff").splitlines()
    assert header == "Référence;Copropriétaire;Quote-part des charges;Provisions appelées;Régularisation"
    assert len(lines) == len(example.owners)
    assert lines[0].startswith("A 606 0004;")  # ascending: the largest refund first
    assert "A 606 0001;DUPONT Anne;2208,93;2155,28;53,65" in lines
