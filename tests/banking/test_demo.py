"""The demo statements: each case of the pipeline, and the late payer's balance untouched."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tantieme.banking.enums import LineKind, LineStatus
from tantieme.banking.models import StatementLine
from tantieme.condominiums.models import CoOwner, Ownership
from tantieme.demo.history import DEMO_BALANCE, LATE_PAYER, seed_ledger_history
from tantieme.demo.statements import seed_statements
from tantieme.ledger.queries import balance
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.factories import CoOwnerFactory, OwnershipFactory


def test_demo_statements(world: World) -> None:
    from tantieme.condominiums.enums import KeyKind
    from tests.factories import AllocationKeyFactory, LotShareFactory

    today = datetime.date(2026, 11, 26)
    carol = CoOwnerFactory(condominium=world.condo, reference="A6060003", last_name="DUBOIS")
    OwnershipFactory(co_owner=carol)
    key = AllocationKeyFactory(condominium=world.condo, kind=KeyKind.GENERAL, code="GEN")
    for co_owner in (world.alice, world.bob, carol):
        LotShareFactory(key=key, lot=Ownership.all_firms.get(co_owner=co_owner).lot, shares=100)
    seed_ledger_history(world.condo, today=today)
    with firm_scope(world.horizon):
        alice = CoOwner.objects.get(reference=LATE_PAYER)
        assert balance(alice, at=today) == DEMO_BALANCE
        assert seed_statements(world.condo, today=today) == 6
        assert seed_statements(world.condo, today=today) == 0  # twice: nothing more
        lines = {
            line.remittance or line.label or line.structured_reference: line for line in StatementLine.objects.all()
        }
        # The lines of these statements (the supplier debits of demo.expenses come on earlier ones).
        ours = StatementLine.objects.filter(statement_import__filename__startswith="releve-")
        by_status = {status: ours.filter(status=status).count() for status in LineStatus.values}
        assert by_status == {"matched": 3, "to_review": 2, "suspense": 1, "returned": 0, "ignored": 0}
        assert StatementLine.objects.get(kind=LineKind.CARD_REMITTANCE).status == LineStatus.MATCHED
        typo = StatementLine.objects.get(remittance__contains="6O6")
        assert typo.suggestions.get().co_owner == carol
        assert balance(alice, at=today) == Decimal("1210.77")
        assert lines
