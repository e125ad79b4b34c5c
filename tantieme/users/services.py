"""Account writes: access (invitation, temporary password), password changes and resets, e-mail changes.

Each function is one transaction with its audit record; e-mails go through the outbox and leave
after commit. Passwords and tokens are never recorded: only their SHA-256 (tokens) or hash (passwords).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tantieme.audit.services import client_ip, record
from tantieme.notifications.services import queue_email
from tantieme.tenancy.models import Firm
from tantieme.users.backends import find_user_for_login
from tantieme.users.enums import UserKind
from tantieme.users.models import AccessToken, TokenPurpose, User, normalize_login
from tantieme.users.throttling import allow_reset_request

# No 0/O, 1/l/I: the temporary password is read on paper and typed by hand.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"


class AccountError(Exception):
    """A request the account's state does not allow (message in French, for the page)."""


class LinkUsedError(AccountError):
    """The single-use link was used (or expired) since it was read: another request got there first."""


def generate_temporary_password() -> str:
    """Four groups like "Kx7p-Qm3r-Zt9w-Hb2n": 19 characters meeting CNIL rule (a), ~90 bits."""
    groups = []
    for _index in range(4):
        chars = [secrets.choice(_UPPER), secrets.choice(_LOWER), secrets.choice(_DIGITS), secrets.choice(_LOWER)]
        groups.append("".join(chars))
    return "-".join(groups)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def firm_link(firm: Firm, route: str, token: str) -> str:
    """An absolute link on the firm's own host (never the request's Host header)."""
    return f"{firm.base_url}{reverse(route, args=[token], urlconf=settings.ROOT_URLCONF)}"


def _revoke_tokens(user: User, *purposes: str) -> None:
    AccessToken.objects.filter(user=user, purpose__in=purposes, used_at__isnull=True).update(used_at=timezone.now())


def _issue_token(*, user: User, purpose: str, lifetime: datetime.timedelta, new_email: str = "") -> AccessToken:
    """A fresh random token (256 bits); older unused ones of the same purpose die."""
    assert user.firm is not None
    _revoke_tokens(user, purpose)
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    token = AccessToken.objects.create(
        firm=user.firm,
        user=user,
        purpose=purpose,
        token_hash=hash_token(raw),
        new_email=new_email,
        created_at=now,
        expires_at=now + lifetime,
    )
    token.raw = raw  # type: ignore[attr-defined]  # only in memory, for the link
    return token


