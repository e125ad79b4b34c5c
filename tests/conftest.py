"""Shared fixtures: two firms, personas, host-aware clients.

Personas (after healthchecks' tests): Alice owns lot 1 at horizon; Bob owns lot 2 in the same
condominium; Charlie is a co-owner at another firm (rivage); Gaston is horizon's manager.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.factories import (
    CondominiumFactory,
    CoOwnerFactory,
    FirmFactory,
    OwnershipFactory,
    StaffUserFactory,
    co_owner_user,
)

CHROMIUM_PATH = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def _required(name: str) -> bool:
    return os.environ.get(name, "") == "1"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """PostgreSQL and browser tests skip with a reason where those are absent, and fail in CI."""
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            message = "needs PostgreSQL (set DATABASE_URL=postgres://...)"
            if _required("REQUIRE_POSTGRES"):
                pytest.fail(f"REQUIRE_POSTGRES=1 but the suite runs on {connection.vendor}: {message}")
            pytest.skip(message)
    if item.get_closest_marker("browser") and not CHROMIUM_PATH.exists():
        message = f"needs Chromium at {CHROMIUM_PATH} (apt-get install chromium)"
        if _required("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER=1: {message}")
        pytest.skip(message)


def pytest_sessionstart(session: pytest.Session) -> None:
    if _required("REQUIRE_POSTGRES") and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise pytest.UsageError("REQUIRE_POSTGRES=1 needs DATABASE_URL=postgres://...")


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(settings: Any, tmp_path: Path) -> None:
    """Uploaded and generated files go to a folder of the test's own, never to var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _french_by_default() -> Iterator[None]:
    """Requests activate their language in the thread; every test starts in French again."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.activate("fr")


def host_of(firm: Firm) -> str:
    return f"{firm.slug}.localhost"


def client_for(firm: Firm, user: User | None = None) -> Client:
    """A test client talking to the firm's own host, signed in as `user` if given.

    Staff are signed in with their second factor too (a confirmed TOTP device, as after
    `users:otp_verify`), so back-office pages answer as they would in production.
    """
    client = Client(HTTP_HOST=host_of(firm))
    if user is not None:
        client.force_login(user)
        if user.is_firm_staff:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client


@dataclass
class SmtpServer:
    """What a real SMTP server (aiosmtpd, in this process) received."""

    host: str
    port: int
    handler: Any

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(envelope.original_content, policy=default_policy) for envelope in self.handler.envelopes
        ]  # type: ignore[misc]

    def clear(self) -> None:
        self.handler.envelopes.clear()


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """Start aiosmtpd on 127.0.0.1 (free port) and point Django's SMTP backend at it."""
    import socket

    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self) -> None:
            self.envelopes: list[Any] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.envelopes.append(envelope)
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield SmtpServer(host="127.0.0.1", port=port, handler=handler)
    finally:
        controller.stop()


@dataclass
class World:
    horizon: Firm
    rivage: Firm
    condo: Condominium
    other_condo: Condominium
    alice: CoOwner
    bob: CoOwner
    charlie: CoOwner
    alice_user: User
    bob_user: User
    charlie_user: User
    manager: User


@pytest.fixture
def world(db: None) -> World:
    horizon = FirmFactory(slug="horizon", name="Horizon Syndic")
    rivage = FirmFactory(slug="rivage", name="Rivage Gestion")
    condo = CondominiumFactory(firm=horizon, code="606")
    other_condo = CondominiumFactory(firm=rivage, code="149", reference_letter="G")
    alice = CoOwnerFactory(condominium=condo, reference="A6060001", civility="M. et Mme", last_name="TEST")
    bob = CoOwnerFactory(condominium=condo, reference="A6060002", last_name="MARTIN")
    charlie = CoOwnerFactory(condominium=other_condo, reference="G149X369", last_name="DURAND")
    OwnershipFactory(co_owner=alice)
    OwnershipFactory(co_owner=bob)
    OwnershipFactory(co_owner=charlie)
    return World(
        horizon=horizon,
        rivage=rivage,
        condo=condo,
        other_condo=other_condo,
        alice=alice,
        bob=bob,
        charlie=charlie,
        alice_user=co_owner_user(alice),
        bob_user=co_owner_user(bob),
        charlie_user=co_owner_user(charlie),
        manager=StaffUserFactory(firm=horizon, login="gestion@horizon.example"),
    )


@pytest.fixture
def in_horizon(world: World) -> Iterator[Firm]:
    with firm_scope(world.horizon) as firm:
        yield firm


# --- A real Chromium (Debian's package) driven by Playwright, for the browser tests ---------------
# Defined once, here: a session-scoped fixture defined (or imported) in two test packages would
# start two Playwright instances in one worker, and the second fails.

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not CHROMIUM_PATH.exists():
        pytest.skip(f"needs Chromium at {CHROMIUM_PATH}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; the ORM calls that the tests make
    # around it (seeding, assertions) are plain synchronous code, so Django's async guard is lifted.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):  # type: ignore[no-untyped-def]
    # bypass_csp lets the accessibility checker (axe-core) be injected into our strict-CSP pages.
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()
