"""Banking fixtures: the world's condominium 606 with open books and the sample account's IBAN."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from tantieme.banking.samples import SampleMovement, camt053_document
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.ledger.models import Line
from tantieme.ledger.queries import balance
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.ledger.factories import open_books, post_call

# Copies of ../shared/data/statements (the files the specs describe), kept with the tests so that
# the suite does not depend on what lies beside the checkout.
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "statements"
SAMPLE_IBAN = "FR7630006000011234567890189"
DUPONT_IBAN = "FR1420041010050500013M02606"
TILLEULS_IBAN = "FR7610107001011234567890129"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def D(text: str) -> Decimal:
    return Decimal(text)


@dataclass
class Books:
    world: World
    condo: Condominium
    alice: CoOwner
    bob: CoOwner


@pytest.fixture
def books(world: World) -> Iterator[Books]:
    """606 with the sample statement's IBAN, books for 2026, and calls of 1 000 € for Alice and Bob."""
    Condominium.all_firms.filter(pk=world.condo.pk).update(iban=SAMPLE_IBAN, bic="AGRIFRPP")
    world.condo.refresh_from_db()
    with firm_scope(world.horizon):
        open_books(world.condo, first_year=2026)
        post_call(world.condo, world.alice, D("1000.00"), date=datetime.date(2026, 1, 1))
        post_call(world.condo, world.bob, D("1000.00"), date=datetime.date(2026, 1, 1))
        yield Books(world=world, condo=world.condo, alice=world.alice, bob=world.bob)


def account_balance(condo: Condominium, number: str) -> Decimal:
    """Debit − credit of an account (inside the firm scope)."""
    total = Decimal("0.00")
    for debit, credit in Line.objects.filter(condominium=condo, account__number=number).values_list("debit", "credit"):
        total += debit - credit
    return total


def owed(co_owner: CoOwner) -> Decimal:
    return balance(co_owner)


def statement(
    movements: list[SampleMovement],
    *,
    statement_id: str = "STMT-T",
    opening: Decimal = Decimal("1000.00"),
    opening_date: datetime.date = datetime.date(2026, 3, 1),
    closing_date: datetime.date = datetime.date(2026, 3, 2),
    iban: str = SAMPLE_IBAN,
) -> bytes:
    return camt053_document(
        iban=iban,
        statement_id=statement_id,
        opening_balance=opening,
        opening_date=opening_date,
        closing_date=closing_date,
        movements=movements,
    )


def firm_of(books: Books) -> Firm:
    return books.world.horizon
