"""The HTTP client handed to provider adapters (urllib, no extra dependency).

Host names under `.localhost` (the firms' development hosts, where the sandbox bank lives) are
reached on 127.0.0.1 with the original Host header: not every resolver maps them to loopback.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from tantieme.payments.exceptions import ProviderCallError
from tantieme.payments.providers.base import HttpClient, HttpResponse


def loopback_target(url: str) -> tuple[str, str | None]:
    """(URL to connect to, Host header to send) — *.localhost is rewritten to 127.0.0.1."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        netloc = f"127.0.0.1:{parts.port}" if parts.port else "127.0.0.1"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), parts.netloc
    return url, None


class UrllibClient:
    def post(self, url: str, *, data: bytes, headers: Mapping[str, str], timeout: float) -> HttpResponse:
        target, host = loopback_target(url)
        if urlsplit(target).scheme not in {"http", "https"}:
            raise ProviderCallError("Adresse du prestataire invalide.")
        all_headers = dict(headers)
        if host is not None:
            all_headers["Host"] = host
        request = urllib.request.Request(target, data=data, headers=all_headers, method="POST")  # noqa: S310  (scheme checked)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  (scheme checked)
                return HttpResponse(status=response.status, body=response.read())
        except urllib.error.HTTPError as error:
            return HttpResponse(status=error.code, body=error.read())
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise ProviderCallError(f"Prestataire injoignable ({type(error).__name__}).") from error


_client: HttpClient = UrllibClient()


def http_client() -> HttpClient:
    return _client


def set_http_client(client: HttpClient) -> HttpClient:
    """Replace the client (tests); returns the previous one."""
    global _client
    previous, _client = _client, client
    return previous
