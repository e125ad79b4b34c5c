"""AUTH-03, SESS-01..03, AC-01: first login with a temporary password, sessions, cross-firm refusal."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tantieme.audit.models import AuditEvent
from tantieme.users.models import User
from tests.conftest import World, client_for, host_of
from tests.users.conftest import STRONG, TEMPORARY, login

CHANGE = "/compte/mot-de-passe/"


def all_url_paths() -> list[str]:
    """Every URL pattern of a firm's host, with sample arguments."""
    paths: list[str] = []

    def walk(patterns: list, prefix: str) -> None:  # type: ignore[type-arg]
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                route = re.sub(r"<int:[^>]+>", "1", route)
                route = re.sub(r"<(?:str|slug|path|uuid):[^>]+>|<[^>]+>", "x", route)
                paths.append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    assert len(paths) > 10
    return paths


def test_temporary_password_forces_a_change_then_reaches_home(world: World, temporary_user: User) -> None:
    client = client_for(world.horizon)
    response = login(client, "A6060002", TEMPORARY)
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == CHANGE
    page = client.get(CHANGE)
    assert "mot de passe provisoire" in page.content.decode()

    # The temporary password itself is refused as the new one.
    refused = client.post(CHANGE, {"old_password": TEMPORARY, "new_password1": TEMPORARY, "new_password2": TEMPORARY})
    assert refused.status_code == 200
    # Abcdefgh1234: a clear message saying what is missing.
    weak = client.post(
        CHANGE, {"old_password": TEMPORARY, "new_password1": "Abcdefgh1234", "new_password2": "Abcdefgh1234"}
    )
    text = weak.content.decode()
    assert weak.status_code == 200
    assert "caractère spécial" in text
    assert "il manque 2 caractères" in text
    accepted = client.post(CHANGE, {"old_password": TEMPORARY, "new_password1": STRONG, "new_password2": STRONG})
    assert accepted.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    temporary_user.refresh_from_db()
    assert not temporary_user.must_change_password
    assert temporary_user.password_changed_at is not None
    # The temporary password no longer works; the new one does.
    fresh = client_for(world.horizon)
    assert login(fresh, "A6060002", TEMPORARY).status_code == 200
    assert login(fresh, "A6060002", STRONG).status_code == 302
    with_firm = AuditEvent.all_firms.filter(firm=world.horizon)
    assert with_firm.filter(action="users.password.changed", actor=temporary_user).exists()


def test_every_url_redirects_while_a_change_is_required(world: World, temporary_user: User) -> None:
    client = client_for(world.horizon)
    assert login(client, "A6060002", TEMPORARY).status_code == 302
    exempt = {CHANGE, "/compte/deconnexion/"}
    checked = 0
    for path in all_url_paths():
        if path in exempt:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code == 302, (method, path, response.status_code)
            assert response["Location"] == CHANGE, (method, path)
            checked += 1
    assert checked > 20
    assert client.get(CHANGE).status_code == 200
    static = client.get("/static/css/tantieme.css")
    assert static.status_code == 200
    # Read through the test client's wrapper: a bare close() would close the test's DB connection.
    b"".join(static.streaming_content)  # type: ignore[attr-defined]
    assert client.post("/compte/deconnexion/").status_code == 302


def test_expired_temporary_password_is_refused(world: World, temporary_user: User) -> None:
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=31)):
        response = login(client_for(world.horizon), "A6060002", TEMPORARY)
    assert response.status_code == 200
    assert "provisoire a expiré" in response.content.decode()


def test_credentials_of_one_firm_do_not_work_on_another(world: World) -> None:
    wrong_firm = login(client_for(world.rivage), "A6060001", "Test-Password-2026!")
    unknown = login(client_for(world.rivage), "Z9999999", "Test-Password-2026!")
    assert wrong_firm.status_code == unknown.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in wrong_firm.content.decode()
    assert login(client_for(world.horizon), "A6060001", "Test-Password-2026!").status_code == 302


def test_session_cookie_replayed_on_another_firm_is_refused(world: World) -> None:
    client = client_for(world.horizon, world.alice_user)
    assert client.get("/").status_code == 200
    client.defaults["HTTP_HOST"] = host_of(world.rivage)
    response = client.get("/")
    assert response.status_code == 302
    assert AuditEvent.all_firms.filter(action="auth.session.firm_mismatch").exists()


def test_email_also_works_as_identifier(world: World) -> None:
    user = world.alice_user
    user.email = "alice@example.com"
    user.save()
    assert login(client_for(world.horizon), "Alice@Example.com", "Test-Password-2026!").status_code == 302
    assert login(client_for(world.horizon), "a 606 0001", "Test-Password-2026!").status_code == 302


def test_new_session_key_at_login_and_logout_deletes_the_session(world: World) -> None:
    client = client_for(world.horizon)
    client.get("/compte/connexion/")
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    assert login(client, "A6060001", "Test-Password-2026!").status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert Session.objects.filter(session_key=after).exists()
    client.post("/compte/deconnexion/")
    assert not Session.objects.filter(session_key=after).exists()
    replay = Client(HTTP_HOST=host_of(world.horizon))
    replay.cookies["sessionid"] = after
    assert replay.get("/").status_code == 302


def test_idle_timeout_of_30_minutes(world: World) -> None:
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for(world.horizon)
        login(client, "A6060001", "Test-Password-2026!")
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=31))
        assert client.get("/").status_code == 302


def test_absolute_timeout_of_12_hours(world: World) -> None:
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for(world.horizon)
        login(client, "A6060001", "Test-Password-2026!")
        for _ in range(71):  # a request every 10 minutes for almost 12 hours: never idle
            traveller.shift(datetime.timedelta(minutes=10))
            assert client.get("/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=11))
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")
    assert AuditEvent.all_firms.filter(action="users.session.expired").exists()


def test_password_change_ends_the_other_sessions(world: World) -> None:
    first = client_for(world.horizon)
    second = client_for(world.horizon)
    login(first, "A6060001", "Test-Password-2026!")
    login(second, "A6060001", "Test-Password-2026!")
    response = first.post(
        CHANGE, {"old_password": "Test-Password-2026!", "new_password1": STRONG, "new_password2": STRONG}
    )
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_login_and_failures_are_audited_without_secrets(world: World) -> None:
    client = client_for(world.horizon)
    login(client, "A6060001", "Canary-Pwd-93!x")
    login(client, "A6060001", "Test-Password-2026!")
    events = AuditEvent.all_firms.filter(firm=world.horizon)
    failed = events.get(action="users.login.failed")
    assert failed.ip_address == "127.0.0.1"
    assert events.filter(action="users.login.succeeded", actor=world.alice_user).exists()
    assert "Canary" not in str(list(events.values_list("data", flat=True)))


@pytest.mark.parametrize("secure", [True])
def test_production_cookie_settings(secure: bool) -> None:
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_DOMAIN is None
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_TOUCH_INTERVAL <= 60  # the idle timeout slides, to the minute
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 3600
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
