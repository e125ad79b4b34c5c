"""Portal payment pages, back-office list/CSV/refund access, and Stripe against a loopback fake."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.test import Client

from tantieme.payments.enums import PaymentState
from tantieme.payments.models import Payment, PaymentEvent
from tantieme.payments.providers.stripe import signature_header
from tantieme.payments.services import save_provider_config, start_payment
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import StaffMembership
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World, client_for
from tests.documents.conftest import drain
from tests.payments.helpers import books_with_balance, ipn_fields, new_payment, post_ipn

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(world: World) -> World:
    books_with_balance(world.horizon, world.condo, world.alice)
    return world


def test_amount_is_prefilled_with_the_balance_and_checked(card: World) -> None:
    client = client_for(card.horizon, card.alice_user)
    page = client.get("/paiement/").content.decode()
    assert 'value="1\xa0210,77"' in page
    for wrong in ("0,50", "abc", "10000,01", "12,345"):
        response = client.post("/paiement/", {"compte": card.alice.pk, "amount": wrong})
        assert response.status_code == 200, wrong
        assert "field__error" in response.content.decode(), wrong
    response = client.post("/paiement/", {"compte": card.alice.pk, "amount": "250,00"})
    assert response.status_code == 302
    confirm = client.get(response["Location"]).content.decode()
    assert "Confirmez le montant pour accéder au paiement sécurisé" in confirm
    # Another co-owner's account is a 404.
    assert client.get(f"/paiement/?compte={card.bob.pk}").status_code == 404


def test_confirmation_hands_over_a_signed_form_with_a_strict_csp(card: World) -> None:
    client = client_for(card.horizon, card.alice_user)
    response = client.post("/paiement/confirmer/", {"compte": card.alice.pk, "montant": "250.00"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="http://horizon.localhost:8000/banque-test/vads-payment/"' in html
    assert 'name="signature"' in html
    assert "data-autosubmit" in html
    assert "js/autosubmit.js" in html
    assert "<script>" not in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "form-action 'self' http://horizon.localhost:8000" in policy
    payment = Payment.all_firms.get()
    assert payment.state == PaymentState.CREATED
    assert payment.amount == Decimal("250.00")
    assert PaymentEvent.all_firms.get(payment=payment).code == "form_issued"


def test_back_office_lists_exports_and_refund_needs_a_role(card: World, django_assert_max_num_queries: Any) -> None:
    payment, form = new_payment(card.horizon, card.alice)
    post_ipn(card.horizon, ipn_fields(form))
    manager = client_for(card.horizon, card.manager)
    with django_assert_max_num_queries(15):
        listing = manager.get("/gestion/paiements/?state=paid").content.decode()
    assert payment.order_id in listing
    csv = b"".join(manager.get("/gestion/paiements/export.csv").streaming_content).decode()
    assert payment.order_id in csv
    assert "250,00" in csv
    assert csv == b"".join(manager.get("/gestion/paiements/?format=csv").streaming_content).decode()
    xlsx = manager.get("/gestion/paiements/?format=xlsx&tri=amount&ordre=desc")
    assert xlsx["Content-Disposition"].startswith('attachment; filename="paiements-')
    b"".join(xlsx.streaming_content)
    detail = manager.get(f"/gestion/paiements/{payment.pk}/").content.decode()
    assert "applied" in detail
    role = StaffMembership.all_firms.get(user=card.manager).role
    if role not in (StaffRole.FIRM_ADMIN, StaffRole.ACCOUNTANT):
        assert manager.post(f"/gestion/paiements/{payment.pk}/rembourser/").status_code == 403
    # Co-owners and the other firm's staff do not see the back office.
    assert client_for(card.horizon, card.alice_user).get("/gestion/paiements/").status_code == 404
    assert client_for(card.rivage).get(f"/gestion/paiements/{payment.pk}/").status_code in {302, 404}


class FakeStripe(BaseHTTPRequestHandler):
    requests: list[tuple[str, dict[str, str], str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        FakeStripe.requests.append((self.path, dict(self.headers), body))
        if self.path == "/v1/checkout/sessions":
            answer: dict[str, Any] = {"id": "cs_test_42", "url": "https://checkout.stripe.com/c/pay/cs_test_42"}
        else:
            answer = {"id": "re_42", "status": "succeeded"}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_stripe() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeStripe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeStripe.requests = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_stripe_checkout_session_and_signed_webhook(world: World, fake_stripe: str) -> None:
    secret = "whsec_test_secret_for_unit_tests"
    with firm_scope(world.horizon):
        save_provider_config(
            firm=world.horizon,
            provider="stripe",
            endpoint=fake_stripe,
            credentials={"secret_key": "sk_test_x", "webhook_secret": secret},
        )
        payment, redirect = start_payment(co_owner=world.alice, amount=Decimal("450.00"))
    assert (redirect.method, redirect.url) == ("GET", "https://checkout.stripe.com/c/pay/cs_test_42")
    path, headers, body = FakeStripe.requests[0]
    assert path == "/v1/checkout/sessions"
    assert headers["Idempotency-Key"] == f"checkout:{payment.public_id}"
    assert "line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=45000" in body
    assert Payment.all_firms.get(pk=payment.pk).provider_session_id == "cs_test_42"

    import time

    event = {
        "id": "evt_1",
        "type": "checkout.session.completed",
        "livemode": False,
        "data": {
            "object": {
                "id": "cs_test_42",
                "object": "checkout.session",
                "payment_status": "paid",
                "client_reference_id": payment.order_id,
                "payment_intent": "pi_42",
                "amount_total": 45000,
                "currency": "eur",
            }
        },
    }
    raw = json.dumps(event).encode()
    client = Client(HTTP_HOST="horizon.localhost")

    def send(payload: bytes, header: str) -> int:
        return client.post(
            "/paiements/notification/stripe/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        ).status_code

    now = int(time.time())
    assert send(raw, signature_header(raw, "wrong", now)) == 400
    assert send(raw, signature_header(raw, secret, now - 301)) == 400
    assert send(raw, signature_header(raw, secret, now)) == 200
    assert send(raw, signature_header(raw, secret, now)) == 200  # duplicate event
    paid = Payment.all_firms.get(pk=payment.pk)
    assert paid.state == PaymentState.PAID
    assert paid.provider_transaction_id == "pi_42"
    codes = list(PaymentEvent.all_firms.filter(kind="notification").order_by("pk").values_list("code", flat=True))
    assert codes == ["signature_invalid", "timestamp_out_of_tolerance", "applied", "duplicate"]


def test_the_confirmation_page_links_the_receipt(card: World, django_capture_on_commit_callbacks: Any) -> None:
    """Issue 16: one wording (« le lendemain »), and the receipt a click away once it is published."""
    from tantieme.documents.models import Document

    payment, form = new_payment(card.horizon, card.alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_ipn(card.horizon, ipn_fields(form)).status_code == 200
    client = client_for(card.horizon, card.alice_user)
    page = client.get(f"/paiement/retour/{payment.public_id}/").content.decode()
    with firm_scope(card.horizon):
        receipt = Document.objects.get(co_owner=card.alice, original_filename=f"recu-{payment.order_id}.pdf")
    assert f"/mes-documents/{receipt.pk}/telecharger/" in page
    assert "pris en compte par notre service comptabilité le lendemain" in page
    download = client.get(f"/mes-documents/{receipt.pk}/telecharger/")
    assert download.status_code == 200
    assert drain(download).startswith(b"%PDF")  # read to its end (no close(): it would end the DB connection)
    with firm_scope(card.horizon):
        receipt.delete()
    page = client.get(f"/paiement/retour/{payment.public_id}/").content.decode()
    assert "sera dans « Mes documents » dans quelques instants" in page
