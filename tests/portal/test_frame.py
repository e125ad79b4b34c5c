"""The portal frame: menu, sign-in wall, own data only, bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tantieme.condominiums.enums import KeyKind
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World, client_for
from tests.factories import AllocationKeyFactory, LotShareFactory, OwnershipFactory, SyndicContactFactory

PORTAL_PAGES = ["home", "contacts", "account", "properties", "requests", "information", "documents"]
MENU = [
    "Accueil",
    "Contacts syndic",
    "Mon compte copropriétaire",
    "Mes biens",
    "Mes demandes",
    "Mes informations",
    "Mes documents",
    "Déconnexion",
]


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_anonymous_is_sent_to_the_login_page(world: World, name: str) -> None:
    response = client_for(world.horizon).get(reverse(f"portal:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=")


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_every_page_shows_the_letter_menu(world: World, name: str) -> None:
    body = client_for(world.horizon, world.alice_user).get(reverse(f"portal:{name}")).content.decode()
    nav = body[body.index("<nav") : body.index("</nav>")]
    positions = [nav.index(entry) for entry in MENU]
    assert positions == sorted(positions)


def test_home_shows_my_details_as_in_the_letter(world: World) -> None:
    body = client_for(world.horizon, world.alice_user).get("/").content.decode()
    assert "Mes coordonnées" in body
    assert "M. et Mme TEST" in body
    assert "1 rue aux sources" in body
    assert "A 606 0001" in body
    assert "MARTIN" not in body  # Bob, same condominium


def test_staff_are_sent_to_the_back_office_and_co_owners_kept_out_of_it(world: World) -> None:
    response = client_for(world.horizon, world.manager).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/gestion/"
    assert client_for(world.horizon, world.manager).get("/gestion/").status_code == 200
    assert client_for(world.horizon, world.alice_user).get("/gestion/").status_code == 404


def test_properties_lists_my_lots_with_their_tantiemes(world: World) -> None:
    with firm_scope(world.horizon):
        lot = world.alice.ownerships.get().lot
    general = AllocationKeyFactory(condominium=world.condo, code="GEN", kind=KeyKind.GENERAL, total=10000)
    LotShareFactory(key=general, lot=lot, shares=412)
    body = client_for(world.horizon, world.alice_user).get("/mes-biens/").content.decode()
    assert f"Lot {lot.number}" in body
    assert "412 / 10000" in body


def test_contacts_show_condominium_and_firm_wide_contacts_only(world: World) -> None:
    SyndicContactFactory(firm=world.horizon, name="Claire Gestion", condominium=world.condo)
    SyndicContactFactory(firm=world.horizon, name="Paul Compta", condominium=None)
    SyndicContactFactory(firm=world.rivage, name="Rita Rivage", condominium=world.other_condo)
    body = client_for(world.horizon, world.alice_user).get("/contacts/").content.decode()
    assert "Claire Gestion" in body
    assert "Paul Compta" in body
    assert "Rita Rivage" not in body


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_page_queries_do_not_grow_with_the_number_of_lots(
    world: World, name: str, django_assert_max_num_queries
) -> None:
    general = AllocationKeyFactory(condominium=world.condo, code="GEN", kind=KeyKind.GENERAL, total=100000)
    for _ in range(15):
        ownership = OwnershipFactory(co_owner=world.alice)
        LotShareFactory(key=general, lot=ownership.lot, shares=10)
    client = client_for(world.horizon, world.alice_user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse(f"portal:{name}")).status_code == 200


def test_the_stylesheet_is_served(world: World) -> None:
    response = client_for(world.horizon).get("/static/css/tantieme.css")
    assert response.status_code == 200
    assert b"--" in b"".join(response.streaming_content)  # type: ignore[attr-defined]
