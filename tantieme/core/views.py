"""Error pages in the site's style, and the firm's logo (private storage, no media URL)."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template import loader
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    try:
        body = loader.render_to_string(template, {"firm": getattr(request, "firm", None)}, request=request)
    except Exception:  # noqa: BLE001  (an error page must never fail in turn)
        body = loader.render_to_string("errors/minimal.html", {"status": status})
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, "errors/400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, "errors/403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context here: the failure may have come from it.
    return HttpResponse(loader.render_to_string("errors/500.html"), status=500)


@require_GET
@cache_control(max_age=3600, public=True)
def firm_logo(request: HttpRequest) -> FileResponse:
    firm = getattr(request, "firm", None)
    if firm is None or not firm.logo:
        raise Http404
    content_type = mimetypes.guess_type(firm.logo.name)[0] or "application/octet-stream"
    if content_type not in {"image/png", "image/jpeg", "image/svg+xml", "image/webp"}:
        raise Http404
    response = FileResponse(firm.logo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if content_type == "image/svg+xml":
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
