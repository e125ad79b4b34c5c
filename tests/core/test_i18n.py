"""French by default; English from the language switch, with the same data."""

from __future__ import annotations

from django.conf import settings

from tests.conftest import World, client_for


def test_login_page_is_french_by_default(world: World) -> None:
    body = client_for(world.horizon).get("/compte/connexion/").content.decode()
    assert '<html lang="fr">' in body
    assert "Se connecter" in body


def test_language_switch_gives_the_english_interface(world: World) -> None:
    client = client_for(world.horizon, world.alice_user)
    response = client.post("/langue/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "My details" in body or "Home" in body
    assert "Sign out" in body
    assert "M. et Mme TEST" in body
