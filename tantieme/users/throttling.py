"""Throttling of sign-in and reset requests (AUTH-05), in a database table shared by every process.

Sign-in, per identifier (whether an account exists or not, so that throttling reveals nothing):
the first `LOGIN_THROTTLE_FREE_FAILURES` failures are free; each one after that blocks the
identifier for a delay that doubles from `LOGIN_THROTTLE_FIRST_DELAY` up to
`LOGIN_THROTTLE_MAX_DELAY`; `LOGIN_THROTTLE_DAILY_FAILURES` failures in 24 hours block it until
the 24 hours are over. Nothing is permanent: a stranger can delay a co-owner, never lock them out.
Per address: `LOGIN_THROTTLE_IP_FAILURES` failures in an hour block the address until the hour ends.
While blocked, the password is not even hashed (the hash is the expensive part of a sign-in).
Each attempt is counted before its password is checked (`begin_login_attempt`), so parallel
guesses cannot all pass the check before any of them is counted; a success gives it back.

Reset requests: at most `RESET_THROTTLE_ACCOUNT_PER_HOUR` per account and
`RESET_THROTTLE_IP_PER_HOUR` per address.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tantieme.users.models import Throttle

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

LOGIN_IDENTIFIER = "login.identifier"
LOGIN_ADDRESS = "login.address"
RESET_ACCOUNT = "reset.account"
RESET_ADDRESS = "reset.address"


def throttle_key(*parts: object) -> str:
    material = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(f"{settings.SECRET_KEY}\x1e{material}".encode()).hexdigest()


def _row_for_update(scope: str, key: str, now: datetime.datetime) -> Throttle:
    """The counter row, locked for this transaction (created if missing)."""
    row = Throttle.objects.select_for_update().filter(scope=scope, key=key).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return Throttle.objects.create(scope=scope, key=key, window_started_at=now, updated_at=now)
    except IntegrityError:
        # Another process created it between our read and our insert.
        return Throttle.objects.select_for_update().get(scope=scope, key=key)


def _seconds_left(until: datetime.datetime | None, now: datetime.datetime) -> int:
    if until is None or until <= now:
        return 0
    return max(1, math.ceil((until - now).total_seconds()))


def login_wait(*, firm_id: int | None, identifier: str, ip: str | None) -> int:
    """Seconds before this identifier may try again from this address (0: go ahead). Reads only:
    a caller about to check a password uses `begin_login_attempt`, which checks and counts at once."""
    now = timezone.now()
    keys = [(LOGIN_IDENTIFIER, throttle_key(firm_id, identifier))]
    if ip:
        keys.append((LOGIN_ADDRESS, throttle_key(ip)))
    wait = 0
    for scope, key in keys:
        row = Throttle.objects.filter(scope=scope, key=key).only("blocked_until").first()
        if row is not None:
            wait = max(wait, _seconds_left(row.blocked_until, now))
    return wait


class LoginAttempt(NamedTuple):
    wait: int  # seconds before another attempt is allowed; 0: this one may check the password
    delay_if_failed: int  # the delay this attempt imposes if the password is wrong (seconds)


def _count_identifier_failure(row: Throttle, now: datetime.datetime) -> datetime.datetime | None:
    if now - row.window_started_at >= DAY:
        row.window_started_at, row.count = now, 0
    row.count += 1
    row.consecutive_failures += 1
    blocked_until = None
    over = row.consecutive_failures - settings.LOGIN_THROTTLE_FREE_FAILURES
    if over >= 0:
        delay = min(settings.LOGIN_THROTTLE_FIRST_DELAY * 2 ** min(over, 20), settings.LOGIN_THROTTLE_MAX_DELAY)
        blocked_until = now + datetime.timedelta(seconds=delay)
    if row.count >= settings.LOGIN_THROTTLE_DAILY_FAILURES:
        end_of_window = row.window_started_at + DAY
        blocked_until = max(blocked_until or end_of_window, end_of_window)
    row.blocked_until = blocked_until
    row.updated_at = now
    row.save()
    return blocked_until


def begin_login_attempt(*, firm_id: int | None, identifier: str, ip: str | None) -> LoginAttempt:
    """Check the limits and, when the attempt may go on, count it as a failure, in one step.

    The counter rows stay locked from the check to the count, and the attempt is counted before the
    password is hashed: of any number of parallel guesses, no more than the limit ever reach the
    hash (issue 15, item 6a). A success then clears the identifier's counter and gives the address
    its attempt back (`register_login_success`), so only failures use up the limits.
    """
    now = timezone.now()
    with transaction.atomic():
        # Always identifier then address: two attempts never wait for each other's second lock.
        rows = [_row_for_update(LOGIN_IDENTIFIER, throttle_key(firm_id, identifier), now)]
        if ip:
            rows.append(_row_for_update(LOGIN_ADDRESS, throttle_key(ip), now))
        wait = max(_seconds_left(row.blocked_until, now) for row in rows)
        if wait:
            return LoginAttempt(wait=wait, delay_if_failed=wait)
        blocked_until = _count_identifier_failure(rows[0], now)
        if ip:
            _count_in_window(LOGIN_ADDRESS, rows[1].key, settings.LOGIN_THROTTLE_IP_FAILURES, now, block=True)
    return LoginAttempt(wait=0, delay_if_failed=_seconds_left(blocked_until, now))


def register_login_success(*, firm_id: int | None, identifier: str, ip: str | None = None) -> None:
    """A success clears the identifier's failures and gives back the address the attempt
    `begin_login_attempt` counted there (successes never use up an address's limit)."""
    Throttle.objects.filter(scope=LOGIN_IDENTIFIER, key=throttle_key(firm_id, identifier)).delete()
    if not ip:
        return
    now = timezone.now()
    with transaction.atomic():
        row = Throttle.objects.select_for_update().filter(scope=LOGIN_ADDRESS, key=throttle_key(ip)).first()
        if row is None or row.count <= 0 or now - row.window_started_at >= HOUR:
            return
        row.count -= 1
        if row.count < settings.LOGIN_THROTTLE_IP_FAILURES:
            row.blocked_until = None
        row.updated_at = now
        row.save()


def _count_in_window(scope: str, key: str, limit: int, now: datetime.datetime, *, block: bool) -> bool:
    """Add one to an hourly counter; False when the limit was already reached."""
    row = _row_for_update(scope, key, now)
    if now - row.window_started_at >= HOUR:
        row.window_started_at, row.count, row.blocked_until = now, 0, None
    if row.count >= limit:
        return False
    row.count += 1
    if block and row.count >= limit:
        row.blocked_until = row.window_started_at + HOUR
    row.updated_at = now
    row.save()
    return True


def allow_reset_request(*, firm_id: int | None, account: str, ip: str | None) -> bool:
    """Count a reset request for this account (identifier or user) and address; False past a limit."""
    now = timezone.now()
    with transaction.atomic():
        allowed = True
        if ip:
            allowed = _count_in_window(
                RESET_ADDRESS, throttle_key(ip), settings.RESET_THROTTLE_IP_PER_HOUR, now, block=False
            )
        if allowed:
            allowed = _count_in_window(
                RESET_ACCOUNT,
                throttle_key(firm_id, account),
                settings.RESET_THROTTLE_ACCOUNT_PER_HOUR,
                now,
                block=False,
            )
    return allowed


def purge_throttles(*, older_than: datetime.timedelta = DAY * 2) -> int:
    """Delete counters untouched for two days (none of them can still block anyone)."""
    deleted, _ = Throttle.objects.filter(updated_at__lt=timezone.now() - older_than).delete()
    return deleted
