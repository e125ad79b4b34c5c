"""The embedded test bank (`tantieme.sandbox_bank`): the Lyra protocol, on the firm's own host.

Production code runs end to end against it: this adapter is the Lyra one with other defaults
(shop 12345678, TEST key 1122334455667788, the bank's pages under /banque-test/).
"""

from __future__ import annotations

from typing import ClassVar

from tantieme.payments.providers.base import ProviderSettings
from tantieme.payments.providers.lyra import LyraProvider

SANDBOX_SHOP_ID = "12345678"
SANDBOX_TEST_KEY = "1122334455667788"
SANDBOX_PATH = "/banque-test/"


class SandboxProvider(LyraProvider):
    identifier: ClassVar[str] = "sandbox"
    notification_route: ClassVar[str] = "lyra"

    def endpoint(self, settings: ProviderSettings) -> str:
        return settings.endpoint or f"{settings.site_url}{SANDBOX_PATH}vads-payment/"

    def rest_url(self, settings: ProviderSettings) -> str:
        return settings.credentials.get("rest_url") or f"{settings.site_url}{SANDBOX_PATH}api-payment/"
