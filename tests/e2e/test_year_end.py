"""An accountant lives through a year end in a real browser: opens the next year, issues its first
call, drafts the closing, downloads the annexes, approves; the co-owner then sees the régularisation
and their distribution statement (§11.5 figures)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tantieme.closing.models import Closing, ClosingState
from tantieme.funds.models import Call
from tantieme.ledger.models import Entry, FiscalYear
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tests.closing.test_closing import run_2025
from tests.e2e.conftest import accessibility_violations, firm_url, screenshot
from tests.e2e.test_extranet_walk import current_code, sign_out
from tests.factories import DEFAULT_PASSWORD, FirmFactory, StaffUserFactory, co_owner_user
from tests.funds.helpers import build_example, vote_example_budget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url: str, login: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_label("Identifiant ou adresse e-mail").fill(login)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_accountant_closes_the_year_and_the_co_owner_sees_it(live_server, page) -> None:  # type: ignore[no-untyped-def]
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        with time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
            example = build_example(firm=firm)
            run_2025(example)
        vote_example_budget(
            example, start_date=datetime.date(2026, 1, 1), general_meeting_date=datetime.date(2025, 6, 1)
        )
        accountant = StaffUserFactory(firm=firm, login="compta@exemple.example", membership=StaffRole.ACCOUNTANT)
        device = TOTPDevice.objects.create(user=accountant, name="Téléphone", confirmed=True)
        co_owner_user(example.owners["A"], must_change_password=False)
    url = lambda path: firm_url(live_server, "exemple", path)  # noqa: E731

    with time_machine.travel(datetime.datetime(2026, 4, 20, 9, 0), tick=True):
        sign_in(page, url("/compte/connexion/"), "compta@exemple.example")
        page.wait_for_url("**/compte/double-authentification/**")
        page.get_by_label("Code à 6 chiffres").fill(current_code(device))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_url(url("/gestion/"))

        # 1. The next year is not open: the call preview says so; open it from « Exercices ».
        page.get_by_role("link", name="Appels de fonds", exact=True).click()
        page.get_by_role("link", name="606").first.click()
        page.get_by_label("Période").fill("2026-Q1")
        page.get_by_role("button", name="Voir l'aperçu").click()
        expect(page.get_by_text("Exercice non ouvert")).to_be_visible(timeout=30_000)
        page.get_by_role("link", name="Ouvrir l'exercice").click()
        page.get_by_role("button", name="Ouvrir l'exercice suivant").click()
        expect(page.get_by_text("31/12/2026").first).to_be_visible(timeout=30_000)

        # 2. Issue 2026-Q1 (the first call of the new year).
        page.goto(url(f"/gestion/appels/copropriete/{example.condominium.pk}/apercu/?period=2026-Q1"))
        assert page.get_by_text("Exercice non ouvert").count() == 0
        page.get_by_role("button", name="Émettre les appels").click()
        page.wait_for_url("**/gestion/appels/emission/*/")
        screenshot(page, "year-end-batch")
        page.get_by_text("Terminé").first.wait_for()
        with firm_scope(firm):
            assert Call.objects.filter(condominium=example.condominium, period="2026-Q1").exists()

        # 3. The draft closing of 2025, its checklist and figures; the annexes download.
        page.goto(url(f"/gestion/exercices/copropriete/{example.condominium.pk}/"))
        page.get_by_role("link", name="Projet de clôture 2025").click()
        page.get_by_role("button", name="Calculer le projet de clôture").click()
        expect(page.get_by_text("Projet de clôture calculé.")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("cell", name="230,40 €")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("cell", name="-8,25 €")).to_be_visible(timeout=30_000)
        assert accessibility_violations(page) == []
        screenshot(page, "year-end-draft")
        with page.expect_download() as pdf:
            page.get_by_role("link", name="Annexes (PDF)").click()
        assert pdf.value.suggested_filename == "annexes-606-2025.pdf"
        with page.expect_download() as xlsx:
            page.get_by_role("link", name="Annexes (XLSX)").click()
        assert xlsx.value.suggested_filename == "annexes-606-2025.xlsx"

        # 4. Approval on the meeting's date.
        page.get_by_label("Date de l'assemblée générale qui approuve les comptes").fill("2026-04-15")
        page.get_by_label("Je confirme").check()
        page.get_by_role("button", name="Approuver les comptes").click()
        expect(page.get_by_text("Comptes 2025 approuvés le 15/04/2026")).to_be_visible(timeout=30_000)
        page.get_by_text("Répartitions individuelles et annexes publiées").wait_for()
        screenshot(page, "year-end-approved")
        with firm_scope(firm):
            year = FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))
            assert Closing.objects.get(fiscal_year=year).state == ClosingState.APPROVED
            assert Entry.objects.filter(fiscal_year=year, journal__code="RE").count() == 5
        sign_out(page)

        # 5. The co-owner sees the régularisation in « Mon compte » and the statement in « Mes documents ».
        sign_in(page, url("/compte/connexion/"), example.owners["A"].reference)
        page.wait_for_url(url("/"))
        page.goto(url("/mon-compte/"))
        page.get_by_label("du", exact=True).fill("2025-01-01")  # the native date picker's value
        page.get_by_label("au", exact=True).fill("2026-04-30")
        page.get_by_role("button", name="Rechercher").click()
        expect(page.get_by_text("Régularisation charges 2025 – CG (approuvée AG 15/04/2026)")).to_be_visible(
            timeout=30_000
        )
        expect(page.get_by_role("cell", name="53,65 €").first).to_be_visible(timeout=30_000)
        page.goto(url("/mes-documents/"))
        link = page.get_by_role("link", name="Répartition des charges 2025 (compte individuel)")
        expect(link).to_be_visible(timeout=30_000)
        screenshot(page, "year-end-co-owner-documents")
    assert Decimal("53.65") > 0
