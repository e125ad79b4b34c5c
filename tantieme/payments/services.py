"""Writes of the payments app: start a payment, handle notifications, refund, post card receipts.

    start_payment            a Payment (created) and the redirect to the provider's hosted page
    handle_notification      the one entry point of every server-to-server notification (IPN, webhook)
    request_refund           refund a paid payment through its provider (PAY-05), then reverse its entry
    post_card_payment(s)     the next-day posting: journal CB, Dr 5128 / Cr 450x, lettered

Notifications are the only source of truth (the browser return changes nothing). Each one is
logged in PaymentEvent, valid or not; state changes happen under a row lock and follow the
monotonic state machine of `enums.TRANSITIONS`; the provider transaction id is unique; side
effects (e-mail, receipt) are queued on commit.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from tantieme.audit.services import record
from tantieme.condominiums.models import CoOwner
from tantieme.core.money import CENT, format_amount
from tantieme.ledger import services as ledger
from tantieme.ledger.exceptions import LedgerError
from tantieme.notifications.services import queue_email
from tantieme.payments.enums import (
    REFUSED_CODES,
    EventCode,
    EventKind,
    PaymentMode,
    PaymentState,
    ProviderKind,
    can_move,
)
from tantieme.payments.exceptions import (
    NotificationRejectedError,
    PaymentError,
    ProviderCallError,
    ProviderNotConfiguredError,
)
from tantieme.payments.http import http_client
from tantieme.payments.models import Payment, PaymentEvent, PaymentProviderConfig, TransIdCounter
from tantieme.payments.providers import get_provider, providers_for_route
from tantieme.payments.providers.base import (
    ParsedNotification,
    PaymentOrder,
    ProviderSettings,
    Redirect,
)
from tantieme.payments.queries import provider_config_for
from tantieme.tenancy.models import Firm

logger = logging.getLogger("tantieme.payments")

MIN_AMOUNT = Decimal("1.00")
CARD_JOURNAL = "CB"
MAX_TRANS_ID = 899_999  # 900000-999999 are reserved by the gateway (spec §1.3)


# --- Settings -----------------------------------------------------------------------------------


def provider_settings(config: PaymentProviderConfig, firm: Firm) -> ProviderSettings:
    return ProviderSettings(
        provider=config.provider,
        mode=config.mode,
        shop_id=config.shop_id,
        endpoint=config.endpoint,
        credentials=config.credentials,
        site_url=firm.base_url,
    )


# The secrets each provider needs, by name (stored encrypted, never shown back).
CREDENTIAL_NAMES: dict[str, tuple[str, ...]] = {
    ProviderKind.LYRA: ("test_key", "production_key", "rest_password_test", "rest_password_production"),
    ProviderKind.SANDBOX: ("test_key", "production_key", "rest_password_test", "rest_password_production"),
    ProviderKind.STRIPE: ("secret_key", "webhook_secret"),
}
# What production mode cannot work without.
REQUIRED_IN_PRODUCTION: dict[str, tuple[str, ...]] = {
    ProviderKind.LYRA: ("production_key",),
    ProviderKind.STRIPE: ("secret_key", "webhook_secret"),
}


@transaction.atomic
def save_provider_config(
    *,
    firm: Firm,
    provider: str,
    mode: str = PaymentMode.TEST,
    shop_id: str = "",
    credentials: Mapping[str, str] | None = None,
    condominium: Any = None,
    endpoint: str = "",
    max_amount: Decimal | None = None,
    is_active: bool = True,
    keep_credentials: bool = False,
    actor: Any = None,
) -> PaymentProviderConfig:
    """Create or replace the firm's (or a condominium's) provider settings; credentials are encrypted.

    `keep_credentials`: the credentials not given keep their stored value (a form leaves secrets
    blank), as long as the provider does not change."""
    get_provider(provider)  # unknown identifiers fail here
    if provider == ProviderKind.SANDBOX and mode == PaymentMode.PRODUCTION:
        raise PaymentError("La banque de test ne peut pas encaisser de vrais paiements.")
    config = PaymentProviderConfig.objects.select_for_update().filter(firm=firm, condominium=condominium).first()
    if config is None:
        config = PaymentProviderConfig(firm=firm, condominium=condominium)
    if credentials is None:
        effective = config.credentials if config.pk else {}
    else:
        kept = config.credentials if keep_credentials and config.pk and config.provider == provider else {}
        effective = {**kept, **{name: value for name, value in credentials.items() if value}}
    if mode == PaymentMode.PRODUCTION:
        missing = [name for name in REQUIRED_IN_PRODUCTION.get(provider, ()) if not effective.get(name)]
        if missing:
            raise PaymentError(f"Identifiants indispensables en production : {', '.join(missing)}.")
    config.provider = provider
    config.mode = mode
    config.shop_id = shop_id
    config.endpoint = endpoint
    config.is_active = is_active
    if max_amount is not None:
        config.max_amount = max_amount
    if credentials is not None:
        config.set_credentials(effective)
    config.save()
    # Names of the credentials only, never their values (LOG-02).
    record(
        action="payments.config.saved",
        firm=firm,
        actor=actor,
        target=config,
        data={
            "provider": provider,
            "mode": mode,
            "active": is_active,
            "credentials_changed": sorted(name for name, value in (credentials or {}).items() if value),
        },
    )
    return config


# --- Starting a payment --------------------------------------------------------------------------


def next_trans_id(shop_id: str, now: datetime.datetime) -> str:
    """The next vads_trans_id of `shop_id` for the UTC day of `now`: "000001"…"899999" (spec §1.3)."""
    utc_day = now.astimezone(datetime.UTC).date()
    table = TransIdCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (shop_id, utc_day, last) VALUES (%s, %s, 1) "  # noqa: S608  (table name from the model)
            f"ON CONFLICT (shop_id, utc_day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [shop_id, utc_day],
        )
        (value,) = cursor.fetchone()
    if value > MAX_TRANS_ID:
        raise PaymentError("Trop de paiements aujourd'hui pour cette boutique : réessayez demain.")
    return f"{value:06d}"


def check_amount(amount: Decimal, maximum: Decimal) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount.quantize(CENT) != amount:
        raise PaymentError("Indiquez un montant en euros, avec au plus deux décimales.")
    if amount < MIN_AMOUNT:
        raise PaymentError(f"Le montant minimal est de {format_amount(MIN_AMOUNT)}.")
    if amount > maximum:
        raise PaymentError(f"Le montant maximal d'un paiement par carte est de {format_amount(maximum)}.")
    return amount.quantize(CENT)


def notification_url(firm: Firm, route: str) -> str:
    return f"{firm.base_url}{reverse('payments:notification', kwargs={'route': route})}"


def log_event(
    *,
    firm: Firm,
    provider: str,
    kind: str,
    code: str,
    payment: Payment | None = None,
    state_before: str = "",
    state_after: str = "",
    parsed: ParsedNotification | None = None,
    detail: str = "",
    payload: Mapping[str, object] | None = None,
    remote_addr: str | None = None,
) -> PaymentEvent:
    return PaymentEvent.all_firms.create(
        firm=firm,
        payment=payment,
        provider=provider,
        kind=kind,
        code=code,
        accepted=code not in REFUSED_CODES,
        state_before=state_before,
        state_after=state_after,
        provider_status=parsed.provider_status if parsed else "",
        provider_event_id=parsed.event_id[:255] if parsed else "",
        detail=detail[:500],
        payload=dict(payload if payload is not None else (parsed.payload if parsed else {})),
        remote_addr=remote_addr,
    )


def log_payment_event(
    payment: Payment, kind: str, code: str, *, state_before: str | None = None, **details: Any
) -> PaymentEvent:
    """An event of `payment` (its firm and provider); its state did not change unless `state_before` says so."""
    return log_event(
        firm=payment.firm,
        provider=payment.provider,
        kind=kind,
        code=code,
        payment=payment,
        state_before=payment.state if state_before is None else state_before,
        state_after=payment.state,
        **details,
    )


def start_payment(
    *, co_owner: CoOwner, amount: Decimal, payer: Any = None, payer_email: str = "", language: str = "fr"
) -> tuple[Payment, Redirect]:
    """Create the payment (state created) and what sends the browser to the provider's page."""
    condominium = co_owner.condominium
    firm = condominium.firm
    config = provider_config_for(condominium)
    if config is None:
        raise ProviderNotConfiguredError("Le paiement par carte n'est pas proposé pour cette copropriété.")
    if settings.IS_PRODUCTION and config.mode != PaymentMode.PRODUCTION:
        raise PaymentError("Le paiement par carte est en mode test : il n'est pas ouvert en production.")
    amount = check_amount(amount, config.max_amount)
    provider = get_provider(config.provider)
    now = timezone.now()
    with transaction.atomic():
        trans_id = next_trans_id(f"{config.provider}:{config.shop_id}", now)
        payment = Payment.objects.create(
            firm=firm,
            condominium=condominium,
            co_owner=co_owner,
            payer=payer,
            payer_email=payer_email or co_owner.email,
            config=config,
            provider=config.provider,
            mode=config.mode,
            shop_id=config.shop_id,
            amount=amount,
            currency="EUR",
            order_id=f"{co_owner.reference}-{secrets.token_hex(4).upper()}",
            trans_id=trans_id,
            trans_date=now.replace(microsecond=0),
            created_at=now,
        )
        log_event(
            firm=firm,
            provider=payment.provider,
            kind=EventKind.CREATED,
            code=EventCode.FORM_ISSUED,
            payment=payment,
            state_after=payment.state,
            payload={"amount": str(amount), "trans_id": trans_id},
        )
        record(
            action="payments.payment.created",
            firm=firm,
            actor=payer,
            target=payment,
            data={"order_id": payment.order_id, "amount": str(amount), "provider": payment.provider},
        )
    return_url = f"{firm.base_url}{reverse('portal:payment_return', kwargs={'public_id': payment.public_id})}"
    order = PaymentOrder(
        order_id=payment.order_id,
        trans_id=payment.trans_id,
        trans_date=payment.trans_date,
        amount=amount,
        currency=payment.currency,
        description=f"Charges de copropriété {condominium.code} — {co_owner.reference_display}",
        customer_email=payment.payer_email,
        customer_reference=co_owner.reference,
        customer_last_name=co_owner.last_name,
        return_url=return_url,
        cancel_url=return_url,
        notification_url=notification_url(firm, provider.notification_route),
        idempotency_key=str(payment.public_id),
        language=language,
    )
    try:
        redirect = provider.start(provider_settings(config, firm), order, http_client())
    except (ProviderCallError, ValueError) as error:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            locked.state = PaymentState.ERROR
            locked.save(update_fields=["state", "updated_at"])
            log_event(
                firm=firm,
                provider=payment.provider,
                kind=EventKind.CREATED,
                code="start_failed",
                payment=locked,
                state_before=PaymentState.CREATED,
                state_after=PaymentState.ERROR,
                detail=str(error),
            )
        raise PaymentError("Le service de paiement est momentanément indisponible. Réessayez plus tard.") from error
    if redirect.session_id:
        Payment.objects.filter(pk=payment.pk).update(provider_session_id=redirect.session_id)
    return payment, redirect


