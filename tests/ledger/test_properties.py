"""Hypothesis: random postings, payments, reversals and matchings keep every invariant."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tantieme.ledger import services
from tantieme.ledger.checks import check_books
from tantieme.ledger.enums import LineNature
from tantieme.ledger.models import Entry
from tantieme.ledger.queries import balance, co_owner_balances, control_account_balance, open_items
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.factories import CondominiumFactory, CoOwnerFactory
from tests.ledger.factories import open_books, post_call

amounts = st.integers(min_value=1, max_value=500_000).map(lambda cents: Decimal(cents) / 100)
days = st.integers(min_value=0, max_value=364).map(lambda n: datetime.date(2025, 1, 1) + datetime.timedelta(days=n))
operations = st.lists(
    st.tuples(st.sampled_from(["call", "fund", "pay", "reverse", "letter"]), st.integers(0, 2), amounts, days),
    min_size=1,
    max_size=14,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=operations)
def test_random_operations_keep_the_invariants(
    world: World, operations: list[tuple[str, int, Decimal, datetime.date]]
) -> None:
    condo = CondominiumFactory(firm=world.horizon)
    owners = [CoOwnerFactory(condominium=condo) for _ in range(3)]
    with firm_scope(world.horizon):
        open_books(condo, first_year=2025)
        for kind, who, amount, day in operations:
            owner = owners[who]
            if kind == "call":
                post_call(condo, owner, amount, date=day)
            elif kind == "fund":
                post_call(
                    condo, owner, amount, date=day, account="4505", counterpart="105", nature=LineNature.WORKS_FUND
                )
            elif kind == "pay":
                services.post_co_owner_payment(co_owner=owner, amount=amount, date=day, journal="BQ1", label="Virement")
            elif kind == "reverse":
                candidate = Entry.objects.filter(condominium=condo, reverses__isnull=True, reversal__isnull=True).last()
                if candidate is not None:
                    services.reverse_entry(entry=candidate, date=max(day, candidate.date))
            else:
                services.letter_open_items(co_owner=owner, on=day)
        assert check_books(condo) == []
        balances = co_owner_balances(condo)
        assert sum(balances.values(), Decimal(0)) == control_account_balance(condo)
        for owner in owners:
            assert balances.get(owner.pk, Decimal("0.00")) == balance(owner)
            # Lettering never settles more than the lines hold; open debits minus open credits
            # equal the balance once every credit has been matched where it can be.
            services.letter_open_items(co_owner=owner, on=datetime.date(2025, 12, 31))
            items = open_items(owner, at=datetime.date(2025, 12, 31))
            assert all(item.open_amount > 0 for item in items)
            debit = sum((item.open_amount for item in items if item.is_debit), Decimal(0))
            credit = sum((item.open_amount for item in items if not item.is_debit), Decimal(0))
            assert debit - credit == balance(owner)
            for account_id in {item.line.account_id for item in items}:
                sides = {item.is_debit for item in items if item.line.account_id == account_id}
                assert len(sides) == 1  # on one sub-account, never both an open debit and an open credit
