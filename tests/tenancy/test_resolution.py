"""The firm comes from the host name; unknown hosts are refused before anything else."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tantieme.audit.models import AuditEvent
from tantieme.tenancy.queries import firm_slug_for_host
from tantieme.tenancy.scoping import all_firms_scope
from tests.conftest import World, client_for


@pytest.mark.parametrize(
    ("hostname", "slug"),
    [
        ("horizon.localhost", "horizon"),
        ("rivage.localhost", "rivage"),
        ("localhost", "horizon"),
        ("127.0.0.1", "horizon"),
        ("a.b.localhost", None),
        ("horizon.example.com", None),
    ],
)
def test_firm_slug_for_host(hostname: str, slug: str | None) -> None:
    with override_settings(BASE_DOMAIN="localhost", DEFAULT_FIRM="horizon"):
        assert firm_slug_for_host(hostname) == slug


def test_each_firm_shows_its_own_login_page(world: World) -> None:
    for firm in (world.horizon, world.rivage):
        response = client_for(firm).get("/compte/connexion/")
        assert response.status_code == 200
        assert firm.name in response.content.decode()
        assert '<html lang="fr">' in response.content.decode()
        assert "Connexion" in response.content.decode()


def test_loopback_host_uses_the_default_firm(world: World) -> None:
    response = Client(HTTP_HOST="localhost:8000").get("/compte/connexion/")
    assert world.horizon.name in response.content.decode()


def test_unknown_subdomain_is_a_404_before_login(world: World) -> None:
    response = Client(HTTP_HOST="inconnu.localhost").get("/compte/connexion/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_inactive_firm_is_a_404(world: World) -> None:
    world.rivage.is_active = False
    world.rivage.save()
    assert client_for(world.rivage).get("/compte/connexion/").status_code == 404


def test_host_outside_allowed_hosts_is_a_400(world: World) -> None:
    assert Client(HTTP_HOST="evil.example.com").get("/compte/connexion/").status_code == 400


def test_admin_lives_only_on_the_operator_host(world: World) -> None:
    assert client_for(world.horizon).get("/admin/").status_code == 404
    assert client_for(world.horizon).get("/login/").status_code in (302, 404)
    operator = Client(HTTP_HOST="admin.localhost")
    response = operator.get("/login/")
    assert response.status_code == 200
    assert "Django" in response.content.decode() or "administration" in response.content.decode().lower()


def test_operator_can_use_the_admin_over_all_firms(world: World, django_user_model) -> None:
    operator_user = django_user_model.objects.create_superuser("operateur", "Operateur-Tres-Long-2026!")
    operator = Client(HTTP_HOST="admin.localhost")
    operator.force_login(operator_user)
    assert operator.get("/condominiums/condominium/").status_code == 302  # no second factor yet
    device = TOTPDevice.objects.create(user=operator_user, name="app", confirmed=True)
    session = operator.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = operator.get("/condominiums/condominium/")
    assert response.status_code == 200
    body = response.content.decode()
    assert world.condo.name in body
    assert world.other_condo.name in body


def test_operator_credentials_do_not_open_a_firm(world: World, django_user_model) -> None:
    django_user_model.objects.create_superuser("operateur", "Operateur-Tres-Long-2026!")
    client = client_for(world.horizon)
    response = client.post("/compte/connexion/", {"username": "operateur", "password": "Operateur-Tres-Long-2026!"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_credentials_of_one_firm_fail_on_another(world: World) -> None:
    from tests.factories import DEFAULT_PASSWORD

    good = client_for(world.horizon).post("/compte/connexion/", {"username": "A6060001", "password": DEFAULT_PASSWORD})
    assert good.status_code == 302
    wrong_firm = client_for(world.rivage).post(
        "/compte/connexion/", {"username": "A6060001", "password": DEFAULT_PASSWORD}
    )
    assert wrong_firm.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in wrong_firm.content.decode()


def test_login_accepts_reference_written_with_spaces_and_lower_case(world: World) -> None:
    from tests.factories import DEFAULT_PASSWORD

    response = client_for(world.horizon).post(
        "/compte/connexion/", {"username": "a 606 0001", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302


def test_session_replayed_on_another_firm_is_ended_and_logged(world: World) -> None:
    client = client_for(world.horizon, world.alice_user)
    assert client.get("/").status_code == 200
    session_cookie = client.cookies["sessionid"].value
    replay = Client(HTTP_HOST="rivage.localhost")
    replay.cookies["sessionid"] = session_cookie
    response = replay.get("/")
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]
    with all_firms_scope():
        assert AuditEvent.objects.filter(action="auth.session.firm_mismatch").count() == 1


def test_healthz(db: None) -> None:
    response = Client(HTTP_HOST="unknown.localhost").get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}


def test_healthz_reports_a_database_failure(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tantieme.core.middleware.database_status", lambda: "error")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "error"}
