"""Errors of the payments app."""

from __future__ import annotations


class PaymentError(Exception):
    """A payment cannot be started, refunded or posted; the message is for the user."""


class ProviderNotConfiguredError(PaymentError):
    """No active payment provider for this condominium."""


class ProviderCallError(PaymentError):
    """The provider's API did not answer as expected (network, HTTP error, refusal)."""


class NotificationRejectedError(Exception):
    """A notification refused by a provider adapter (bad signature, malformed…); `code` is an EventCode."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
