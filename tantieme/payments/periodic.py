"""Periodic job: the next-day posting of card payments (what `post_card_payments` does)."""

from __future__ import annotations

from django.utils import timezone

from tantieme.core.periodic import register
from tantieme.payments.posting import post_all_firms


@register("payments.post_card_payments", "Comptabilise les paiements par carte acceptés les jours précédents.")
def post_card_payments_job() -> str:
    report = post_all_firms(on=timezone.localdate())
    return f"{len(report.posted)} posted, {len(report.reversed)} reversed, {len(report.failed)} failed"