def form_action_origin(payment: Payment) -> str:
    provider = get_provider(payment.provider)
    return provider.form_action_origin(provider_settings(payment.config, payment.firm))


# --- Notifications ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationResult:
    status: int  # HTTP status to answer: 200 (applied or ignored) or 400 (refused)
    code: str
    payment_id: int | None = None
    detail: str = field(default="", compare=False)


def _find_payment(order_id: str, transaction_id: str, providers: list[str]) -> Payment | None:
    """The payment a notification is about, locked (FOR UPDATE): call inside a transaction.

    Read once, with everything verification and the confirmation need (no lazy loads later).
    """
    payments = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("config", "firm", "co_owner", "condominium", "payer")
        .filter(provider__in=providers)
        .order_by()
    )
    if order_id:
        payment = next(iter(payments.filter(order_id=order_id)), None)  # unique
        if payment is not None:
            return payment
    if transaction_id:
        return next(iter(payments.filter(provider_transaction_id=transaction_id)), None)  # unique per provider
    return None


def _classify_orphan(
    firm: Firm, providers: list[str], *, body: bytes, headers: Mapping[str, str], form: Mapping[str, str]
) -> tuple[str, ParsedNotification | None, str]:
    """A notification for no known payment: bad signature, unknown shop, or a signed unknown order."""
    configs = [
        config
        for config in PaymentProviderConfig.objects.filter(firm=firm, provider__in=providers)
        if config.provider in providers
    ]
    code: str = EventCode.SHOP_MISMATCH
    detail = ""
    for config in configs:
        try:
            parsed = get_provider(config.provider).parse_notification(
                provider_settings(config, firm), body=body, headers=headers, form=form, now=timezone.now()
            )
        except NotificationRejectedError as rejected:
            if rejected.code != EventCode.SHOP_MISMATCH:
                code, detail = rejected.code, rejected.detail
            continue
        return EventCode.UNKNOWN_ORDER, parsed, parsed.order_id[:64]
    return code, None, detail


