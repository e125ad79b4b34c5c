"""Thin task: deliver one IPN (immediately with the immediate backend, by the worker otherwise)."""

from __future__ import annotations

from django_tasks import task

from tantieme.sandbox_bank.bank import deliver
from tantieme.sandbox_bank.models import SandboxNotification


@task()
def deliver_notification_task(notification_id: int) -> str:
    notification = SandboxNotification.objects.get(pk=notification_id)
    return str(deliver(notification).status)
