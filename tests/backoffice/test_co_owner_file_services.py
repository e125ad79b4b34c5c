"""The services behind the co-owner file's actions: adjustments (reasoned OD entries) and identity edits."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from tantieme.audit.models import AuditEvent
from tantieme.condominiums.co_owner_editing import update_co_owner
from tantieme.condominiums.models import AllocationKey, CoOwner
from tantieme.ledger.adjustments import AdjustmentError, Side, counterpart_accounts, record_adjustment
from tantieme.ledger.exceptions import ClosedFiscalYearError
from tantieme.ledger.models import Entry, Line
from tantieme.ledger.queries import balance
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.factories import CondominiumFactory
from tests.ledger.factories import D, open_books, post_call

DAY = datetime.date(2026, 3, 1)


@pytest.fixture
def books(world: World) -> World:
    with firm_scope(world.horizon):
        open_books(world.condo, first_year=2026)
        post_call(world.condo, world.alice, D("1000.00"), date=datetime.date(2026, 1, 1))
    return world


def _key(world: World) -> AllocationKey:
    key, _created = AllocationKey.objects.get_or_create(
        condominium=world.condo, code="CG", defaults={"label": "Charges générales", "total": 1000, "kind": "general"}
    )
    return key


def test_a_credit_adjustment_is_lettered_against_the_oldest_item(books: World) -> None:
    with firm_scope(books.horizon):
        entry = record_adjustment(
            co_owner=books.alice,
            date=DAY,
            amount=D("40.00"),
            side=Side.CREDIT,
            counterpart="714",
            reason="Remboursement d'un trop-perçu de frais.",
        )
        line = Line.objects.get(entry=entry, position=1)
        assert (line.account.number, line.credit, line.co_owner_id) == ("4501", D("40.00"), books.alice.pk)
        assert sum(match.amount for match in line.credit_matches.all()) == D("40.00")
        assert balance(books.alice) == D("960.00")
        assert entry.journal.code == "OD"
        assert entry.label == "Régularisation A 606 0001"


def test_a_debit_adjustment_on_a_charge_carries_its_key(books: World) -> None:
    with firm_scope(books.horizon):
        key = _key(books)
        entry = record_adjustment(
            co_owner=books.alice,
            date=DAY,
            amount=D("12.50"),
            side=Side.DEBIT,
            counterpart="678",
            key_id=key.pk,
            sub_account="4502",
            reason="Clé perdue refaite aux frais du copropriétaire.",
            label="Refacturation clé",
        )
        lines = list(entry.lines.order_by("position").values_list("account__number", "debit", "credit", "key_id"))
        assert lines == [("4502", D("12.50"), D("0.00"), None), ("678", D("0.00"), D("12.50"), key.pk)]
        assert balance(books.alice) == D("1012.50")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"reason": "  "}, "motif"),
        ({"amount": D("0.00")}, "positif"),
        ({"amount": D("-3.00")}, "positif"),
        ({"amount": D("1.001")}, "décimales"),
        ({"counterpart": "601"}, "non autorisée"),
        ({"counterpart": "512"}, "non autorisée"),
        ({"sub_account": "401"}, "régularisable"),
        ({"counterpart": "678"}, "clé de répartition"),
    ],
)
def test_bad_adjustments_write_nothing(books: World, changes: dict[str, object], error: str) -> None:
    arguments: dict[str, object] = {
        "date": DAY,
        "amount": D("10.00"),
        "side": Side.CREDIT,
        "counterpart": "718",
        "reason": "Motif.",
        "sub_account": "4501",
        **changes,
    }
    with firm_scope(books.horizon):
        before = Entry.objects.count()
        with pytest.raises(AdjustmentError, match=error):
            record_adjustment(co_owner=books.alice, **arguments)  # type: ignore[arg-type]
        assert Entry.objects.count() == before


def test_a_closed_or_missing_fiscal_year_refuses_it(books: World) -> None:
    with firm_scope(books.horizon), pytest.raises(ClosedFiscalYearError):
        record_adjustment(
            co_owner=books.alice, date=datetime.date(2025, 6, 1), amount=D("1.00"), side=Side.DEBIT, counterpart="718",
            reason="Motif.",
        )  # fmt: skip


def test_a_key_of_another_condominium_is_refused(books: World) -> None:
    with firm_scope(books.horizon):
        other = CondominiumFactory(firm=books.horizon, code="707")
        key = AllocationKey.objects.create(condominium=other, code="CG", label="CG", total=100, kind="general")
        with pytest.raises(AdjustmentError, match="clé"):
            record_adjustment(
                co_owner=books.alice, date=DAY, amount=D("1.00"), side=Side.DEBIT, counterpart="678", key_id=key.pk,
                reason="Motif.",
            )  # fmt: skip


def test_the_counterparts_offered_are_the_allowed_ones_in_the_chart(books: World) -> None:
    with firm_scope(books.horizon):
        assert [account.number for account in counterpart_accounts(books.condo.pk)] == [
            "678",
            "677",
            "718",
            "714",
            "471",
            "472",
        ]


def test_identity_edits_record_before_and_after_and_refuse_bad_values(world: World) -> None:
    with firm_scope(world.horizon):
        alice = CoOwner.objects.get(pk=world.alice.pk)
        changes = update_co_owner(
            co_owner=alice, values={"phone": " 06  12 34 56 78 ", "city": "Aix"}, actor=world.manager
        )
        assert changes["phone"][1] == "06 12 34 56 78"
        assert changes["city"] == [world.alice.city, "Aix"]
        assert update_co_owner(co_owner=alice, values={"city": "Aix"}) == {}
        with pytest.raises(ValidationError):
            update_co_owner(co_owner=alice, values={"last_name": ""})
        with pytest.raises(ValueError, match="non modifiables"):
            update_co_owner(co_owner=alice, values={"email": "x@example.com"})
        assert CoOwner.objects.get(pk=alice.pk).last_name == world.alice.last_name
    events = AuditEvent.all_firms.filter(action="condominiums.co_owner.changed")
    assert events.count() == 1
    assert events.get().data["changes"]["city"] == [world.alice.city, "Aix"]
