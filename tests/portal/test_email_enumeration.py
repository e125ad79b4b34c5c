"""Issue 15 (6d): the portal's e-mail change does not tell whether an address is another account's."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tantieme.notifications.models import OutboundMessage
from tantieme.users import services
from tantieme.users.models import AccessToken, TokenPurpose, User
from tests.conftest import World, client_for
from tests.factories import DEFAULT_PASSWORD

URL = "/mes-informations/email/"
TAKEN = "bob@example.com"
FREE = "free@example.com"


@pytest.fixture
def bob_has_an_address(world: World) -> None:
    world.bob_user.email = TAKEN
    world.bob_user.save()


def _answer(client: Any, email: str) -> tuple[int, str, str]:
    """Status, where it leads, and the page shown there, with the address and CSRF token blanked."""
    response = client.post(URL, {"email": email, "password": DEFAULT_PASSWORD})
    page = client.get(response["Location"]).content.decode() if response.status_code == 302 else ""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.replace(email, "ADDRESS"))
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode().replace(email, "ADDRESS"))
    return response.status_code, response.get("Location", "") + body, page


@pytest.mark.usefixtures("bob_has_an_address")
def test_a_taken_address_gets_the_same_answer_as_a_free_one(world: World) -> None:
    free = _answer(client_for(world.horizon, world.alice_user), FREE)
    taken = _answer(client_for(world.horizon, world.alice_user), TAKEN)
    assert free[0] == taken[0] == 302
    assert free[1] == taken[1]
    assert free[2] == taken[2]
    assert "Un lien de confirmation est parti vers ADDRESS" in taken[2]
    assert "déjà celle d'un autre compte" not in taken[2]
    # Another account's own address (upper case) is answered alike.
    assert _answer(client_for(world.horizon, world.alice_user), TAKEN.upper())[0] == 302


@pytest.mark.usefixtures("bob_has_an_address")
def test_a_taken_address_is_never_mailed_nor_attached(world: World, django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(world.horizon, world.alice_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"email": TAKEN, "password": DEFAULT_PASSWORD})
    assert not OutboundMessage.all_firms.filter(recipient__iexact=TAKEN).exists()
    assert User.objects.get(pk=world.alice_user.pk).email == ""
    assert User.objects.get(pk=world.bob_user.pk).email == TAKEN
    # Whatever link may exist for it cannot be confirmed.
    for token in AccessToken.objects.filter(user=world.alice_user, purpose=TokenPurpose.EMAIL_CONFIRMATION):
        with pytest.raises(services.AccountError):
            services.confirm_email_change(token=token)
    assert User.objects.get(pk=world.alice_user.pk).email == ""


@pytest.mark.usefixtures("bob_has_an_address")
def test_a_free_address_is_still_mailed_and_confirmed(world: World, django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(world.horizon, world.alice_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"email": FREE, "password": DEFAULT_PASSWORD})
    assert OutboundMessage.all_firms.filter(recipient=FREE, template="email_confirmation").count() == 1
    token = AccessToken.objects.get(user=world.alice_user, purpose=TokenPurpose.EMAIL_CONFIRMATION, used_at=None)
    services.confirm_email_change(token=token)
    assert User.objects.get(pk=world.alice_user.pk).email == FREE


def test_staff_still_see_that_an_address_is_taken(world: World, bob_has_an_address: None) -> None:
    """The back office (staff see every account of the firm anyway) keeps the explicit refusal."""
    with pytest.raises(services.AccountError):
        services.request_email_change(user=world.alice_user, new_email=TAKEN)
