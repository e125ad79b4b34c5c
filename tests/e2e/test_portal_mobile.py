"""The co-owner's pages on a phone (issue 16.1): at 320, 375 and 1280 px no page is wider than the
screen (`scrollWidth <= innerWidth`) and axe-core finds no serious or critical violation; the menu
is a disclosure button on phones; the statement's dates take the native date picker; « D'où vient
ce montant ? » opens from a call line; the card payment runs end to end at 375 px.

Screenshots of every page at each width go to the test artefacts (`TEST_ARTIFACTS`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tantieme.condominiums.models import CoOwner
from tantieme.demo.payments import seed_payment_settings
from tantieme.funds.models import CallNotice
from tantieme.ledger.models import Entry
from tantieme.ledger.queries import balance
from tantieme.payments.enums import PaymentState
from tantieme.payments.models import Payment
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tantieme.tickets.models import Ticket
from tests.e2e.conftest import ARTIFACTS, accessibility_violations, firm_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 375, 1280)
CO_OWNER = ("A6060001", "Demo-Copro-2026!")
NBSP = "\u00a0"


def visible_text(page: Any) -> str:
    return str(page.locator("body").inner_text()).replace(NBSP, " ").replace("\u202f", " ")


# The innermost elements sticking out on the right: named in the failure message.
WIDE_ELEMENTS = """() => Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .filter(e => !Array.from(e.children).some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
    .slice(0, 4).map(e => e.tagName.toLowerCase() + '.' + Array.from(e.classList).join('.')
        + ' «' + (e.textContent || '').trim().slice(0, 30) + '» ' + Math.round(e.getBoundingClientRect().right))
    .join('; ')"""


def check_page(page: Any, name: str) -> list[str]:
    """At each width: no sideways scrolling, no serious axe violation, a screenshot. The problems found."""
    problems: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if scroll_width > inner_width:
            culprits = page.evaluate(WIDE_ELEMENTS)
            problems.append(f"{name} at {width} px: {scroll_width} px wide ({culprits})")
        problems += [f"{name} at {width} px: {violation}" for violation in accessibility_violations(page)]
        page.screenshot(path=str(ARTIFACTS / f"portal-mobile-{name}-{width}.png"), full_page=True)
    return problems


def sign_in(page: Any, live_server: Any) -> None:
    page.goto(firm_url(live_server, "horizon", "/compte/connexion/"))
    page.get_by_label("Identifiant ou adresse e-mail").fill(CO_OWNER[0])
    page.get_by_label("Mot de passe").fill(CO_OWNER[1])
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(firm_url(live_server, "horizon", "/"))


@pytest.fixture
def demo(transactional_db: None, live_server: Any, settings: Any) -> CoOwner:
    call_command("seed_demo", verbosity=0)
    settings.SITE_PORT = live_server.url.rsplit(":", 1)[1]
    horizon = Firm.objects.get(slug="horizon")
    seed_payment_settings(horizon)
    with firm_scope(horizon):
        alice = CoOwner.objects.select_related("condominium").get(reference="A6060001")
        assert balance(alice) == Decimal("1210.77")  # the demo letter's balance
    return alice


def test_every_portal_page_fits_a_phone(demo: CoOwner, live_server: Any, page: Any) -> None:
    url = lambda path: firm_url(live_server, "horizon", path)  # noqa: E731
    problems: list[str] = []
    # Signed out: the login and forgotten-password pages.
    for name, path in (
        ("connexion", "/compte/connexion/"),
        ("mot-de-passe-oublie", "/compte/mot-de-passe-oublie/"),
        ("mot-de-passe-oublie-envoye", "/compte/mot-de-passe-oublie/envoye/"),
    ):
        page.goto(url(path))
        problems += check_page(page, name)

    sign_in(page, live_server)
    with firm_scope(demo.condominium.firm):
        notices = CallNotice.objects.filter(co_owner=demo).select_related("call__entry")
        notice = notices.order_by("-call__due_date").first()
        assert notice is not None
        call_code = notice.call.entry.code
        regularisation = Entry.objects.filter(journal__code="RE", lines__co_owner=demo).order_by("-date").first()
        ticket = Ticket.objects.filter(co_owner=demo).first()
    pages = [
        ("accueil", "/"),
        ("contacts", "/contacts/"),
        ("mon-compte", "/mon-compte/"),
        ("mon-compte-15-ans", "/mon-compte/?start=2000-01-01&end=31/12/2100"),
        ("pourquoi-appel", f"/mon-compte/?detail={call_code}"),
        ("mes-biens", "/mes-biens/"),
        ("mes-demandes", "/mes-demandes/"),
        ("nouvelle-demande", "/mes-demandes/nouvelle/"),
        ("mes-informations", "/mes-informations/"),
        ("mes-documents", "/mes-documents/"),
        ("paiement", "/paiement/"),
        ("paiement-confirmer", f"/paiement/confirmer/?compte={demo.pk}&montant=250.00"),
        ("mot-de-passe", "/compte/mot-de-passe/"),
        ("conseil-factures", "/conseil/factures/"),
        ("conseil-budget", "/conseil/budget/"),
    ]
    if regularisation is not None:
        pages.append(("pourquoi-regularisation", f"/mon-compte/?detail={regularisation.code}"))
    if ticket is not None:
        pages.append(("demande", f"/mes-demandes/{ticket.pk}/"))
    for name, path in pages:
        page.set_viewport_size({"width": 1280, "height": 800})
        response = page.goto(url(path))
        assert response is not None
        assert response.status == 200, f"{path}: {response.status}"
        problems += check_page(page, name)
    assert problems == [], "\n".join(problems)


def test_the_menu_is_a_disclosure_button_on_a_phone(demo: CoOwner, live_server: Any, page: Any) -> None:
    sign_in(page, live_server)
    page.set_viewport_size({"width": 375, "height": 800})
    menu = page.get_by_role("navigation", name="Menu principal")
    toggle = menu.get_by_role("button", name="Menu")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "portal-menu-list"
    assert not menu.get_by_role("link", name="Mes documents").is_visible()
    # Keyboard only: focus the button, open with Enter, reach « Déconnexion », close with Escape.
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert menu.get_by_role("button", name="Déconnexion").is_visible()
    assert menu.get_by_role("link", name="Mes documents").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Accueil"
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("() => document.activeElement.classList.contains('menu__toggle')")
    # Open again and follow a link: the page changes, the menu starts closed.
    toggle.click()
    menu.get_by_role("link", name="Mon compte copropriétaire").click()
    page.wait_for_url("**/mon-compte/")
    assert menu.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "false"
    # The desktop: a sidebar, no button.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not menu.get_by_role("button", name="Menu").is_visible()
    assert menu.get_by_role("button", name="Déconnexion").is_visible()


def test_statement_on_a_phone_dates_and_the_why_of_a_call(demo: CoOwner, live_server: Any, page: Any) -> None:
    sign_in(page, live_server)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(firm_url(live_server, "horizon", "/mon-compte/"))
    start = page.get_by_label("du", exact=True)
    assert start.get_attribute("type") == "date"
    year = timezone.localdate().year - 1
    start.fill(f"{year}-01-01")
    page.get_by_label("au", exact=True).fill(f"{year}-12-31")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/mon-compte/?*")
    statement = page.get_by_role("table", name=f"Opérations du 01/01/{year} au 31/12/{year}")
    assert statement.count() == 1
    # The running balance of each row is on screen (stacked rows, nothing hidden off to the right).
    row = statement.get_by_role("row").filter(has_text=f"Appel T2 {year} charges courantes")
    balance_cell = row.get_by_role("cell").last
    box = balance_cell.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 375
    assert re.search(r"\d,\d\d €", balance_cell.inner_text().replace(NBSP, " "))
    row.get_by_role("link", name=re.compile("D'où vient ce montant")).click()
    page.wait_for_url("**detail=**")
    text = visible_text(page)
    assert "D'où vient ce montant ?" in text
    assert "Vos tantièmes" in text
    assert re.search(r"\d+ / \d+", text)
    assert "Le budget voté, par clé" in text
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_card_payment_end_to_end_on_a_phone(demo: CoOwner, live_server: Any, page: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server)
    assert "Reste à payer : 1 210,77 €" in visible_text(page)
    page.get_by_role("link", name="Payer").first.click()
    amount = page.get_by_label("Montant du paiement (€)")
    assert amount.input_value().replace(NBSP, " ") == "1 210,77"
    amount.fill("250,00")
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("button", name="Payer par carte bancaire").click()
    page.wait_for_url("**/banque-test/paiement/**")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Visa", exact=True).click()
    page.get_by_label("Numéro de carte").fill("4970 1100 0000 0021")  # 3-D Secure challenge
    page.get_by_label("Expire fin (mois)").fill("12")
    page.get_by_label("Expire fin (année)").fill(str(timezone.localdate().year + 2))
    page.get_by_label("Cryptogramme visuel de la carte").fill("123")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portal-mobile-banque-carte-375.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="VALIDER").click()
    page.wait_for_url("**/3ds/")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Valider l'authentification").click()
    page.wait_for_url("**/resultat/")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Retourner à la boutique").click()
    page.wait_for_url("**/paiement/retour/**")
    assert page.get_by_text("Paiement accepté").first.is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "portal-mobile-paiement-accepte-375.png"), full_page=True)
    assert Payment.all_firms.get().state == PaymentState.PAID

    # « Accueil » right after: the payment in progress and what remains, the same as « Mon compte ».
    page.goto(firm_url(live_server, "horizon", "/"))
    home = visible_text(page)
    assert "Paiement en cours : 250,00 €" in home
    assert "Reste à payer : 960,77 €" in home
    page.goto(firm_url(live_server, "horizon", "/mon-compte/"))
    account = visible_text(page)
    assert "Paiement en cours : 250,00 €" in account
    assert "Reste à payer : 960,77 €" in account
