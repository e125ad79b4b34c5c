"""Throttling of sign-in and reset requests (AUTH-05), in a database table shared by every process.

Sign-in, per identifier (whether an account exists or not, so that throttling reveals nothing):
the first `LOGIN_THROTTLE_FREE_FAILURES` failures are free; each one after that blocks the
identifier for a delay that doubles from `LOGIN_THROTTLE_FIRST_DELAY` up to
`LOGIN_THROTTLE_MAX_DELAY`; `LOGIN_THROTTLE_DAILY_FAILURES` failures in 24 hours block it until
the 24 hours are over. Nothing is permanent: a stranger can delay a co-owner, never lock them out.
Per address: `LOGIN_THROTTLE_IP_FAILURES` failures in an hour block the address until the hour ends.
While blocked, the password is not even hashed (the hash is the expensive part of a sign-in).

Reset requests: at most `RESET_THROTTLE_ACCOUNT_PER_HOUR` per account and
`RESET_THROTTLE_IP_PER_HOUR` per address.
"""

from __future__ import annotations

import datetime
import hashlib
import math

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
    """Seconds before this identifier may try again from this address (0: go ahead)."""
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


def register_login_failure(*, firm_id: int | None, identifier: str, ip: str | None) -> int:
    """Count one failure; returns the delay now imposed on the identifier (seconds, 0 for none)."""
    now = timezone.now()
    with transaction.atomic():
        row = _row_for_update(LOGIN_IDENTIFIER, throttle_key(firm_id, identifier), now)
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
        if ip:
            _count_in_window(LOGIN_ADDRESS, throttle_key(ip), settings.LOGIN_THROTTLE_IP_FAILURES, now, block=True)
    return _seconds_left(blocked_until, now)


def register_login_success(*, firm_id: int | None, identifier: str) -> None:
    """A success clears the identifier's failures (not the address's)."""
    Throttle.objects.filter(scope=LOGIN_IDENTIFIER, key=throttle_key(firm_id, identifier)).delete()


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
