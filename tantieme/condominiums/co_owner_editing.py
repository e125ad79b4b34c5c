"""The syndic's changes to a co-owner's identity and contact details (the back office's co-owner file).

    update_co_owner   civility, name, postal address, phone and the consent to electronic
                      notification; one transaction, an audit event holding each changed field's
                      value before and after (`condominiums.co_owner.changed`)

The e-mail address is not changed here: the extranet's logins change theirs through
`users.services.request_email_change` (a confirmation link), as the « Accès extranet » page does.
The consent date is the moment it is recorded; withdrawing it clears the date (the audit keeps both).
Call inside a firm scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tantieme.audit.services import record
from tantieme.condominiums.models import CoOwner

EDITABLE_FIELDS = (
    "person_kind",
    "civility",
    "last_name",
    "first_name",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "phone",
    "e_notification_consent",
)
AUDIT_CHANGED = "condominiums.co_owner.changed"


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


@transaction.atomic
def update_co_owner(
    *, co_owner: CoOwner, values: Mapping[str, Any], actor: Any = None, request: HttpRequest | None = None
) -> dict[str, list[Any]]:
    """Apply `values` (a subset of `EDITABLE_FIELDS`); returns {field: [before, after]} of what changed.

    Raises `ValidationError` (nothing written) when the model's rules refuse a value."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    locked = CoOwner.objects.select_for_update().get(pk=co_owner.pk)
    before = {name: _plain(getattr(locked, name)) for name in EDITABLE_FIELDS}
    for name, value in values.items():
        setattr(locked, name, " ".join(value.split()) if isinstance(value, str) else value)
    locked.country = locked.country.upper()
    if locked.e_notification_consent != before["e_notification_consent"]:
        locked.e_notification_consent_at = timezone.now() if locked.e_notification_consent else None
    locked.full_clean(exclude=["users"])
    after = {name: _plain(getattr(locked, name)) for name in EDITABLE_FIELDS}
    changes = {name: [before[name], after[name]] for name in EDITABLE_FIELDS if before[name] != after[name]}
    if not changes:
        return {}
    if "e_notification_consent" in changes:
        changes["e_notification_consent_at"] = [
            _plain(co_owner.e_notification_consent_at),
            _plain(locked.e_notification_consent_at),
        ]
    fields = [name for name in changes if name in EDITABLE_FIELDS or name == "e_notification_consent_at"]
    locked.save(update_fields=fields)
    record(
        action=AUDIT_CHANGED,
        request=request,
        firm=locked.firm,
        actor=actor,
        target=locked,
        data={"condominium_id": locked.condominium_id, "reference": locked.reference, "changes": changes},
    )
    for name in fields:
        setattr(co_owner, name, getattr(locked, name))
    return changes
