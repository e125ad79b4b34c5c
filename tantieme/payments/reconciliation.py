"""PAY-04: notifications can be lost, so our payments are compared with what the provider says of them.

- A payment still « created » or « en cours » a quarter of an hour after it started is asked about
  (at most once an hour, for three days): if the provider has a final answer (paid, refused,
  cancelled), it is applied through the same state machine as a notification — confirmation e-mail,
  receipt and next-day posting included, exactly once.
- A refused payment is asked once, a quarter of an hour after the refusal: the payer may have
  succeeded with another card on the same payment page (refused → paid).
- A payment paid for us is checked once, the day after: if the provider does not say paid, the
  mismatch is logged as an error and kept as an event of the payment for the accountant.

Every question leaves an event (kind « rapprochement »). Stripe is not asked (see its adapter): it
retries a webhook for three days.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tantieme.audit.services import record
from tantieme.payments.enums import EventCode, EventKind, PaymentState, ProviderKind
from tantieme.payments.exceptions import ProviderCallError
from tantieme.payments.http import http_client
from tantieme.payments.models import Payment, PaymentEvent
from tantieme.payments.providers import get_provider
from tantieme.payments.providers.base import ParsedNotification
from tantieme.payments.services import apply_verified, inconsistency, log_payment_event, provider_settings

logger = logging.getLogger("tantieme.payments")

OPEN_STATES = (PaymentState.CREATED, PaymentState.PENDING)
FINAL_ANSWERS = (PaymentState.PAID, PaymentState.REFUSED, PaymentState.CANCELLED)
QUIET_PERIOD = datetime.timedelta(minutes=15)  # a payment page may still be open
ASK_AGAIN_AFTER = datetime.timedelta(hours=1)
LOOK_BACK = datetime.timedelta(days=3)


@dataclass
class ReconciliationReport:
    asked: int = 0
    recovered: list[str] = field(default_factory=list)  # order ids whose lost notification was made up for
    confirmed: int = 0
    mismatches: list[str] = field(default_factory=list)  # paid for us, not at the provider
    failed: list[str] = field(default_factory=list)  # the provider could not be asked

    def summary(self) -> str:
        return (
            f"{self.asked} asked, {len(self.recovered)} recovered, {self.confirmed} confirmed, "
            f"{len(self.mismatches)} mismatches, {len(self.failed)} failed"
        )


def _asked_since(moment: datetime.datetime, *codes: str) -> Exists:
    events = PaymentEvent.all_firms.filter(
        payment=OuterRef("pk"), kind=EventKind.RECONCILIATION, created_at__gte=moment
    )
    return Exists(events.filter(code__in=codes) if codes else events)


def payments_to_check(now: datetime.datetime) -> list[Payment]:
    """Open payments old enough and not asked about in the last hour; paid ones never checked."""
    open_ones = Payment.objects.filter(
        state__in=OPEN_STATES, created_at__gte=now - LOOK_BACK, created_at__lte=now - QUIET_PERIOD
    ).exclude(_asked_since(now - ASK_AGAIN_AFTER))
    paid_ones = Payment.objects.filter(
        state=PaymentState.PAID, paid_at__gte=now - LOOK_BACK, paid_at__lte=now - QUIET_PERIOD
    ).exclude(_asked_since(now - 2 * LOOK_BACK, EventCode.CONFIRMED_BY_PROVIDER, EventCode.NOT_PAID_AT_PROVIDER))
    # A refused payment is asked once, after the page's quiet period: another attempt of the same
    # form may have been accepted while its notification was lost.
    refused_ones = Payment.objects.filter(
        state=PaymentState.REFUSED, updated_at__gte=now - LOOK_BACK, updated_at__lte=now - QUIET_PERIOD
    ).exclude(_asked_since(now - 2 * LOOK_BACK))
    candidates = (open_ones | paid_ones | refused_ones).exclude(provider=ProviderKind.STRIPE)
    return list(candidates.select_related("config", "firm").order_by("pk"))


def reconcile_payments(*, now: datetime.datetime | None = None) -> ReconciliationReport:
    """Ask the provider about the firm's payments that need it (inside the firm's scope)."""
    now = now or timezone.now()
    report = ReconciliationReport()
    for payment in payments_to_check(now):
        provider = get_provider(payment.provider)
        try:
            answer = provider.order_status(
                provider_settings(payment.config, payment.firm),
                order_id=payment.order_id,
                session_id=payment.provider_session_id,
                http=http_client(),
            )
        except ProviderCallError as error:
            logger.warning("payment.reconciliation_failed order=%s error=%s", payment.order_id, error)
            report.failed.append(payment.order_id)
            continue
        report.asked += 1
        _settle(payment, answer, now, report)
    return report


def _settle(
    payment: Payment, answer: ParsedNotification | None, now: datetime.datetime, report: ReconciliationReport
) -> None:
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).select_related("firm", "config").get(pk=payment.pk)

        def note(code: str, detail: str = "") -> None:
            log_payment_event(
                locked,
                EventKind.RECONCILIATION,
                code,
                parsed=answer,
                detail=detail,
            )

        paid_at_provider = answer is not None and answer.outcome == PaymentState.PAID
        mismatch = inconsistency(locked, answer) if answer is not None else None
        if locked.state == PaymentState.PAID:
            if paid_at_provider and mismatch is None:
                note(EventCode.CONFIRMED_BY_PROVIDER)
                report.confirmed += 1
                return
            detail = mismatch[1] if mismatch else (answer.provider_status if answer else "aucune transaction")
            note(EventCode.NOT_PAID_AT_PROVIDER, detail)
            record(
                action="payments.reconciliation.mismatch",
                firm=locked.firm,
                target=locked,
                data={"order_id": locked.order_id, "provider_says": detail},
            )
            logger.error("payment.reconciliation_mismatch order=%s provider=%s", locked.order_id, detail)
            report.mismatches.append(locked.order_id)
            return
        if answer is None:
            note(EventCode.UNKNOWN_AT_PROVIDER)
            return
        if mismatch is not None:
            note(mismatch[0], mismatch[1])
            logger.error("payment.reconciliation_inconsistent order=%s code=%s", locked.order_id, mismatch[0])
            return
        if answer.outcome not in FINAL_ANSWERS or answer.outcome == locked.state:
            note(EventCode.DUPLICATE if answer.outcome == locked.state else EventCode.UNHANDLED, answer.provider_status)
            return
        result = apply_verified(locked, answer, remote_addr=None, now=now, kind=EventKind.RECONCILIATION)
        if result.code == EventCode.APPLIED:
            logger.warning("payment.notification_recovered order=%s state=%s", locked.order_id, locked.state)
            report.recovered.append(locked.order_id)
