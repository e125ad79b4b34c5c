"""« Conseil syndical — Budget »: the council members of the condominium see budget against actual,
read-only, for the current year and the last approved one; anyone else gets a 404."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine

from tantieme.condominiums.models import CoOwner
from tantieme.documents.models import CouncilMembership
from tantieme.ledger import services as ledger
from tantieme.ledger.enums import FiscalYearState
from tantieme.ledger.models import FiscalYear
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.conftest import client_for
from tests.factories import CondominiumFactory, CoOwnerFactory, FirmFactory, OwnershipFactory, co_owner_user
from tests.funds.test_actuals import Tilleuls, build_tilleuls

URL = "/conseil/budget/"
SEPT_30 = datetime.datetime(2026, 9, 30, 12, 0)


@dataclass
class Council:
    t: Tilleuls
    member: User
    neighbour: User
    former: User
    approved: FiscalYear


@pytest.fixture
def council(db: None) -> Iterator[Council]:
    firm = FirmFactory(slug="tilleuls", name="Cabinet des Tilleuls")
    with firm_scope(firm):
        t = build_tilleuls(firm)
        # 2025 approved by the general meeting of 2026 (the year before the one in progress).
        # (a row of its own: the books of the example start in 2026).
        approved = FiscalYear.objects.create(
            condominium=t.condominium,
            start_date=datetime.date(2025, 1, 1),
            end_date=datetime.date(2025, 12, 31),
            state=FiscalYearState.CLOSED,
            approved_on=datetime.date(2026, 4, 15),
        )
        users = {}
        for reference in ("A", "B", "C"):
            co_owner = CoOwnerFactory(condominium=t.condominium, reference=f"TIL0000{reference}")
            OwnershipFactory(co_owner=co_owner)
            users[reference] = co_owner_user(co_owner)
        CouncilMembership.objects.create(
            condominium=t.condominium,
            co_owner=CoOwner.objects.get(reference="TIL0000A"),
            start_date=datetime.date(2025, 6, 1),
        )
        CouncilMembership.objects.create(
            condominium=t.condominium,
            co_owner=CoOwner.objects.get(reference="TIL0000C"),
            start_date=datetime.date(2024, 6, 1),
            end_date=datetime.date(2025, 6, 1),
        )
        yield Council(t=t, member=users["A"], neighbour=users["B"], former=users["C"], approved=approved)


def test_a_council_member_sees_the_current_year(council: Council, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(council.t.condominium.firm, council.member)
    with time_machine.travel(SEPT_30, tick=False), django_assert_max_num_queries(15):
        response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Exercice 2026" in page
    for figure in ("2\xa0100,00", "1\xa0573,00", "673,15", "611,85"):
        assert figure in page, figure
    assert "/gestion/" not in page  # read-only: no link into the back office
    assert 'name="exercice"' in page  # the last approved year is offered
    assert f'value="{council.approved.pk}"' in page


def test_the_last_approved_year(council: Council) -> None:
    client = client_for(council.t.condominium.firm, council.member)
    with time_machine.travel(SEPT_30, tick=False):
        page = client.get(URL, {"exercice": council.approved.pk}).content.decode()
        assert "comptes approuvés le 15/04/2026" in page
        assert "Situation au 31/12/2025" in page
        # Any other year, or a year of another condominium: 404.
        with firm_scope(council.t.condominium.firm):
            ledger.open_fiscal_year(condominium=council.t.condominium)  # 2027, neither current nor approved
            later = FiscalYear.objects.get(condominium=council.t.condominium, start_date=datetime.date(2027, 1, 1))
        assert client.get(URL, {"exercice": later.pk}).status_code == 404
        assert client.get(URL, {"exercice": "x"}).status_code == 404


def test_walls(council: Council) -> None:
    firm = council.t.condominium.firm
    with time_machine.travel(SEPT_30, tick=False):
        # A co-owner who is not on the council, and a former member: 404.
        assert client_for(firm, council.neighbour).get(URL).status_code == 404
        assert client_for(firm, council.former).get(URL).status_code == 404
        # A member asking for another condominium of the firm: 404.
        with firm_scope(firm):
            other = CondominiumFactory(firm=firm, code="AUT")
        member = client_for(firm, council.member)
        assert member.get(URL, {"copropriete": other.pk}).status_code == 404
        assert member.get(URL, {"copropriete": council.t.condominium.pk}).status_code == 200
        # A council member of another firm, on their own host, asking for this condominium: 404.
        rivage = FirmFactory(slug="rivage")
        with firm_scope(rivage):
            condominium = CondominiumFactory(firm=rivage, code="RIV")
            co_owner = CoOwnerFactory(condominium=condominium, reference="RIV00001")
            OwnershipFactory(co_owner=co_owner)
            CouncilMembership.objects.create(
                condominium=condominium, co_owner=co_owner, start_date=datetime.date(2025, 1, 1)
            )
            foreign = client_for(rivage, co_owner_user(co_owner))
            assert foreign.get(URL, {"copropriete": council.t.condominium.pk}).status_code == 404
            # Their own council, with no fiscal year yet: served, says so.
            assert "Aucun exercice comptable" in foreign.get(URL).content.decode()
    # Anonymous: the sign-in page.
    anonymous = client_for(firm).get(URL)
    assert anonymous.status_code == 302
    assert "/compte/connexion/" in anonymous["Location"]


def test_a_figure_moves_when_an_invoice_is_posted(council: Council) -> None:
    client = client_for(council.t.condominium.firm, council.member)
    with time_machine.travel(SEPT_30, tick=False):
        before = client.get(URL).content.decode()
        assert "1\xa0573,00" in before
        with firm_scope(council.t.condominium.firm):
            from tests.funds.test_actuals import _charge

            _charge(council.t, datetime.date(2026, 9, 29), "Plombier", ("615", "CG", Decimal("100.00")))
        after = client.get(URL).content.decode()
    assert "1\xa0673,00" in after
