"""Back-office pages /gestion/reglements-fournisseurs/: select, build, download, mark sent; roles and walls."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import time_machine
from django.urls import reverse

from tantieme.core.money import format_amount
from tantieme.formats.pain001 import validate_xml
from tantieme.supplier_payments.enums import BatchStatus
from tantieme.supplier_payments.models import PaymentBatch
from tantieme.tenancy.enums import StaffRole
from tests.conftest import client_for
from tests.factories import StaffUserFactory
from tests.supplier_payments.conftest import Tilleuls

NOW = datetime.datetime(2026, 10, 12, 8, 30, tzinfo=datetime.UTC)


def test_accountant_selects_builds_downloads_and_sends(tilleuls: Tilleuls, django_assert_max_num_queries: Any) -> None:
    client = client_for(tilleuls.world.horizon, tilleuls.accountant)
    page_url = reverse("backoffice:supplier_payments_condominium", args=[tilleuls.condo.pk])
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(15):
            page = client.get(page_url, {"due_by": "2026-10-26"})
        assert page.status_code == 200
        text = page.content.decode()
        assert "NE-2026-0917" in text
        assert format_amount(Decimal("1980.00")) in text
        first, second = (str(invoice.pk) for invoice in tilleuls.invoices[:2])
        response = client.post(
            f"{page_url}?due_by=2026-10-26",
            {"invoices": [first, second], "execution_date": "2026-10-15", "second_approver": ""},
        )
    assert response.status_code == 302
    batch = PaymentBatch.objects.get()
    assert response["Location"] == reverse("backoffice:supplier_payments_batch", args=[batch.pk])
    assert batch.nb_of_txs == 2
    assert str(batch.ctrl_sum) == "2365.00"
    with django_assert_max_num_queries(15):
        detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert "TNT-SCT-20261012-0001" in detail.content.decode()
    download = client.get(reverse("backoffice:supplier_payments_file", args=[batch.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"
    assert validate_xml(download.content) == []
    sent = client.post(reverse("backoffice:supplier_payments_sent", args=[batch.pk]))
    assert sent.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT
    with django_assert_max_num_queries(15):
        home = client.get(reverse("backoffice:supplier_payments_home"))
    assert home.status_code == 200
    assert "TNT-SCT-20261012-0001" in home.content.decode()
    export = client.get(reverse("backoffice:supplier_payments_home"), {"format": "csv"})
    assert export.status_code == 200


def test_a_refused_selection_says_why_and_writes_nothing(tilleuls: Tilleuls) -> None:
    waiting = tilleuls.invoice("HS-2026-1231", "FRN00006", "468.00", approve=False)
    client = client_for(tilleuls.world.horizon, tilleuls.accountant)
    url = reverse("backoffice:supplier_payments_condominium", args=[tilleuls.condo.pk])
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            url, {"invoices": [str(tilleuls.invoices[0].pk)], "execution_date": "2026-10-17", "second_approver": ""}
        )
    assert response.status_code == 200
    assert "jour ouvré" in response.content.decode()
    assert not PaymentBatch.objects.exists()
    assert f'id="facture-{waiting.pk}"' not in response.content.decode()  # not proposed: not approved


def test_roles_and_walls(tilleuls: Tilleuls) -> None:
    with time_machine.travel(NOW, tick=False):
        from tantieme.supplier_payments.services import build_batch

        batch = build_batch(
            condominium=tilleuls.condo,
            execution_date=datetime.date(2026, 10, 15),
            due_by=datetime.date(2026, 10, 26),
            today=datetime.date(2026, 10, 12),
        )
    manager = client_for(tilleuls.world.horizon, tilleuls.world.manager)  # a gestionnaire: looks, does not pay
    assert manager.get(reverse("backoffice:supplier_payments_batch", args=[batch.pk])).status_code == 200
    assert manager.get(reverse("backoffice:supplier_payments_file", args=[batch.pk])).status_code == 403
    assert manager.post(reverse("backoffice:supplier_payments_sent", args=[batch.pk])).status_code == 403
    page = manager.get(reverse("backoffice:supplier_payments_condominium", args=[tilleuls.condo.pk]))
    assert page.status_code == 200
    assert "Créer la remise" not in page.content.decode()
    other = StaffUserFactory(firm=tilleuls.world.rivage, membership=StaffRole.FIRM_ADMIN)
    stranger = client_for(tilleuls.world.rivage, other)
    for name in ("supplier_payments_batch", "supplier_payments_file"):
        assert stranger.get(reverse(f"backoffice:{name}", args=[batch.pk])).status_code == 404
    assert stranger.post(reverse("backoffice:supplier_payments_cancel", args=[batch.pk])).status_code == 404
    url = reverse("backoffice:supplier_payments_condominium", args=[tilleuls.condo.pk])
    assert stranger.get(url).status_code == 404
    batch.refresh_from_db()
    assert batch.status == BatchStatus.BUILT
