"""Calls that need a fiscal year not open: warned before (preview, issue, dashboard), and a batch that
issued nothing because of it ends FAILED with the reason, never « Terminé »."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from tantieme.audit.models import AuditEvent
from tantieme.funds.batches import run_batch, start_batch
from tantieme.funds.enums import BatchState
from tantieme.funds.models import Call, CallBatch
from tantieme.ledger import services as ledger
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import client_for
from tests.factories import FirmFactory, StaffUserFactory
from tests.funds.helpers import Example, build_example, vote_example_budget

NO_YEAR = "Aucun exercice ouvert ne contient le 01/01/2026"


@pytest.fixture
def example(db: None) -> Example:
    """Year 2025 open with its budget; the budget 2026 is voted, the year 2026 is not open."""
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        example = build_example(firm=firm)
        vote_example_budget(example)
        vote_example_budget(
            example, start_date=datetime.date(2026, 1, 1), general_meeting_date=datetime.date(2025, 5, 15)
        )
    return example


def accountant_client(example: Example) -> Any:
    return client_for(example.firm, StaffUserFactory(firm=example.firm, membership=StaffRole.ACCOUNTANT))


def preview(client: Any, example: Example, period: str) -> str:
    return client.get(
        reverse("backoffice:funds_preview", args=[example.condominium.pk]), {"period": period}
    ).content.decode()


def test_the_preview_warns_of_a_year_not_open_with_a_link_to_open_it(example: Example) -> None:
    client = accountant_client(example)
    text = preview(client, example, "2026-Q1")
    assert "Exercice non ouvert" in text
    assert "aucun exercice ouvert ne contient le 01/01/2026" in text
    assert reverse("backoffice:fiscal_years_condominium", args=[example.condominium.pk]) in text
    assert "Appel T1 2026" in text  # the amounts are still shown
    # A period inside the open year: no warning.
    assert "Exercice non ouvert" not in preview(client, example, "2025-Q1")
    # Nothing due, and no year either: the period itself is named.
    assert "aucun exercice ouvert ne contient le 01/01/2030" in preview(client, example, "2030-Q1")
    # Once the year is open, the warning goes.
    with firm_scope(example.firm):
        ledger.open_fiscal_year(condominium=example.condominium)
    assert "Exercice non ouvert" not in preview(client, example, "2026-Q1")


def test_a_batch_that_issued_nothing_for_lack_of_a_year_fails_with_the_reason(example: Example) -> None:
    with firm_scope(example.firm):
        batch = start_batch(firm=example.firm, period="2026-Q1", condominium=example.condominium)
        batch = run_batch(batch_id=batch.pk)
    assert batch.state == BatchState.FAILED
    assert (batch.calls_created, batch.calls_existing, batch.total_amount) == (0, 0, 0)
    assert [error["message"] for error in batch.errors] == [f"{NO_YEAR}."]
    assert AuditEvent.all_firms.filter(action="funds.batch.failed").count() == 1
    page = accountant_client(example).get(reverse("backoffice:funds_batch", args=[batch.pk])).content.decode()
    assert "En erreur" in page
    assert "badge--danger" in page
    assert "Terminé" not in page
    assert "Aucun appel n&#x27;a été émis" in page or "Aucun appel n'a été émis" in page
    assert NO_YEAR in page
    assert reverse("backoffice:fiscal_years_condominium", args=[example.condominium.pk]) in page
    # Open the year, issue again: a new batch, done.
    with firm_scope(example.firm):
        ledger.open_fiscal_year(condominium=example.condominium, one_year_ahead=True)
        again = run_batch(batch_id=start_batch(firm=example.firm, period="2026-Q1", condominium=example.condominium).pk)
    assert again.pk != batch.pk
    assert (again.state, again.calls_created, again.errors) == (BatchState.DONE, 1, [])


def test_issuing_from_the_back_office_warns_then_shows_the_failure(
    example: Example, django_capture_on_commit_callbacks: Any
) -> None:
    client = accountant_client(example)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backoffice:funds_issue", args=[example.condominium.pk]), {"period": "2026-Q1"}, follow=True
        )
    text = response.content.decode()
    assert "Aucun exercice ouvert ne contient le 01/01/2026 : ouvrez-le dans « Exercices »" in text
    assert "En erreur" in text
    assert CallBatch.all_firms.get().state == BatchState.FAILED
    assert Call.all_firms.count() == 0


def test_a_batch_with_nothing_to_issue_says_so(example: Example) -> None:
    with firm_scope(example.firm):
        batch = run_batch(batch_id=start_batch(firm=example.firm, period="2025-05").pk)  # nothing falls due in May
        assert batch.steps_total == 0
    page = accountant_client(example).get(reverse("backoffice:funds_batch", args=[batch.pk])).content.decode()
    assert "Rien à émettre" in page
    assert "Aucun appel n&#x27;était dû sur la période 2025-05" in page or "Aucun appel n'était dû" in page
    assert "badge--success" not in page


def test_a_closed_year_fails_the_batch_too(example: Example) -> None:
    with firm_scope(example.firm):
        ledger.open_fiscal_year(condominium=example.condominium)
        ledger.close_fiscal_year(fiscal_year=example.condominium.fiscal_years.get(start_date=datetime.date(2025, 1, 1)))
        batch = run_batch(batch_id=start_batch(firm=example.firm, period="2025-Q1").pk)
    # 2025 is closed: its call cannot be posted, nothing was issued: failed.
    assert batch.state == BatchState.FAILED
    assert "exercice clôturé" in batch.errors[0]["message"]


def test_the_dashboard_lists_years_to_open_and_to_close(example: Example) -> None:
    with firm_scope(example.firm):
        ledger.open_fiscal_year(condominium=example.condominium)  # 2026
        vote_example_budget(
            example, start_date=datetime.date(2027, 1, 1), general_meeting_date=datetime.date(2026, 5, 15)
        )
    client = accountant_client(example)
    with time_machine.travel(datetime.datetime(2026, 12, 4, 12, 0), tick=False):
        text = client.get(reverse("backoffice:home")).content.decode()
    assert "Exercices à ouvrir ou à clôturer" in text
    assert "exercice à ouvrir" in text
    assert "du 01/01/2027 au 31/12/2027" in text
    assert "Appel 1 du budget 2027 exigible le 01/01/2027" in text
    assert "exercice à clôturer" in text
    assert "du 01/01/2025 au 31/12/2025, terminé et encore ouvert." in text
    assert reverse("backoffice:fiscal_years_condominium", args=[example.condominium.pk]) in text
    # Earlier, nothing falls due within 90 days and no year has ended: no warning.
    with time_machine.travel(datetime.datetime(2025, 6, 1, 12, 0), tick=False):
        assert "Exercices à ouvrir ou à clôturer" not in client.get(reverse("backoffice:home")).content.decode()


def test_the_dashboard_reads_a_bounded_number_of_queries(example: Example, django_assert_max_num_queries: Any) -> None:
    from tests.factories import CondominiumFactory

    with firm_scope(example.firm):
        for code in ("701", "702", "703", "704", "705"):
            ledger.create_chart(condominium=CondominiumFactory(firm=example.firm, code=code))
    client = accountant_client(example)
    client.get(reverse("backoffice:home"))
    with (
        time_machine.travel(datetime.datetime(2025, 12, 15, 12, 0), tick=False),
        django_assert_max_num_queries(15),
    ):  # « À traiter »: every block
        text = client.get(reverse("backoffice:home")).content.decode()
    assert "Appel 1 du budget 2026 exigible le 01/01/2026" in text
