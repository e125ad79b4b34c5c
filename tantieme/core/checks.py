"""System checks that `check --deploy` runs in addition to Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def check_production_profile(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if not settings.IS_PRODUCTION:
        errors.append(Error("TANTIEME_ENV is not 'production'.", id="tantieme.E001"))
    if settings.SANDBOX_BANK_ENABLED:
        errors.append(Error("The sandbox bank is enabled.", id="tantieme.E002"))
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(Error("Production runs on PostgreSQL (DATABASE_URL=postgres://...).", id="tantieme.E003"))
    return errors
