from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from tantieme.condominiums.cli import resolve_condominium, resolve_firm
from tantieme.condominiums.services import (
    check_reference_for,
    key_share_problems,
    next_reference,
    owner_on,
    transfer_lot,
    validate_key_shares,
)
from tantieme.condominiums.validators import normalize_bic, normalize_iban
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.factories import AllocationKeyFactory, CondominiumFactory, CoOwnerFactory, LotFactory, LotShareFactory


def test_next_reference_follows_the_highest_number(world: World) -> None:
    with firm_scope(world.horizon):
        assert next_reference(world.condo) == "A6060003"
    CoOwnerFactory(condominium=world.condo, reference="A6060041")
    CoOwnerFactory(condominium=world.condo, reference="A606X001")  # imported, not numeric: skipped
    with firm_scope(world.horizon):
        assert next_reference(world.condo) == "A6060042"
    with firm_scope(world.rivage):
        assert next_reference(world.other_condo) == "G1490001"


def test_check_reference_for_needs_the_condominium_code(world: World) -> None:
    assert check_reference_for(world.condo, "a 606-0007") == "A6060007"
    with pytest.raises(ValidationError, match="ne porte pas le code"):
        check_reference_for(world.condo, "A 149 0007")
    with pytest.raises(ValidationError, match="n'est pas une référence"):
        check_reference_for(world.condo, "606")


def test_shares_must_add_up_to_the_key_total(world: World) -> None:
    key = AllocationKeyFactory(condominium=world.condo, code="ASC", total=1000)
    LotShareFactory(key=key, shares=600)
    LotShareFactory(key=key, shares=300)
    with firm_scope(world.horizon):
        assert key_share_problems([key]) == ["Clé ASC : les tantièmes des lots font 900 au lieu de 1000."]
        with pytest.raises(ValidationError):
            validate_key_shares(world.condo)
    LotShareFactory(key=key, shares=100)
    with firm_scope(world.horizon):
        assert key_share_problems([key]) == []
        validate_key_shares(world.condo)


def test_a_sale_ends_one_ownership_and_starts_another(world: World) -> None:
    with firm_scope(world.horizon):
        lot = world.alice.ownerships.get().lot
        transfer_lot(lot=lot, buyer=world.bob, sale_date=datetime.date(2026, 3, 15))
        assert owner_on(lot, datetime.date(2026, 3, 14)) == world.alice
        assert owner_on(lot, datetime.date(2026, 3, 15)) == world.bob
        assert owner_on(lot, datetime.date(2010, 1, 1)) is None
        ended = world.alice.ownerships.get()
        assert ended.end_date == datetime.date(2026, 3, 14)
        with pytest.raises(ValidationError):
            transfer_lot(lot=lot, buyer=world.charlie, sale_date=datetime.date(2026, 4, 1))
        with pytest.raises(ValidationError):
            transfer_lot(lot=lot, buyer=world.alice, sale_date=datetime.date(2026, 3, 1))


def test_iban_and_bic_are_validated_with_the_bank_rules() -> None:
    assert normalize_iban("fr11 4003 1000 0100 0011 3172 m58") == "FR1140031000010000113172M58"
    with pytest.raises(ValidationError, match="IBAN"):
        normalize_iban("FR12 4003 1000 0100 0011 3172 M58")
    assert normalize_bic("cdcg fr pp") == "CDCGFRPP"
    with pytest.raises(ValidationError, match="BIC"):
        normalize_bic("XX")


def test_lot_floor_labels(world: World) -> None:
    assert LotFactory.build(floor=0).floor_label == "Rez-de-chaussée"
    assert LotFactory.build(floor=1).floor_label == "1er étage"
    assert LotFactory.build(floor=3).floor_label == "3e étage"
    assert LotFactory.build(floor=-1).floor_label == "Sous-sol 1"


def test_commands_resolve_their_condominium(world: World) -> None:
    assert resolve_condominium("horizon", "606") == world.condo
    assert resolve_condominium(None, "149") == world.other_condo
    CondominiumFactory(firm=world.rivage, code="606")
    with pytest.raises(CommandError, match="précisez --firm"):
        resolve_condominium(None, "606")
    with pytest.raises(CommandError, match="inconnu"):
        resolve_condominium("nulle-part", "606")
    with pytest.raises(CommandError, match="pas de copropriété 999"):
        resolve_condominium("horizon", "999")
    with pytest.raises(CommandError, match="plusieurs"):
        resolve_firm(None)
