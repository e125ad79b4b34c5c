"""Back-office pages of expenses: walls, roles, the entry of a Factur-X invoice, approval, query counts."""

from __future__ import annotations

import copy
import re
import time
from decimal import Decimal
from typing import Any

from django.urls import reverse

from tantieme.expenses.enums import InvoiceStatus
from tantieme.expenses.models import Invoice, Supplier
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import client_for
from tests.expenses.factories import F2_DATA, Tilleuls, build_tilleuls, enter_example_invoice, facturx_pdf
from tests.factories import FirmFactory, StaffUserFactory

D = Decimal


def test_pages_answer_with_bounded_queries(tilleuls: Tilleuls, django_assert_max_num_queries: Any) -> None:
    for name in ("F1", "F2", "F3", "F4", "F5"):
        enter_example_invoice(tilleuls, name)
    client = client_for(tilleuls.firm, tilleuls.manager)
    invoice = tilleuls.invoices["F2"]
    pages = [
        reverse("backoffice:expenses_suppliers"),
        reverse("backoffice:expenses_supplier_detail", args=[tilleuls.suppliers["FRN00003"].pk]),
        reverse("backoffice:expenses_contracts"),
        reverse("backoffice:expenses_invoices"),
        reverse("backoffice:expenses_invoices") + f"?copropriete={tilleuls.condominium.pk}&statut=validated",
        reverse("backoffice:expenses_invoice_detail", args=[invoice.pk]),
        reverse("backoffice:expenses_approvals"),
        reverse("backoffice:expenses_invoice_upload"),
        reverse("backoffice:expenses_invoice_enter", args=[tilleuls.condominium.pk]),
        reverse("backoffice:expenses_settings", args=[tilleuls.condominium.pk]),
        reverse("backoffice:expenses_accruals", args=[tilleuls.condominium.pk]),
    ]
    for page in pages:
        with django_assert_max_num_queries(15):
            response = client.get(page)
        assert response.status_code == 200, page
    assert client.get(reverse("backoffice:expenses_invoices") + "?format=csv").status_code == 200


def test_other_firm_and_read_only(tilleuls: Tilleuls) -> None:
    invoice = enter_example_invoice(tilleuls, "F2")
    other = FirmFactory(slug="ailleurs", name="Ailleurs")
    with firm_scope(other):
        stranger = StaffUserFactory(firm=other, membership="admin")
    client = client_for(other, stranger)
    assert client.get(reverse("backoffice:expenses_invoice_detail", args=[invoice.pk])).status_code == 404
    assert client.get(reverse("backoffice:expenses_invoice_pdf", args=[invoice.pk])).status_code == 404
    supplier = tilleuls.suppliers["FRN00003"]
    assert client.get(reverse("backoffice:expenses_supplier_detail", args=[supplier.pk])).status_code == 404
    assert client.post(reverse("backoffice:expenses_invoice_approve", args=[invoice.pk])).status_code == 404
    with firm_scope(tilleuls.firm):
        reader = StaffUserFactory(firm=tilleuls.firm, membership="read_only")
    reading = client_for(tilleuls.firm, reader)
    assert reading.get(reverse("backoffice:expenses_invoice_detail", args=[invoice.pk])).status_code == 200
    assert reading.get(reverse("backoffice:expenses_supplier_create")).status_code == 403
    assert reading.post(reverse("backoffice:expenses_invoice_approve", args=[invoice.pk])).status_code == 403
    # The accountant enters invoices but does not give the « bon à payer ».
    accountant = client_for(tilleuls.firm, tilleuls.accountant)
    assert accountant.post(reverse("backoffice:expenses_invoice_approve", args=[invoice.pk])).status_code == 403


