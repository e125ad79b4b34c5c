"""Thin tasks: the work lives in receipts/services."""

from __future__ import annotations

import logging
from typing import Any

from django.db import router
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from tantieme.notifications.services import deliver_message
from tantieme.payments.receipts import publish_payment_receipt
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope

logger = logging.getLogger("tantieme.payments")


def enqueues_in_transaction(task: Task[Any, Any]) -> bool:
    """True when `task` is queued as a row of the payments' database (django-tasks-db).

    Such a row can be written inside the transaction that makes the task due: workers only see
    it after commit. Any other backend (immediate: runs at once) must be enqueued on commit.
    """
    from tantieme.payments.models import Payment

    same_database = router.db_for_write(DBTaskResult) == router.db_for_write(Payment)
    return isinstance(task.get_backend(), DatabaseBackend) and same_database


def _publish_receipt(firm_id: int, payment_id: int) -> bool:
    with firm_scope(Firm.objects.get(pk=firm_id)):
        return publish_payment_receipt(payment_id=payment_id)


@task()
def confirm_payment_task(firm_id: int, payment_id: int, message_id: int | None = None) -> bool:
    """After a payment is paid (queued on commit, once): its confirmation e-mail, then its receipt.

    One task row for both. The e-mail is the outbox row `message_id`, written in the payment's
    transaction; if sending it fails here, `notifications.retry_outbox` sends it later.
    """
    if message_id is not None:
        try:
            deliver_message(message_id=message_id)
        except Exception:  # the receipt must not depend on the e-mail
            logger.exception("payment.confirmation_mail_failed payment=%s message=%s", payment_id, message_id)
    return _publish_receipt(firm_id, payment_id)


@task()
def publish_receipt_task(firm_id: int, payment_id: int) -> bool:
    """The receipt alone (kept for task rows queued before confirm_payment_task existed)."""
    return _publish_receipt(firm_id, payment_id)
