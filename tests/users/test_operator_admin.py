"""The operator's admin sees every firm: it gets the staff sign-in policy (issue 15, defect 3).

Password through our sign-in view (throttled per account and address, audited), then the TOTP
code; without it no admin page answers, even with a valid session.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tantieme.audit.models import AuditEvent
from tantieme.users.models import User
from tests.conftest import World

PASSWORD = "Operateur-Tres-Long-2026!"


@pytest.fixture
def operator(world: World) -> User:
    return User.objects.create_superuser("operateur", PASSWORD)


def admin_client() -> Client:
    return Client(HTTP_HOST="admin.localhost")


def sign_in(client: Client, password: str = PASSWORD) -> int:
    return client.post("/login/", {"username": "operateur", "password": password}).status_code


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_password_alone_does_not_open_the_admin(operator: User) -> None:
    client = admin_client()
    assert sign_in(client) == 302
    # Signed in, second factor not given: every admin page sends to the second factor.
    response = client.get("/condominiums/condominium/")
    assert response.status_code == 302
    assert client.get(response["Location"]).url.startswith("/compte/double-authentification/")
    assert client.get("/").status_code == 302


def test_the_operator_enrols_a_device_then_uses_the_admin(operator: User, world: World) -> None:
    client = admin_client()
    sign_in(client)
    client.get("/compte/double-authentification/activer/")  # creates the unconfirmed device
    device = TOTPDevice.objects.get(user=operator)
    response = client.post("/compte/double-authentification/activer/", {"token": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/condominiums/condominium/")
    assert page.status_code == 200
    assert world.condo.name in page.content.decode()
    assert AuditEvent.all_firms.filter(action="users.otp.enrolled", actor=operator).exists()


def test_a_wrong_code_is_refused_and_audited(operator: User) -> None:
    TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    client = admin_client()
    sign_in(client)
    response = client.post("/compte/double-authentification/", {"token": "000000"})
    assert response.status_code == 200
    assert client.get("/condominiums/condominium/").status_code == 302
    assert AuditEvent.all_firms.filter(action="users.otp.failed", actor=operator).exists()


def test_password_guessing_is_throttled_and_audited(operator: User) -> None:
    client = admin_client()
    for _ in range(5):
        assert sign_in(client, "mauvais-mot-de-passe") == 200
    assert sign_in(client, "mauvais-mot-de-passe") == 429
    assert sign_in(client) == 429  # even the right password waits
    failures = AuditEvent.all_firms.filter(action="users.login.failed", firm__isnull=True)
    assert failures.count() == 5
    assert AuditEvent.all_firms.filter(action="users.login.throttled").exists()


def test_staff_credentials_do_not_open_the_admin(world: World) -> None:
    from tests.factories import DEFAULT_PASSWORD

    client = admin_client()
    response = client.post("/login/", {"username": world.manager.login, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