def test_supplier_form_refuses_a_wrong_siret(tilleuls: Tilleuls) -> None:
    client = client_for(tilleuls.firm, tilleuls.accountant)
    data = {
        "legal_name": "NOUVEAU SARL",
        "kind": "company",
        "category": "other",
        "siret": "52987654200019",
        "vat_regime": "normal",
        "country": "FR",
        "payment_terms_days": "30",
        "payment_means": "transfer",
    }
    with firm_scope(tilleuls.firm):
        before = Supplier.objects.count()
    response = client.post(reverse("backoffice:expenses_supplier_create"), data)
    assert response.status_code == 200
    assert "SIRET « 52987654200019 » invalide" in response.content.decode()
    data["siret"] = "43318822400011"
    data["legal_name"] = "TOITURES BIS"
    response = client.post(reverse("backoffice:expenses_supplier_create"), data)
    assert "existe déjà" in response.content.decode()
    with firm_scope(tilleuls.firm):
        assert Supplier.objects.count() == before


def _lines(targets: list[tuple[str, str, str]]) -> dict[str, str]:
    data = {"lines-TOTAL_FORMS": str(len(targets)), "lines-INITIAL_FORMS": "0"}
    for index, (account, target, amount) in enumerate(targets):
        data |= {f"lines-{index}-account": account, f"lines-{index}-target": target, f"lines-{index}-amount": amount}
    return data


def test_enter_a_facturx_invoice_split_over_two_keys(tilleuls: Tilleuls) -> None:
    client = client_for(tilleuls.firm, tilleuls.accountant)
    pdf = facturx_pdf(copy.deepcopy(F2_DATA))
    upload = client.post(
        reverse("backoffice:expenses_invoice_upload"),
        {"condominium": tilleuls.condominium.pk, "file": _file("NE-2026-0917.pdf", pdf)},
    )
    assert upload.status_code == 302
    page = client.get(upload["Location"])
    html = page.content.decode()
    assert "Factur-X lue" in html
    assert 'value="NE-2026-0917"' in html
    assert 'value="1188.00"' in html
    assert 'value="792.00"' in html
    token = re.search(r'name="piece" value="([^"]+)"', html)
    assert token is not None
    cg, batb = tilleuls.keys["CG"], tilleuls.keys["BATB"]
    form = {
        "piece": token.group(1),
        "supplier": tilleuls.suppliers["FRN00003"].pk,
        "kind": "invoice",
        "number": "NE-2026-0917",
        "issue_date": "2026-09-15",
        "due_date": "2026-10-15",
        "total_ttc": "1 980,00",
        **_lines([("611", f"key:{cg.pk}", "1 188,00"), ("611", f"key:{batb.pk}", "791,00")]),
    }
    url = reverse("backoffice:expenses_invoice_enter", args=[tilleuls.condominium.pk])
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "écart de 1,00" in refused.content.decode()
    form["lines-1-amount"] = "792,00"
    started = time.perf_counter()
    saved = client.post(url, form)
    elapsed = time.perf_counter() - started
    assert saved.status_code == 302, saved.content.decode()[:2000]
    with firm_scope(tilleuls.firm):
        invoice = Invoice.objects.get(number="NE-2026-0917")
        assert invoice.einvoice
        assert invoice.status == InvoiceStatus.VALIDATED  # 1 980,00 > the 1 500,00 threshold
        assert list(invoice.lines.values_list("key__code", "amount")) == [("CG", D("1188.00")), ("BATB", D("792.00"))]
    pdf = client.get(reverse("backoffice:expenses_invoice_pdf", args=[invoice.pk]))
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    manager = client_for(tilleuls.firm, tilleuls.manager)
    response = manager.post(reverse("backoffice:expenses_invoice_approve", args=[invoice.pk]), {"next": "queue"})
    assert response.status_code == 302
    with firm_scope(tilleuls.firm):
        invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED
    assert elapsed < 2.0  # generous: the bench measures the p95 (docs/expenses.md)