def handle_notification(
    *,
    firm: Firm,
    route: str,
    body: bytes,
    headers: Mapping[str, str],
    form: Mapping[str, str],
    remote_addr: str | None = None,
    now: datetime.datetime | None = None,
) -> NotificationResult:
    """Verify, log and apply one server-to-server notification. Call inside the firm's scope.

    One transaction from the lookup on: the payment row is read once, under its row lock, then
    verified, logged and (if valid) moved by the state machine; the commit releases the lock.
    """
    now = now or timezone.now()
    providers = providers_for_route(route)
    if not providers:
        return NotificationResult(status=404, code="unknown_route")
    adapter = get_provider(providers[0])
    key = adapter.identify(body=body, headers=headers, form=form)
    applying: tuple[Payment, str, ParsedNotification] | None = None
    try:
        with transaction.atomic():
            payment = _find_payment(key.order_id, key.transaction_id, providers)
            if payment is not None:
                result = _verify(payment, firm, body=body, headers=headers, form=form, remote_addr=remote_addr, now=now)
                if isinstance(result, NotificationResult):
                    return result  # refused: its event commits with this transaction
                applying = (payment, payment.state, result)
                return apply_verified(payment, result, remote_addr=remote_addr, now=now)
    except IntegrityError:
        if applying is None:
            raise
        # Another payment already holds this provider transaction id (rolled back: log it afresh).
        payment, before, parsed = applying
        payment.state = before
        return _refuse(payment, EventCode.TRANSACTION_MISMATCH, parsed, "duplicate transaction id", None, remote_addr)

    code, orphan, detail = _classify_orphan(firm, providers, body=body, headers=headers, form=form)
    log_event(
        firm=firm,
        provider=providers[0],
        kind=EventKind.NOTIFICATION,
        code=code,
        parsed=orphan,
        detail=detail,
        payload=orphan.payload if orphan else adapter_payload(adapter, form, body),
        remote_addr=remote_addr,
    )
    logger.warning("payment.notification_refused code=%s route=%s", code, route)
    return NotificationResult(status=400, code=code)


