"""In a real Chromium, the whole life of a supplier invoice (issue 14): the accountant enters a
Factur-X invoice split over two keys with the keyboard, the manager gives the « bon à payer », the
accountant pays it in a batch (pain.001 downloaded, valid against the XSD), imports the bank
statement whose debit is matched to the batch; the council member sees the invoice in their space
and the budget against actual moves. axe-core finds no serious or critical WCAG 2.1 AA violation
on the pages visited, at phone and desktop widths."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from tantieme.core.money import format_amount
from tantieme.documents.services import add_council_member
from tantieme.expenses.enums import BankAccountStatus, InvoiceStatus
from tantieme.expenses.models import Invoice, SupplierBankAccount
from tantieme.formats.pain001 import validate_xml
from tantieme.funds.services import LineData, save_budget
from tantieme.ledger.models import Line
from tantieme.supplier_payments.enums import BatchStatus
from tantieme.supplier_payments.models import PaymentBatch
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.conftest import client_for
from tests.e2e.conftest import accessibility_violations, firm_url
from tests.expenses.factories import build_tilleuls, facturx_pdf
from tests.factories import FirmFactory, co_owner_user
from tests.formats.camt_batch import batch_entry, statement_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "tilleuls"
# The worked example's NE-2026-0917: 1 980,00 TTC, 1 188,00 on the general charges, 792,00 on building B.
TOTAL, ON_CG, ON_BATB = Decimal("1980.00"), Decimal("1188.00"), Decimal("792.00")
BUDGET_CG_611, BUDGET_BATB_611 = Decimal("6000.00"), Decimal("2400.00")


def _signed_in(page, live_server, user: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(user.firm, user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": firm_url(live_server, user.firm.slug)}]
    )


def _choose_by_keyboard(page, selector: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Focus a <select> and walk its options with the arrow keys until `value` is selected."""
    field = page.locator(selector)
    field.focus()
    page.keyboard.press("Home")
    for _step in range(30):
        if field.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reached in {selector} with the keyboard")


