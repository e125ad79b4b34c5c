"""Issue 15 (6 a, b): the per-account sign-in limit and the single-use links hold under concurrency.

The SQLite tests interleave requests deterministically (a request starts while another one is
hashing its password); the PostgreSQL tests fire real parallel requests from threads.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tantieme.audit.models import AuditEvent
from tantieme.notifications.models import OutboundMessage
from tantieme.users import backends, services
from tantieme.users.models import AccessToken, TokenPurpose, User
from tests.conftest import World, client_for
from tests.factories import DEFAULT_PASSWORD
from tests.users.conftest import STRONG, login

LIMIT = settings.LOGIN_THROTTLE_FREE_FAILURES
GUESSES = 10  # nested requests, one inside the other: deeper would hit Python's recursion limit


def _counting_authenticate(monkeypatch: Any, on_hash: Any = None) -> list[str]:
    """Replace FirmBackend.authenticate by a counter around the real one (each call hashes once)."""
    calls: list[str] = []
    lock = threading.Lock()
    real = backends.FirmBackend.authenticate

    def authenticate(self: Any, request: Any, username: str | None = None, password: str | None = None, **kw: Any):  # type: ignore[no-untyped-def]
        with lock:
            calls.append(username or "")
        if on_hash is not None:
            on_hash()
        return real(self, request, username=username, password=password, **kw)

    monkeypatch.setattr(backends.FirmBackend, "authenticate", authenticate)
    return calls


# --- (a) the per-account limit -----------------------------------------------------------------


def test_guesses_started_while_others_hash_never_pass_the_limit(world: World, monkeypatch: Any) -> None:
    """Each guess starts the next one while its own password is being hashed: 10 overlapping guesses."""
    statuses: list[int] = []
    started = [0]

    def next_guess() -> None:
        if started[0] < GUESSES:
            started[0] += 1
            statuses.append(login(client_for(world.horizon), "A6060001", "wrong-password").status_code)

    calls = _counting_authenticate(monkeypatch, on_hash=next_guess)
    # Guesses refused before hashing start no other one: start the chain again until all have run.
    while started[0] < GUESSES:
        next_guess()
    assert len(calls) == LIMIT
    assert sorted(statuses) == [200] * LIMIT + [429] * (GUESSES - LIMIT)
    # The right password is refused too until the delay is over.
    assert login(client_for(world.horizon), "A6060001", DEFAULT_PASSWORD).status_code == 429


def test_address_limit_holds_for_overlapping_guesses_on_many_identifiers(
    world: World, monkeypatch: Any, settings: Any
) -> None:
    settings.LOGIN_THROTTLE_IP_FAILURES = limit = 4
    total = limit + 5
    started = [0]

    def next_guess() -> None:
        if started[0] < total:
            index = started[0]
            started[0] += 1
            login(client_for(world.horizon), f"Z{index:07d}", "wrong-password")

    calls = _counting_authenticate(monkeypatch, on_hash=next_guess)
    while started[0] < total:
        next_guess()
    assert len(calls) == limit


def test_a_success_still_clears_the_counter_and_does_not_use_up_the_address(world: World) -> None:
    for _round in range(settings.LOGIN_THROTTLE_IP_FAILURES + 5):
        assert login(client_for(world.horizon), "A6060001", DEFAULT_PASSWORD).status_code == 302
    for _ in range(LIMIT - 1):
        assert login(client_for(world.horizon), "A6060001", "wrong-password").status_code == 200
    assert login(client_for(world.horizon), "A6060001", DEFAULT_PASSWORD).status_code == 302
    for _ in range(LIMIT):
        assert login(client_for(world.horizon), "A6060001", "wrong-password").status_code == 200
    assert login(client_for(world.horizon), "A6060001", DEFAULT_PASSWORD).status_code == 429


def test_email_change_password_check_is_limited_for_overlapping_guesses(world: World, monkeypatch: Any) -> None:
    client = client_for(world.horizon, world.alice_user)
    checks: list[int] = []
    real = User.check_password
    started = [0]

    def guess() -> int:
        started[0] += 1
        return client.post("/mes-informations/email/", {"email": "new@example.com", "password": "wrong"}).status_code

    def check_password(self: User, raw: str) -> bool:
        checks.append(1)
        if started[0] < GUESSES:
            guess()
        return real(self, raw)

    monkeypatch.setattr(User, "check_password", check_password)
    while started[0] < GUESSES:
        guess()
    assert len(checks) == LIMIT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_never_pass_the_limit(world: World, monkeypatch: Any) -> None:
    threads_count = 30
    barrier = threading.Barrier(threads_count)
    statuses: list[int] = []
    lock = threading.Lock()
    # A slow hash widens the window between the check and the count, as Argon2 does in production.
    calls = _counting_authenticate(monkeypatch, on_hash=lambda: time.sleep(0.2))

    def guess() -> None:
        try:
            client = client_for(world.horizon)
            barrier.wait(timeout=20)
            status = login(client, "A6060001", "wrong-password").status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == threads_count
    assert len(calls) == LIMIT
    assert sorted(statuses) == [200] * LIMIT + [429] * (threads_count - LIMIT)


# --- (b) single-use links ----------------------------------------------------------------------


def _reset_link(world: World) -> tuple[User, str]:
    user = world.alice_user
    user.email = "alice@example.com"
    user.save()
    token = services._issue_token(
        user=user, purpose=TokenPurpose.PASSWORD_RESET, lifetime=services.datetime.timedelta(hours=1)
    )
    return user, f"/compte/reinitialiser/{token.raw}/"  # type: ignore[attr-defined]


def test_a_reset_token_read_twice_is_applied_once(world: World) -> None:
    """Two requests found the token usable; the second to apply it is refused."""
    user, path = _reset_link(world)
    raw = path.rstrip("/").rsplit("/", 1)[-1]
    first = services.find_token(firm=world.horizon, raw=raw, purpose=TokenPurpose.PASSWORD_RESET)
    second = services.find_token(firm=world.horizon, raw=raw, purpose=TokenPurpose.PASSWORD_RESET)
    assert first is not None
    assert second is not None
    services.reset_password(token=first, password=STRONG, request=None)
    with pytest.raises(services.AccountError):
        services.reset_password(token=second, password="Autre-Mot-De-Passe-2026!", request=None)
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert AuditEvent.all_firms.filter(action="users.password.reset").count() == 1


def test_a_reset_link_posted_while_another_post_is_applying_it_is_refused(world: World, monkeypatch: Any) -> None:
    _user, path = _reset_link(world)
    client = client_for(world.horizon)
    real = services._store_password
    responses: list[Any] = []
    nested = [False]

    def store_password(target: User, password: str) -> None:
        if not nested[0]:
            nested[0] = True
            # Another request with the same link arrives while this one is applying it.
            responses.append(client.post(path, {"new_password1": STRONG + "x", "new_password2": STRONG + "x"}))
        real(target, password)

    monkeypatch.setattr(services, "_store_password", store_password)
    outer = client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    statuses = sorted([outer.status_code, responses[0].status_code])
    assert statuses == [200, 302]
    assert AuditEvent.all_firms.filter(action="users.password.reset").count() == 1


def test_an_email_confirmation_token_read_twice_is_applied_once(world: World) -> None:
    user = world.alice_user
    token = services.request_email_change(user=user, new_email="first@example.com")
    raw = token.raw  # type: ignore[attr-defined]
    first = services.find_token(firm=world.horizon, raw=raw, purpose=TokenPurpose.EMAIL_CONFIRMATION)
    second = services.find_token(firm=world.horizon, raw=raw, purpose=TokenPurpose.EMAIL_CONFIRMATION)
    assert first is not None
    assert second is not None
    services.confirm_email_change(token=first)
    with pytest.raises(services.AccountError):
        services.confirm_email_change(token=second)
    assert AuditEvent.all_firms.filter(action="users.email.confirmed").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_uses_of_a_reset_link_succeed_once(world: World, monkeypatch: Any) -> None:
    user, path = _reset_link(world)
    threads_count = 10
    barrier = threading.Barrier(threads_count)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()
    real = services._store_password

    def slow_store(target: User, password: str) -> None:
        time.sleep(0.2)
        real(target, password)

    monkeypatch.setattr(services, "_store_password", slow_store)

    def use(index: int) -> None:
        try:
            client = client_for(world.horizon)
            password = f"{STRONG}-{index}"
            barrier.wait(timeout=20)
            response = client.post(path, {"new_password1": password, "new_password2": password})
            with lock:
                results.append((response.status_code, password))
        finally:
            connection.close()

    threads = [threading.Thread(target=use, args=(index,)) for index in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == threads_count
    winners = [password for status, password in results if status == 302]
    assert len(winners) == 1
    user.refresh_from_db()
    assert user.check_password(winners[0])
    assert AuditEvent.all_firms.filter(action="users.password.reset").count() == 1
    assert OutboundMessage.all_firms.filter(template="password_changed").count() == 1
    assert AccessToken.objects.filter(user=user, used_at__isnull=True).count() == 0
    # The others were told the link is no longer valid.
    assert sorted(status for status, _password in results) == [200] * (threads_count - 1) + [302]
