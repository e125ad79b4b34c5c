"""Card payments: provider settings, payments, their append-only event log, trans_id counters.

Rows are written by `tantieme.payments.services` only. `PaymentEvent` is append-only (on
PostgreSQL a trigger refuses UPDATE and DELETE, migration 0002). No card number, expiry or CVV
is ever stored: at most the brand and the last four digits the bank sends back.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.fields import MoneyField
from tantieme.ledger.models import Entry
from tantieme.payments.crypto import decrypt_credentials, encrypt_credentials
from tantieme.payments.enums import EventKind, PaymentMode, PaymentState, ProviderKind
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager

DEFAULT_MAX_AMOUNT = Decimal("10000.00")


class PaymentProviderConfig(models.Model):
    """Which provider collects a firm's card payments; a row with a condominium overrides the firm's.

    Each condominium's money goes to its own bank account, hence its own shop (site id) and keys.
    `credentials_encrypted` holds a Fernet token of a JSON object (keys named by the provider).
    """

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="payment_configs")
    condominium = models.ForeignKey(
        Condominium,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="payment_configs",
        verbose_name=_("copropriété"),
        help_text=_("Vide : réglage du cabinet, valable pour toutes ses copropriétés."),
    )
    provider = models.CharField(_("prestataire"), max_length=20, choices=ProviderKind.choices)
    mode = models.CharField(_("mode"), max_length=12, choices=PaymentMode.choices, default=PaymentMode.TEST)
    shop_id = models.CharField(_("identifiant boutique"), max_length=64, blank=True)
    endpoint = models.URLField(
        _("adresse du prestataire"), blank=True, help_text=_("Vide : l'adresse par défaut du prestataire.")
    )
    credentials_encrypted = models.TextField(_("identifiants chiffrés"), blank=True, editable=False)
    max_amount = MoneyField(_("montant maximal d'un paiement"), default=DEFAULT_MAX_AMOUNT)
    is_active = models.BooleanField(_("actif"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FirmScopedManager["PaymentProviderConfig"]()
    all_firms = models.Manager["PaymentProviderConfig"]()

    class Meta:
        verbose_name = _("réglage de paiement en ligne")
        verbose_name_plural = _("réglages de paiement en ligne")
        constraints = [
            models.UniqueConstraint(
                fields=["firm"], condition=Q(condominium__isnull=True), name="payments_one_firm_config"
            ),
            models.UniqueConstraint(
                fields=["condominium"], condition=Q(condominium__isnull=False), name="payments_one_condominium_config"
            ),
            models.CheckConstraint(condition=Q(max_amount__gte=1), name="payments_config_max_amount_min"),
        ]

    def __str__(self) -> str:
        scope = self.condominium.code if self.condominium_id and self.condominium else str(_("cabinet"))
        return f"{self.get_provider_display()} ({scope}, {self.get_mode_display()})"

    @property
    def credentials(self) -> dict[str, str]:
        return decrypt_credentials(self.credentials_encrypted)

    def set_credentials(self, credentials: dict[str, str]) -> None:
        self.credentials_encrypted = encrypt_credentials(credentials)


class Payment(models.Model):
    """One attempt to pay by card: one hosted-page form (Lyra) or Checkout Session (Stripe)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="payments")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="payments")
    co_owner = models.ForeignKey(CoOwner, on_delete=models.PROTECT, related_name="payments")
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    payer_email = models.EmailField(_("e-mail du payeur"), blank=True)
    config = models.ForeignKey(PaymentProviderConfig, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("prestataire"), max_length=20, choices=ProviderKind.choices)
    mode = models.CharField(_("mode"), max_length=12, choices=PaymentMode.choices)
    shop_id = models.CharField(_("identifiant boutique"), max_length=64, blank=True)
    amount = MoneyField(_("montant"))
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    state = models.CharField(_("état"), max_length=12, choices=PaymentState.choices, default=PaymentState.CREATED)
    # Our order reference ("Référence commande"): [A-Za-z0-9_-] only, unique.
    order_id = models.CharField(_("référence commande"), max_length=64, unique=True)
    # Lyra: vads_trans_id (6 characters, unique per shop and UTC day) and vads_trans_date (UTC).
    trans_id = models.CharField(_("numéro de transaction"), max_length=6, blank=True)
    trans_date = models.DateTimeField(_("date de transaction"), default=timezone.now)
    # Stripe: the Checkout Session id.
    provider_session_id = models.CharField(max_length=255, blank=True)
    # The provider's unique transaction id (vads_trans_uuid, Stripe payment_intent): the idempotency key.
    provider_transaction_id = models.CharField(_("transaction chez le prestataire"), max_length=255, blank=True)
    provider_status = models.CharField(_("statut chez le prestataire"), max_length=40, blank=True)
    card_brand = models.CharField(_("carte"), max_length=30, blank=True)
    card_last4 = models.CharField(_("4 derniers chiffres"), max_length=4, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(_("payé le"), null=True, blank=True)
    confirmation_queued_at = models.DateTimeField(null=True, blank=True)
    posted_entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="card_payment"
    )
    posted_at = models.DateTimeField(_("comptabilisé le"), null=True, blank=True)
    # Refund (PAY-05): the idempotency key is stored before the call and reused on retry.
    refund_key = models.CharField(max_length=64, blank=True)
    refund_requested_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(_("remboursé le"), null=True, blank=True)
    refund_reference = models.CharField(max_length=255, blank=True)
    reversal_entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="card_payment_reversal"
    )

    firm_lookup: ClassVar[str] = "firm"
    objects = FirmScopedManager["Payment"]()
    all_firms = models.Manager["Payment"]()

    class Meta:
        verbose_name = _("paiement par carte")
        verbose_name_plural = _("paiements par carte")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_transaction_id"],
                condition=~Q(provider_transaction_id=""),
                name="payments_unique_provider_transaction",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_amount_positive"),
            models.CheckConstraint(condition=Q(order_id__regex=r"^[A-Za-z0-9_-]{1,64}$"), name="payments_order_id"),
        ]
        indexes = [
            models.Index(fields=["firm", "state", "created_at"], name="payments_firm_state"),
            models.Index(fields=["co_owner", "state"], name="payments_co_owner_state"),
            models.Index(fields=["state", "posted_entry"], name="payments_state_posted"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.amount} € ({self.get_state_display()})"

    @property
    def amount_cents(self) -> int:
        return int(self.amount * 100)

    @property
    def is_posted(self) -> bool:
        return self.posted_entry_id is not None


class PaymentEvent(models.Model):
    """Append-only log of everything that happened to payments, and of every notification received.

    A notification that matches no payment (unknown order, bad signature) is logged with no payment.
    `payload` keeps the received fields (masked card number at most; never a key or a signature base).
    """

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="payment_events")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    provider = models.CharField(_("prestataire"), max_length=20, choices=ProviderKind.choices)
    kind = models.CharField(_("type"), max_length=20, choices=EventKind.choices)
    code = models.CharField(_("code"), max_length=40)
    accepted = models.BooleanField(_("accepté"), default=True)
    state_before = models.CharField(max_length=12, blank=True)
    state_after = models.CharField(max_length=12, blank=True)
    provider_status = models.CharField(max_length=40, blank=True)
    provider_event_id = models.CharField(max_length=255, blank=True)
    detail = models.CharField(_("détail"), max_length=500, blank=True)
    payload: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("reçu le"), default=timezone.now)

    firm_lookup: ClassVar[str] = "firm"
    objects = FirmScopedManager["PaymentEvent"]()
    all_firms = models.Manager["PaymentEvent"]()

    class Meta:
        verbose_name = _("événement de paiement")
        verbose_name_plural = _("événements de paiement")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["firm", "code", "created_at"], name="payments_event_code")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.kind} {self.code}"


class TransIdCounter(models.Model):
    """Lyra's vads_trans_id: a counter per shop and UTC day (spec §1.3), incremented atomically."""

    shop_id = models.CharField(max_length=64)
    utc_day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop_id", "utc_day"], name="payments_trans_counter_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.utc_day}: {self.last}"
