"""A co-owner walks the whole extranet, writes to the syndic, and reads the manager's answer."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from tantieme.users.models import User
from tests.e2e.conftest import firm_url, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CO_OWNER = ("A6060001", "Demo-Copro-2026!")
MANAGER = ("gestion@horizon.example", "Demo-Gestion-2026!")
MENU = {
    "Accueil": "/",
    "Contacts syndic": "/contacts/",
    "Mon compte copropriétaire": "/mon-compte/",
    "Mes biens": "/mes-biens/",
    "Mes demandes": "/mes-demandes/",
    "Mes informations": "/mes-informations/",
    "Mes documents": "/mes-documents/",
}
SUBJECT = "Fuite au plafond de la cave"
ANSWER = "Le plombier passe jeudi matin ; merci de laisser l'accès à la cave ouvert."


def small_png(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def sign_in(page, live_server, login: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(firm_url(live_server, "horizon", "/compte/connexion/"))
    page.get_by_label("Identifiant ou adresse e-mail").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Déconnexion").first.click()
    page.wait_for_url("**/compte/connexion/**")


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:06d}"


def test_co_owner_walks_the_extranet_and_gets_an_answer(transactional_db: None, live_server, page, tmp_path) -> None:
    call_command("seed_demo", verbosity=0)
    # The manager has already enrolled an authenticator app: the browser types its current code.
    manager = User.objects.get(email=MANAGER[0])
    device = TOTPDevice.objects.create(user=manager, name="Téléphone", confirmed=True)

    sign_in(page, live_server, *CO_OWNER)
    page.wait_for_url(firm_url(live_server, "horizon", "/"))
    menu = page.get_by_role("navigation", name="Menu principal")

    # Every menu entry, each captured at phone and desktop widths.
    for entry, path in MENU.items():
        menu.get_by_role("link", name=entry, exact=True).click()
        page.wait_for_url(firm_url(live_server, "horizon", path))
        assert menu.get_by_role("link", name=entry, exact=True).get_attribute("aria-current") == "page"
        assert page.get_by_role("heading", level=1).count() == 1
        screenshot(page, f"walk-{path.strip('/') or 'accueil'}")

    # Statement searched by dates: last calendar year (the demo books hold the three years before this one).
    year = timezone.localdate().year - 1
    menu.get_by_role("link", name="Mon compte copropriétaire", exact=True).click()
    page.get_by_label("du", exact=True).fill(f"{year}-01-01")  # the native date picker's value
    page.get_by_label("au", exact=True).fill(f"{year}-12-31")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/mon-compte/?*")
    statement = page.get_by_role("table", name=f"Opérations du 01/01/{year} au 31/12/{year}")
    assert statement.count() == 1
    assert statement.get_by_role("row").filter(has_text=f"Appel T2 {year} charges courantes").count() == 1
    assert statement.get_by_role("row").filter(has_text=f"Appel T2 {year - 1}").count() == 0
    assert statement.get_by_role("row").filter(has_text=f"Appel T2 {year + 1}").count() == 0
    screenshot(page, "walk-mon-compte-recherche")

    # A document downloaded from "Mes documents" is a PDF with a meaningful name.
    menu.get_by_role("link", name="Mes documents", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")

    # A new request with a category, a subject, a message and a PNG.
    menu.get_by_role("link", name="Mes demandes", exact=True).click()
    page.get_by_role("link", name="Nouvelle demande").click()
    page.get_by_label("Catégorie").select_option(label="Technique")
    page.get_by_label("Objet").fill(SUBJECT)
    page.get_by_label("Message").fill("Une tache d'humidité s'étend au plafond de la cave n° 12 depuis lundi.")
    page.get_by_label("Pièces jointes").set_input_files(str(small_png(tmp_path / "tache.png")))
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_url("**/mes-demandes/*/")
    assert page.get_by_role("heading", level=1).inner_text() == SUBJECT
    assert page.get_by_role("link", name="tache.png").is_visible()
    screenshot(page, "walk-demande-envoyee")
    sign_out(page)

    # The manager signs in with password and code, finds the request and answers it.
    sign_in(page, live_server, *MANAGER)
    page.wait_for_url("**/compte/double-authentification/**")
    page.get_by_label("Code à 6 chiffres").fill(current_code(device))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(firm_url(live_server, "horizon", "/gestion/"))
    page.get_by_role("link", name="Demandes", exact=True).click()
    page.get_by_role("link", name=SUBJECT).click()
    assert page.get_by_role("link", name="tache.png").is_visible()
    page.get_by_label("Réponse au copropriétaire").fill(ANSWER)
    page.get_by_role("button", name="Envoyer la réponse").click()
    assert page.get_by_text(ANSWER).count() >= 1
    screenshot(page, "walk-gestion-reponse")
    sign_out(page)

    # Back as the co-owner: the answer is in the conversation.
    sign_in(page, live_server, *CO_OWNER)
    page.wait_for_url(firm_url(live_server, "horizon", "/"))
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mes demandes", exact=True).click()
    page.get_by_role("link", name=SUBJECT).click()
    answer = page.get_by_role("listitem").filter(has_text=ANSWER)
    assert answer.count() == 1
    assert "Le syndic" in answer.inner_text()
    screenshot(page, "walk-demande-reponse")
