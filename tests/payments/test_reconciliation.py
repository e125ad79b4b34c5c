"""PAY-04: a lost notification is made up for by asking the bank, once; a payment the bank does not know is flagged."""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tantieme.audit.models import AuditEvent
from tantieme.payments.enums import EventKind, PaymentState
from tantieme.payments.exceptions import ProviderCallError
from tantieme.payments.models import Payment, PaymentEvent
from tantieme.payments.providers.base import HttpResponse, ProviderSettings
from tantieme.payments.providers.lyra import LyraProvider
from tantieme.payments.reconciliation import reconcile_payments
from tantieme.sandbox_bank import bank, tasks
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.payments.helpers import DjangoClientHttp, books_with_balance, ipn_fields, new_payment, post_ipn

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(world: World) -> World:
    books_with_balance(world.horizon, world.condo, world.alice)
    return world


@pytest.fixture
def lost_notifications() -> Iterator[list[Any]]:
    """The bank's notifications never arrive (our server was down, the retries ran out)."""
    lost: list[Any] = []

    def lose(notification):  # type: ignore[no-untyped-def]
        lost.append(notification)
        notification.status = notification.FAILED
        notification.save()
        return notification

    original = bank.deliver
    bank.deliver = lose
    tasks.deliver = lose  # type: ignore[attr-defined]
    yield lost
    bank.deliver = original
    tasks.deliver = original  # type: ignore[attr-defined]


def pay_at_the_bank(card: World) -> Payment:
    return pay_at_the_bank_with_form(card)[0]


def pay_at_the_bank_with_form(card: World) -> tuple[Payment, dict[str, str]]:
    payment, form = new_payment(card.horizon, card.alice, Decimal("250.00"))
    client = Client(HTTP_HOST="horizon.localhost")
    page = client.post("/banque-test/vads-payment/", form)["Location"]
    client.post(page, {"brand": "VISA"})
    response = client.post(
        f"{page}carte/", {"numero": "4970110000000013", "mois": "12", "annee": "2030", "cryptogramme": "123"}
    )
    assert response["Location"].endswith("/resultat/")
    return Payment.all_firms.get(pk=payment.pk), form


def reconcile(card: World, at: datetime.datetime) -> Any:
    with firm_scope(card.horizon):
        return reconcile_payments(now=at)


def test_a_lost_notification_is_recovered_once_then_confirmed(
    card: World, http: DjangoClientHttp, lost_notifications: list[Any]
) -> None:
    payment = pay_at_the_bank(card)
    assert lost_notifications
    assert payment.state in (PaymentState.CREATED, PaymentState.PENDING)
    assert reconcile(card, payment.created_at + datetime.timedelta(minutes=5)).asked == 0  # page may be open

    report = reconcile(card, payment.created_at + datetime.timedelta(minutes=20))

    assert report.recovered == [payment.order_id]
    paid = Payment.all_firms.get(pk=payment.pk)
    assert paid.state == PaymentState.PAID
    assert paid.provider_transaction_id
    assert paid.card_last4 == "0013"
    assert paid.confirmation_queued_at is not None  # e-mail and receipt follow, as after a notification
    assert http.calls == ["/banque-test/api-payment/V4/Order/Get"]
    # The next runs: checked once as paid, then left alone.
    later = reconcile(card, payment.created_at + datetime.timedelta(hours=3))
    assert (later.recovered, later.confirmed, later.mismatches) == ([], 1, [])
    assert reconcile(card, payment.created_at + datetime.timedelta(hours=5)).asked == 0
    events = PaymentEvent.all_firms.filter(payment=payment, kind=EventKind.RECONCILIATION)
    assert list(events.order_by("pk").values_list("code", flat=True)) == ["applied", "confirmed_by_provider"]
    assert PaymentEvent.all_firms.filter(payment=payment, code="applied").count() == 1
    assert Payment.all_firms.get(pk=payment.pk).confirmation_queued_at == paid.confirmation_queued_at


def test_a_refusal_followed_by_a_lost_acceptance_is_recovered(
    card: World, http: DjangoClientHttp, lost_notifications: list[Any]
) -> None:
    """The first card was refused (notified), the second accepted on the same page (notification
    lost): the refused payment is asked about once, and found paid."""
    payment, form = pay_at_the_bank_with_form(card)
    assert post_ipn(card.horizon, ipn_fields(form, status="REFUSED", uuid="d" * 32)).status_code == 200
    refused = Payment.all_firms.get(pk=payment.pk)
    assert refused.state == PaymentState.REFUSED

    report = reconcile(card, refused.updated_at + datetime.timedelta(minutes=20))

    assert report.recovered == [payment.order_id]
    paid = Payment.all_firms.get(pk=payment.pk)
    assert paid.state == PaymentState.PAID
    assert paid.provider_transaction_id not in ("", "d" * 32)
    assert paid.confirmation_queued_at is not None


def test_a_refusal_confirmed_by_the_bank_is_asked_once(card: World, http: DjangoClientHttp) -> None:
    payment, form = new_payment(card.horizon, card.alice, Decimal("80.00"))
    assert post_ipn(card.horizon, ipn_fields(form, status="REFUSED", uuid="d" * 32)).status_code == 200
    refused_at = Payment.all_firms.get(pk=payment.pk).updated_at
    assert reconcile(card, refused_at + datetime.timedelta(minutes=5)).asked == 0  # the page may still be open
    assert reconcile(card, refused_at + datetime.timedelta(minutes=20)).asked == 1
    assert reconcile(card, refused_at + datetime.timedelta(hours=2)).asked == 0
    assert Payment.all_firms.get(pk=payment.pk).state == PaymentState.REFUSED