def _verify(
    payment: Payment,
    firm: Firm,
    *,
    body: bytes,
    headers: Mapping[str, str],
    form: Mapping[str, str],
    remote_addr: str | None,
    now: datetime.datetime,
) -> ParsedNotification | NotificationResult:
    """The verified notification, or the refusal (logged) of one that does not fit the payment."""
    provider = get_provider(payment.provider)
    try:
        parsed = provider.parse_notification(
            provider_settings(payment.config, firm), body=body, headers=headers, form=form, now=now
        )
    except NotificationRejectedError as rejected:
        return _refuse(
            payment, rejected.code, None, rejected.detail, adapter_payload(provider, form, body), remote_addr
        )
    mismatch = inconsistency(payment, parsed)
    if mismatch is not None:
        return _refuse(payment, mismatch[0], parsed, mismatch[1], None, remote_addr)
    return parsed


def inconsistency(payment: Payment, parsed: ParsedNotification) -> tuple[str, str] | None:
    """(code, detail) when what the provider says does not fit the payment (mode, order, amount, currency)."""
    if parsed.mode == PaymentMode.TEST and settings.IS_PRODUCTION:
        return EventCode.TEST_MODE_IN_PRODUCTION, ""
    if parsed.mode != payment.mode:
        return EventCode.MODE_MISMATCH, f"{parsed.mode} ≠ {payment.mode}"
    if parsed.order_id and parsed.order_id != payment.order_id:
        return EventCode.UNKNOWN_ORDER, parsed.order_id[:64]
    if parsed.amount_cents is not None and parsed.amount_cents != payment.amount_cents:
        return EventCode.AMOUNT_MISMATCH, f"{parsed.amount_cents} ≠ {payment.amount_cents}"
    if parsed.currency and parsed.currency != payment.currency:
        return EventCode.CURRENCY_MISMATCH, f"{parsed.currency[:3]} ≠ {payment.currency}"
    return None


