"""axe-core on the pages a co-owner sees first: no serious or critical WCAG 2.1 AA violation."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import accessibility_violations, firm_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/contacts/", "/mon-compte/", "/mes-biens/", "/mes-demandes/", "/mes-informations/", "/mes-documents/"]


def test_login_and_portal_pages_have_no_serious_violation(transactional_db: None, live_server, page) -> None:
    call_command("seed_demo", verbosity=0)
    page.goto(firm_url(live_server, "horizon", "/compte/connexion/"))
    assert accessibility_violations(page) == []
    page.get_by_label("Identifiant ou adresse e-mail").fill("A6060001")
    page.get_by_label("Mot de passe").fill("Demo-Copro-2026!")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(firm_url(live_server, "horizon", "/"))
    problems = {}
    for path in PAGES:
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(firm_url(live_server, "horizon", path))
            found = accessibility_violations(page)
            if found:
                problems[f"{path} @{width}px"] = found
    assert problems == {}


def test_keyboard_alone_reaches_the_menu_and_signs_in(transactional_db: None, live_server, page) -> None:
    call_command("seed_demo", verbosity=0)
    page.goto(firm_url(live_server, "horizon", "/compte/connexion/"))
    # The identifier field has the focus on arrival (autofocus). Wait for it: typing before the
    # browser applied autofocus (a loaded machine) sent the keys nowhere.
    expect(page.get_by_label("Identifiant ou adresse e-mail")).to_be_focused(timeout=30_000)
    page.keyboard.type("A6060001")
    page.keyboard.press("Tab")
    page.keyboard.type("Demo-Copro-2026!")
    page.keyboard.press("Enter")
    page.wait_for_url(firm_url(live_server, "horizon", "/"))
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent.trim()") == "Aller au contenu"
    # Tab through to the "Mes biens" menu entry and follow it with Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Mes biens":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(firm_url(live_server, "horizon", "/mes-biens/"))
