"""Choices of the payments app: providers, modes, payment states, notification outcomes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    LYRA = "lyra", _("Lyra (Systempay, PayZen, Sogecommerce, Scellius)")
    STRIPE = "stripe", _("Stripe Checkout")
    SANDBOX = "sandbox", _("Banque de test (bac à sable)")


class PaymentMode(models.TextChoices):
    TEST = "test", _("Test")
    PRODUCTION = "production", _("Production")


class PaymentState(models.TextChoices):
    """created → pending → paid | refused | cancelled | error; paid → refunded; refused → paid.

    Never backwards, with one exception: refused → paid. Lyra's payment page lets the payer try
    again with another card after a refusal (additional attempts of the same form, same order,
    a new transaction uuid); the notification of the refused attempt may come first, and a signed
    AUTHORISED that follows means the money was taken: it must be recorded (issue 15).
    """

    CREATED = "created", _("Créé")
    PENDING = "pending", _("En attente de la banque")
    PAID = "paid", _("Payé")
    REFUSED = "refused", _("Refusé")
    CANCELLED = "cancelled", _("Annulé")
    ERROR = "error", _("Erreur")
    REFUNDED = "refunded", _("Remboursé")


# The monotonic state machine: the states each state may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentState.CREATED: frozenset(
        {PaymentState.PENDING, PaymentState.PAID, PaymentState.REFUSED, PaymentState.CANCELLED, PaymentState.ERROR}
    ),
    PaymentState.PENDING: frozenset(
        {PaymentState.PAID, PaymentState.REFUSED, PaymentState.CANCELLED, PaymentState.ERROR}
    ),
    PaymentState.PAID: frozenset({PaymentState.REFUNDED}),
    PaymentState.REFUSED: frozenset({PaymentState.PAID}),  # a later attempt of the same form succeeded
    PaymentState.CANCELLED: frozenset(),
    PaymentState.ERROR: frozenset(),
    PaymentState.REFUNDED: frozenset(),
}


def can_move(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


class EventKind(models.TextChoices):
    CREATED = "created", _("Paiement créé")
    NOTIFICATION = "notification", _("Notification de la banque")
    POSTED = "posted", _("Comptabilisé")
    REFUND = "refund", _("Remboursement")
    RECONCILIATION = "reconciliation", _("Rapprochement avec la banque")


class EventCode(models.TextChoices):
    """Why a notification was applied, ignored or refused (the `code` of a PaymentEvent)."""

    # Applied
    FORM_ISSUED = "form_issued", _("Formulaire de paiement émis")
    APPLIED = "applied", _("Changement d'état appliqué")
    # Ignored (200): harmless
    DUPLICATE = "duplicate", _("Notification déjà traitée (rejeu)")
    STALE = "stale", _("Notification hors séquence ignorée")
    UNHANDLED = "unhandled", _("Événement non géré")
    # Refused (400): authenticity or consistency
    MALFORMED = "malformed", _("Notification illisible")
    SIGNATURE_INVALID = "signature_invalid", _("Signature invalide")
    TEST_MODE_IN_PRODUCTION = "test_mode_in_production", _("Notification de TEST refusée en production")
    MODE_MISMATCH = "mode_mismatch", _("Mode (test/production) différent du paiement")
    SHOP_MISMATCH = "shop_mismatch", _("Boutique inconnue")
    UNKNOWN_ORDER = "unknown_order", _("Commande inconnue")
    AMOUNT_MISMATCH = "amount_mismatch", _("Montant différent")
    CURRENCY_MISMATCH = "currency_mismatch", _("Devise différente")
    TRANSACTION_MISMATCH = "transaction_mismatch", _("Identifiant de transaction différent")
    TIMESTAMP_OUT_OF_TOLERANCE = "timestamp_out_of_tolerance", _("Horodatage hors tolérance")
    # Posting and refunds
    POSTED = "posted", _("Écriture passée")
    REFUND_REQUESTED = "refund_requested", _("Remboursement demandé")
    REFUND_DONE = "refund_done", _("Remboursement effectué")
    REFUND_FAILED = "refund_failed", _("Échec du remboursement")
    REVERSAL_POSTED = "reversal_posted", _("Contre-passation passée")
    # Daily reconciliation with the provider (PAY-04)
    CONFIRMED_BY_PROVIDER = "confirmed_by_provider", _("Confirmé par la banque")
    UNKNOWN_AT_PROVIDER = "unknown_at_provider", _("Aucune transaction à la banque")
    NOT_PAID_AT_PROVIDER = "not_paid_at_provider", _("Payé chez nous, pas à la banque")


REFUSED_CODES = frozenset(
    {
        EventCode.MALFORMED,
        EventCode.SIGNATURE_INVALID,
        EventCode.TEST_MODE_IN_PRODUCTION,
        EventCode.MODE_MISMATCH,
        EventCode.SHOP_MISMATCH,
        EventCode.UNKNOWN_ORDER,
        EventCode.AMOUNT_MISMATCH,
        EventCode.CURRENCY_MISMATCH,
        EventCode.TRANSACTION_MISMATCH,
        EventCode.TIMESTAMP_OUT_OF_TOLERANCE,
    }
)
