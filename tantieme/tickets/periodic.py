"""Periodic job: the daily digest of co-owners' requests for the staff who chose it."""

from __future__ import annotations

from tantieme.core.periodic import register
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tantieme.tickets.staff_alerts import send_digests


@register("tickets.staff_digest", "Envoie aux collaborateurs qui l'ont choisi le récapitulatif quotidien des demandes.")
def staff_digest_job() -> str:
    sent = 0
    for firm in Firm.objects.filter(is_active=True).order_by("pk"):
        with firm_scope(firm):
            sent += send_digests(firm)
    return f"{sent} récapitulatif(s) envoyé(s)"
