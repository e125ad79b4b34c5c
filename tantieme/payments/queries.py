"""Reads of the payments app. Call inside a firm scope."""

from __future__ import annotations

import datetime
import uuid

from django.db.models import Q, QuerySet

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.documents.enums import DocumentCategory
from tantieme.documents.models import Document
from tantieme.payments.enums import PaymentState
from tantieme.payments.models import Payment, PaymentEvent, PaymentProviderConfig


def provider_config_for(condominium: Condominium) -> PaymentProviderConfig | None:
    """The condominium's own active provider settings, else its firm's; None if card payment is off."""
    configs = PaymentProviderConfig.objects.filter(
        Q(condominium=condominium) | Q(condominium__isnull=True, firm_id=condominium.firm_id), is_active=True
    )
    chosen = None
    for config in configs:
        if config.condominium_id is not None:
            return config
        chosen = config
    return chosen


def pending_card_payments(co_owner: CoOwner) -> QuerySet[Payment]:
    """Card payments accepted (or being authorised) but not posted yet: "paiement en cours".

    They are not in the balance until `post_card_payments` posts them (the next day).
    """
    return Payment.objects.filter(
        co_owner=co_owner, state__in=[PaymentState.PAID, PaymentState.PENDING], posted_entry__isnull=True
    ).order_by("created_at")


def payment_for_user(user_id: int, public_id: uuid.UUID) -> Payment:
    """A payment of one of the user's co-owner accounts; another's is DoesNotExist (a 404)."""
    return Payment.objects.select_related("condominium", "co_owner").get(
        public_id=public_id, co_owner__users__id=user_id
    )


def payments_for_staff(
    *,
    state: str = "",
    condominium_id: int | None = None,
    search: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[Payment]:
    payments = Payment.objects.select_related("condominium", "co_owner", "posted_entry").order_by("-created_at", "-id")
    if state:
        payments = payments.filter(state=state)
    if condominium_id:
        payments = payments.filter(condominium_id=condominium_id)
    if search:
        payments = payments.filter(
            Q(order_id__icontains=search)
            | Q(co_owner__reference__icontains=search.replace(" ", ""))
            | Q(co_owner__last_name__icontains=search)
        )
    if start:
        payments = payments.filter(created_at__date__gte=start)
    if end:
        payments = payments.filter(created_at__date__lte=end)
    return payments


def events_of(payment: Payment) -> QuerySet[PaymentEvent]:
    return PaymentEvent.objects.filter(payment=payment).order_by("created_at", "id")


def receipt_of(payment: Payment) -> Document | None:
    """The receipt published in the co-owner's « Mes documents » once the payment is paid, if ready."""
    return Document.objects.filter(
        co_owner_id=payment.co_owner_id,
        category=DocumentCategory.RECEIPT,
        original_filename=f"recu-{payment.order_id}.pdf",
        archived_at__isnull=True,
    ).first()
