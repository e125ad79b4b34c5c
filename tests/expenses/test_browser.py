"""In a real Chromium: an accountant enters a Factur-X invoice split over two keys, a manager gives
the « bon à payer », a council member sees it on the portal; axe-core finds no serious or critical
WCAG 2.1 AA violation on the expenses pages, at phone and desktop widths."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from tantieme.documents.services import add_council_member
from tantieme.expenses.enums import InvoiceStatus
from tantieme.expenses.models import Invoice
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.conftest import client_for
from tests.e2e.conftest import accessibility_violations, firm_url
from tests.expenses.factories import build_tilleuls, enter_example_invoice, facturx_pdf
from tests.factories import FirmFactory, co_owner_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(page, live_server, user: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(user.firm, user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": firm_url(live_server, user.firm.slug)}]
    )


def test_enter_approve_and_see_in_the_council_space(live_server, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    firm = FirmFactory(slug="tilleuls", name="Cabinet des Tilleuls")
    with firm_scope(firm):
        t = build_tilleuls(firm)
        enter_example_invoice(t, "F1")
        add_council_member(co_owner=t.owners["A"], start_date=datetime.date(2025, 6, 1))
        member = co_owner_user(t.owners["A"])
    pdf = tmp_path / "NE-2026-0917.pdf"
    pdf.write_bytes(facturx_pdf())
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            found = accessibility_violations(page)
            if found:
                problems[f"{name} @{width}px"] = found

    _signed_in(page, live_server, t.accountant)
    page.goto(firm_url(live_server, "tilleuls", "/gestion/depenses/factures/nouvelle/"))
    check("upload")
    page.select_option("#id_condominium", str(t.condominium.pk))
    page.set_input_files("#id_file", str(pdf))
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_selector("text=Factur-X lue")
    assert page.input_value("#id_number") == "NE-2026-0917"
    assert page.input_value("#id_lines-0-amount") == "1188.00"
    check("entry")
    page.fill("#id_lines-0-account", "611")
    page.select_option("#id_lines-0-target", f"key:{t.keys['CG'].pk}")
    page.fill("#id_lines-1-account", "611")
    page.select_option("#id_lines-1-target", f"key:{t.keys['BATB'].pk}")
    page.get_by_role("button", name="Valider et comptabiliser").click()
    page.wait_for_selector("text=Facture comptabilisée")
    check("detail")
    supplier = t.suppliers["FRN00003"].pk
    for path in (
        "/gestion/depenses/factures/",
        "/gestion/depenses/fournisseurs/",
        f"/gestion/depenses/fournisseurs/{supplier}/",
        "/gestion/depenses/fournisseurs/nouveau/",
        "/gestion/depenses/contrats/",
        "/gestion/depenses/contrats/nouveau/",
    ):
        page.goto(firm_url(live_server, "tilleuls", path))
        check(path)

    _signed_in(page, live_server, t.manager)
    page.goto(firm_url(live_server, "tilleuls", "/gestion/depenses/approbation/"))
    check("approvals")
    page.goto(firm_url(live_server, "tilleuls", f"/gestion/depenses/copropriete/{t.condominium.pk}/parametres/"))
    check("settings")
    page.goto(firm_url(live_server, "tilleuls", "/gestion/depenses/approbation/"))
    page.get_by_role("button", name="Bon à payer NE-2026-0917").click()
    page.wait_for_selector("text=Bon à payer donné")
    with firm_scope(firm):
        assert Invoice.objects.get(number="NE-2026-0917").status == InvoiceStatus.APPROVED

    _signed_in(page, live_server, member)
    page.goto(firm_url(live_server, "tilleuls", "/conseil/factures/?annee=2026"))
    assert page.get_by_role("rowheader", name="Facture NE-2026-0917").count() == 1
    check("council")
    assert problems == {}
