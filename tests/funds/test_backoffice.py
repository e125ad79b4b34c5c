"""Back-office pages of calls for funds: roles, preview, issue with the progress page, budgets."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from tantieme.funds.models import Budget, Call, CallBatch, WorksOperation
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import client_for
from tests.factories import FirmFactory, StaffUserFactory
from tests.funds.helpers import Example, build_example, vote_example_budget


@pytest.fixture
def example(db: None) -> Example:
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        example = build_example(firm=firm)
        vote_example_budget(example)
    return example


def test_the_accountant_previews_then_issues(example: Example, django_capture_on_commit_callbacks: Any) -> None:
    accountant = StaffUserFactory(firm=example.firm, membership=StaffRole.ACCOUNTANT)
    client = client_for(example.firm, accountant)
    pk = example.condominium.pk
    page = client.get(reverse("backoffice:funds_condominium", args=[pk]))
    assert page.status_code == 200
    assert "Appels de fonds" in page.content.decode()
    preview = client.get(reverse("backoffice:funds_preview", args=[pk]), {"period": "2025-T1"})
    text = preview.content.decode()
    for expected in ("Appel T1 2025", "865,79", "3\u00a0242,50"):
        assert expected in text
    assert "Émettre les appels" in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:funds_issue", args=[pk]), {"period": "2025-Q1"})
    batch = CallBatch.all_firms.get()
    assert response["Location"] == reverse("backoffice:funds_batch", args=[batch.pk])
    progress = client.get(response["Location"]).content.decode()
    for expected in ("Terminé", 'value="100"', "<script src="):
        assert expected in progress
    assert "data-refresh-seconds" not in progress  # finished: no more refreshing
    assert Call.all_firms.count() == 1
    listing = client.get(reverse("backoffice:funds_condominium", args=[pk])).content.decode()
    assert "AF2025-0001" in listing
    assert "5 / 5" in listing


def test_a_manager_sees_but_does_not_issue(example: Example) -> None:
    manager = StaffUserFactory(firm=example.firm, membership=StaffRole.MANAGER)
    client = client_for(example.firm, manager)
    pk = example.condominium.pk
    assert client.get(reverse("backoffice:funds_preview", args=[pk]), {"period": "2025-Q1"}).status_code == 200
    assert client.post(reverse("backoffice:funds_issue", args=[pk]), {"period": "2025-Q1"}).status_code == 403
    assert client.get(reverse("backoffice:funds_budget_new", args=[pk])).status_code == 403
    assert Call.all_firms.count() == 0


def test_another_firms_staff_gets_a_404(example: Example) -> None:
    other = FirmFactory(slug="autre")
    stranger = StaffUserFactory(firm=other, membership=StaffRole.ACCOUNTANT)
    client = client_for(other, stranger)
    assert client.get(reverse("backoffice:funds_condominium", args=[example.condominium.pk])).status_code == 404
    with firm_scope(example.firm):
        budget = Budget.objects.get()
    assert client.get(reverse("backoffice:funds_budget", args=[budget.pk])).status_code == 404


def test_budget_entry_form_and_import(example: Example) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    accountant = StaffUserFactory(firm=example.firm, membership=StaffRole.ACCOUNTANT)
    client = client_for(example.firm, accountant)
    pk = example.condominium.pk
    assert client.get(reverse("backoffice:funds_budget_new", args=[pk])).status_code == 200
    base = {
        "start_date": "2026-01-01",
        "general_meeting_date": "2025-05-20",
        "frequency": "quarterly",
        "works_fund_amount": "40.00",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "60",
        "lines-0-key": str(example.cg.pk),
        "lines-0-account": "616",
        "lines-0-amount": "1000.00",
    }
    refused = client.post(reverse("backoffice:funds_budget_new", args=[pk]), base)
    assert "minimum légal" in refused.content.decode()
    ok = client.post(reverse("backoffice:funds_budget_new", args=[pk]), {**base, "works_fund_reason": "Immeuble neuf"})
    assert ok.status_code == 302
    with firm_scope(example.firm):
        budget = Budget.objects.get(start_date=datetime.date(2026, 1, 1))
        assert budget.works_fund_reason == "Immeuble neuf"
    csv_file = SimpleUploadedFile(
        "budget.csv", b"cle;compte;libelle;montant\nCG;616;Assurance;2 900,00\nZZ;616;x;1\nASC;701;x;abc\n"
    )
    bad = client.post(
        reverse("backoffice:funds_budget_new", args=[pk]), {**base, "works_fund_reason": "x", "file": csv_file}
    )
    text = bad.content.decode()
    for expected in ("Ligne 3", "Ligne 4", "Rien n"):
        assert expected in text


def test_works_operation_form(example: Example) -> None:
    accountant = StaffUserFactory(firm=example.firm, membership=StaffRole.FIRM_ADMIN)
    client = client_for(example.firm, accountant)
    data = {
        "code": "asc2025",
        "label": "Remplacement de la cabine d'ascenseur",
        "general_meeting_date": "2024-11-02",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "60",
        "lines-0-key": str(example.asc.pk), "lines-0-account": "671", "lines-0-amount": "18000",
        "instalments-TOTAL_FORMS": "2", "instalments-INITIAL_FORMS": "0", "instalments-MIN_NUM_FORMS": "0",
        "instalments-MAX_NUM_FORMS": "24",
        "instalments-0-due_date": "2025-03-01", "instalments-0-weight": "50",
        "instalments-1-due_date": "2025-09-01", "instalments-1-weight": "50",
    }  # fmt: skip
    response = client.post(reverse("backoffice:funds_operation_new", args=[example.condominium.pk]), data)
    assert response.status_code == 302
    with firm_scope(example.firm):
        operation = WorksOperation.objects.get()
        assert operation.code == "ASC2025"
        assert sum(line.amount for line in operation.lines.all()) == Decimal("18000.00")


def test_import_budget_command(example: Example, tmp_path: Any) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    path = tmp_path / "budget.csv"
    path.write_text("Clé;Compte;Libellé;Montant\nCG;616;Assurance;2 800,00\nASC;614;Ascenseur;2500\n", encoding="utf-8")
    out = StringIO()
    call_command(
        "import_budget", str(path), "--firm", "exemple", "--condominium", "606", "--year-start", "2026-01-01",
        "--general-meeting", "12/06/2025", "--works-fund", "265", stdout=out,
    )  # fmt: skip
    assert "5\u00a0300,00" in out.getvalue()
    path.write_text("cle;compte;montant\nXX;616;1\nCG;616;-5\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"(?s)Ligne 2.*Ligne 3"):
        call_command(
            "import_budget", str(path), "--firm", "exemple", "--condominium", "606", "--year-start", "2027-01-01",
            "--general-meeting", "2026-06-12",
        )  # fmt: skip


def test_the_issued_calls_list_sorts_and_exports(example: Example, django_assert_max_num_queries: Any) -> None:
    """Issue 13.7: the calls of a condominium, sortable, paginated, CSV and XLSX."""
    accountant = StaffUserFactory(firm=example.firm, membership=StaffRole.ACCOUNTANT)
    client = client_for(example.firm, accountant)
    url = reverse("backoffice:funds_condominium", args=[example.condominium.pk])
    with django_assert_max_num_queries(15):
        html = client.get(url, {"tri": "label"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert "format=xlsx" in html
    csv = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode()
    assert csv.lstrip("\ufeff").startswith("Exigible le;Appel;Écriture;Provisions;Fonds de travaux;Total;Avis publiés")
