"""What the test bank does: check the merchant's signed form, run the card scenario, notify (IPN).

It speaks the Lyra form protocol V2 exactly (signature of spec §1.4, IPN fields of §1.6) with the
shop id and keys of the settings (defaults: shop 12345678, TEST key 1122334455667788).
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http.request import validate_host
from django.utils import timezone

from tantieme.payments.providers.lyra import CURRENCIES, lyra_signature, signature_matches
from tantieme.sandbox_bank.cards import AUTH_FAILED, REFUSED, TestCard
from tantieme.sandbox_bank.models import SandboxNotification, SandboxTransaction

logger = logging.getLogger("tantieme.sandbox_bank")

MAX_ATTEMPTS = 4  # Lyra: up to 4 attempts
ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# HTTP statuses Lyra counts as delivered (spec §1.6).
DELIVERED_STATUSES = {200, 201, 202, 203, 204, 205, 206, 301, 302, 303, 307, 308}
REQUIRED = (
    "vads_site_id",
    "vads_ctx_mode",
    "vads_version",
    "vads_page_action",
    "vads_action_mode",
    "vads_payment_config",
    "vads_amount",
    "vads_currency",
    "vads_trans_date",
    "vads_trans_id",
)


def shop_id() -> str:
    return str(getattr(settings, "SANDBOX_BANK_SHOP_ID", "12345678"))


def key_for(ctx_mode: str) -> str:
    if ctx_mode == "PRODUCTION":
        return str(getattr(settings, "SANDBOX_BANK_PRODUCTION_KEY", "7766554433221100"))
    return str(getattr(settings, "SANDBOX_BANK_TEST_KEY", "1122334455667788"))


def rest_password(ctx_mode: str) -> str:
    default = "testpassword_SANDBOX" if ctx_mode != "PRODUCTION" else "prodpassword_SANDBOX"
    setting = "SANDBOX_BANK_REST_PASSWORD" if ctx_mode != "PRODUCTION" else "SANDBOX_BANK_REST_PASSWORD_PRODUCTION"
    return str(getattr(settings, setting, default))


class FormError(Exception):
    """The merchant's form is refused (Lyra shows an error page with a code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


def accept_form(fields: dict[str, str]) -> SandboxTransaction:  # noqa: PLR0912  (one check per gateway error code)
    """Check a payment form as the gateway does; create the transaction the payer will complete."""
    missing = [name for name in REQUIRED if not fields.get(name)]
    if missing:
        raise FormError("09", f"Champs obligatoires absents : {', '.join(missing)}")
    if fields["vads_site_id"] != shop_id():
        raise FormError("02", "Boutique inconnue (vads_site_id).")
    ctx_mode = fields["vads_ctx_mode"]
    if ctx_mode not in {"TEST", "PRODUCTION"}:
        raise FormError("11", "vads_ctx_mode invalide.")
    if not signature_matches(fields, key_for(ctx_mode), fields.get("signature", "")):
        raise FormError("00", "Signature invalide.")
    if fields["vads_version"] != "V2" or fields["vads_page_action"] != "PAYMENT":
        raise FormError("01", "Version ou action non prise en charge.")
    if fields["vads_action_mode"] != "INTERACTIVE":
        raise FormError("47", "Seul le mode INTERACTIVE est accepté.")
    if not fields["vads_amount"].isdigit() or int(fields["vads_amount"]) <= 0:
        raise FormError("13", "Montant invalide.")
    if fields["vads_currency"] != "978":
        raise FormError("10", "Devise non acceptée.")
    if fields.get("vads_order_id") and not ORDER_ID.match(fields["vads_order_id"]):
        raise FormError("13", "Référence commande invalide ([A-Za-z0-9_-], 64 caractères au plus).")
    if not re.fullmatch(r"[0-9A-Za-z]{6}", fields["vads_trans_id"]):
        raise FormError("04", "Numéro de transaction invalide (6 caractères).")
    try:
        trans_date = datetime.datetime.strptime(fields["vads_trans_date"], "%Y%m%d%H%M%S").replace(tzinfo=datetime.UTC)
    except ValueError:
        raise FormError("03", "Date de transaction invalide.") from None
    if abs((timezone.now() - trans_date).total_seconds()) > 24 * 3600:
        raise FormError("03", "Date de transaction trop éloignée.")
    if fields.get("vads_payment_cards", "").upper() in {"ALL", "TOUTES"}:
        raise FormError("08", "vads_payment_cards invalide.")
    request_fields = {name: value for name, value in fields.items() if name.startswith("vads_")}
    try:
        with transaction.atomic():
            return SandboxTransaction.objects.create(
                shop_id=fields["vads_site_id"],
                ctx_mode=ctx_mode,
                trans_day=trans_date.date(),
                trans_id=fields["vads_trans_id"].lower(),
                order_id=fields.get("vads_order_id", ""),
                amount_cents=int(fields["vads_amount"]),
                currency=fields["vads_currency"],
                request_fields=request_fields,
            )
    except IntegrityError:
        raise FormError("04", "Ce numéro de transaction a déjà été utilisé aujourd'hui.") from None


