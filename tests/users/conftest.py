"""Helpers for the access tests: a co-owner with a temporary password, as seed_demo makes A6060002."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tantieme.users.models import User
from tests.conftest import World

TEMPORARY = "Bienvenue-A6060002"
STRONG = "Tulipe-Orage-Violon-2026!"
LINK = re.compile(r"https?://[^\s<>\"]+/compte/[a-z-]+/[A-Za-z0-9_-]+/")


@pytest.fixture
def temporary_user(world: World) -> User:
    user = world.bob_user
    user.set_password(TEMPORARY)
    user.must_change_password = True
    user.temporary_password_expires_at = timezone.now() + datetime.timedelta(days=30)
    user.save()
    return user


def login(client, identifier: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/compte/connexion/", {"username": identifier, "password": password})


def links_in(text: str) -> list[str]:
    return LINK.findall(text)
