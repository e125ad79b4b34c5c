"""AUTH-04 (forgotten password) and AUTH-05 (throttling), with mail through a real SMTP server."""

from __future__ import annotations

import datetime
import re

import time_machine
from django.conf import settings

from tantieme.audit.models import AuditEvent
from tantieme.users.models import Throttle
from tests.conftest import World, client_for
from tests.users.conftest import STRONG, links_in, login

FORGOT = "/compte/mot-de-passe-oublie/"


def without_csrf(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def ask_reset(client, identifier: str):  # type: ignore[no-untyped-def]
    return client.post(FORGOT, {"identifier": identifier}, follow=True)


def test_same_page_for_known_and_unknown_accounts(
    world: World, smtp_server, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    world.alice_user.email = "alice@example.com"
    world.alice_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        known = ask_reset(client_for(world.horizon), "A6060001")
        no_email = ask_reset(client_for(world.horizon), "A6060002")
        unknown = ask_reset(client_for(world.horizon), "Z9999999")
    assert known.status_code == no_email.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain == no_email.redirect_chain
    assert without_csrf(known) == without_csrf(unknown) == without_csrf(no_email)
    page = known.content.decode()
    assert f"mailto:{world.horizon.contact_email}?subject=" in page
    assert "référence copropriétaire" in page
    assert [m["To"] for m in smtp_server.messages] == ["alice@example.com"]


def test_reset_link_from_firm_host_single_use_ends_sessions_and_notifies(
    world: World,
    smtp_server,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    user = world.alice_user
    user.email = "alice@example.com"
    user.save()
    other_session = client_for(world.horizon)
    assert login(other_session, "A6060001", "Test-Password-2026!").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        # A forged Host is not in ALLOWED_HOSTS; the link uses firm.base_url anyway.
        ask_reset(client_for(world.horizon), "alice@example.com")
    message = smtp_server.messages[0]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert message.get_body(preferencelist=("html",)) is not None
    [link] = links_in(text)
    assert link.startswith(f"{world.horizon.base_url}/compte/reinitialiser/")
    path = link.removeprefix(world.horizon.base_url)
    client = client_for(world.horizon)
    assert "Choisir votre mot de passe" in client.get(path).content.decode()
    # A token of horizon means nothing on rivage's host.
    assert "plus valable" in client_for(world.rivage).get(path).content.decode()
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        weak = client.post(path, {"new_password1": "Abcdefgh1234", "new_password2": "Abcdefgh1234"})
        assert "caractère spécial" in weak.content.decode()
        done = client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302
    assert "plus valable" in client.get(path).content.decode()  # single use
    assert other_session.get("/").status_code == 302  # the other session ended
    assert [str(m["Subject"]).strip() for m in smtp_server.messages] == [
        "Votre mot de passe a été modifié — Horizon Syndic"
    ]
    assert login(client_for(world.horizon), "A6060001", STRONG).status_code == 302
    assert AuditEvent.all_firms.filter(action="users.password.reset").exists()
    assert not AuditEvent.all_firms.filter(data__icontains=link.rsplit("/", 2)[-2]).exists()


def test_reset_link_expires_after_an_hour(world: World, smtp_server, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    world.alice_user.email = "alice@example.com"
    world.alice_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client_for(world.horizon), "A6060001")
    [link] = links_in(smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content())
    path = link.removeprefix(world.horizon.base_url)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=61)):
        assert "plus valable" in client_for(world.horizon).get(path).content.decode()


def test_reset_requests_are_limited_per_account(world: World, smtp_server, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    world.alice_user.email = "alice@example.com"
    world.alice_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(7):
            identifier = "A6060001" if index % 2 else "alice@example.com"
            assert ask_reset(client_for(world.horizon), identifier).status_code == 200
    assert len(smtp_server.messages) == settings.RESET_THROTTLE_ACCOUNT_PER_HOUR
    assert AuditEvent.all_firms.filter(action="users.password_reset.throttled").count() == 2


def test_reset_requests_are_limited_per_address(world: World) -> None:
    for index in range(settings.RESET_THROTTLE_IP_PER_HOUR + 3):
        ask_reset(client_for(world.horizon), f"Z{index:07d}")
    assert AuditEvent.all_firms.filter(action="users.password_reset.throttled").count() == 3


def test_progressive_delay_per_identifier_even_for_the_right_password(world: World) -> None:
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for(world.horizon)
        for _ in range(5):
            assert login(client, "A6060001", "wrong-password").status_code == 200
        blocked = login(client, "A6060001", "Test-Password-2026!")
        assert blocked.status_code == 429
        assert "Trop de tentatives" in blocked.content.decode()
        # The e-mail names the same account: same counter.
        traveller.shift(datetime.timedelta(seconds=61))
        assert login(client, "A6060001", "wrong-password").status_code == 200  # 6th failure: 2 minutes
        traveller.shift(datetime.timedelta(seconds=90))
        assert login(client, "A6060001", "Test-Password-2026!").status_code == 429
        traveller.shift(datetime.timedelta(seconds=31))
        assert login(client, "A6060001", "Test-Password-2026!").status_code == 302
    # Success cleared the identifier's counter.
    assert AuditEvent.all_firms.filter(action="users.login.throttled").count() == 2


def test_unknown_identifiers_are_throttled_alike(world: World) -> None:
    client = client_for(world.horizon)
    for _ in range(5):
        login(client, "Z9999999", "wrong-password")
    assert login(client, "Z9999999", "wrong-password").status_code == 429


def test_delays_cap_at_an_hour_and_25_failures_a_day(world: World) -> None:
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for(world.horizon)
        for failure in range(1, 26):
            response = login(client, "A6060001", "wrong-password")
            assert response.status_code == 200, failure
            row = Throttle.objects.get(scope="login.identifier")
            if 5 <= failure < 25:
                delay = (row.blocked_until - datetime.datetime.now(tz=datetime.UTC)).total_seconds()
                assert delay == min(60 * 2 ** (failure - 5), 3600), failure
                traveller.shift(datetime.timedelta(seconds=delay + 1))
        assert datetime.datetime.now(tz=datetime.UTC) - start < datetime.timedelta(hours=24)
        # 25 failures in 24 hours: blocked until the day is over, but not for ever.
        traveller.shift(datetime.timedelta(hours=1, seconds=1))
        assert login(client, "A6060001", "Test-Password-2026!").status_code == 429
        traveller.move_to(start + datetime.timedelta(days=1, seconds=1))
        assert login(client, "A6060001", "Test-Password-2026!").status_code == 302


def test_per_address_limit_across_identifiers(world: World) -> None:
    client = client_for(world.horizon)
    for index in range(settings.LOGIN_THROTTLE_IP_FAILURES):
        assert login(client, f"Z{index:07d}", "wrong-password").status_code == 200
    assert login(client, "A6060001", "Test-Password-2026!").status_code == 429
    # Another address is not affected.
    other = client_for(world.horizon)
    other.defaults["REMOTE_ADDR"] = "10.0.0.2"
    assert login(other, "A6060001", "Test-Password-2026!").status_code == 302


def test_blocked_attempts_do_not_hash_the_password(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.horizon)
    for _ in range(5):
        login(client, "A6060001", "wrong-password")
    from tantieme.users import backends

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("authenticate() reached while throttled")

    monkeypatch.setattr(backends.FirmBackend, "authenticate", boom)
    assert login(client, "A6060001", "Test-Password-2026!").status_code == 429


def test_throttle_keys_are_hashed(world: World) -> None:
    login(client_for(world.horizon), "Canary-Pwd-93!x", "x")
    assert Throttle.objects.exists()
    assert not Throttle.objects.filter(key__icontains="canary").exists()