def allowed_brands(bank_transaction: SandboxTransaction) -> list[str]:
    from tantieme.sandbox_bank.cards import BRANDS

    wanted = bank_transaction.request_fields.get("vads_payment_cards", "")
    codes = [code for code in wanted.split(";") if code] if wanted else []
    return [code for code, _label in BRANDS if not codes or code in codes]


@dataclass(frozen=True)
class Outcome:
    trans_status: str
    result: str
    auth_result: str
    threeds_status: str


def outcome_for(card: TestCard, *, challenge_passed: bool | None) -> Outcome:
    if card.scenario == AUTH_FAILED or challenge_passed is False:
        return Outcome("REFUSED", "05", "", "N")
    if card.scenario == REFUSED:
        return Outcome("REFUSED", "05", card.auth_result, "Y")
    threeds = "Y" if challenge_passed else "A"
    return Outcome("AUTHORISED", "00", "00", threeds)


def finalize(bank_transaction: SandboxTransaction, outcome: Outcome) -> SandboxNotification:
    """Record the result (no card data), build the IPN and queue its delivery."""
    now = timezone.now()
    bank_transaction.trans_uuid = bank_transaction.trans_uuid or secrets.token_hex(16)
    bank_transaction.status = {
        "AUTHORISED": SandboxTransaction.AUTHORISED,
        "REFUSED": SandboxTransaction.REFUSED,
        "ABANDONED": SandboxTransaction.ABANDONED,
    }[outcome.trans_status]
    bank_transaction.auth_result = outcome.auth_result
    bank_transaction.threeds_status = outcome.threeds_status
    fields: dict[str, str] = dict(bank_transaction.request_fields)
    fields.update(
        {
            "vads_trans_status": outcome.trans_status,
            "vads_result": outcome.result,
            "vads_extra_result": "",
            "vads_auth_result": outcome.auth_result,
            "vads_auth_mode": "FULL",
            "vads_auth_number": f"{secrets.randbelow(1_000_000):06d}" if outcome.result == "00" else "",
            "vads_trans_uuid": bank_transaction.trans_uuid,
            "vads_payment_certificate": secrets.token_hex(20) if outcome.result == "00" else "",
            "vads_effective_amount": str(bank_transaction.amount_cents),
            "vads_effective_currency": bank_transaction.currency,
            "vads_effective_creation_date": now.astimezone(datetime.UTC).strftime("%Y%m%d%H%M%S"),
            "vads_operation_type": "DEBIT",
            "vads_card_brand": bank_transaction.brand,
            # Masked: the test bank keeps and sends the last four digits only.
            "vads_card_number": f"XXXXXXXXXXXX{bank_transaction.card_last4}" if bank_transaction.card_last4 else "",
            "vads_threeds_status": outcome.threeds_status,
            "vads_warranty_result": "YES" if outcome.threeds_status == "Y" else "NO",
            "vads_hash": secrets.token_hex(32),
        }
    )
    bank_transaction.result_fields = fields
    bank_transaction.save()
    url = fields.get("vads_url_check", "")
    notification = SandboxNotification.objects.create(transaction=bank_transaction, url=url, fields=fields)
    from tantieme.sandbox_bank.tasks import deliver_notification_task

    deliver_notification_task.enqueue(notification.pk)
    return notification


def signed(fields: dict[str, str], ctx_mode: str) -> dict[str, str]:
    result = dict(fields)
    result["signature"] = lyra_signature(result, key_for(ctx_mode))
    return result


