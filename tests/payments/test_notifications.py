"""The notification service: what is applied, ignored or refused, always logged, never posted here."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tantieme.ledger.models import Entry
from tantieme.notifications.models import OutboundMessage
from tantieme.payments.enums import PaymentState
from tantieme.payments.models import Payment, PaymentEvent
from tantieme.payments.queries import pending_card_payments
from tantieme.tenancy.scoping import all_firms_scope, firm_scope
from tests.conftest import World, client_for
from tests.payments.helpers import books_with_balance, ipn_fields, new_payment, post_ipn

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(world: World) -> World:
    books_with_balance(world.horizon, world.condo, world.alice)
    return world


def _state(payment: Payment) -> str:
    return Payment.all_firms.get(pk=payment.pk).state


def _codes(payment: Payment | None = None) -> list[str]:
    events = PaymentEvent.all_firms.filter(kind="notification")
    if payment is not None:
        events = events.filter(payment=payment)
    return list(events.order_by("pk").values_list("code", flat=True))


def _card_entries() -> int:
    with all_firms_scope():
        return Entry.objects.filter(journal__code="CB").count()


def _mails(payment: Payment) -> int:
    return OutboundMessage.all_firms.filter(template="card_payment_confirmation", recipient=payment.payer_email).count()


def test_accepted_notification_marks_paid_once_mails_once_and_posts_nothing_yet(card: World) -> None:
    payment, form = new_payment(card.horizon, card.alice)
    assert payment.state == PaymentState.CREATED
    assert form["vads_url_check"] == "http://horizon.localhost:8000/paiements/notification/lyra/"
    assert form["vads_amount"] == "25000"
    assert form["vads_currency"] == "978"
    assert len(form["vads_trans_id"]) == 6

    response = post_ipn(card.horizon, ipn_fields(form))
    assert response.status_code == 200
    paid = Payment.all_firms.get(pk=payment.pk)
    assert paid.state == PaymentState.PAID
    assert paid.provider_transaction_id == "a" * 32
    assert (paid.card_brand, paid.card_last4) == ("VISA", "0021")
    assert _codes(payment) == ["applied"]
    assert _mails(payment) == 1
    assert _card_entries() == 0
    with firm_scope(card.horizon):
        assert list(pending_card_payments(card.alice)) == [paid]

    # Replayed (Lyra retry), then CAPTURED after AUTHORISED: ignored, 200, nothing more.
    assert post_ipn(card.horizon, ipn_fields(form, vads_url_check_src="RETRY")).status_code == 200
    assert post_ipn(card.horizon, ipn_fields(form, status="CAPTURED")).status_code == 200
    assert _codes(payment) == ["applied", "duplicate", "duplicate"]
    assert _mails(payment) == 1
    assert _card_entries() == 0


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"vads_amount": "25001"}, "amount_mismatch"),
        ({"vads_amount": "24999"}, "amount_mismatch"),
        ({"vads_currency": "840"}, "currency_mismatch"),
        ({"vads_site_id": "87654321"}, "shop_mismatch"),
    ],
)
def test_signed_but_inconsistent_notifications_are_refused(card: World, change: dict[str, str], code: str) -> None:
    payment, form = new_payment(card.horizon, card.alice)
    response = post_ipn(card.horizon, ipn_fields(form, **change))
    assert response.status_code == 400
    assert _state(payment) == PaymentState.CREATED
    assert _codes(payment) == [code]
    assert PaymentEvent.all_firms.get(payment=payment, code=code).accepted is False
    assert _mails(payment) == 0
    assert _card_entries() == 0


def test_tampered_field_is_refused(card: World) -> None:
    payment, form = new_payment(card.horizon, card.alice)
    fields = ipn_fields(form)
    fields["vads_amount"] = "100"  # changed after signing
    assert post_ipn(card.horizon, fields).status_code == 400
    fields = ipn_fields(form, status="REFUSED")
    fields["vads_trans_status"] = "AUTHORISED"
    assert post_ipn(card.horizon, fields).status_code == 400
    assert _codes(payment) == ["signature_invalid", "signature_invalid"]
    assert _state(payment) == PaymentState.CREATED
    assert _card_entries() == 0


def test_unknown_order_is_refused_and_logged_without_payment(card: World) -> None:
    payment, form = new_payment(card.horizon, card.alice)
    response = post_ipn(card.horizon, ipn_fields(form, vads_order_id="A6060001-DEADBEEF"))
    assert response.status_code == 400
    event = PaymentEvent.all_firms.get(code="unknown_order")
    assert event.payment is None
    assert event.firm == card.horizon
    assert _state(payment) == PaymentState.CREATED
    # Unsigned garbage for an unknown order: a bad signature, logged too.
    assert post_ipn(card.horizon, {"vads_order_id": "nope", "vads_site_id": "12345678"}).status_code == 400
    assert _codes()[-1] in {"malformed", "signature_invalid"}
    assert _card_entries() == 0


def test_another_firms_host_does_not_know_the_order(card: World) -> None:
    payment, form = new_payment(card.horizon, card.alice)
    assert post_ipn(card.rivage, ipn_fields(form)).status_code == 400
    assert _state(payment) == PaymentState.CREATED


def test_test_mode_is_refused_in_production(card: World, settings) -> None:  # type: ignore[no-untyped-def]
    payment, form = new_payment(card.horizon, card.alice)
    settings.IS_PRODUCTION = True
    response = post_ipn(card.horizon, ipn_fields(form))
    assert response.status_code == 400
    assert _codes(payment) == ["test_mode_in_production"]
    assert _state(payment) == PaymentState.CREATED
    assert _card_entries() == 0


def test_production_notification_for_a_test_payment_is_refused(card: World) -> None:
    payment, form = new_payment(card.horizon, card.alice)
    from tantieme.payments.providers.lyra import lyra_signature

    fields = ipn_fields(form, vads_ctx_mode="PRODUCTION")
    fields["signature"] = lyra_signature({k: v for k, v in fields.items() if k != "signature"}, "7766554433221100")
    assert post_ipn(card.horizon, fields).status_code == 400
    assert _codes(payment) == ["mode_mismatch"]


def test_out_of_order_notifications_are_ignored(card: World) -> None:
    payment, form = new_payment(card.horizon, card.alice)
    assert post_ipn(card.horizon, ipn_fields(form)).status_code == 200
    # A late REFUSED or ABANDONED after the payment was accepted changes nothing.
    assert post_ipn(card.horizon, ipn_fields(form, status="REFUSED")).status_code == 200
    assert post_ipn(card.horizon, ipn_fields(form, status="ABANDONED")).status_code == 200
    assert _codes(payment) == ["applied", "stale", "stale"]
    assert _state(payment) == PaymentState.PAID
    # Refused, then cancelled: a refusal stays a refusal.
    other, other_form = new_payment(card.horizon, card.alice, Decimal("10.00"))
    assert post_ipn(card.horizon, ipn_fields(other_form, status="REFUSED", uuid="b" * 32)).status_code == 200
    assert post_ipn(card.horizon, ipn_fields(other_form, status="ABANDONED", uuid="b" * 32)).status_code == 200
    assert _codes(other) == ["applied", "stale"]
    assert _state(other) == PaymentState.REFUSED
    assert _mails(payment) == 1
    assert _card_entries() == 0


def test_a_refused_attempt_then_an_accepted_one_is_paid(card: World) -> None:
    """Lyra's page lets the payer try another card after a refusal (same form, same order, a new
    transaction uuid); the refused attempt's notification comes first. The money was taken: paid."""
    payment, form = new_payment(card.horizon, card.alice, Decimal("10.00"))
    assert post_ipn(card.horizon, ipn_fields(form, status="REFUSED", uuid="b" * 32)).status_code == 200
    assert _state(payment) == PaymentState.REFUSED
    assert post_ipn(card.horizon, ipn_fields(form, uuid="e" * 32)).status_code == 200
    assert _codes(payment) == ["applied", "applied"]
    paid = Payment.all_firms.get(pk=payment.pk)
    assert paid.state == PaymentState.PAID
    assert paid.provider_transaction_id == "e" * 32
    assert paid.confirmation_queued_at is not None
    # Replayed, the accepted notification changes nothing more.
    assert post_ipn(card.horizon, ipn_fields(form, uuid="e" * 32)).status_code == 200
    assert _codes(payment) == ["applied", "applied", "duplicate"]
    assert _mails(payment) == 1


