"""« À traiter » and the search in a real browser: axe-core finds no serious or critical WCAG 2.1 AA
violation at phone and desktop widths, and a search is typed and sent with the keyboard only."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.backoffice.test_dashboard import Desk, desk  # noqa: F401  (the fixture)
from tests.conftest import client_for
from tests.e2e.conftest import accessibility_violations, firm_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_landing_page_and_the_search(transactional_db: None, live_server, page, desk: Desk) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    world = desk.world
    client = client_for(world.horizon, world.manager)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": firm_url(live_server, "horizon"),
            }
        ]
    )
    problems: dict[str, list[str]] = {}
    for path in ("/gestion/", "/gestion/recherche/", "/gestion/recherche/?q=martin", "/gestion/recherche/?q=1210,77"):
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(firm_url(live_server, "horizon", path))
            assert response is not None
            assert response.status == 200, path
            found = accessibility_violations(page)
            if found:
                problems[f"{path} @{width}px"] = found
    assert problems == {}
    # The keyboard only: the search field has the focus on the empty search page; type, Enter.
    page.goto(firm_url(live_server, "horizon", "/gestion/recherche/"))
    field = page.get_by_label("Copropriétaire, copropriété ou montant")
    field.focus()
    page.keyboard.type("a-606 0001")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/gestion/coproprietaires/{world.alice.pk}/")
