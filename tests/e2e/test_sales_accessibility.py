"""The sale of a lot in a real browser: a manager issues the état daté and records the mutation with
the keyboard only; axe-core finds no serious or critical WCAG 2.1 AA violation on the pages of the
sale, at phone and desktop widths."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from tantieme.condominiums.models import CoOwner
from tantieme.sales.enums import SaleStatus
from tantieme.sales.models import Sale
from tantieme.sales.services import open_sale
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.conftest import client_for
from tests.e2e.conftest import accessibility_violations, firm_url
from tests.factories import FirmFactory, StaffUserFactory
from tests.funds.helpers import build_example
from tests.sales.helpers import build_seller_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(page, live_server, user: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(user.firm, user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": firm_url(live_server, user.firm.slug)}]
    )


def _check(page, live_server, path: str, problems: dict[str, list[str]]) -> None:  # type: ignore[no-untyped-def]
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(firm_url(live_server, "exemple", path))
        assert response is not None
        assert response.status == 200, path
        found = accessibility_violations(page)
        if found:
            problems[f"{path} @{width}px"] = found


def test_a_sale_with_the_keyboard_and_no_serious_violation(transactional_db: None, live_server, page) -> None:  # type: ignore[no-untyped-def]
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        example = build_seller_history(build_example(firm=firm, years=2))
        sale = open_sale(
            condominium=example.condominium,
            seller=example.owners["A"],
            lot_numbers=[1],
            requested_on=datetime.date(2026, 2, 15),
            notary_name="Me Claire NOTAIRE",
        )
        manager = StaffUserFactory(firm=firm, membership=StaffRole.MANAGER)
    _signed_in(page, live_server, manager)
    problems: dict[str, list[str]] = {}
    detail = f"/gestion/ventes/{sale.pk}/"
    for path in (
        "/gestion/ventes/",
        "/gestion/ventes/nouvelle/",
        f"/gestion/ventes/nouvelle/?copropriete={example.condominium.pk}",
        detail,
    ):
        _check(page, live_server, path, problems)
    # The état daté, with the keyboard: focus the fee, type it, send the form with Enter.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(firm_url(live_server, "exemple", detail))
    page.get_by_label("Honoraires de l'état daté (TTC)").focus()
    page.keyboard.type("300,00")
    page.keyboard.press("Enter")
    page.get_by_text("État daté délivré ;").wait_for()
    with firm_scope(firm):
        assert Sale.objects.get(pk=sale.pk).status == SaleStatus.STATEMENT_ISSUED
    _check(page, live_server, detail, problems)
    # The mutation: the date, an existing co-owner as buyer, Enter.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(firm_url(live_server, "exemple", detail))
    page.get_by_label("Date de notification de la mutation au syndic").fill("2026-03-20")
    page.get_by_label("Acquéreur déjà copropriétaire : sa référence").focus()
    page.keyboard.type("A 606 0002")
    # A 606 0002 has no extranet access and no e-mail: the access letter is downloaded.
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "acces-A6060002.pdf"
    with firm_scope(firm):
        sale.refresh_from_db()
        assert sale.status == SaleStatus.MUTATION_RECORDED
        assert sale.buyer == CoOwner.objects.get(reference="A6060002")
    _check(page, live_server, detail, problems)
    assert problems == {}
