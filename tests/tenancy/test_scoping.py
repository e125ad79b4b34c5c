"""Scoping fails closed: no firm in scope, no rows."""

from __future__ import annotations

import pytest

from tantieme.condominiums.models import Condominium, CoOwner, Lot, LotShare, Ownership
from tantieme.tenancy.scoping import TenantScopeError, all_firms_scope, current_firm, firm_scope
from tests.conftest import World


@pytest.mark.parametrize("model", [Condominium, CoOwner, Lot, LotShare, Ownership])
def test_query_without_a_firm_in_scope_is_an_error(world: World, model) -> None:
    with pytest.raises(TenantScopeError, match="no firm is in scope"):
        list(model.objects.all())


def test_query_in_scope_sees_only_that_firm(world: World) -> None:
    with firm_scope(world.horizon):
        assert set(CoOwner.objects.values_list("reference", flat=True)) == {"A6060001", "A6060002"}
        assert not CoOwner.objects.filter(reference="G149X369").exists()
        assert current_firm() == world.horizon
    with firm_scope(world.rivage):
        assert set(CoOwner.objects.values_list("reference", flat=True)) == {"G149X369"}
        # Related managers are scoped as well.
        assert list(world.condo.co_owners.all()) == []


def test_all_firms_scope_is_explicit(world: World) -> None:
    with all_firms_scope():
        assert CoOwner.objects.count() == 3
        with pytest.raises(TenantScopeError):
            current_firm()


def test_scope_is_restored_after_the_block(world: World) -> None:
    with firm_scope(world.horizon):
        with firm_scope(world.rivage):
            assert current_firm() == world.rivage
        assert current_firm() == world.horizon
    with pytest.raises(TenantScopeError):
        current_firm()


def test_firm_scope_needs_a_saved_firm() -> None:
    from tantieme.tenancy.models import Firm

    with pytest.raises(TenantScopeError), firm_scope(Firm()):
        pass