def _file(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_two_firms_examples_do_not_mix(db: None) -> None:
    one = FirmFactory(slug="un", name="Un")
    two = FirmFactory(slug="deux", name="Deux")
    with firm_scope(one):
        first = build_tilleuls(one)
        enter_example_invoice(first, "F1")
    with firm_scope(two):
        second = build_tilleuls(two, code="701")
        assert Invoice.objects.count() == 0
        assert second.suppliers["FRN00002"].code == "FRN00002"


def test_record_an_accrual_from_the_page(tilleuls: Tilleuls) -> None:
    from tantieme.ledger.models import FiscalYear

    client = client_for(tilleuls.firm, tilleuls.accountant)
    url = reverse("backoffice:expenses_accruals", args=[tilleuls.condominium.pk])
    with firm_scope(tilleuls.firm):
        year = FiscalYear.objects.get(condominium=tilleuls.condominium, start_date__year=2026)
    data = {
        "supplier": tilleuls.suppliers["FRN00006"].pk,
        "fiscal_year": year.pk,
        "account": "615",
        "target": f"key:{tilleuls.keys['CG'].pk}",
        "amount": "462,00",
        "label": "Dératisation du 15/12/2026",
        "justification": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    data["justification"] = "Devis signé DV-2026-077"
    assert client.post(url, data).status_code == 302
    page = client.get(url).content.decode()
    assert "OD2026-0001, OD2027-0001" in page
    assert "462,00" in page


def test_lists_stay_bounded_with_many_invoices(tilleuls: Tilleuls, django_assert_max_num_queries: Any) -> None:
    import dataclasses
    import datetime

    from tantieme.expenses import services
    from tests.expenses.factories import example_invoice_input

    base = example_invoice_input(tilleuls, "F1")
    for n in range(60):
        services.enter_invoice(
            condominium=tilleuls.condominium,
            data=dataclasses.replace(
                base,
                number=f"D-{n}",
                issue_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
                due_date=None,
                total_ttc=D("2000.00"),
                lines=[dataclasses.replace(base.lines[0], amount=D("2000.00"))],
            ),
        )
    client = client_for(tilleuls.firm, tilleuls.manager)
    for page in (
        reverse("backoffice:expenses_invoices"),
        reverse("backoffice:expenses_invoices") + "?page=2",
        reverse("backoffice:expenses_approvals"),
        reverse("backoffice:expenses_supplier_detail", args=[tilleuls.suppliers["FRN00002"].pk]),
    ):
        with django_assert_max_num_queries(15):
            assert client.get(page).status_code == 200


def test_add_a_contact(tilleuls: Tilleuls) -> None:
    client = client_for(tilleuls.firm, tilleuls.accountant)
    supplier = tilleuls.suppliers["FRN00005"]
    url = reverse("backoffice:expenses_contact_add", args=[supplier.pk])
    assert (
        client.post(url, {"name": "Mme Technicienne", "role": "Astreinte", "phone": "04 72 00 00 00"}).status_code
        == 302
    )
    page = client.get(reverse("backoffice:expenses_supplier_detail", args=[supplier.pk])).content.decode()
    assert "Mme Technicienne (Astreinte)" in page


def test_the_syndic_is_frn00001(tilleuls: Tilleuls) -> None:
    client = client_for(tilleuls.firm, tilleuls.accountant)
    data = {
        "legal_name": "CABINET DES TILLEULS",
        "kind": "company",
        "category": "syndic",
        "vat_regime": "normal",
        "country": "FR",
        "payment_terms_days": "30",
        "payment_means": "transfer",
        "is_syndic": "on",
    }
    assert client.post(reverse("backoffice:expenses_supplier_create"), data).status_code == 302
    with firm_scope(tilleuls.firm):
        assert Supplier.objects.get(is_syndic=True).code == "FRN00001"
    again = client.post(reverse("backoffice:expenses_supplier_create"), data | {"legal_name": "AUTRE"})
    assert "déjà au répertoire (FRN00001)" in again.content.decode()
