"""In a real browser: the accountant selects the approved invoices of the worked example, builds the
batch, finds its totals and its file; the pages have no serious or critical WCAG 2.1 AA violation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings

from tantieme.core.money import format_amount
from tantieme.expenses.enums import BankAccountStatus, InvoiceStatus
from tantieme.expenses.models import SupplierBankAccount
from tantieme.expenses.services import approve_invoice
from tantieme.formats.pain001 import validate_xml
from tantieme.supplier_payments.models import PaymentBatch
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.conftest import client_for
from tests.e2e.conftest import accessibility_violations, firm_url
from tests.expenses.factories import build_tilleuls, enter_example_invoice
from tests.factories import FirmFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(page, live_server, user: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(user.firm, user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": firm_url(live_server, user.firm.slug)}]
    )


def test_accountant_pays_the_approved_invoices_in_a_batch(transactional_db: None, live_server, page) -> None:  # type: ignore[no-untyped-def]
    firm = FirmFactory(slug="tilleuls", name="Cabinet des Tilleuls")
    with firm_scope(firm):
        t = build_tilleuls(firm)
        SupplierBankAccount.objects.filter(status=BankAccountStatus.VERIFIED).update(
            verified_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
        )
        for name in ("F1", "F2", "F3", "F4"):
            invoice = enter_example_invoice(t, name)
            if invoice.status == InvoiceStatus.VALIDATED:
                approve_invoice(invoice=invoice, actor=t.manager)
    _signed_in(page, live_server, t.accountant)
    problems: dict[str, list[str]] = {}

    def check(label: str) -> None:
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            found = accessibility_violations(page)
            if found:
                problems[f"{label} @{width}px"] = found

    page.goto(firm_url(live_server, "tilleuls", "/gestion/reglements-fournisseurs/"))
    check("home")
    page.get_by_role("link", name=t.condominium.name).click()
    page.get_by_role("heading", level=1).wait_for()
    check("condominium")
    for number in ("D-2026-118", "NE-2026-0917", "TR-26-0452", "ADS-2026-3310"):
        assert page.get_by_label(number).is_checked()
    page.get_by_role("button", name="Créer la remise (pain.001)").click()
    page.get_by_text("TNT-SCT-").first.wait_for()
    check("batch")
    assert format_amount(Decimal("15885.00")) in (page.text_content("body") or "")
    with firm_scope(firm):
        batch = PaymentBatch.objects.get()
        assert batch.nb_of_txs == 4
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Télécharger le fichier {batch.message_id}.pain001.xml").click()
    path = download_info.value.path()
    assert validate_xml(path.read_bytes()) == []
    assert problems == {}
