"""`GET /healthz` answered before host and tenant resolution, for load balancers; no caching of
what a signed-in user is shown."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001  (any failure means "down"; the detail goes to the log)
        return "error"
    return "ok"


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != "/healthz":
            return self.get_response(request)
        status = {"database": database_status()}
        healthy = all(value == "ok" for value in status.values())
        response = JsonResponse(status, status=200 if healthy else 503)
        response["Cache-Control"] = "no-store"
        return response


NO_STORE = "private, no-store"


def _signed_in(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    if session is None or session.is_empty():
        return False  # no session at all: anonymous, and nothing is loaded for the question
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in user (portal and back office, pages, redirects, errors) is
    `Cache-Control: private, no-store` (HDR-01, issue 15 item 6c): neither the browser's cache nor
    a shared proxy keeps a statement or a balance after sign-out. A view that set its own
    Cache-Control (downloads, never_cache) keeps it; anonymous responses are left as they are.
    Listed after AuthenticationMiddleware, so it sees the user of the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and _signed_in(request):
            response["Cache-Control"] = NO_STORE
        return response