def _target(url: str) -> tuple[str, str | None]:
    """Our own hosts only (no open relay); *.localhost is reached on 127.0.0.1 with its Host header."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not validate_host(host, settings.ALLOWED_HOSTS):
        raise ValueError(f"URL de notification refusée : {parts.netloc}")
    if host == "localhost" or host.endswith(".localhost"):
        netloc = f"127.0.0.1:{parts.port}" if parts.port else "127.0.0.1"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), parts.netloc
    return url, None


def deliver(notification: SandboxNotification) -> SandboxNotification:
    """One attempt to POST the signed IPN; failures are retried later (`sandbox_bank_retry`)."""
    with transaction.atomic():
        notification = SandboxNotification.objects.select_for_update().get(pk=notification.pk)
        if notification.status != SandboxNotification.PENDING:
            return notification
        notification.attempts += 1
        notification.save(update_fields=["attempts"])
    bank_transaction = notification.transaction
    fields = dict(notification.fields)
    fields["vads_url_check_src"] = "PAY" if notification.attempts == 1 else "RETRY"
    status_code: int | None = None
    error = ""
    try:
        target, host = _target(notification.url)
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "User-Agent": "BanqueDeTest/1"}
        if host:
            headers["Host"] = host
        body = urlencode(signed(fields, bank_transaction.ctx_mode)).encode("utf-8")
        request = urllib.request.Request(target, data=body, headers=headers, method="POST")  # noqa: S310  (scheme checked)
        with urllib.request.urlopen(request, timeout=35) as response:  # noqa: S310  (scheme checked)
            status_code = response.status
    except urllib.error.HTTPError as http_error:
        status_code = http_error.code
    except (ValueError, urllib.error.URLError, TimeoutError, OSError) as other:
        error = f"{type(other).__name__}: {other}"[:300]
    notification.last_status_code = status_code
    notification.last_error = error
    if status_code in DELIVERED_STATUSES:
        notification.status = SandboxNotification.DELIVERED
        notification.delivered_at = timezone.now()
    elif notification.attempts >= MAX_ATTEMPTS:
        notification.status = SandboxNotification.FAILED
    else:
        delay = int(getattr(settings, "SANDBOX_BANK_RETRY_SECONDS", 60))
        notification.next_attempt_at = timezone.now() + datetime.timedelta(seconds=delay * notification.attempts)
    notification.save()
    if notification.status != SandboxNotification.DELIVERED:
        logger.warning(
            "sandbox_bank.ipn_failed attempt=%s status=%s error=%s", notification.attempts, status_code, error
        )
    return notification


def retry_due(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    due = SandboxNotification.objects.filter(status=SandboxNotification.PENDING, next_attempt_at__lte=now)
    count = 0
    for notification in due.order_by("pk"):
        deliver(notification)
        count += 1
    return count


def return_query(bank_transaction: SandboxTransaction) -> str:
    """The signed vads_* fields the browser brings back (vads_return_mode=GET), minus IPN-only fields."""
    fields = {
        name: value
        for name, value in bank_transaction.result_fields.items()
        if name not in {"vads_hash", "vads_url_check_src"}
    }
    return urlencode(signed(fields, bank_transaction.ctx_mode))


class RestApiError(Exception):
    """An error answer of the REST API V4: (errorCode, errorMessage)."""


def refund(*, shop: str, password: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Transaction/CancelOrRefund of the REST API V4: full refund of an authorised transaction."""
    uuid_value = str(payload.get("uuid", ""))
    with transaction.atomic():
        bank_transaction = SandboxTransaction.objects.select_for_update().filter(trans_uuid=uuid_value).first()
        if bank_transaction is None or bank_transaction.shop_id != shop:
            raise RestApiError("PSP_010", "Transaction inconnue.")
        if not secrets.compare_digest(password, rest_password(bank_transaction.ctx_mode)):
            raise RestApiError("INT_905", "Authentification refusée.")
        if bank_transaction.status == SandboxTransaction.REFUNDED:
            return {"uuid": bank_transaction.refund_uuid, "detailedStatus": "CAPTURED", "operationType": "CREDIT"}
        if bank_transaction.status != SandboxTransaction.AUTHORISED:
            raise RestApiError("PSP_100", "Transaction non remboursable.")
        if payload.get("amount") != bank_transaction.amount_cents:
            raise RestApiError("PSP_099", "Seul le remboursement total est pris en charge par la banque de test.")
        bank_transaction.status = SandboxTransaction.REFUNDED
        bank_transaction.refund_uuid = secrets.token_hex(16)
        bank_transaction.save(update_fields=["status", "refund_uuid"])
        return {"uuid": bank_transaction.refund_uuid, "detailedStatus": "CAPTURED", "operationType": "CREDIT"}


STATUS_FOR_REST = {
    SandboxTransaction.AUTHORISED: "AUTHORISED",
    SandboxTransaction.REFUSED: "REFUSED",
    SandboxTransaction.ABANDONED: "ABANDONED",
    SandboxTransaction.REFUNDED: "AUTHORISED",  # the debit stays authorised; the refund is a CREDIT
    SandboxTransaction.FORM: "INITIAL",
    SandboxTransaction.CHALLENGE: "WAITING_AUTHORISATION",
}


def order_get(*, shop: str, password: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Order/Get of the REST API V4: the transactions of an order, oldest first (PAY-04 asks it)."""
    order_id = str(payload.get("orderId", ""))
    transactions = list(SandboxTransaction.objects.filter(shop_id=shop, order_id=order_id).order_by("created_at", "pk"))
    if not transactions:
        raise RestApiError("PSP_010", "Commande inconnue.")
    if not secrets.compare_digest(password, rest_password(transactions[0].ctx_mode)):
        raise RestApiError("INT_905", "Authentification refusée.")
    return {
        "orderId": order_id,
        "transactions": [
            {
                "uuid": bank_transaction.trans_uuid,
                "amount": bank_transaction.amount_cents,
                "currency": CURRENCIES.get(bank_transaction.currency, bank_transaction.currency),
                "mode": bank_transaction.ctx_mode,
                "detailedStatus": STATUS_FOR_REST.get(bank_transaction.status, "INITIAL"),
                "transactionDetails": {
                    "cardDetails": {
                        "effectiveBrand": bank_transaction.brand,
                        "pan": f"XXXXXXXXXXXX{bank_transaction.card_last4}" if bank_transaction.card_last4 else "",
                    }
                },
            }
            for bank_transaction in transactions
        ],
    }