def _type_into(page, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(selector).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _body(page) -> str:  # type: ignore[no-untyped-def]
    return page.text_content("body") or ""


def test_an_invoice_from_entry_to_the_council_budget(live_server, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    firm = FirmFactory(slug=SLUG, name="Cabinet des Tilleuls")
    with firm_scope(firm):
        t = build_tilleuls(firm)
        # The IBANs were verified months ago: the batch needs no second approver (cooling period).
        SupplierBankAccount.objects.filter(status=BankAccountStatus.VERIFIED).update(
            verified_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
        )
        save_budget(
            condominium=t.condominium,
            start_date=datetime.date(2026, 1, 1),
            general_meeting_date=datetime.date(2025, 6, 12),
            lines=[
                LineData(key_code="CG", account="611", label="Nettoyage", amount=BUDGET_CG_611),
                LineData(key_code="BATB", account="611", label="Nettoyage bâtiment B", amount=BUDGET_BATB_611),
            ],
            works_fund_amount=Decimal("420.00"),
        )
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
        page.set_viewport_size({"width": 1280, "height": 900})

    # The council's budget before: nothing spent on cleaning yet.
    _signed_in(page, live_server, member)
    page.goto(firm_url(live_server, SLUG, "/conseil/budget/"))
    page.get_by_role("heading", level=1).wait_for()
    check("council budget before")
    before = _body(page)
    assert format_amount(BUDGET_CG_611) in before
    assert format_amount(BUDGET_CG_611 - ON_CG) not in before

    # 1. The accountant enters the Factur-X invoice, with the keyboard.
    _signed_in(page, live_server, t.accountant)
    page.goto(firm_url(live_server, SLUG, "/gestion/depenses/factures/nouvelle/"))
    check("upload")
    _choose_by_keyboard(page, "#id_condominium", str(t.condominium.pk))
    page.set_input_files("#id_file", str(pdf))
    page.get_by_role("button", name="Continuer").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Factur-X lue")
    assert page.input_value("#id_number") == "NE-2026-0917"
    assert page.input_value("#id_lines-0-amount") == str(ON_CG)
    assert page.input_value("#id_lines-1-amount") == str(ON_BATB)
    check("entry")
    _type_into(page, "#id_lines-0-account", "611")
    _choose_by_keyboard(page, "#id_lines-0-target", f"key:{t.keys['CG'].pk}")
    _type_into(page, "#id_lines-1-account", "611")
    _choose_by_keyboard(page, "#id_lines-1-target", f"key:{t.keys['BATB'].pk}")
    page.get_by_role("button", name="Valider et comptabiliser").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Facture comptabilisée")
    check("invoice")
    with firm_scope(firm):
        invoice = Invoice.objects.get(number="NE-2026-0917")
        assert invoice.status == InvoiceStatus.VALIDATED  # above the 1 500,00 threshold: waits
        charged = sorted(
            (line.key.code, line.debit)
            for line in Line.objects.filter(entry=invoice.entry, debit__gt=0).select_related("key")
        )
        assert charged == [("BATB", ON_BATB), ("CG", ON_CG)]

    # 2. The manager gives the « bon à payer ».
    _signed_in(page, live_server, t.manager)
    page.goto(firm_url(live_server, SLUG, "/gestion/depenses/approbation/"))
    check("approvals")
    page.get_by_role("button", name="Bon à payer NE-2026-0917").click()
    page.wait_for_selector("text=Bon à payer donné")

    # 3. The accountant pays it in a batch and downloads the pain.001.
    _signed_in(page, live_server, t.accountant)
    page.goto(firm_url(live_server, SLUG, f"/gestion/reglements-fournisseurs/{t.condominium.pk}/"))
    page.get_by_role("heading", level=1).wait_for()
    check("due invoices")
    checkbox = page.get_by_label("NE-2026-0917")
    if not checkbox.is_checked():
        checkbox.check()
    page.get_by_role("button", name="Créer la remise (pain.001)").click()
    page.get_by_text("TNT-SCT-").first.wait_for()
    check("batch")
    with firm_scope(firm):
        batch = PaymentBatch.objects.get()
        assert (batch.nb_of_txs, batch.ctrl_sum) == (1, TOTAL)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Télécharger le fichier {batch.message_id}.pain001.xml").click()
    pain001 = Path(download_info.value.path()).read_bytes()
    assert validate_xml(pain001) == []
    page.get_by_role("button", name="Marquer transmise à la banque").click()
    page.get_by_role("heading", level=1).wait_for()

    # 4. The bank statement with the batch's debit: imported, matched to the batch, invoice paid.
    entry = batch_entry(pain001, booking_date=batch.execution_date, with_details=False)
    camt = tmp_path / "releve.xml"
    camt.write_bytes(statement_with([entry], iban=t.condominium.iban, day=batch.execution_date))
    page.goto(firm_url(live_server, SLUG, "/gestion/banque/"))
    check("bank")
    page.select_option("#id_condominium", str(t.condominium.pk))
    page.set_input_files("#id_file", str(camt))
    page.get_by_role("button", name="Importer").click()
    page.get_by_text("1 rapprochés").first.wait_for()
    check("statement")
    with firm_scope(firm):
        batch.refresh_from_db()
        assert batch.status == BatchStatus.CLOSED
        assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID

    # 5. The staff's budget against actual, then the council member's space.
    page.goto(firm_url(live_server, SLUG, f"/gestion/suivi-budgetaire/{t.condominium.pk}/"))
    page.get_by_role("heading", level=1).wait_for()
    check("staff budget")
    assert format_amount(BUDGET_CG_611 - ON_CG) in _body(page)

    _signed_in(page, live_server, member)
    page.goto(firm_url(live_server, SLUG, "/conseil/factures/?annee=2026"))
    assert page.get_by_role("rowheader", name="Facture NE-2026-0917").count() == 1
    check("council invoices")
    page.goto(firm_url(live_server, SLUG, "/conseil/budget/"))
    page.get_by_role("heading", level=1).wait_for()
    check("council budget after")
    after = _body(page)
    for amount in (ON_CG, BUDGET_CG_611 - ON_CG, ON_BATB, BUDGET_BATB_611 - ON_BATB):
        assert format_amount(amount) in after, amount
    assert problems == {}
