"""Periodic jobs: the next-day posting of card payments, the reconciliation with the provider (PAY-04)."""

from __future__ import annotations

from django.utils import timezone

from tantieme.core.periodic import register
from tantieme.payments.posting import post_all_firms
from tantieme.payments.reconciliation import ReconciliationReport, reconcile_payments
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope


@register("payments.post_card_payments", "Comptabilise les paiements par carte acceptés les jours précédents.")
def post_card_payments_job() -> str:
    report = post_all_firms(on=timezone.localdate())
    return f"{len(report.posted)} posted, {len(report.reversed)} reversed, {len(report.failed)} failed"


@register(
    "payments.reconcile",
    "Demande à la banque ce qu'il en est des paiements sans nouvelles (notifications perdues) et vérifie les payés.",
)
def reconcile_job() -> str:
    total = ReconciliationReport()
    for firm in Firm.objects.filter(is_active=True).order_by("pk"):
        with firm_scope(firm):
            report = reconcile_payments()
        total.asked += report.asked
        total.recovered += report.recovered
        total.confirmed += report.confirmed
        total.mismatches += report.mismatches
        total.failed += report.failed
    return total.summary()
