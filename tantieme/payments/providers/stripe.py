"""Stripe Checkout Sessions and signed webhooks: spec payments-and-banking §3.

The API is reached through the `HttpClient` handed in (tests point `endpoint` at a loopback fake).
Webhook signatures are verified here (no SDK): `Stripe-Signature: t=…,v1=…[,v1=…]`,
HMAC-SHA256 of "{t}.{raw body}" with the endpoint secret, 300 s tolerance.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlencode

from tantieme.payments.exceptions import NotificationRejectedError, ProviderCallError
from tantieme.payments.providers.base import (
    HttpClient,
    NotificationKey,
    ParsedNotification,
    PaymentOrder,
    ProviderSettings,
    Redirect,
    RefundResult,
)
from tantieme.payments.providers.lyra import amount_to_cents

DEFAULT_API = "https://api.stripe.com"
CHECKOUT_ORIGIN = "https://checkout.stripe.com"
TOLERANCE_SECONDS = 300


def stripe_signature(payload: bytes, secret: str, timestamp: int) -> str:
    """Hex HMAC-SHA256 of "{timestamp}.{payload}" (what Stripe's signing helper computes)."""
    message = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    """Same output as stripe.WebhookSignature.generate_signature_header (for tests and the fake)."""
    return f"t={timestamp},v1={stripe_signature(payload, secret, timestamp)}"


def verify_signature_header(
    payload: bytes, header: str, secret: str, *, now: datetime.datetime, tolerance: int | None = TOLERANCE_SECONDS
) -> int:
    """Check the header; return its timestamp. Raises NotificationRejectedError."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise NotificationRejectedError("malformed", "Stripe-Signature t") from None
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise NotificationRejectedError("malformed", "Stripe-Signature")
    if not secret:
        raise NotificationRejectedError("signature_invalid", "no webhook secret")
    expected = stripe_signature(payload, secret, timestamp).encode("ascii")
    if not any(hmac.compare_digest(expected, candidate.encode("utf-8", "replace")) for candidate in candidates):
        raise NotificationRejectedError("signature_invalid")
    if tolerance is not None and abs(now.timestamp() - timestamp) > tolerance:
        raise NotificationRejectedError("timestamp_out_of_tolerance", f"t={timestamp}")
    return timestamp


def _flatten(prefix: str, value: Any, into: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}[{key}]" if prefix else str(key), item, into)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(f"{prefix}[{index}]", item, into)
    elif value is not None:
        into.append((prefix, str(value)))


def form_encode(params: Mapping[str, Any]) -> bytes:
    pairs: list[tuple[str, str]] = []
    _flatten("", dict(params), pairs)
    return urlencode(pairs).encode("ascii")


class StripeProvider:
    identifier: ClassVar[str] = "stripe"
    notification_route: ClassVar[str] = "stripe"

    def api_base(self, settings: ProviderSettings) -> str:
        return (settings.endpoint or DEFAULT_API).rstrip("/")

    def endpoint(self, settings: ProviderSettings) -> str:
        return self.api_base(settings)

    def form_action_origin(self, settings: ProviderSettings) -> str:
        return settings.credentials.get("checkout_origin") or CHECKOUT_ORIGIN

    def _call(
        self, settings: ProviderSettings, path: str, params: Mapping[str, Any], key: str, http: HttpClient
    ) -> Any:
        secret = settings.credentials.get("secret_key", "")
        if not secret:
            raise ProviderCallError("Clé secrète Stripe absente.")
        response = http.post(
            f"{self.api_base(settings)}{path}",
            data=form_encode(params),
            headers={
                "Authorization": f"Bearer {secret}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Idempotency-Key": key,
            },
            timeout=20,
        )
        try:
            data = json.loads(response.body)
        except ValueError:
            raise ProviderCallError(f"Réponse illisible de Stripe (HTTP {response.status}).") from None
        if response.status >= 300 or not isinstance(data, dict):
            message = data.get("error", {}).get("message", "") if isinstance(data, dict) else ""
            raise ProviderCallError(f"Stripe a refusé la demande (HTTP {response.status}) {message}".strip())
        return data

    def start(self, settings: ProviderSettings, order: PaymentOrder, http: HttpClient) -> Redirect:
        metadata = {"order_id": order.order_id, "coowner_ref": order.customer_reference}
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": order.currency.lower(),
                        "unit_amount": amount_to_cents(order.amount),
                        "product_data": {"name": order.description[:250]},
                    },
                }
            ],
            "client_reference_id": order.order_id,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "customer_email": order.customer_email or None,
            "locale": order.language[:2],
            "success_url": order.return_url,
            "cancel_url": order.cancel_url,
        }
        session = self._call(settings, "/v1/checkout/sessions", params, f"checkout:{order.idempotency_key}", http)
        url, session_id = session.get("url"), session.get("id")
        if not url or not session_id:
            raise ProviderCallError("Stripe n'a pas renvoyé de session de paiement.")
        return Redirect(url=str(url), method="GET", session_id=str(session_id))

    # --- Webhooks -------------------------------------------------------------------------------

    @staticmethod
    def _event(body: bytes) -> dict[str, Any]:
        try:
            event = json.loads(body)
        except ValueError:
            raise NotificationRejectedError("malformed", "JSON") from None
        if not isinstance(event, dict) or not isinstance(event.get("data", {}).get("object"), dict):
            raise NotificationRejectedError("malformed", "event")
        return event

    def identify(self, *, body: bytes, headers: Mapping[str, str], form: Mapping[str, str]) -> NotificationKey:
        try:
            obj = self._event(body)["data"]["object"]
        except NotificationRejectedError:
            return NotificationKey()
        order_id = obj.get("client_reference_id") or (obj.get("metadata") or {}).get("order_id") or ""
        intent = obj.get("payment_intent") if obj.get("object") in {"checkout.session", "charge"} else obj.get("id")
        return NotificationKey(order_id=str(order_id), transaction_id=str(intent or ""))

    def parse_notification(
        self,
        settings: ProviderSettings,
        *,
        body: bytes,
        headers: Mapping[str, str],
        form: Mapping[str, str],
        now: datetime.datetime,
    ) -> ParsedNotification:
        header = headers.get("Stripe-Signature", "")
        if not header:
            raise NotificationRejectedError("malformed", "no Stripe-Signature")
        verify_signature_header(body, header, settings.credentials.get("webhook_secret", ""), now=now)
        event = self._event(body)
        event_type = str(event.get("type", ""))
        obj: dict[str, Any] = event["data"]["object"]
        outcome, amount, intent = "", obj.get("amount_total"), obj.get("payment_intent")
        if event_type == "checkout.session.completed":
            outcome = "paid" if obj.get("payment_status") in {"paid", "no_payment_required"} else "pending"
        elif event_type == "checkout.session.async_payment_succeeded":
            outcome = "paid"
        elif event_type == "checkout.session.async_payment_failed":
            outcome = "refused"
        elif event_type == "checkout.session.expired":
            outcome = "cancelled"
        elif event_type == "charge.refunded":
            amount = obj.get("amount")
            outcome = "refunded" if obj.get("refunded") else ""
        else:
            amount = obj.get("amount_total", obj.get("amount"))
        card = ((obj.get("payment_method_details") or {}).get("card")) or {}
        identity = self.identify(body=body, headers=headers, form=form)
        return ParsedNotification(
            provider=self.identifier,
            mode="production" if event.get("livemode") else "test",
            shop_id=settings.shop_id,
            order_id=identity.order_id,
            amount_cents=int(amount) if isinstance(amount, int) else None,
            currency=str(obj.get("currency", "")).upper(),
            outcome=outcome,
            provider_status=event_type[:40],
            transaction_id=str(intent or ""),
            event_id=str(event.get("id", "")),
            card_brand=str(card.get("brand", ""))[:30],
            card_last4=str(card.get("last4", ""))[:4],
            payload={
                "id": event.get("id"),
                "type": event_type,
                "object": obj.get("id"),
                "livemode": event.get("livemode"),
            },
        )

    def order_status(
        self, settings: ProviderSettings, *, order_id: str, session_id: str, http: HttpClient
    ) -> ParsedNotification | None:
        """Not asked: Stripe retries a webhook for three days, and its lists are read with GET, which
        our HTTP client does not do. The reconciliation leaves Stripe payments out."""
        return None

    def refund(
        self,
        settings: ProviderSettings,
        *,
        transaction_id: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        http: HttpClient,
    ) -> RefundResult:
        params = {"payment_intent": transaction_id, "amount": amount_to_cents(amount)}
        refund = self._call(settings, "/v1/refunds", params, f"refund:{idempotency_key}", http)
        return RefundResult(reference=str(refund.get("id", "")), status=str(refund.get("status", "")))
