"""Payment providers, by identifier (registry of dotted paths, as in pretix)."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from tantieme.payments.providers.base import PaymentProvider

REGISTRY: dict[str, str] = {
    "lyra": "tantieme.payments.providers.lyra.LyraProvider",
    "sandbox": "tantieme.payments.providers.sandbox.SandboxProvider",
    "stripe": "tantieme.payments.providers.stripe.StripeProvider",
}


@cache
def get_provider(identifier: str) -> PaymentProvider:
    try:
        path = REGISTRY[identifier]
    except KeyError:
        raise LookupError(f"Unknown payment provider {identifier!r}") from None
    provider: PaymentProvider = import_string(path)()
    return provider


def providers_for_route(route: str) -> list[str]:
    """Identifiers whose notifications arrive on /paiements/notification/<route>/."""
    return [identifier for identifier in REGISTRY if get_provider(identifier).notification_route == route]
