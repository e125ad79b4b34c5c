"""Periodic job: retry the test bank's notifications that failed (Lyra retries too)."""

from __future__ import annotations

from django.conf import settings

from tantieme.core.periodic import register
from tantieme.sandbox_bank.bank import retry_due


@register("sandbox_bank.retry_notifications", "Banque de test : renvoie les notifications (IPN) en échec.")
def retry_notifications_job() -> str:
    if not settings.SANDBOX_BANK_ENABLED:
        return "disabled"
    return f"{retry_due()} notification(s) retried"
