"""Back office "Banque": pages, actions, roles, and the walls between firms."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tantieme.banking import services
from tantieme.banking.enums import LineStatus, ReturnState
from tantieme.banking.models import MatchSuggestion, ReturnTransfer, StatementLine
from tantieme.banking.samples import SampleMovement
from tantieme.banking.services import import_statement
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import PortfolioCondominium
from tests.banking.conftest import Books, D, owed, sample, statement
from tests.banking.test_queues import DAY
from tests.conftest import client_for
from tests.factories import CondominiumFactory, StaffUserFactory


@pytest.fixture
def imported(books: Books) -> Books:
    import_statement(condominium=books.condo, content=sample("camt053_sample.xml"), filename="camt.xml")
    import_statement(
        condominium=books.condo,
        content=statement(
            [SampleMovement(D("300.00"), DAY, remittance="A 6O6 0002", name="MARTIN", reference="R-TYPO")],
            statement_id="S-TYPO",
        ),
    )
    return books


PAGES = ["banking_home", "banking_lines", "banking_review", "banking_suspense"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_for_staff(imported: Books, name: str, django_assert_max_num_queries: object) -> None:
    client = client_for(imported.world.horizon, imported.world.manager)
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        response = client.get(reverse(f"backoffice:{name}"))
    assert response.status_code == 200
    assert "Banque" in response.content.decode()


def test_import_page_filters_by_status(imported: Books) -> None:
    client = client_for(imported.world.horizon, imported.world.manager)
    with firm_scope(imported.world.horizon):
        job = StatementLine.objects.get(amount=D("450.00")).statement_import
    url = reverse("backoffice:banking_import", args=[job.pk])
    page = client.get(url).content.decode()
    assert "450,00" in page
    assert "798,50" in page
    page = client.get(url, {"statut": "suspense"}).content.decode()
    assert "798,50" in page
    assert "450,00" not in page


def test_review_page_shows_the_evidence_and_one_click_confirms(imported: Books) -> None:
    client = client_for(imported.world.horizon, imported.world.manager)
    page = client.get(reverse("backoffice:banking_review")).content.decode()
    assert "ressemble à A6060002" in page
    with firm_scope(imported.world.horizon):
        suggestion = MatchSuggestion.objects.get(co_owner=imported.bob)
    response = client.post(reverse("backoffice:banking_confirm", args=[suggestion.pk]))
    assert response.status_code == 302
    with firm_scope(imported.world.horizon):
        assert StatementLine.objects.get(pk=suggestion.line_id).status == LineStatus.MATCHED
        assert owed(imported.bob) == D("700.00")


def test_upload_imports_and_reports(books: Books) -> None:
    client = client_for(books.world.horizon, books.world.manager)
    response = client.post(
        reverse("backoffice:banking_upload"),
        {"condominium": books.condo.pk, "file": SimpleUploadedFile("releve.txt", sample("releve_cfonb120.txt"))},
        follow=True,
    )
    page = response.content.decode()
    assert "3 mouvements importés" in page
    again = client.post(
        reverse("backoffice:banking_upload"),
        {"condominium": books.condo.pk, "file": SimpleUploadedFile("releve.txt", sample("releve_cfonb120.txt"))},
        follow=True,
    )
    assert "déjà importé" in again.content.decode()
    bad = client.post(
        reverse("backoffice:banking_upload"),
        {"condominium": books.condo.pk, "file": SimpleUploadedFile("x.txt", sample("releve_cfonb120.txt")[:500])},
        follow=True,
    )
    assert "rien n&#x27;a été enregistré" in bad.content.decode() or "rien n'a été enregistré" in bad.content.decode()


def test_suspense_assign_and_return_with_file(imported: Books) -> None:
    client = client_for(imported.world.horizon, imported.world.manager)
    page = client.get(reverse("backoffice:banking_suspense")).content.decode()
    assert "SCI LES TILLEULS" in page
    assert "moins de 30 jours" in page
    with firm_scope(imported.world.horizon):
        line = StatementLine.objects.get(amount=D("798.50"))
    response = client.post(
        reverse("backoffice:banking_return", args=[line.pk]),
        {"name": "SCI LES TILLEULS", "iban": line.counterparty_iban, "bic": ""},
    )
    assert response.status_code == 302
    with firm_scope(imported.world.horizon):
        transfer = ReturnTransfer.objects.get()
    assert transfer.state == ReturnState.ORDERED
    download = client.get(reverse("backoffice:banking_return_file", args=[transfer.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"
    assert b"pain.001.001.03" in download.content


def test_read_only_staff_sees_but_cannot_act(imported: Books) -> None:
    reader = StaffUserFactory(firm=imported.world.horizon, membership=StaffRole.READ_ONLY)
    client = client_for(imported.world.horizon, reader)
    assert client.get(reverse("backoffice:banking_review")).status_code == 200
    with firm_scope(imported.world.horizon):
        suggestion = MatchSuggestion.objects.first()
    assert suggestion is not None
    assert client.post(reverse("backoffice:banking_confirm", args=[suggestion.pk])).status_code == 403


def test_other_firm_and_co_owners_get_404(imported: Books) -> None:
    with firm_scope(imported.world.horizon):
        line = StatementLine.objects.get(amount=D("798.50"))
        suggestion = MatchSuggestion.objects.first()
    assert suggestion is not None
    outsider = StaffUserFactory(firm=imported.world.rivage)
    other = client_for(imported.world.rivage, outsider)
    assert other.get(reverse("backoffice:banking_import", args=[line.statement_import_id])).status_code == 404
    assert other.post(reverse("backoffice:banking_confirm", args=[suggestion.pk])).status_code == 404
    assert other.post(reverse("backoffice:banking_return", args=[line.pk]), {"iban": "x"}).status_code == 404
    co_owner = client_for(imported.world.horizon, imported.world.alice_user)
    assert co_owner.get(reverse("backoffice:banking_home")).status_code == 404
    anonymous = client_for(imported.world.horizon)
    assert anonymous.get(reverse("backoffice:banking_review")).status_code == 302


def test_a_portfolio_limits_uploads_queues_and_lines(imported: Books) -> None:
    """A manager who follows only 707 sees none of 606's bank work and may not touch it (issue 13.6)."""
    world = imported.world
    with firm_scope(world.horizon):
        other = CondominiumFactory(firm=world.horizon, code="707", name="Les Acacias")
        manager = StaffUserFactory(firm=world.horizon, membership=StaffRole.MANAGER)
        PortfolioCondominium.objects.create(firm=world.horizon, user=manager, condominium=other)
        line = StatementLine.objects.get(amount=D("798.50"))
        review = StatementLine.objects.filter(status=LineStatus.TO_REVIEW).first()
        suggestion = MatchSuggestion.objects.first()
    assert review is not None
    assert suggestion is not None
    client = client_for(world.horizon, manager)

    home = client.get(reverse("backoffice:banking_home")).content.decode()
    assert f'<option value="{imported.condo.pk}"' not in home
    assert f'<option value="{other.pk}"' in home
    assert "camt.xml" not in home  # the 606 imports are not listed
    for name in ("banking_lines", "banking_review", "banking_suspense"):
        page = client.get(reverse(f"backoffice:{name}")).content.decode()
        assert "798,50" not in page, name
        assert "SCI LES TILLEULS" not in page, name
    refused = client.post(
        reverse("backoffice:banking_upload"),
        {"condominium": imported.condo.pk, "file": SimpleUploadedFile("releve.txt", sample("releve_cfonb120.txt"))},
    )
    assert refused.status_code == 400
    with firm_scope(world.horizon):
        lines_before = StatementLine.objects.count()
    assert client.get(reverse("backoffice:banking_import", args=[line.statement_import_id])).status_code == 404
    assert client.post(reverse("backoffice:banking_confirm", args=[suggestion.pk])).status_code == 404
    for name in ("banking_assign", "banking_to_suspense", "banking_return", "banking_debit", "banking_ignore"):
        assert client.post(reverse(f"backoffice:{name}", args=[review.pk])).status_code == 404, name
    with firm_scope(world.horizon):
        assert StatementLine.objects.count() == lines_before
        assert StatementLine.objects.get(pk=review.pk).status == LineStatus.TO_REVIEW
        transfer = services.return_to_payer(
            line=line, creditor_name="SCI LES TILLEULS", creditor_iban=line.counterparty_iban
        )
    assert client.get(reverse("backoffice:banking_return_file", args=[transfer.pk])).status_code == 404


