"""Next-day posting (journal CB, 5128 / 450, lettered, idempotent) and refunds through the sandbox bank."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tantieme.ledger.models import Entry, Line, Match
from tantieme.ledger.queries import balance
from tantieme.payments.enums import PaymentState
from tantieme.payments.exceptions import PaymentError
from tantieme.payments.models import Payment, PaymentEvent
from tantieme.payments.queries import pending_card_payments
from tantieme.payments.services import request_refund
from tantieme.sandbox_bank.models import SandboxTransaction
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.payments.helpers import BALANCE, DjangoClientHttp, books_with_balance, ipn_fields, new_payment, post_ipn

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(world: World) -> World:
    books_with_balance(world.horizon, world.condo, world.alice)
    return world


def _post(on: datetime.date) -> str:
    out = StringIO()
    call_command("post_card_payments", "--date", on.isoformat(), stdout=out)
    return out.getvalue()


def test_next_day_posting_debits_5128_credits_450_lettered_and_runs_once(card: World) -> None:
    payment, form = new_payment(card.horizon, card.alice, Decimal("250.00"))
    post_ipn(card.horizon, ipn_fields(form))
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)

    assert "0 paiement(s) comptabilisé(s)" in _post(today)  # same day: not yet
    output = _post(tomorrow)
    assert "1 paiement(s) comptabilisé(s)" in output
    assert "0 paiement(s) comptabilisé(s)" in _post(tomorrow)  # twice: nothing twice

    paid = Payment.all_firms.select_related("posted_entry").get(pk=payment.pk)
    entry = paid.posted_entry
    assert entry is not None
    with firm_scope(card.horizon):
        assert entry.journal.code == "CB"
        assert entry.date == today
        assert entry.validation_date == tomorrow
        assert entry.voucher == payment.order_id
        lines = list(Line.objects.filter(entry=entry).select_related("account").order_by("position"))
        assert [(line.account.number, line.debit, line.credit) for line in lines] == [
            ("5128", Decimal("250.00"), Decimal("0.00")),
            ("4501", Decimal("0.00"), Decimal("250.00")),
        ]
        assert lines[1].co_owner == card.alice
        assert Match.objects.filter(credit_line=lines[1]).exists()  # lettered against the call
        assert balance(card.alice) == BALANCE - Decimal("250.00")
        assert list(pending_card_payments(card.alice)) == []
        assert Entry.objects.filter(journal__code="CB").count() == 1
    assert PaymentEvent.all_firms.filter(payment=payment, code="posted").count() == 1


def test_refused_cancelled_and_unpaid_payments_are_never_posted(card: World) -> None:
    _refused, form = new_payment(card.horizon, card.alice, Decimal("12.00"))
    post_ipn(card.horizon, ipn_fields(form, status="REFUSED", uuid="1" * 32))
    new_payment(card.horizon, card.alice, Decimal("13.00"))
    assert "0 paiement(s)" in _post(timezone.localdate() + datetime.timedelta(days=2))
    with firm_scope(card.horizon):
        assert balance(card.alice) == BALANCE


def _paid_through_the_sandbox(card: World) -> Payment:
    """Pay on the sandbox bank's pages (test client), which notifies through the same process."""
    payment, form = new_payment(card.horizon, card.alice, Decimal("250.00"))
    client = Client(HTTP_HOST="horizon.localhost")
    response = client.post("/banque-test/vads-payment/", form)
    assert response.status_code == 302
    page = response["Location"]
    client.post(page, {"brand": "VISA"})
    # The IPN goes through urllib to a server that is not running here: deliver it in-process instead.
    from tantieme.sandbox_bank import bank

    delivered: list[dict[str, str]] = []

    def deliver(notification):  # type: ignore[no-untyped-def]
        fields = bank.signed({**notification.fields, "vads_url_check_src": "PAY"}, "TEST")
        delivered.append(fields)
        post_ipn(card.horizon, fields)
        notification.status = notification.DELIVERED
        notification.save()
        return notification

    original = bank.deliver
    bank.deliver = deliver
    try:
        from tantieme.sandbox_bank import tasks

        tasks.deliver = deliver  # type: ignore[attr-defined]
        response = client.post(
            f"{page}carte/", {"numero": "4970110000000013", "mois": "12", "annee": "2030", "cryptogramme": "123"}
        )
    finally:
        bank.deliver = original
        tasks.deliver = original  # type: ignore[attr-defined]
    assert response.status_code == 302
    assert response["Location"].endswith("/resultat/")
    assert delivered
    assert delivered[0]["vads_trans_status"] == "AUTHORISED"
    return Payment.all_firms.get(pk=payment.pk)


def test_refund_of_a_posted_payment_through_the_sandbox_bank_posts_a_reversal(
    card: World, http: DjangoClientHttp
) -> None:
    payment = _paid_through_the_sandbox(card)
    assert payment.state == PaymentState.PAID
    _post(timezone.localdate() + datetime.timedelta(days=1))
    with firm_scope(card.horizon):
        refunded = request_refund(payment=Payment.objects.get(pk=payment.pk))
        assert refunded.state == PaymentState.REFUNDED
        assert refunded.reversal_entry is not None
        assert refunded.reversal_entry.reverses_id == refunded.posted_entry_id
        assert balance(card.alice) == BALANCE
        with pytest.raises(PaymentError):
            request_refund(payment=refunded)
    assert http.calls == ["/banque-test/api-payment/V4/Transaction/CancelOrRefund"]
    assert SandboxTransaction.objects.get(trans_uuid=refunded.provider_transaction_id).status == "refunded"
    codes = list(PaymentEvent.all_firms.filter(payment=payment, kind="refund").values_list("code", flat=True))
    assert codes == ["refund_requested", "refund_done", "reversal_posted"]


def test_refund_retry_reuses_its_key_and_refunds_once(card: World, http: DjangoClientHttp) -> None:
    payment = _paid_through_the_sandbox(card)
    with firm_scope(card.horizon):
        first = request_refund(payment=Payment.objects.get(pk=payment.pk))
    key = first.refund_key
    assert key
    # The bank answers the same refund again (idempotent on the transaction): still one refund.
    from tantieme.sandbox_bank import bank

    again = bank.refund(
        shop="12345678",
        password="testpassword_SANDBOX",
        payload={"uuid": first.provider_transaction_id, "amount": 25000},
    )
    assert again["uuid"] == first.refund_reference
    assert Payment.all_firms.get(pk=payment.pk).state == PaymentState.REFUNDED
