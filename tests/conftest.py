"""Shared fixtures: two firms, personas, host-aware clients.

Personas (after healthchecks' tests): Alice owns lot 1 at horizon; Bob owns lot 2 in the same
condominium; Charlie is a co-owner at another firm (rivage); Gaston is horizon's manager.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client

os.environ.setdefault("TANTIEME_ENV", "test")

from tantieme.condominiums.models import CoOwner, Condominium  # noqa: E402
from tantieme.tenancy.models import Firm  # noqa: E402
from tantieme.tenancy.scoping import firm_scope  # noqa: E402
from tantieme.users.models import User  # noqa: E402
from tests.factories import (  # noqa: E402
    CondominiumFactory,
    CoOwnerFactory,
    FirmFactory,
    OwnershipFactory,
    StaffUserFactory,
    co_owner_user,
)


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
