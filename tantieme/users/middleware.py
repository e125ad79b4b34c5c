"""Keep every session inside the firm it was opened on."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tantieme.audit.services import record


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
