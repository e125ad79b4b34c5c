"""Session walls: the firm of the host, the absolute lifetime, the forced change, staff two-factor."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from tantieme.audit.services import record

AUTH_TIME_KEY = "tantieme_auth_time"


class SessionFirmMiddleware:
    """A session opened on one firm's host is worthless on another's (AC-01).

    Cookies are host-only already; this is the second wall, for a replayed cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        firm = getattr(request, "firm", None)
        if user is not None and user.is_authenticated and user.firm_id != (firm.pk if firm else None):
            record(
                action="auth.session.firm_mismatch",
                request=request,
                firm=firm,
                data={"session_firm_id": user.firm_id},
            )
            logout(request)
            return redirect(settings.LOGIN_URL)
        return self.get_response(request)


LAST_TOUCH_KEY = "tantieme_last_touch"


@receiver(user_logged_in, dispatch_uid="tantieme.users.auth_time")
def _remember_auth_time(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[AUTH_TIME_KEY] = request.session[LAST_TOUCH_KEY] = int(time.time())


def _exempt(path: str, prefixes: tuple[str, ...]) -> bool:
    return path.startswith(prefixes)


def _touch(request: HttpRequest) -> None:
    """Push the idle timeout back, writing the session at most once per SESSION_TOUCH_INTERVAL.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) would cost a write per page
    view; once a minute keeps the 30-minute idle timeout exact to the minute.
    """
    now = int(time.time())
    last = request.session.get(LAST_TOUCH_KEY)
    if not isinstance(last, int) or now - last >= settings.SESSION_TOUCH_INTERVAL:
        request.session[LAST_TOUCH_KEY] = now


class AccessPolicyMiddleware:
    """For signed-in users, in this order:

    1. the absolute lifetime (SESSION_ABSOLUTE_TIMEOUT, 12 h from sign-in): past it, sign out;
    2. a temporary password: every page but the change form, logout and static files redirects
       to the change form (AUTH-03);
    3. staff: every page but two-factor enrolment/verification and logout needs a verified TOTP
       device (AUTH-06), so the back office is unreachable with a password alone.
    The idle timeout is the session cookie age (SESSION_COOKIE_AGE), pushed back by `_touch`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or getattr(request, "firm", None) is None:
            return self.get_response(request)
        path = request.path_info
        static = (settings.STATIC_URL or "/static/",)
        logout_url = reverse("users:logout")
        auth_time = request.session.get(AUTH_TIME_KEY)
        if not isinstance(auth_time, int) or time.time() - auth_time > settings.SESSION_ABSOLUTE_TIMEOUT:
            record(action="users.session.expired", request=request, data={"reason": "absolute_timeout"})
            logout(request)
            return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
        _touch(request)
        if user.must_change_password:
            change_url = reverse("users:password_change")
            if not _exempt(path, (change_url, logout_url, *static)):
                return redirect(change_url)
            return self.get_response(request)
        if user.is_firm_staff and not user.is_verified():
            allowed = (reverse("users:otp_verify"), reverse("users:otp_setup"), logout_url, *static)
            if not _exempt(path, allowed):
                return redirect("users:otp_verify")
        return self.get_response(request)