def adapter_payload(provider: Any, form: Mapping[str, str], body: bytes) -> dict[str, object]:
    loggable = getattr(provider, "loggable", None)
    if callable(loggable) and form:
        payload: dict[str, object] = loggable(form)
        return payload
    return {"bytes": len(body)}


def _refuse(  # noqa: PLR0917  (private helper called positionally from one place)
    payment: Payment,
    code: str,
    parsed: ParsedNotification | None,
    detail: str,
    payload: Mapping[str, object] | None,
    remote_addr: str | None,
) -> NotificationResult:
    log_payment_event(
        payment,
        EventKind.NOTIFICATION,
        code,
        parsed=parsed,
        detail=detail,
        payload=payload,
        remote_addr=remote_addr,
    )
    logger.warning("payment.notification_refused code=%s order=%s", code, payment.order_id)
    return NotificationResult(status=400, code=code, payment_id=payment.pk, detail=detail)


def apply_verified(
    payment: Payment,
    parsed: ParsedNotification,
    *,
    remote_addr: str | None,
    now: datetime.datetime,
    kind: str = EventKind.NOTIFICATION,
) -> NotificationResult:
    """Move the locked `payment` as the verified notification (or the provider's own answer, `kind`
    reconciliation) says, inside the caller's transaction: the one path for both."""
    before = payment.state

    def log(code: str, after: str, detail: str = "") -> PaymentEvent:
        return log_event(
            firm=payment.firm,
            provider=payment.provider,
            kind=kind,
            code=code,
            payment=payment,
            state_before=before,
            state_after=after,
            parsed=parsed,
            detail=detail,
            remote_addr=remote_addr,
        )

    # A refused attempt followed by a successful one of the same form carries a new transaction id.
    retried_after_refusal = before == PaymentState.REFUSED and parsed.outcome == PaymentState.PAID
    if (
        payment.provider_transaction_id
        and parsed.transaction_id
        and payment.provider_transaction_id != parsed.transaction_id
        and not retried_after_refusal
    ):
        log(EventCode.TRANSACTION_MISMATCH, before, parsed.transaction_id[:64])
        logger.error("payment.transaction_mismatch order=%s", payment.order_id)
        return NotificationResult(status=400, code=EventCode.TRANSACTION_MISMATCH, payment_id=payment.pk)
    if not parsed.outcome:
        log(EventCode.UNHANDLED, before)
        return NotificationResult(status=200, code=EventCode.UNHANDLED, payment_id=payment.pk)
    if parsed.outcome == before:
        log(EventCode.DUPLICATE, before)
        return NotificationResult(status=200, code=EventCode.DUPLICATE, payment_id=payment.pk)
    if not can_move(before, parsed.outcome):
        log(EventCode.STALE, before, f"{before} → {parsed.outcome}")
        return NotificationResult(status=200, code=EventCode.STALE, payment_id=payment.pk)

    changed = ["state", "provider_status", "updated_at"]
    payment.state = parsed.outcome
    payment.provider_status = parsed.provider_status
    if parsed.transaction_id and (not payment.provider_transaction_id or retried_after_refusal):
        payment.provider_transaction_id = parsed.transaction_id
        changed.append("provider_transaction_id")
    if parsed.card_brand:
        payment.card_brand = parsed.card_brand
        changed.append("card_brand")
    if parsed.card_last4:
        payment.card_last4 = parsed.card_last4
        changed.append("card_last4")
    if payment.state == PaymentState.PAID:
        payment.paid_at = now
        changed.append("paid_at")
    if payment.state == PaymentState.REFUNDED:
        payment.refunded_at = now
        changed.append("refunded_at")
    # The confirmation is queued once per payment: its mark goes out with the state change.
    confirm = payment.state == PaymentState.PAID and payment.confirmation_queued_at is None
    if confirm:
        payment.confirmation_queued_at = now
        changed.append("confirmation_queued_at")
    # One UPDATE; a provider transaction id held by another payment raises IntegrityError here,
    # which rolls the whole transaction back (handle_notification logs the refusal afterwards).
    payment.save(update_fields=changed)
    log(EventCode.APPLIED, payment.state)
    record(
        action=f"payments.payment.{payment.state}",
        firm=payment.firm,
        target=payment,
        data={"order_id": payment.order_id, "status": parsed.provider_status},
    )
    if confirm:
        _queue_confirmation(payment, now)
    if payment.state == PaymentState.REFUNDED and payment.posted_entry_id and not payment.reversal_entry_id:
        transaction.on_commit(lambda: _post_reversal_quietly(payment.pk), robust=True)
    return NotificationResult(status=200, code=EventCode.APPLIED, payment_id=payment.pk)


