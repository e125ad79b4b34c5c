"""Resolve the firm from the host name before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from tantieme.tenancy.queries import resolve_firm
from tantieme.tenancy.scoping import all_firms_scope, firm_scope


def hostname_of(request: HttpRequest) -> str:
    """The host name without port, lower case; validated against ALLOWED_HOSTS by get_host()."""
    host = request.get_host().lower()
    if host.startswith("["):
        return host[: host.index("]") + 1]
    return host.rsplit(":", 1)[0] if ":" in host else host


class TenantMiddleware:
    """`request.firm` comes from the host; an unknown subdomain is a 404 before any other work.

    The operator host gets the operator URLconf (Django admin) and no firm.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        hostname = hostname_of(request)
        if hostname == settings.OPERATOR_HOST:
            request.firm = None  # type: ignore[attr-defined]
            request.urlconf = settings.OPERATOR_URLCONF  # type: ignore[attr-defined]
            with all_firms_scope():
                return self.get_response(request)
        firm = resolve_firm(hostname)
        if firm is None:
            request.firm = None  # type: ignore[attr-defined]
            raise Http404("Unknown firm")
        request.firm = firm  # type: ignore[attr-defined]
        with firm_scope(firm):
            return self.get_response(request)
