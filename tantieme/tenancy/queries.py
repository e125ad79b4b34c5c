from __future__ import annotations

from django.conf import settings

from tantieme.tenancy.models import Firm

# Host names that are not a firm's subdomain but mean "the default firm" in development.
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "[::1]", "testserver"}


def firm_slug_for_host(hostname: str) -> str | None:
    """ "horizon.localhost" -> "horizon"; the bare domain or loopback -> DEFAULT_FIRM."""
    base = settings.BASE_DOMAIN
    if hostname == base or hostname in _LOOPBACK_NAMES:
        return settings.DEFAULT_FIRM or None
    suffix = f".{base}"
    if hostname.endswith(suffix):
        label = hostname[: -len(suffix)]
        if label and "." not in label:
            return label
    return None


def resolve_firm(hostname: str) -> Firm | None:
    slug = firm_slug_for_host(hostname)
    if slug is None:
        return None
    return Firm.objects.filter(slug=slug, is_active=True).first()