def _use_token(token: AccessToken) -> None:
    """Mark the link used, unless another request did first; call it first in the transaction.

    The conditional UPDATE locks the row: a parallel use waits, then finds `used_at` set and
    updates nothing (issue 15, item 6b). Reading the token earlier proves nothing.
    """
    now = timezone.now()
    used = AccessToken.objects.filter(pk=token.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if not used:
        raise LinkUsedError(_("Ce lien n'est plus valable"))


def find_token(*, firm: Firm, raw: str, purpose: str) -> AccessToken | None:
    """The usable token of this firm, or None (unknown, used, expired or another firm's: all alike)."""
    token = (
        AccessToken.objects.select_related("user")
        .filter(firm=firm, purpose=purpose, token_hash=hash_token(raw))
        .first()
    )
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    return token


# --- Giving access -----------------------------------------------------------------------------


def create_portal_user(
    *, firm: Firm, login: str, email: str = "", first_name: str = "", last_name: str = "", language: str = "fr"
) -> User:
    """A co-owner's portal login with no usable password yet (invitation or letter follows)."""
    user = User(
        firm=firm,
        kind=UserKind.CO_OWNER,
        login=normalize_login(login),
        email=email.strip().lower(),
        first_name=first_name,
        last_name=last_name,
        language=language,
    )
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def invite_user(*, user: User, request: HttpRequest | None = None) -> AccessToken:
    """E-mail a single-use activation link (14 days) where the user chooses a password."""
    assert user.firm is not None
    if not user.email:
        raise AccountError(_("Ce compte n'a pas d'adresse e-mail : imprimez une lettre d'accès."))
    user.set_unusable_password()
    user.must_change_password = False
    user.temporary_password_expires_at = None
    user.save(update_fields=["password", "must_change_password", "temporary_password_expires_at"])
    _revoke_tokens(user, TokenPurpose.PASSWORD_RESET)
    token = _issue_token(
        user=user,
        purpose=TokenPurpose.ACTIVATION,
        lifetime=datetime.timedelta(days=settings.ACTIVATION_LINK_LIFETIME_DAYS),
    )
    queue_email(
        firm=user.firm,
        to=user.email,
        template="activation",
        language=user.language,
        sensitive=True,
        context={
            "name": user.get_full_name(),
            "login": user.login,
            "link": firm_link(user.firm, "users:activate", token.raw),  # type: ignore[attr-defined]
            "expires_at": timezone.localtime(token.expires_at),
        },
    )
    record(action="users.access.invited", request=request, firm=user.firm, target=user, data={"channel": "email"})
    return token


@transaction.atomic
def issue_temporary_password(*, user: User, request: HttpRequest | None = None) -> str:
    """A random temporary password (30 days, change forced at first login) for a printed letter."""
    password = generate_temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.temporary_password_expires_at = timezone.now() + datetime.timedelta(
        days=settings.TEMPORARY_PASSWORD_LIFETIME_DAYS
    )
    user.save(update_fields=["password", "must_change_password", "temporary_password_expires_at"])
    _revoke_tokens(user, TokenPurpose.ACTIVATION, TokenPurpose.PASSWORD_RESET)
    record(
        action="users.access.temporary_password_issued",
        request=request,
        firm=user.firm,
        target=user,
        data={"channel": "letter"},
    )
    return password


# --- Passwords ---------------------------------------------------------------------------------


def _store_password(user: User, password: str) -> None:
    user.set_password(password)
    user.must_change_password = False
    user.temporary_password_expires_at = None
    user.password_changed_at = timezone.now()
    user.save(
        update_fields=["password", "must_change_password", "temporary_password_expires_at", "password_changed_at"]
    )
    _revoke_tokens(user, TokenPurpose.ACTIVATION, TokenPurpose.PASSWORD_RESET)


def _notify_password_changed(user: User) -> None:
    if user.email and user.firm is not None:
        queue_email(
            firm=user.firm,
            to=user.email,
            template="password_changed",
            language=user.language,
            context={"login": user.login, "changed_at": timezone.localtime(user.password_changed_at)},
        )


@transaction.atomic
def end_sessions(*, user: User, request: HttpRequest | None = None) -> None:
    """End every open session of the account (a lost phone, a shared computer), password unchanged.

    Raising the generation changes the session auth hash: each session is refused at its next
    request, whichever server holds it."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    record(action="users.sessions.ended", request=request, firm=user.firm, target=user)


@transaction.atomic
def change_password(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """The user's own change (also the forced change after a temporary password).

    The session auth hash changes with the password, so every other session of the user ends;
    the view keeps the current one with update_session_auth_hash.
    """
    forced = user.must_change_password
    _store_password(user, password)
    record(action="users.password.changed", request=request, firm=user.firm, target=user, data={"forced": forced})
    _notify_password_changed(user)


@transaction.atomic
def activate_account(*, token: AccessToken, password: str, request: HttpRequest | None = None) -> User:
    """Raises LinkUsedError when a parallel request used the link first."""
    _use_token(token)
    user = token.user
    _store_password(user, password)
    record(action="users.access.activated", request=request, firm=user.firm, target=user)
    return user


@transaction.atomic
def reset_password(*, token: AccessToken, password: str, request: HttpRequest | None = None) -> User:
    """Raises LinkUsedError when a parallel request used the link first."""
    _use_token(token)
    user = token.user
    _store_password(user, password)
    record(action="users.password.reset", request=request, firm=user.firm, target=user)
    _notify_password_changed(user)
    return user


def request_password_reset(*, firm: Firm, identifier: str, request: HttpRequest) -> None:
    """Send a reset link (1 hour) to the account's registered e-mail, if there is one.

    The caller shows the same page whatever happens here (no account enumeration).
    """
    ip = client_ip(request)
    user = find_user_for_login(firm.pk, identifier)
    account = f"user:{user.pk}" if user is not None else f"login:{normalize_login(identifier)}"
    if not allow_reset_request(firm_id=firm.pk, account=account, ip=ip):
        record(action="users.password_reset.throttled", request=request, firm=firm, target=user)
        return
    if user is None or not user.is_active or not user.email:
        record(
            action="users.password_reset.requested",
            request=request,
            firm=firm,
            target=user,
            data={"sent": False, "reason": "no_account" if user is None else "no_email_or_inactive"},
        )
        return
    with transaction.atomic():
        token = _issue_token(
            user=user,
            purpose=TokenPurpose.PASSWORD_RESET,
            lifetime=datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
        )
        queue_email(
            firm=firm,
            to=user.email,
            template="password_reset",
            language=user.language,
            sensitive=True,
            context={"login": user.login, "link": firm_link(firm, "users:reset", token.raw)},  # type: ignore[attr-defined]
        )
        record(action="users.password_reset.requested", request=request, firm=firm, target=user, data={"sent": True})


# --- E-mail address ----------------------------------------------------------------------------


def email_taken(*, firm: Firm, email: str, exclude_user_id: int | None = None) -> bool:
    users = User.objects.filter(firm=firm, email__iexact=email)
    if exclude_user_id is not None:
        users = users.exclude(pk=exclude_user_id)
    return users.exists()


@transaction.atomic
def request_email_change(*, user: User, new_email: str, request: HttpRequest | None = None) -> AccessToken:
    """Staff register or change an address: it is used only once its owner confirms the link.

    Staff see every account of the firm, so an address already taken is refused in so many words;
    the co-owner's own change goes through `request_own_email_change`, which does not tell.
    """
    assert user.firm is not None
    new_email = new_email.strip().lower()
    if email_taken(firm=user.firm, email=new_email, exclude_user_id=user.pk):
        raise AccountError(_("Cette adresse e-mail est déjà celle d'un autre compte du cabinet."))
    return _email_confirmation(user=user, new_email=new_email, send=True, request=request)


@transaction.atomic
def request_own_email_change(*, user: User, new_email: str, request: HttpRequest | None = None) -> None:
    """The co-owner's own change, from the portal: the same outcome whether or not the address is
    another account's of the firm (no account enumeration, issue 15 item 6d).

    A taken address gets a pending link like any other (the page then shows the same « en attente »
    line), but no mail leaves, to it or to the other account, and `confirm_email_change` would refuse
    it anyway. The audit record tells the syndic what happened.
    """
    assert user.firm is not None
    new_email = new_email.strip().lower()
    taken = email_taken(firm=user.firm, email=new_email, exclude_user_id=user.pk)
    _email_confirmation(user=user, new_email=new_email, send=not taken, request=request)


def _email_confirmation(*, user: User, new_email: str, send: bool, request: HttpRequest | None) -> AccessToken:
    assert user.firm is not None
    token = _issue_token(
        user=user,
        purpose=TokenPurpose.EMAIL_CONFIRMATION,
        lifetime=datetime.timedelta(days=settings.EMAIL_CONFIRMATION_LIFETIME_DAYS),
        new_email=new_email,
    )
    if not send:
        record(
            action="users.email.change_requested",
            request=request,
            firm=user.firm,
            target=user,
            data={"sent": False, "reason": "address_taken"},
        )
        return token
    queue_email(
        firm=user.firm,
        to=new_email,
        template="email_confirmation",
        language=user.language,
        sensitive=True,
        context={
            "login": user.login,
            "link": firm_link(user.firm, "users:confirm_email", token.raw),  # type: ignore[attr-defined]
            "expires_at": timezone.localtime(token.expires_at),
        },
    )
    record(action="users.email.change_requested", request=request, firm=user.firm, target=user)
    return token


@transaction.atomic
def confirm_email_change(*, token: AccessToken, request: HttpRequest | None = None) -> User:
    """Raises LinkUsedError when a parallel request used the link first, AccountError when the address
    has become another account's (the unique index settles two confirmations at once)."""
    _use_token(token)
    user = token.user
    assert user.firm is not None
    taken = AccountError(_("Cette adresse e-mail est déjà celle d'un autre compte du cabinet."))
    if email_taken(firm=user.firm, email=token.new_email, exclude_user_id=user.pk):
        raise taken
    user.email = token.new_email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:
        raise taken from None
    record(action="users.email.confirmed", request=request, firm=user.firm, target=user)
    return user


def access_state(user: User) -> dict[str, Any]:
    """What the back office shows about a login (never a secret)."""
    pending = AccessToken.objects.filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
    return {
        "has_password": user.has_usable_password(),
        "must_change": user.must_change_password,
        "temporary_expires_at": user.temporary_password_expires_at,
        "invitation_pending": pending.filter(purpose=TokenPurpose.ACTIVATION).exists(),
        "email_pending": pending.filter(purpose=TokenPurpose.EMAIL_CONFIRMATION)
        .values_list("new_email", flat=True)
        .first(),
        "last_login": user.last_login,
    }
