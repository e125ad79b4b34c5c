"""The demo history: A 606 0001 owes exactly 1 210,77 € today, and the books are sound."""

from __future__ import annotations

import datetime

import pytest

from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import Ownership
from tantieme.demo.history import DEMO_BALANCE, seed_ledger_history
from tantieme.ledger.checks import check_books
from tantieme.ledger.models import FiscalYear
from tantieme.ledger.queries import balance, unpaid_items
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.factories import AllocationKeyFactory, LotShareFactory


@pytest.mark.parametrize("today", [datetime.date(2026, 5, 20), datetime.date(2026, 1, 2)])
def test_seed_ledger_history(world: World, today: datetime.date) -> None:
    key = AllocationKeyFactory(condominium=world.condo, kind=KeyKind.GENERAL, code="GEN", total=1000)
    for co_owner, shares in ((world.alice, 233), (world.bob, 767)):
        LotShareFactory(key=key, lot=Ownership.all_firms.get(co_owner=co_owner).lot, shares=shares)
    posted = seed_ledger_history(world.condo, today=today)
    assert posted > 20
    assert seed_ledger_history(world.condo, today=today) == 0  # idempotent
    with firm_scope(world.horizon):
        assert balance(world.alice, at=today) == DEMO_BALANCE
        assert balance(world.bob, at=today) <= 0 or unpaid_items(world.bob, at=today)
        assert unpaid_items(world.alice, at=today)
        assert FiscalYear.objects.filter(condominium=world.condo, state="closed").count() == 3
        assert check_books(world.condo) == []
