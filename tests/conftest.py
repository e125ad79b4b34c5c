"""Shared fixtures: two firms, personas, host-aware clients.

Personas (after healthchecks' tests): Alice owns lot 1 at horizon; Bob owns lot 2 in the same
condominium; Charlie is a co-owner at another firm (rivage); Gaston is horizon's manager.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from dataclasses import dataclass

import pytest
from django.test import Client


from tantieme.condominiums.models import CoOwner, Condominium
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.factories import (
    CondominiumFactory,
    CoOwnerFactory,
    FirmFactory,
    OwnershipFactory,
    StaffUserFactory,
    co_owner_user,
)


CHROMIUM_PATH = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def _required(name: str) -> bool:
    return os.environ.get(name, "") == "1"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """PostgreSQL and browser tests skip with a reason where those are absent, and fail in CI."""
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            message = "needs PostgreSQL (set DATABASE_URL=postgres://...)"
            if _required("REQUIRE_POSTGRES"):
                pytest.fail(f"REQUIRE_POSTGRES=1 but the suite runs on {connection.vendor}: {message}")
            pytest.skip(message)
    if item.get_closest_marker("browser") and not CHROMIUM_PATH.exists():
        message = f"needs Chromium at {CHROMIUM_PATH} (apt-get install chromium)"
        if _required("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER=1: {message}")
        pytest.skip(message)


def pytest_sessionstart(session: pytest.Session) -> None:
    if _required("REQUIRE_POSTGRES") and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise pytest.UsageError("REQUIRE_POSTGRES=1 needs DATABASE_URL=postgres://...")


def host_of(firm: Firm) -> str:
    return f"{firm.slug}.localhost"


def client_for(firm: Firm, user: User | None = None) -> Client:
    """A test client talking to the firm's own host, signed in as `user` if given."""
    client = Client(HTTP_HOST=host_of(firm))
    if user is not None:
        client.force_login(user)
    return client


@dataclass
class World:
    horizon: Firm
    rivage: Firm
    condo: Condominium
    other_condo: Condominium
    alice: CoOwner
    bob: CoOwner
    charlie: CoOwner
    alice_user: User
    bob_user: User
    charlie_user: User
    manager: User


@pytest.fixture
def world(db: None) -> World:
    horizon = FirmFactory(slug="horizon", name="Horizon Syndic")
    rivage = FirmFactory(slug="rivage", name="Rivage Gestion")
    condo = CondominiumFactory(firm=horizon, code="606")
    other_condo = CondominiumFactory(firm=rivage, code="149", reference_letter="G")
    alice = CoOwnerFactory(condominium=condo, reference="A6060001", civility="M. et Mme", last_name="TEST")
    bob = CoOwnerFactory(condominium=condo, reference="A6060002", last_name="MARTIN")
    charlie = CoOwnerFactory(condominium=other_condo, reference="G149X369", last_name="DURAND")
    OwnershipFactory(co_owner=alice)
    OwnershipFactory(co_owner=bob)
    OwnershipFactory(co_owner=charlie)
    return World(
        horizon=horizon,
        rivage=rivage,
        condo=condo,
        other_condo=other_condo,
        alice=alice,
        bob=bob,
        charlie=charlie,
        alice_user=co_owner_user(alice),
        bob_user=co_owner_user(bob),
        charlie_user=co_owner_user(charlie),
        manager=StaffUserFactory(firm=horizon, login="gestion@horizon.example"),
    )


@pytest.fixture
def in_horizon(world: World) -> Iterator[Firm]:
    with firm_scope(world.horizon) as firm:
        yield firm