def _queue_confirmation(payment: Payment, now: datetime.datetime) -> None:
    """The confirmation e-mail (outbox row in this transaction) and the receipt: one task, run after commit."""
    message_id: int | None = None
    if payment.payer_email:
        paid_at = timezone.localtime(payment.paid_at or now)
        message = queue_email(
            firm=payment.firm,
            to=payment.payer_email,
            template="card_payment_confirmation",
            context={
                "amount": payment.amount,
                "paid_at": paid_at,
                "order_id": payment.order_id,
                "condominium": payment.condominium,
                "co_owner": payment.co_owner,
                "card_brand": payment.card_brand,
                "card_last4": payment.card_last4,
                "account_url": f"{payment.firm.base_url}{reverse('portal:account')}",
            },
            language=getattr(payment.payer, "language", "fr") or "fr",
            send_on_commit=False,  # confirm_payment_task sends it
        )
        message_id = message.pk
    from tantieme.payments.tasks import confirm_payment_task, enqueues_in_transaction

    args = (payment.firm_id, payment.pk, message_id)
    if enqueues_in_transaction(confirm_payment_task):
        # The database task backend: the task row is written in this transaction, so a worker
        # sees it only once the payment is committed, and it is never lost nor left behind by a
        # rollback. One commit (one WAL flush) for the whole notification instead of two.
        confirm_payment_task.enqueue(*args)
    else:
        transaction.on_commit(lambda: confirm_payment_task.enqueue(*args), robust=True)


# --- Refunds ---------------------------------------------------------------------------------------


def request_refund(*, payment: Payment, actor: Any = None) -> Payment:
    """Refund a paid payment through its provider, then reverse its entry if it was posted (PAY-05).

    Phase 1 commits the intent and its idempotency key; phase 2 calls the provider (a retry reuses
    the key); phase 3 commits the result. A notification of the refund may arrive first: fine.
    """
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).select_related("firm").get(pk=payment.pk)
        if locked.state != PaymentState.PAID:
            raise PaymentError("Seul un paiement accepté peut être remboursé.")
        if not locked.provider_transaction_id:
            raise PaymentError("La banque n'a pas communiqué l'identifiant de la transaction.")
        if not locked.refund_key:
            locked.refund_key = uuid.uuid4().hex
            locked.refund_requested_at = timezone.now()
            locked.save(update_fields=["refund_key", "refund_requested_at", "updated_at"])
        log_payment_event(
            locked,
            EventKind.REFUND,
            EventCode.REFUND_REQUESTED,
        )
        record(action="payments.refund.requested", firm=locked.firm, actor=actor, target=locked)
    provider = get_provider(locked.provider)
    try:
        result = provider.refund(
            provider_settings(locked.config, locked.firm),
            transaction_id=locked.provider_transaction_id,
            amount=locked.amount,
            currency=locked.currency,
            idempotency_key=locked.refund_key,
            http=http_client(),
        )
    except ProviderCallError as error:
        log_payment_event(
            locked,
            EventKind.REFUND,
            EventCode.REFUND_FAILED,
            detail=str(error),
        )
        raise PaymentError(f"Le remboursement n'a pas abouti : {error}") from error
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).select_related("firm").get(pk=payment.pk)
        before = locked.state
        if can_move(before, PaymentState.REFUNDED):
            locked.state = PaymentState.REFUNDED
            locked.refunded_at = timezone.now()
        locked.refund_reference = result.reference[:255]
        locked.save()
        log_payment_event(
            locked,
            EventKind.REFUND,
            EventCode.REFUND_DONE,
            state_before=before,
            payload={"reference": result.reference, "status": result.status},
        )
        record(action="payments.refund.done", firm=locked.firm, actor=actor, target=locked)
    post_reversal(payment=locked, actor=actor)
    locked.refresh_from_db()
    return locked


