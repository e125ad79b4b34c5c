"""AUTH-01: CNIL case 1, common and context words, 128 characters, the same rules in every form."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tantieme.users.forms import ChangePasswordForm, ChoosePasswordForm
from tests.conftest import World
from tests.factories import BuildingFactory, CondominiumFactory


def errors(password: str, user=None) -> list[str]:  # type: ignore[no-untyped-def]
    try:
        validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


@pytest.mark.parametrize(
    "password",
    [
        "Abcdefgh1!xy",  # 12, four kinds
        "Abcdefghijk12m",  # 14, upper/lower/digits
        "le chat gris mange une pomme verte",  # 7 words
        "Aa1!" + "x" * 60,  # 64 characters
        "Aa1!" + "q" * 124,  # 128 characters
    ],
)
@pytest.mark.django_db
def test_strong_passwords_are_accepted(password: str) -> None:
    assert errors(password) == []


@pytest.mark.parametrize(
    "password",
    ["abcdefgh1!xy", "Abcdefghijk1m", "Motdepasse123!", "court", "Aa1!" + "q" * 125],
)
@pytest.mark.django_db
def test_weak_passwords_are_refused(password: str) -> None:
    assert errors(password)


@pytest.mark.django_db
def test_the_message_says_what_is_missing() -> None:
    messages = " ".join(errors("Abcdefgh1234"))
    assert "12 caractères" in messages
    assert "caractère spécial" in messages
    assert "il manque 2 caractères" in messages  # for the 14-character rule
    assert "7 mots" in messages


def test_context_words_are_refused(world: World) -> None:
    condo = CondominiumFactory(firm=world.horizon, code="777", name="Résidence Les Tilleuls")
    BuildingFactory(condominium=condo, name="Bâtiment Mimosas")
    user = world.alice_user
    assert any("Tilleuls".lower() in m or "tilleuls" in m for m in errors("Residence-Tilleuls-2025!x", user))
    assert errors("Mimosas-Jardin-2025!x", user)
    assert errors("Horizon-Jardin-2025!x", user)  # the firm's name
    assert errors("Copro-Jardin-2025!xy", user)  # a trade word
    assert errors("Jardin-Tranquille-2025!x", user) == []


def test_a_password_close_to_the_e_mail_is_refused(world: World) -> None:
    user = world.alice_user
    user.email = "jeanpierre.dupont@example.com"
    assert errors("jeanpierre.dupont@example.com", user)


@pytest.mark.parametrize("form_class", [ChangePasswordForm, ChoosePasswordForm])
def test_every_password_form_runs_the_validators(world: World, form_class: type) -> None:
    user = world.alice_user
    data = {"old_password": "Test-Password-2026!", "new_password1": "Abcdefgh1234", "new_password2": "Abcdefgh1234"}
    form = form_class(user, data)
    assert not form.is_valid()
    assert "caractère spécial" in " ".join(form.errors["new_password2"])
    data.update(new_password1="Jardin-Tranquille-2025!x", new_password2="Jardin-Tranquille-2025!x")
    assert form_class(user, data).is_valid()
    # 128 characters are accepted by the fields, never truncated.
    long = "Aa1!" + "q" * 124
    data.update(new_password1=long, new_password2=long)
    assert form_class(user, data).is_valid()
