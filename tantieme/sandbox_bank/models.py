"""The test bank's own records: the transactions it processed and the notifications it sends.

No card number, expiry or CVV is ever stored: only the chosen brand and the last four digits.
These tables belong to "the bank", not to the syndic's books: nothing outside this app reads them.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils import timezone


class SandboxTransaction(models.Model):
    FORM = "form"
    CHALLENGE = "challenge"
    AUTHORISED = "authorised"
    REFUSED = "refused"
    ABANDONED = "abandoned"
    REFUNDED = "refunded"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    shop_id = models.CharField(max_length=16)
    ctx_mode = models.CharField(max_length=12)
    trans_day = models.DateField()
    trans_id = models.CharField(max_length=6)  # stored lower case: not case sensitive
    order_id = models.CharField(max_length=64)
    amount_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    # The vads_* fields of the merchant's form (no card data: the form carries none).
    request_fields: models.JSONField[Any, Any] = models.JSONField(default=dict)
    status = models.CharField(max_length=12, default=FORM)
    brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    trans_uuid = models.CharField(max_length=32, default="", blank=True)
    auth_result = models.CharField(max_length=2, blank=True)
    threeds_status = models.CharField(max_length=1, blank=True)
    result_fields: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    refund_uuid = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop_id", "trans_day", "trans_id"], name="sandbox_trans_id_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.trans_day} {self.trans_id} {self.status}"


class SandboxNotification(models.Model):
    """An IPN to deliver to the merchant's vads_url_check; retried like Lyra (up to 4 attempts)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"

    transaction = models.ForeignKey(SandboxTransaction, on_delete=models.CASCADE, related_name="notifications")
    url = models.URLField(max_length=1024)
    fields: models.JSONField[Any, Any] = models.JSONField(default=dict)  # unsigned; signed at each attempt
    status = models.CharField(max_length=10, default=PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="sandbox_notification_due")]

    def __str__(self) -> str:
        return f"IPN {self.transaction_id} {self.status} ({self.attempts})"
