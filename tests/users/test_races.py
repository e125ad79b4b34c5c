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

from tantieme.users import backends
from tantieme.users.models import User
from tests.conftest import World, client_for
from tests.factories import DEFAULT_PASSWORD
from tests.users.conftest import login

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