def test_a_transaction_id_used_by_another_payment_is_refused(card: World) -> None:
    _first, first_form = new_payment(card.horizon, card.alice)
    second, second_form = new_payment(card.horizon, card.alice, Decimal("20.00"))
    assert post_ipn(card.horizon, ipn_fields(first_form, uuid="c" * 32)).status_code == 200
    assert post_ipn(card.horizon, ipn_fields(second_form, uuid="c" * 32)).status_code == 400
    assert _codes(second) == ["transaction_mismatch"]
    assert _state(second) == PaymentState.CREATED


def test_browser_return_changes_nothing(card: World) -> None:
    payment, form = new_payment(card.horizon, card.alice)
    client = client_for(card.horizon, card.alice_user)
    signed = ipn_fields(form)
    response = client.get(f"/paiement/retour/{payment.public_id}/", signed)
    assert response.status_code == 200
    assert "en attente de confirmation" in response.content.decode()
    assert response["Refresh"] == "3"
    assert _state(payment) == PaymentState.CREATED
    assert PaymentEvent.all_firms.filter(payment=payment, kind="notification").count() == 0
    # Another co-owner of the same building cannot see it.
    assert client_for(card.horizon, card.bob_user).get(f"/paiement/retour/{payment.public_id}/").status_code == 404


def test_notification_endpoint_is_csrf_exempt_and_post_only(card: World) -> None:
    from django.test import Client

    _payment, form = new_payment(card.horizon, card.alice)
    client = Client(HTTP_HOST="horizon.localhost", enforce_csrf_checks=True)
    assert client.get("/paiements/notification/lyra/").status_code == 405
    assert client.post("/paiements/notification/lyra/", ipn_fields(form)).status_code == 200


def test_credentials_are_encrypted_at_rest(card: World) -> None:
    from tantieme.payments.models import PaymentProviderConfig

    config = PaymentProviderConfig.all_firms.get(firm=card.horizon)
    assert "1122334455667788" not in config.credentials_encrypted
    assert config.credentials["test_key"] == "1122334455667788"


def test_no_card_number_or_key_in_logs_or_events(card: World, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    caplog.set_level(logging.DEBUG)
    _payment, form = new_payment(card.horizon, card.alice)
    post_ipn(card.horizon, ipn_fields(form, vads_card_number="4970110000000021"))
    tampered = ipn_fields(form)
    tampered["vads_amount"] = "1"
    post_ipn(card.horizon, tampered)
    for event in PaymentEvent.all_firms.all():
        text = str(event.payload)
        assert "4970110000000021" not in text
        assert "1122334455667788" not in text
    assert "4970110000000021" not in caplog.text
    assert "1122334455667788" not in caplog.text
