"""The co-owner's own changes to their contact details (portal "Mes informations").

Name and postal address are not changed here: the syndic receives those as a request (tickets).
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tantieme.audit.services import record
from tantieme.condominiums.models import CoOwner
from tantieme.users.models import User


@transaction.atomic
def update_co_owner_contact_details(
    *,
    co_owner: CoOwner,
    phone: str,
    e_notification_consent: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> CoOwner:
    """Phone number and consent to electronic notification (calls for funds, meeting notices).

    The consent date is the day it was given; withdrawing it clears the date (the audit trail keeps both).
    """
    locked = CoOwner.objects.select_for_update().get(pk=co_owner.pk)
    phone = " ".join(phone.split())
    changed: list[str] = []
    if locked.phone != phone:
        locked.phone = phone
        changed.append("phone")
    if locked.e_notification_consent != e_notification_consent:
        locked.e_notification_consent = e_notification_consent
        locked.e_notification_consent_at = timezone.now() if e_notification_consent else None
        changed += ["e_notification_consent", "e_notification_consent_at"]
    if changed:
        locked.save(update_fields=changed)
        record(
            action="condominiums.co_owner.contact_details_updated",
            request=request,
            firm=locked.firm,
            actor=actor,
            target=locked,
            data={"fields": changed, "e_notification_consent": locked.e_notification_consent},
        )
    co_owner.phone = locked.phone
    co_owner.e_notification_consent = locked.e_notification_consent
    co_owner.e_notification_consent_at = locked.e_notification_consent_at
    return co_owner
