"""The council's invoices on the portal (/conseil/factures/): council members, co-owners when the
condominium opens it, everybody else a 404."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import time_machine
from django.urls import reverse

from tantieme.documents.services import add_council_member
from tantieme.expenses import services
from tantieme.expenses.enums import PaymentBlock
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import client_for
from tests.expenses.factories import Tilleuls, blank_pdf, enter_example_invoice
from tests.factories import co_owner_user

D = Decimal


def _setup(tilleuls: Tilleuls) -> dict[str, Any]:
    services.save_settings(
        condominium=tilleuls.condominium, approval_threshold=D("1500.00"), council_visa_required=True
    )
    invoice = enter_example_invoice(tilleuls, "F2", pdf=blank_pdf("F2"), filename="f2.pdf")
    enter_example_invoice(tilleuls, "F1")
    add_council_member(co_owner=tilleuls.owners["A"], start_date=datetime.date(2025, 6, 1))
    return {
        "invoice": invoice,
        "member": co_owner_user(tilleuls.owners["A"]),
        "other": co_owner_user(tilleuls.owners["B"]),
    }


@time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0), tick=False)
def test_council_member_sees_and_gives_the_visa(tilleuls: Tilleuls, django_assert_max_num_queries: Any) -> None:
    made = _setup(tilleuls)
    invoice = made["invoice"]
    assert invoice.payment_block == PaymentBlock.AWAITING_COUNCIL
    client = client_for(tilleuls.firm, made["member"])
    with django_assert_max_num_queries(15):
        page = client.get(reverse("portal:council_invoices") + "?annee=2026")
    html = page.content.decode()
    assert page.status_code == 200
    assert "NE-2026-0917" in html
    assert "D-2026-118" in html
    assert "Viser" in html
    pdf = client.get(reverse("portal:council_invoice_pdf", args=[invoice.pk]))
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    response = client.post(reverse("portal:council_invoice_visa", args=[invoice.pk]))
    assert response.status_code == 302
    with firm_scope(tilleuls.firm):
        invoice.refresh_from_db()
        assert invoice.payment_block == PaymentBlock.NONE
        assert invoice.events.filter(step="council_visa", co_owner=tilleuls.owners["A"]).exists()


@time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0), tick=False)
def test_other_co_owners_get_a_404_unless_the_condominium_opens_it(tilleuls: Tilleuls) -> None:
    made = _setup(tilleuls)
    invoice = made["invoice"]
    client = client_for(tilleuls.firm, made["other"])
    assert client.get(reverse("portal:council_invoices")).status_code == 404
    assert client.get(reverse("portal:council_invoice_pdf", args=[invoice.pk])).status_code == 404
    assert client.post(reverse("portal:council_invoice_visa", args=[invoice.pk])).status_code == 404
    services.save_settings(
        condominium=tilleuls.condominium,
        approval_threshold=D("1500.00"),
        council_visa_required=True,
        invoices_visible_to_co_owners=True,
    )
    page = client.get(reverse("portal:council_invoices"))
    assert page.status_code == 200
    assert "Viser" not in page.content.decode()
    pdf = client.get(reverse("portal:council_invoice_pdf", args=[invoice.pk]))
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert client.post(reverse("portal:council_invoice_visa", args=[invoice.pk])).status_code == 404
