"""The demo history, written through the funds services: budgets, works fund, calls up to the
current quarter, a works operation in progress; A 606 0001 owes exactly 1 210,77 € today."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import Ownership
from tantieme.demo.history import DEMO_BALANCE, seed_ledger_history
from tantieme.documents.models import Document
from tantieme.funds.enums import CallKind
from tantieme.funds.models import Budget, Call, WorksOperation
from tantieme.ledger.checks import check_books
from tantieme.ledger.models import Entry, FiscalYear
from tantieme.ledger.queries import balance, balances_by_account, unpaid_items
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
        # Years whose general meeting has taken place (≈ mid-April) are approved and locked; the
        # others have a draft closing; once a single year is left open, the next one is open too.
        meeting_held = today >= datetime.date(today.year, 4, 15)
        closed = FiscalYear.objects.filter(condominium=world.condo, state="closed")
        assert closed.count() == (3 if meeting_held else 2)
        assert all(year.approved_on and year.closing.state == "approved" for year in closed)
        open_years = FiscalYear.objects.filter(condominium=world.condo, state="open")
        assert all(year.closing.state == "draft" for year in open_years.filter(start_date__lte=today))
        assert open_years.count() == 2
        assert Entry.objects.filter(condominium=world.condo, journal__code="RE").count() >= closed.count()
        assert check_books(world.condo) == []
        # Every entry names its voucher: the FEC's PieceRef is never empty.
        assert not Entry.objects.filter(condominium=world.condo, voucher="").exists()
        # A voted budget and a works fund for every year, the calls of every quarter up to today.
        budgets = Budget.objects.filter(condominium=world.condo)
        assert budgets.count() == (5 if meeting_held else 4)
        assert all(b.general_meeting_date and not b.is_provisional and b.works_fund_amount > 0 for b in budgets)
        budget_calls = Call.objects.filter(condominium=world.condo, kind=CallKind.BUDGET)
        expected = 12 + (2 if today.month >= 4 else 1)
        assert budget_calls.count() == expected
        assert budget_calls.filter(due_date__gt=today).count() == 0
        for budget in budgets.filter(end_date__lt=today, start_date__lte=today):
            calls = budget_calls.filter(budget=budget)
            assert sum(call.total_current for call in calls) == sum(line.amount for line in budget.lines.all())
            assert sum(call.total_works_fund for call in calls) == budget.works_fund_amount
        # One works operation in progress: some instalments called, the last one still to come.
        (operation,) = WorksOperation.objects.filter(condominium=world.condo)
        works_calls = Call.objects.filter(operation=operation)
        assert 1 <= works_calls.count() < operation.instalments.count()
        assert "4505" in balances_by_account(world.bob) or balance(world.bob, at=today) <= 0
        # The notices of the current quarter are in the co-owners' documents.
        current = budget_calls.order_by("-due_date").first()
        assert current is not None
        assert Document.objects.filter(co_owner=world.alice, category="call_for_funds").exists()
        assert current.notices.filter(document__isnull=False).count() == current.notices.count()
        # Issued like their entries, before the due date (the notice says « Émis le »), not on the seeding day.
        for call in Call.objects.filter(condominium=world.condo):
            issued = timezone.localtime(call.issued_at).date()
            assert issued == min(call.due_date - datetime.timedelta(days=15), today) == call.entry.validation_date
        assert Decimal(current.key_totals[0]["amount"]) > 0
