"""Write audit events. Never pass a password, token or card number in `data`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest

from tantieme.audit.models import AuditEvent

if TYPE_CHECKING:
    from tantieme.tenancy.models import Firm


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it,
    # and the deployment documents that the proxy sets REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    request: HttpRequest | None = None,
    firm: Firm | None = None,
    actor: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; the firm and actor default to the request's."""
    if request is not None:
        if firm is None:
            firm = getattr(request, "firm", None)
        user = getattr(request, "user", None)
        if actor is None and user is not None and user.is_authenticated:
            actor = user
    event = AuditEvent(
        firm=firm,
        actor=actor,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        ip_address=client_ip(request) if request is not None else None,
        data=data or {},
    )
    event.save()
    return event