def test_a_payment_paid_for_us_but_unknown_at_the_bank_is_flagged(card: World, http: DjangoClientHttp) -> None:
    payment, _form = new_payment(card.horizon, card.alice, Decimal("80.00"))  # never submitted to the bank
    now = timezone.now()
    Payment.all_firms.filter(pk=payment.pk).update(state=PaymentState.PAID, paid_at=now)

    report = reconcile(card, now + datetime.timedelta(hours=1))

    assert report.mismatches == [payment.order_id]
    assert Payment.all_firms.get(pk=payment.pk).state == PaymentState.PAID  # flagged, never changed silently
    assert PaymentEvent.all_firms.get(payment=payment, kind=EventKind.RECONCILIATION).code == "not_paid_at_provider"
    assert AuditEvent.all_firms.filter(action="payments.reconciliation.mismatch").count() == 1
    assert reconcile(card, now + datetime.timedelta(hours=2)).asked == 0  # checked once


def test_an_abandoned_form_is_asked_about_at_most_hourly(card: World, http: DjangoClientHttp) -> None:
    payment, _form = new_payment(card.horizon, card.alice, Decimal("80.00"))
    start = payment.created_at
    assert reconcile(card, start + datetime.timedelta(minutes=20)).asked == 1
    assert reconcile(card, start + datetime.timedelta(minutes=40)).asked == 0
    assert reconcile(card, start + datetime.timedelta(minutes=90)).asked == 1
    assert reconcile(card, start + datetime.timedelta(days=4)).asked == 0  # three days back, no more
    assert Payment.all_firms.get(pk=payment.pk).state == PaymentState.CREATED
    codes = set(
        PaymentEvent.all_firms.filter(payment=payment, kind=EventKind.RECONCILIATION).values_list("code", flat=True)
    )
    assert codes == {"unknown_at_provider"}


def test_the_periodic_job_recovers_across_firms(
    card: World, http: DjangoClientHttp, lost_notifications: list[Any], time_machine: Any
) -> None:
    payment = pay_at_the_bank(card)
    time_machine.move_to(payment.created_at + datetime.timedelta(minutes=30))
    out = StringIO()
    call_command("runperiodic", "--only", "payments.reconcile", stdout=out)
    assert "1 recovered" in out.getvalue()
    assert Payment.all_firms.get(pk=payment.pk).state == PaymentState.PAID


class FakeLyraApi:
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status, self.body = status, body
        self.requests: list[tuple[str, dict[str, Any], Mapping[str, str]]] = []

    def post(self, url: str, *, data: bytes, headers: Mapping[str, str], timeout: float) -> HttpResponse:
        self.requests.append((url, json.loads(data), headers))
        return HttpResponse(status=self.status, body=json.dumps(self.body).encode())


SETTINGS = ProviderSettings(
    provider="lyra",
    mode="production",
    shop_id="12345678",
    endpoint="",
    credentials={"rest_password_production": "prodpassword_x"},
    site_url="https://horizon.example",
)


def test_lyra_order_get_is_read_as_the_api_answers_it() -> None:
    api = FakeLyraApi(
        200,
        {
            "status": "SUCCESS",
            "answer": {
                "orderId": "A6060001-XYZ",
                "transactions": [
                    {"uuid": "old", "amount": 25000, "currency": "EUR", "detailedStatus": "REFUSED"},
                    {
                        "uuid": "abc123",
                        "amount": 25000,
                        "currency": "EUR",
                        "detailedStatus": "AUTHORISED",
                        "transactionDetails": {"cardDetails": {"effectiveBrand": "CB", "pan": "497010XXXXXX0044"}},
                    },
                ],
            },
        },
    )
    answer = LyraProvider().order_status(SETTINGS, order_id="A6060001-XYZ", session_id="", http=api)
    assert answer is not None
    assert (answer.outcome, answer.transaction_id, answer.amount_cents, answer.currency) == (
        "paid",
        "abc123",
        25000,
        "EUR",
    )
    assert (answer.card_brand, answer.card_last4, answer.mode) == ("CB", "0044", "production")
    url, body, headers = api.requests[0]
    assert url == "https://api.systempay.fr/api-payment/V4/Order/Get"
    assert body == {"orderId": "A6060001-XYZ"}
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"12345678:prodpassword_x").decode()


def test_lyra_order_get_unknown_order_and_errors() -> None:
    unknown = FakeLyraApi(200, {"status": "ERROR", "answer": {"errorCode": "PSP_010", "errorMessage": "x"}})
    assert LyraProvider().order_status(SETTINGS, order_id="nope", session_id="", http=unknown) is None
    refused = FakeLyraApi(401, {"status": "ERROR", "answer": {"errorCode": "INT_905", "errorMessage": "auth"}})
    with pytest.raises(ProviderCallError, match="Consultation de la commande refusé"):
        LyraProvider().order_status(SETTINGS, order_id="x", session_id="", http=refused)
