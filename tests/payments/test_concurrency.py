"""PAY-03 on PostgreSQL: the same notification delivered by two threads at once, 20 times."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tantieme.ledger.models import Entry
from tantieme.notifications.models import OutboundMessage
from tantieme.payments.enums import PaymentState
from tantieme.payments.models import Payment, PaymentEvent
from tantieme.tenancy.scoping import all_firms_scope
from tests.conftest import World
from tests.payments.helpers import books_with_balance, ipn_fields, new_payment, post_ipn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 20


def test_same_notification_twice_at_once_is_paid_posted_and_mailed_once(world: World) -> None:
    books_with_balance(world.horizon, world.condo, world.alice)
    payments = [new_payment(world.horizon, world.alice, Decimal("10.00") + index) for index in range(ROUNDS)]
    statuses: list[int] = []
    lock = threading.Lock()

    for index, (_payment, form) in enumerate(payments):
        fields = ipn_fields(form, uuid=f"{index:032x}")
        barrier = threading.Barrier(2)

        def deliver(fields: dict[str, str] = fields, barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait(timeout=10)
                status = post_ipn(world.horizon, fields).status_code
                with lock:
                    statuses.append(status)
            finally:
                connection.close()

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert statuses == [200] * (2 * ROUNDS)
    for payment, _form in payments:
        codes = sorted(
            PaymentEvent.all_firms.filter(payment=payment, kind="notification").values_list("code", flat=True)
        )
        assert codes == ["applied", "duplicate"], payment.order_id
        assert Payment.all_firms.get(pk=payment.pk).state == PaymentState.PAID
        assert (
            OutboundMessage.all_firms.filter(
                template="card_payment_confirmation", body_text__contains=payment.order_id
            ).count()
            == 1
        )

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    call_command("post_card_payments", "--date", tomorrow.isoformat(), verbosity=0)
    call_command("post_card_payments", "--date", tomorrow.isoformat(), verbosity=0)
    with all_firms_scope():
        assert Entry.objects.filter(journal__code="CB").count() == ROUNDS
    assert Payment.all_firms.filter(posted_entry__isnull=False).count() == ROUNDS
