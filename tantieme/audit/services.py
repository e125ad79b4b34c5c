"""Write audit events. Never pass a password, token or card number in `data`."""

from __future__ import annotations

import functools
import ipaddress
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from tantieme.audit.models import AuditEvent

if TYPE_CHECKING:
    from tantieme.tenancy.models import Firm


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _parse_address(value: str) -> IPAddress | None:
    """An address as REMOTE_ADDR or X-Forwarded-For carry it (`[v6]:port` and `v4:port` too)."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # a dual-stack socket's ::ffff:a.b.c.d
    return address


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or what a trusted reverse proxy says it saw.

    X-Forwarded-For is believed only when the direct peer is in `settings.TRUSTED_PROXIES`; it is
    then read from the right, skipping trusted proxies, and the first other address is the client
    (the entries on its left were written by the client and prove nothing). A header that holds
    only trusted proxies, or something that is not an address, stops at the last address believed.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or ""
    peer = _parse_address(remote_addr)
    if peer is None:
        return remote_addr or None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not _is_trusted(peer, networks):
        return str(peer)
    client = peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        if not entry.strip():
            continue
        hop = _parse_address(entry)
        if hop is None:
            break
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)


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
