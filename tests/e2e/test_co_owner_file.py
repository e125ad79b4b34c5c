"""The co-owner file in a real browser: every section without a serious or critical WCAG 2.1 AA
violation (axe-core, phone and desktop widths); a cheque deposit typed with the keyboard only, then
the co-owner's balance updated in the portal."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from tantieme.notes.services import add_note
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.conftest import World, client_for
from tests.e2e.conftest import accessibility_violations, firm_url
from tests.factories import StaffUserFactory
from tests.ledger.factories import D, open_books, post_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()  # the books must contain the server's today
SECTIONS = (
    "",
    "lots/",
    "releve/",
    "ecritures-ouvertes/",
    "paiements-carte/",
    "virements/",
    "demandes/",
    "documents/",
    "acces/",
    "notes/",
    "cheques/",
    "regularisation/",
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
        open_books(world.condo, first_year=TODAY.year)
        post_call(world.condo, world.alice, D("1000.00"), date=datetime.date(TODAY.year, 1, 1))
        user = StaffUserFactory(firm=world.horizon, membership=StaffRole.MANAGER)
        add_note(condominium=world.condo, co_owner=world.alice, text="Préfère être appelé le matin.", author=user)
    return user


def test_every_section_has_no_serious_violation(world: World, manager: User, live_server, page) -> None:  # type: ignore[no-untyped-def]
    _signed_in(page, live_server, manager)
    problems: dict[str, list[str]] = {}
    for section in SECTIONS:
        path = f"/gestion/coproprietaires/{world.alice.pk}/{section}"
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(firm_url(live_server, "horizon", path))
            assert response is not None
            assert response.status == 200, path
            found = accessibility_violations(page)
            if found:
                problems[f"{path} @{width}px"] = found
    assert problems == {}


def test_a_cheque_typed_with_the_keyboard_shows_in_the_portal(world: World, manager: User, live_server, page) -> None:  # type: ignore[no-untyped-def]
    _signed_in(page, live_server, manager)
    page.goto(firm_url(live_server, "horizon", f"/gestion/coproprietaires/{world.alice.pk}/cheques/"))
    # The first row is the co-owner of the file: move from the slip number through its fields with Tab.
    page.focus("#id_slip_number")
    page.keyboard.type("555001")
    for value in ("", "", "LCL", "0012345", "250,00"):  # reference and drawer are filled in already
        page.keyboard.press("Tab")
        if value:
            page.keyboard.type(value)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/gestion/coproprietaires/{world.alice.pk}/virements/")
    assert "555001" in page.content()
    assert not accessibility_violations(page)
    _signed_in(page, live_server, world.alice_user)
    page.goto(firm_url(live_server, "horizon", "/mon-compte/"))
    assert "750,00" in page.locator(".balance__amount").inner_text()