@pytest.mark.parametrize("name", ["banking_lines", "banking_review", "banking_suspense"])
def test_lists_sort_page_and_export(imported: Books, name: str, django_assert_max_num_queries: object) -> None:
    """Issue 13.7: every list is paginated, sortable, exportable (CSV, XLSX), in a bounded number of queries."""
    client = client_for(imported.world.horizon, imported.world.manager)
    url = reverse(f"backoffice:{name}")
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        page = client.get(url, {"tri": "amount", "ordre": "desc"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "format=csv" in html
    assert "format=xlsx" in html
    assert "tri=amount" in html
    csv = b"".join(client.get(url, {"format": "csv", "tri": "amount"}).streaming_content).decode()
    header, *rows = csv.lstrip("\ufeff").splitlines()
    assert header.startswith("Date;Copropriété;Tiers;Motif;Montant")
    amounts = [D(row.split(";")[4].replace(" ", "").replace(",", ".")) for row in rows]
    assert amounts == sorted(amounts)
    xlsx = client.get(url, {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    b"".join(xlsx.streaming_content)


def test_the_suspense_ageing_is_counted_by_the_database(imported: Books) -> None:
    client = client_for(imported.world.horizon, imported.world.manager)
    with firm_scope(imported.world.horizon):
        waiting = StatementLine.objects.filter(status=LineStatus.SUSPENSE).count()
    response = client.get(reverse("backoffice:banking_suspense"), {"page": "1"})
    assert sum(bucket.count for bucket in response.context["buckets"]) == waiting
    assert len(response.context["rows"]) == min(waiting, 25)


def test_the_imports_list_sorts_and_exports(imported: Books) -> None:
    client = client_for(imported.world.horizon, imported.world.manager)
    url = reverse("backoffice:banking_home")
    html = client.get(url, {"tri": "imported", "ordre": "desc"}).content.decode()
    assert "2 relevés importés" in html
    assert 'aria-sort="descending"' in html
    csv = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode()
    header, *rows = csv.lstrip("\ufeff").splitlines()
    assert header == "Date;Copropriété;Fichier;État;Importés;Rapprochés;À vérifier;En attente;Déjà connus"
    assert len(rows) == 2
