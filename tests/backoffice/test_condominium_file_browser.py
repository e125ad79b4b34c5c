"""The condominium file in a real browser: every section without a serious or critical WCAG 2.1 AA violation
(axe-core, phone and desktop widths), and a building then a syndic contact added with the keyboard only."""

from __future__ import annotations

import pytest
from django.conf import settings

from tantieme.condominiums.models import Building, SyndicContact
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.conftest import World, client_for

# The browser fixtures live with the e2e tests; imported here so that this file may sit with the other
# tests of the condominium file.
from tests.e2e.conftest import accessibility_violations, firm_url
from tests.factories import AllocationKeyFactory, BuildingFactory, LotShareFactory, StaffUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = (
    "",
    "identite/",
    "batiments/",
    "lots/",
    "lots/tantiemes/",
    "cles/",
    "coproprietaires/",
    "banque/",
    "exercices/",
    "budgets/",
    "conseil/",
    "contacts/",
    "documents/",
    "historique/",
)


def _signed_in(page, live_server, user: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(user.firm, user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": firm_url(live_server, user.firm.slug)}]
    )


@pytest.fixture
def manager(world: World) -> User:
    with firm_scope(world.horizon):
        BuildingFactory(condominium=world.condo, code="A", name="Bâtiment A")
        key = AllocationKeyFactory(condominium=world.condo, code="CG", total=200)
        for ownership in world.alice.ownerships.all() | world.bob.ownerships.all():
            LotShareFactory(key=key, lot=ownership.lot, shares=100)
        return StaffUserFactory(firm=world.horizon, membership=StaffRole.MANAGER)


def test_every_section_has_no_serious_violation(world: World, manager: User, live_server, page) -> None:  # type: ignore[no-untyped-def]
    _signed_in(page, live_server, manager)
    problems: dict[str, list[str]] = {}
    for section in SECTIONS:
        path = f"/gestion/coproprietes/{world.condo.pk}/{section}"
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(firm_url(live_server, "horizon", path))
            assert response is not None
            assert response.status == 200, path
            found = accessibility_violations(page)
            if found:
                problems[f"{path} @{width}px"] = found
    response = page.goto(firm_url(live_server, "horizon", "/gestion/coproprietes/"))
    assert response is not None
    assert response.status == 200
    found = accessibility_violations(page)
    if found:
        problems["/gestion/coproprietes/"] = found
    assert problems == {}


def test_a_building_and_a_contact_added_with_the_keyboard_only(world: World, manager: User, live_server, page) -> None:  # type: ignore[no-untyped-def]
    _signed_in(page, live_server, manager)
    page.goto(firm_url(live_server, "horizon", f"/gestion/coproprietes/{world.condo.pk}/batiments/"))
    page.focus("#id_code")
    page.keyboard.type("B")
    page.keyboard.press("Tab")
    page.keyboard.type("Bâtiment B")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Le bâtiment est ajouté." in page.content()
    page.goto(firm_url(live_server, "horizon", f"/gestion/coproprietes/{world.condo.pk}/contacts/"))
    page.focus("#id_name")
    page.keyboard.type("Anne Gestion")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the role: from « Gestionnaire » to the next one
    page.keyboard.press("Tab")
    page.keyboard.type("anne@example.com")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Le contact est ajouté." in page.content()
    with firm_scope(world.horizon):
        assert Building.objects.filter(condominium=world.condo, code="B", name="Bâtiment B").exists()
        contact = SyndicContact.objects.get(condominium=world.condo, name="Anne Gestion")
    assert contact.email == "anne@example.com"
