"""The provider interface: pure adapters that build requests and verify/parse notifications.

Adapters never touch models. They receive plain settings (`ProviderSettings`, credentials already
decrypted), return dataclasses, and do I/O only through the `HttpClient` they are handed (Stripe
sessions, refunds). State changes live in `tantieme.payments.services`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Protocol


@dataclass(frozen=True)
class ProviderSettings:
    provider: str
    mode: str  # PaymentMode value: "test" or "production"
    shop_id: str
    endpoint: str  # "" → the adapter's default
    credentials: Mapping[str, str] = field(repr=False)
    site_url: str = ""  # the firm's own base URL (the sandbox bank lives there)


@dataclass(frozen=True)
class PaymentOrder:
    """What to ask the provider for."""

    order_id: str
    trans_id: str
    trans_date: datetime.datetime  # aware, UTC
    amount: Decimal
    currency: str
    description: str
    customer_email: str
    customer_reference: str
    customer_last_name: str
    return_url: str
    cancel_url: str
    notification_url: str
    idempotency_key: str
    language: str = "fr"


@dataclass(frozen=True)
class Redirect:
    """Where to send the browser: an auto-submitted POST form, or a plain GET redirect."""

    url: str
    method: str  # "POST" or "GET"
    fields: tuple[tuple[str, str], ...] = ()
    session_id: str = ""


@dataclass(frozen=True)
class NotificationKey:
    """Untrusted identification of a notification, only to find the payment whose keys verify it."""

    order_id: str = ""
    transaction_id: str = ""
    shop_id: str = ""


@dataclass(frozen=True)
class ParsedNotification:
    """A notification whose signature was verified."""

    provider: str
    mode: str
    shop_id: str
    order_id: str
    amount_cents: int | None
    currency: str  # ISO 4217 alpha, upper case
    outcome: str  # PaymentState value the notification asks for; "" when it is not about a state
    provider_status: str
    transaction_id: str
    event_id: str
    card_brand: str = ""
    card_last4: str = ""
    payload: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    reference: str
    status: str


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes


class HttpClient(Protocol):
    def post(self, url: str, *, data: bytes, headers: Mapping[str, str], timeout: float) -> HttpResponse: ...


class PaymentProvider(Protocol):
    identifier: ClassVar[str]
    notification_route: ClassVar[str]  # "lyra" or "stripe": /paiements/notification/<route>/

    def endpoint(self, settings: ProviderSettings) -> str: ...

    def form_action_origin(self, settings: ProviderSettings) -> str: ...

    def start(self, settings: ProviderSettings, order: PaymentOrder, http: HttpClient) -> Redirect: ...

    def identify(self, *, body: bytes, headers: Mapping[str, str], form: Mapping[str, str]) -> NotificationKey: ...

    def parse_notification(
        self,
        settings: ProviderSettings,
        *,
        body: bytes,
        headers: Mapping[str, str],
        form: Mapping[str, str],
        now: datetime.datetime,
    ) -> ParsedNotification: ...

    def refund(
        self,
        settings: ProviderSettings,
        *,
        transaction_id: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        http: HttpClient,
    ) -> RefundResult: ...

    def order_status(
        self, settings: ProviderSettings, *, order_id: str, session_id: str, http: HttpClient
    ) -> ParsedNotification | None:
        """What the provider itself says of an order (PAY-04), over its authenticated API; None
        when it knows no transaction for it (or cannot be asked)."""
        ...


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL (for the CSP form-action directive)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
