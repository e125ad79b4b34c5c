"""Periodic job: deliver what the outbox could not send yet."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tantieme.core.periodic import register
from tantieme.notifications.models import MessageStatus, OutboundMessage
from tantieme.notifications.services import deliver_message

MAX_ATTEMPTS = 5
# A queued message younger than this may still be on its way through the task queue.
GRACE = datetime.timedelta(minutes=5)


@register("notifications.retry_outbox", "Renvoie les courriels en échec ou restés en file (5 tentatives au plus).")
def retry_outbox() -> str:
    due = OutboundMessage.all_firms.filter(
        status__in=[MessageStatus.FAILED, MessageStatus.QUEUED],
        attempts__lt=MAX_ATTEMPTS,
        created_at__lt=timezone.now() - GRACE,
    ).values_list("pk", flat=True)
    results = [deliver_message(message_id=pk).status for pk in list(due[:500])]
    sent = sum(1 for status in results if status == MessageStatus.SENT)
    return f"{sent} envoyé(s), {len(results) - sent} toujours en échec"
