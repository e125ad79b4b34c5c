"""Demo: both demo firms collect card payments through the embedded test bank (sandbox)."""

from __future__ import annotations

from django.conf import settings

from tantieme.payments.enums import PaymentMode, ProviderKind
from tantieme.payments.models import PaymentProviderConfig
from tantieme.payments.services import save_provider_config
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope


def seed_payment_settings(firm: Firm) -> PaymentProviderConfig:
    """The firm's card payments go to the test bank (shop 12345678, TEST key); idempotent."""
    with firm_scope(firm):
        existing = PaymentProviderConfig.objects.filter(firm=firm, condominium__isnull=True).first()
        if existing is not None:
            return existing
        return save_provider_config(
            firm=firm,
            provider=ProviderKind.SANDBOX,
            mode=PaymentMode.TEST,
            shop_id=settings.SANDBOX_BANK_SHOP_ID,
            credentials={
                "test_key": settings.SANDBOX_BANK_TEST_KEY,
                "production_key": settings.SANDBOX_BANK_PRODUCTION_KEY,
                "rest_password_test": settings.SANDBOX_BANK_REST_PASSWORD,
            },
        )
