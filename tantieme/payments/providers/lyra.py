"""Lyra form protocol V2 (Systempay, PayZen, Sogecommerce, Scellius): spec payments-and-banking §1.

`lyra_signature` is the pure signing helper (also used by the sandbox bank, which speaks the
same protocol). The IPN is the source of truth; the browser return is display only.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from tantieme.payments.exceptions import NotificationRejectedError, ProviderCallError
from tantieme.payments.providers.base import (
    HttpClient,
    NotificationKey,
    ParsedNotification,
    PaymentOrder,
    ProviderSettings,
    Redirect,
    RefundResult,
    origin_of,
)

HMAC_SHA256 = "HMAC-SHA-256"
SHA1 = "SHA-1"
DEFAULT_ENDPOINT = "https://paiement.systempay.fr/vads-payment/"
DEFAULT_REST_URL = "https://api.systempay.fr/api-payment/"
PAYMENT_CARDS = "CB;E-CARTEBLEUE;MAESTRO;MASTERCARD;VISA;VISA_ELECTRON"
ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TRANS_ID = re.compile(r"^[0-9A-Za-z]{6}$")
CURRENCIES = {"978": "EUR"}
NUMERIC_CURRENCIES = {alpha: numeric for numeric, alpha in CURRENCIES.items()}

# vads_trans_status -> PaymentState value (spec §1.7). Unknown values are treated as pending.
STATUS_OUTCOMES: dict[str, str] = {
    "AUTHORISED": "paid",
    "CAPTURED": "paid",
    "ACCEPTED": "paid",
    "AUTHORISED_TO_VALIDATE": "pending",
    "WAITING_AUTHORISATION": "pending",
    "WAITING_AUTHORISATION_TO_VALIDATE": "pending",
    "UNDER_VERIFICATION": "pending",
    "INITIAL": "pending",
    "SUSPENDED": "pending",
    "WAITING_FOR_PAYMENT": "pending",
    "PRE_AUTHORISED": "pending",
    "REFUSED": "refused",
    "EXPIRED": "refused",
    "NOT_CREATED": "refused",
    "ABANDONED": "cancelled",
    "CANCELLED": "cancelled",
    "CAPTURE_FAILED": "error",
}
REQUIRED_IPN_FIELDS = (
    "vads_site_id",
    "vads_ctx_mode",
    "vads_order_id",
    "vads_trans_id",
    "vads_trans_date",
    "vads_amount",
    "vads_currency",
    "vads_trans_status",
    "signature",
)
# Never kept in the event log: card data beyond the last four digits.
_DROPPED = {"vads_expiry_month", "vads_expiry_year", "vads_card_number"}


def signature_base(fields: Mapping[str, str], key: str) -> str:
    """The string that is signed. It contains the key: never log it (LOG-02)."""
    names = sorted(name for name in fields if name.startswith("vads_"))
    return "+".join(str(fields[name]) for name in names) + "+" + key


def lyra_signature(fields: Mapping[str, str], key: str, algo: str = HMAC_SHA256) -> str:
    """Spec §1.4: vads_* values sorted by name, joined by '+', then '+key'; HMAC-SHA-256 base64 or SHA-1 hex."""
    message = signature_base(fields, key).encode("utf-8")
    if algo == SHA1:
        return hashlib.sha1(message).hexdigest()  # noqa: S324  (deprecated protocol variant, spec vector B)
    if algo == HMAC_SHA256:
        digest = hmac.new(key.encode("utf-8"), message, hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")
    raise ValueError(f"Unknown signature algorithm {algo!r}")


def signature_matches(fields: Mapping[str, str], key: str, received: str, algo: str = HMAC_SHA256) -> bool:
    """Constant-time comparison of the received signature with ours (PAY-01)."""
    if not key or not received:
        return False
    expected = lyra_signature(fields, key, algo)
    return hmac.compare_digest(expected.encode("ascii"), received.encode("utf-8", "replace"))


def amount_to_cents(amount: Decimal) -> int:
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(cents)


def masked_last4(card_number: str) -> str:
    digits = card_number[-4:]
    return digits if digits.isdigit() else ""


class LyraProvider:
    identifier: ClassVar[str] = "lyra"
    notification_route: ClassVar[str] = "lyra"
    default_endpoint: ClassVar[str] = DEFAULT_ENDPOINT
    algorithm: ClassVar[str] = HMAC_SHA256

    # --- Keys -----------------------------------------------------------------------------------

    def key_for(self, settings: ProviderSettings, ctx_mode: str) -> str:
        name = "production_key" if ctx_mode == "PRODUCTION" else "test_key"
        return settings.credentials.get(name, "")

    def rest_url(self, settings: ProviderSettings) -> str:
        return settings.credentials.get("rest_url") or DEFAULT_REST_URL

    def rest_password(self, settings: ProviderSettings) -> str:
        name = "rest_password_production" if settings.mode == "production" else "rest_password_test"
        return settings.credentials.get(name, "")

    # --- Payment form ---------------------------------------------------------------------------

    def endpoint(self, settings: ProviderSettings) -> str:
        return settings.endpoint or self.default_endpoint

    def form_action_origin(self, settings: ProviderSettings) -> str:
        return origin_of(self.endpoint(settings))

    def form_fields(self, settings: ProviderSettings, order: PaymentOrder) -> dict[str, str]:
        if not ORDER_ID.match(order.order_id):
            raise ValueError(f"Order id {order.order_id!r} is not [A-Za-z0-9_-]{{1,64}}")
        if not TRANS_ID.match(order.trans_id):
            raise ValueError(f"trans_id {order.trans_id!r} is not 6 characters")
        ctx_mode = "PRODUCTION" if settings.mode == "production" else "TEST"
        fields = {
            "vads_action_mode": "INTERACTIVE",
            "vads_amount": str(amount_to_cents(order.amount)),
            "vads_ctx_mode": ctx_mode,
            "vads_currency": NUMERIC_CURRENCIES[order.currency],
            "vads_cust_email": order.customer_email,
            "vads_cust_id": order.customer_reference,
            "vads_cust_last_name": order.customer_last_name[:63],
            "vads_language": order.language[:2],
            "vads_order_id": order.order_id,
            "vads_order_info": order.description[:255],
            "vads_page_action": "PAYMENT",
            "vads_payment_cards": PAYMENT_CARDS,
            "vads_payment_config": "SINGLE",
            "vads_capture_delay": "0",
            "vads_validation_mode": "0",
            "vads_return_mode": "GET",
            "vads_site_id": settings.shop_id,
            "vads_trans_date": order.trans_date.astimezone(datetime.UTC).strftime("%Y%m%d%H%M%S"),
            "vads_trans_id": order.trans_id,
            "vads_url_cancel": order.cancel_url,
            "vads_url_check": order.notification_url,
            "vads_url_return": order.return_url,
            "vads_version": "V2",
        }
        fields["signature"] = lyra_signature(fields, self.key_for(settings, ctx_mode), self.algorithm)
        return fields

    def start(self, settings: ProviderSettings, order: PaymentOrder, http: HttpClient) -> Redirect:
        fields = self.form_fields(settings, order)
        return Redirect(url=self.endpoint(settings), method="POST", fields=tuple(fields.items()))

    # --- IPN --------------------------------------------------------------------------------------

    def identify(self, *, body: bytes, headers: Mapping[str, str], form: Mapping[str, str]) -> NotificationKey:
        return NotificationKey(
            order_id=form.get("vads_order_id", ""),
            transaction_id=form.get("vads_trans_uuid", ""),
            shop_id=form.get("vads_site_id", ""),
        )

    def parse_notification(
        self,
        settings: ProviderSettings,
        *,
        body: bytes,
        headers: Mapping[str, str],
        form: Mapping[str, str],
        now: datetime.datetime,
    ) -> ParsedNotification:
        missing = [name for name in REQUIRED_IPN_FIELDS if not form.get(name)]
        if missing:
            raise NotificationRejectedError("malformed", f"champs manquants : {', '.join(missing)}")
        if form["vads_site_id"] != settings.shop_id:
            raise NotificationRejectedError("shop_mismatch", f"vads_site_id {form['vads_site_id'][:20]}")
        ctx_mode = form["vads_ctx_mode"]
        if ctx_mode not in {"TEST", "PRODUCTION"}:
            raise NotificationRejectedError("malformed", "vads_ctx_mode")
        if not signature_matches(form, self.key_for(settings, ctx_mode), form["signature"], self.algorithm):
            raise NotificationRejectedError("signature_invalid")
        try:
            amount_cents = int(form["vads_amount"])
        except ValueError:
            raise NotificationRejectedError("malformed", "vads_amount") from None
        status = form["vads_trans_status"]
        outcome = STATUS_OUTCOMES.get(status, "pending")
        is_refund = form.get("vads_operation_type") == "CREDIT"
        if is_refund:
            outcome = "refunded" if outcome == "paid" else ""
        transaction_id = form.get("vads_trans_uuid", "")
        return ParsedNotification(
            provider=self.identifier,
            mode="production" if ctx_mode == "PRODUCTION" else "test",
            shop_id=form["vads_site_id"],
            order_id=form["vads_order_id"],
            amount_cents=amount_cents,
            currency=CURRENCIES.get(form["vads_currency"], form["vads_currency"]),
            outcome=outcome,
            provider_status=status,
            transaction_id="" if is_refund else transaction_id,
            event_id=f"{transaction_id}:{form.get('vads_operation_type', 'DEBIT')}:{status}",
            card_brand=form.get("vads_card_brand", "")[:30],
            card_last4=masked_last4(form.get("vads_card_number", "")),
            payload=self.loggable(form),
        )

    @staticmethod
    def loggable(form: Mapping[str, str]) -> dict[str, object]:
        payload: dict[str, object] = {
            name: value[:300] for name, value in form.items() if name not in _DROPPED and len(name) <= 60
        }
        last4 = masked_last4(form.get("vads_card_number", ""))
        if last4:
            payload["card_last4"] = last4
        return payload

    # --- Status of an order (REST API V4, Order/Get), for the daily reconciliation -----------------

    def order_status(
        self, settings: ProviderSettings, *, order_id: str, session_id: str, http: HttpClient
    ) -> ParsedNotification | None:
        answer = self._rest(
            settings, "Order/Get", {"orderId": order_id}, http, what="Consultation de la commande", unknown_is_none=True
        )
        transactions = (answer or {}).get("transactions") or []
        if not transactions:
            return None
        latest = transactions[-1]  # a payment retried on the same order has several: the last decides
        status = str(latest.get("detailedStatus", ""))
        card = (latest.get("transactionDetails") or {}).get("cardDetails") or {}
        mode = str(latest.get("mode") or ("PRODUCTION" if settings.mode == "production" else "TEST"))
        try:
            amount_cents: int | None = int(latest.get("amount"))
        except (TypeError, ValueError):
            amount_cents = None
        return ParsedNotification(
            provider=self.identifier,
            mode="production" if mode == "PRODUCTION" else "test",
            shop_id=settings.shop_id,
            order_id=order_id,
            amount_cents=amount_cents,
            currency=CURRENCIES.get(str(latest.get("currency", "")), str(latest.get("currency", ""))).upper()[:3],
            outcome=STATUS_OUTCOMES.get(status, "pending"),
            provider_status=status,
            transaction_id=str(latest.get("uuid", ""))[:255],
            event_id=f"{latest.get('uuid', '')}:ORDER_GET:{status}",
            card_brand=str(card.get("effectiveBrand", ""))[:30],
            card_last4=masked_last4(str(card.get("pan", ""))),
            payload={"source": "Order/Get", "detailedStatus": status, "transactions": len(transactions)},
        )

    def _rest(
        self,
        settings: ProviderSettings,
        operation: str,
        payload: dict[str, object],
        http: HttpClient,
        *,
        what: str,
        unknown_is_none: bool = False,
    ) -> dict[str, Any] | None:
        """One call of the REST API V4 (Basic shop:password); its `answer`, or None for an unknown object."""
        url = self.rest_url(settings).rstrip("/") + f"/V4/{operation}"
        token = base64.b64encode(f"{settings.shop_id}:{self.rest_password(settings)}".encode()).decode("ascii")
        response = http.post(
            url,
            data=json.dumps(payload).encode("utf-8"),
            headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
            timeout=20,
        )
        try:
            body = json.loads(response.body)
        except ValueError:
            raise ProviderCallError(f"Réponse illisible du prestataire (HTTP {response.status}).") from None
        answer = body.get("answer") if isinstance(body, dict) else None
        if response.status == 200 and body.get("status") == "SUCCESS" and isinstance(answer, dict):
            return answer
        code = answer.get("errorCode", "") if isinstance(answer, dict) else ""
        if unknown_is_none and code == "PSP_010":
            return None
        detail = answer.get("errorMessage", "") if isinstance(answer, dict) else ""
        raise ProviderCallError(f"{what} refusé par le prestataire (HTTP {response.status}) {detail}".strip())

    # --- Refunds (REST API V4, Transaction/CancelOrRefund) -----------------------------------------

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
        result = (
            self._rest(
                settings,
                "Transaction/CancelOrRefund",
                {
                    "uuid": transaction_id,
                    "amount": amount_to_cents(amount),
                    "currency": currency,
                    "resolutionMode": "AUTO",
                    "comment": idempotency_key,
                },
                http,
                what="Remboursement",
            )
            or {}
        )
        return RefundResult(reference=str(result.get("uuid", "")), status=str(result.get("detailedStatus", "")))
