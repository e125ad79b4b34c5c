"""A new user's first minutes with the demo, in a real browser."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.e2e.conftest import firm_url, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)


def test_each_firm_has_its_own_login_page_in_french(demo: None, live_server, page) -> None:
    page.goto(firm_url(live_server, "horizon"))
    assert "/compte/connexion/" in page.url
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Horizon Syndic" in page.content()
    assert page.get_by_label("Identifiant ou adresse e-mail").is_visible()
    screenshot(page, "login-horizon")

    page.goto(firm_url(live_server, "rivage"))
    assert "Rivage Gestion" in page.content()
    assert "Horizon Syndic" not in page.content()


def test_co_owner_signs_in_and_sees_the_letter_details(demo: None, live_server, page) -> None:
    page.goto(firm_url(live_server, "horizon", "/compte/connexion/"))
    page.get_by_label("Identifiant ou adresse e-mail").fill("A6060001")
    page.get_by_label("Mot de passe").fill("Demo-Copro-2026!")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(firm_url(live_server, "horizon", "/"))
    body = page.content()
    assert "M. et Mme TEST" in body
    assert "1 rue aux sources" in body
    assert "A 606 0001" in body
    for entry in (
        "Accueil",
        "Contacts syndic",
        "Mon compte copropriétaire",
        "Mes biens",
        "Mes demandes",
        "Mes informations",
        "Mes documents",
        "Déconnexion",
    ):
        assert page.get_by_role("navigation").get_by_text(entry, exact=True).count() == 1
    screenshot(page, "home-a6060001")

    page.get_by_role("link", name="Mes biens").click()
    assert "Lot" in page.content()
    screenshot(page, "properties-a6060001")

    page.get_by_role("button", name="Déconnexion").click()
    assert "/compte/connexion/" in page.url


def test_horizon_credentials_fail_at_rivage(demo: None, live_server, page) -> None:
    page.goto(firm_url(live_server, "rivage", "/compte/connexion/"))
    page.get_by_label("Identifiant ou adresse e-mail").fill("A6060001")
    page.get_by_label("Mot de passe").fill("Demo-Copro-2026!")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text().strip() == "Identifiant ou mot de passe incorrect."


def test_first_login_forces_a_new_password(demo: None, live_server, page) -> None:
    page.goto(firm_url(live_server, "horizon", "/compte/connexion/"))
    page.get_by_label("Identifiant ou adresse e-mail").fill("A6060002")
    page.get_by_label("Mot de passe").fill("Bienvenue-A6060002")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/compte/mot-de-passe/**")

    # Every other page sends the co-owner back to the change form.
    page.goto(firm_url(live_server, "horizon", "/mes-biens/"))
    assert "/compte/mot-de-passe/" in page.url

    page.get_by_label("Mot de passe actuel (ou provisoire)").fill("Bienvenue-A6060002")
    page.locator("#id_new_password1").fill("Abcdefgh1234")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Abcdefgh1234")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    error = page.locator(".field__error").first.inner_text()
    assert "caractère spécial" in error
    screenshot(page, "password-refused")

    page.get_by_label("Mot de passe actuel (ou provisoire)").fill("Bienvenue-A6060002")
    page.locator("#id_new_password1").fill("Quatre-Saisons-au-Balcon-2026")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Quatre-Saisons-au-Balcon-2026")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.wait_for_url(firm_url(live_server, "horizon", "/"))
    assert "Mes coordonnées" in page.content()
