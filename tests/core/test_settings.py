"""The production profile refuses what is only fit for development, and passes `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "TANTIEME_ENV": "production",
    "SECRET_KEY": "p" * 20 + "-production-secret-key-for-the-check-0123456789",
    "BASE_DOMAIN": "extranet.example.fr",
    "DATABASE_URL": "postgres://tantieme@127.0.0.1:5432/tantieme",
    "SANDBOX_BANK_ENABLED": "0",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environ.update(env)
    return subprocess.run(  # noqa: S603  (fixed arguments, our own manage.py)
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_profile_passes_the_deploy_check() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DEBUG": "1"}, "refuses DEBUG"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SANDBOX_BANK_ENABLED": "1"}, "sandbox bank"),
        ({"BASE_DOMAIN": "localhost"}, "BASE_DOMAIN"),
        ({"DEBUG": "perhaps"}, "DEBUG must be a boolean"),
    ],
)
def test_production_profile_refuses_to_start(override: dict[str, str], message: str) -> None:
    env = {**PRODUCTION, **override}
    if env["SECRET_KEY"] == "":
        del env["SECRET_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_development_profile_is_refused_by_the_deploy_check() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", TANTIEME_ENV="development")
    assert result.returncode != 0
    assert "tantieme.E001" in result.stderr


def test_production_cookies_are_host_only_and_secure() -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_DOMAIN,"
        " s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)"
    )
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.split() == ["__Host-sessionid", "__Host-csrftoken", "True", "None", "True", "Lax"]
