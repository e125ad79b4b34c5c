"""Issue 15 (6c), HDR-01: every response to a signed-in user is `Cache-Control: private, no-store`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from tests.conftest import World, client_for

NO_STORE = "private, no-store"


@pytest.mark.parametrize("url", ["/", "/mes-informations/"])
def test_portal_pages_of_a_signed_in_co_owner_are_not_stored(world: World, url: str) -> None:
    response = client_for(world.horizon, world.alice_user).get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_back_office_home_is_not_stored(world: World) -> None:
    response = client_for(world.horizon, world.manager).get("/gestion/")
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_redirects_and_posts_of_a_signed_in_user_are_not_stored(world: World) -> None:
    client = client_for(world.horizon, world.alice_user)
    redirected = client.post("/mes-informations/langue/", {"language": "fr"})
    assert redirected.status_code == 302
    assert redirected["Cache-Control"] == NO_STORE
    # The co-owner menu is not for staff: the redirect is not stored either.
    staff = client_for(world.horizon, world.manager).get("/mes-informations/")
    assert staff.status_code == 302
    assert staff["Cache-Control"] == NO_STORE


def test_anonymous_pages_keep_their_own_caching(world: World) -> None:
    login = client_for(world.horizon).get("/compte/connexion/")
    # Django's LoginView is never_cache: unchanged.
    assert login["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    done = client_for(world.horizon).get("/compte/mot-de-passe-oublie/envoye/")
    assert done.status_code == 200
    assert not done.has_header("Cache-Control")


def test_a_view_setting_its_own_cache_control_keeps_it(world: World) -> None:
    from tantieme.core.middleware import NoStoreForSignedInMiddleware

    def view(_request: object) -> HttpResponse:
        response = HttpResponse("file")
        response["Cache-Control"] = "private, no-store, max-age=0"
        return response

    request = RequestFactory().get("/")
    request.user = world.alice_user
    request.session = client_for(world.horizon, world.alice_user).session
    assert NoStoreForSignedInMiddleware(view)(request)["Cache-Control"] == "private, no-store, max-age=0"
    request.user = AnonymousUser()
    assert not NoStoreForSignedInMiddleware(lambda _request: HttpResponse())(request).has_header("Cache-Control")