def post_reversal(*, payment: Payment, on: datetime.date | None = None, actor: Any = None) -> bool:
    """The contre-passation of a refunded payment's posting (if it was posted); True when posted now."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).select_related("firm").get(pk=payment.pk)
        if locked.state != PaymentState.REFUNDED or locked.posted_entry is None or locked.reversal_entry_id:
            return False
        on = on or timezone.localdate()
        reversal = ledger.reverse_entry(
            entry=locked.posted_entry,
            date=on,
            validation_date=on,
            label=f"Remboursement CB {locked.order_id}",
            actor=actor,
        )
        locked.reversal_entry = reversal
        locked.save(update_fields=["reversal_entry", "updated_at"])
        log_payment_event(
            locked,
            EventKind.REFUND,
            EventCode.REVERSAL_POSTED,
            payload={"entry": reversal.code},
        )
    return True


def _post_reversal_quietly(payment_id: int) -> None:
    payment = Payment.objects.get(pk=payment_id)
    try:
        post_reversal(payment=payment)
    except LedgerError:
        logger.exception("payment.reversal_failed order=%s", payment.order_id)


# --- Next-day posting --------------------------------------------------------------------------------


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def post_card_payment(*, payment: Payment, on: datetime.date, actor: Any = None) -> bool:
    """Post one accepted card payment of a day before `on`; False when there is nothing to do."""
    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("firm", "co_owner", "condominium")
            .get(pk=payment.pk)
        )
        if locked.state != PaymentState.PAID or locked.posted_entry_id is not None or locked.paid_at is None:
            return False
        paid_day = timezone.localdate(locked.paid_at)
        if paid_day >= on:
            return False
        entry = ledger.post_co_owner_payment(
            co_owner=locked.co_owner,
            amount=locked.amount,
            date=paid_day,
            validation_date=on,
            journal=CARD_JOURNAL,
            label=f"Paiement par carte {locked.order_id}",
            voucher=locked.order_id,
            line_label="Paiement par carte",
            actor=actor,
        )
        locked.posted_entry = entry
        locked.posted_at = timezone.now()
        locked.save(update_fields=["posted_entry", "posted_at", "updated_at"])
        log_payment_event(
            locked,
            EventKind.POSTED,
            EventCode.POSTED,
            payload={"entry": entry.code, "date": paid_day.isoformat(), "validation_date": on.isoformat()},
        )
    return True


@dataclass
class PostingReport:
    posted: list[str] = field(default_factory=list)
    reversed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def post_card_payments(*, on: datetime.date, actor: Any = None) -> PostingReport:
    """Post every accepted payment of the days before `on` not posted yet (in the firm in scope).

    Idempotent: a payment holds its entry, and each one is posted under its row lock.
    """
    report = PostingReport()
    due = Payment.objects.filter(
        state=PaymentState.PAID, posted_entry__isnull=True, paid_at__lt=start_of_day(on)
    ).order_by("paid_at", "pk")
    for payment in due:
        try:
            if post_card_payment(payment=payment, on=on, actor=actor):
                report.posted.append(payment.order_id)
        except LedgerError as error:
            report.failed.append((payment.order_id, str(error)))
            logger.error("payment.posting_failed order=%s error=%s", payment.order_id, error)
    refunded = Payment.objects.filter(
        state=PaymentState.REFUNDED, posted_entry__isnull=False, reversal_entry__isnull=True
    ).order_by("pk")
    for payment in refunded:
        try:
            if post_reversal(payment=payment, on=on, actor=actor):
                report.reversed.append(payment.order_id)
        except LedgerError as error:
            report.failed.append((payment.order_id, str(error)))
    return report
