"""axe-core on budget against actual: the staff page, the drill-down and the council's page have no
serious or critical WCAG 2.1 AA violation, at phone and desktop widths."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from tantieme.condominiums.models import CoOwner
from tantieme.documents.models import CouncilMembership
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.conftest import client_for
from tests.e2e.conftest import accessibility_violations, firm_url
from tests.factories import CoOwnerFactory, FirmFactory, OwnershipFactory, StaffUserFactory, co_owner_user
from tests.funds.test_actuals import build_tilleuls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(page, live_server, user: User) -> None:  # type: ignore[no-untyped-def]
    """The browser gets the session of a test client signed in as `user` (staff: with TOTP)."""
    client = client_for(user.firm, user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": firm_url(live_server, user.firm.slug)}]
    )


def test_budget_pages_have_no_serious_violation(transactional_db: None, live_server, page) -> None:  # type: ignore[no-untyped-def]
    firm = FirmFactory(slug="tilleuls", name="Cabinet des Tilleuls")
    with firm_scope(firm):
        t = build_tilleuls(firm)
        member = CoOwnerFactory(condominium=t.condominium, reference="TIL00001")
        OwnershipFactory(co_owner=member)
        CouncilMembership.objects.create(
            condominium=t.condominium, co_owner=CoOwner.objects.get(pk=member.pk), start_date=datetime.date(2025, 1, 1)
        )
        council_user = co_owner_user(member)
        staff = StaffUserFactory(firm=firm, membership=StaffRole.ACCOUNTANT)
    pk = t.condominium.pk
    staff_pages = [
        "/gestion/suivi-budgetaire/",
        f"/gestion/suivi-budgetaire/{pk}/",
        f"/gestion/suivi-budgetaire/{pk}/lignes/?exercice={t.year.pk}&cle={t.keys['CG'].pk}&compte=611",
    ]
    problems: dict[str, list[str]] = {}
    for user, paths in ((staff, staff_pages), (council_user, ["/conseil/budget/"])):
        _signed_in(page, live_server, user)
        for path in paths:
            for width in (375, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(firm_url(live_server, "tilleuls", path))
                assert response is not None
                assert response.status == 200, path
                found = accessibility_violations(page)
                if found:
                    problems[f"{path} @{width}px"] = found
    assert problems == {}
