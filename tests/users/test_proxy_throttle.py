"""Throttling through a real reverse-proxy hop on loopback (issue 15, item 1; AUTH-05).

The application runs in pytest-django's live server (a real WSGI server in a thread); in front of
it, a small forwarder of our own plays nginx with
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`: it appends the address of the
client it sees to whatever `X-Forwarded-For` the client sent. Every real client here is
127.0.0.1, so the forwarder takes the address "it sees" from a test-only `X-Test-Client` header,
which it strips before forwarding. Only loopback is reached.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings as django_settings

from tantieme.audit.models import AuditEvent
from tests.conftest import World, host_of

LOGIN = "/compte/connexion/"
FORGOT = "/compte/mot-de-passe-oublie/"
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "content-length",
}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _Forwarder(BaseHTTPRequestHandler):
    """nginx's `proxy_pass` with `$proxy_add_x_forwarded_for`, in a few lines."""

    upstream: tuple[str, int]
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = self.headers.get("X-Test-Client") or self.client_address[0]
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in HOP_BY_HOP and name.lower() not in {"x-test-client", "x-forwarded-for"}
        }
        sent = ", ".join(self.headers.get_all("X-Forwarded-For") or [])
        headers["X-Forwarded-For"] = f"{sent}, {seen}" if sent else seen
        headers["X-Forwarded-Proto"] = "http"
        upstream = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
            self.send_response(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        finally:
            upstream.close()

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (the base class's name)
        pass


@dataclass
class Proxy:
    port: int
    host: str
    requests: int = 0
    cookies: dict[str, str] = field(default_factory=dict)

    def _send(
        self, method: str, path: str, *, client: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            all_headers = {"Host": self.host, "X-Test-Client": client, **(headers or {})}
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            text = response.read().decode()
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            self.requests += 1
            return response.status, dict(response.getheaders()), text
        finally:
            connection.close()

    def post_form(self, path: str, data: dict[str, str], *, client: str, forged: str | None = None) -> int:
        """GET the form (for its CSRF token), then POST it, as a browser at `client` would."""
        status, _, page = self._send("GET", path, client=client)
        assert status == 200, page[:500]
        match = CSRF_INPUT.search(page)
        assert match is not None
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if forged is not None:
            headers["X-Forwarded-For"] = forged
        body = urlencode({"csrfmiddlewaretoken": match.group(1), **data}).encode()
        status, _, _ = self._send("POST", path, client=client, body=body, headers=headers)
        return status

    def login(self, identifier: str, password: str, *, client: str, forged: str | None = None) -> int:
        return self.post_form(LOGIN, {"username": identifier, "password": password}, client=client, forged=forged)


@pytest.fixture
def proxy(transactional_db: None, live_server: Any, world: World, settings: Any) -> Iterator[Proxy]:
    """The forwarder on its own loopback port, in front of the live server; nginx is trusted."""
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "::1"]
    upstream = urlsplit(live_server.url)
    assert upstream.hostname is not None
    assert upstream.port is not None
    handler = type("Forwarder", (_Forwarder,), {"upstream": (upstream.hostname, upstream.port)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Proxy(port=server.server_address[1], host=f"{host_of(world.horizon)}:{upstream.port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_failures_from_many_clients_do_not_lock_out_a_co_owner(proxy: Proxy) -> None:
    limit = django_settings.LOGIN_THROTTLE_IP_FAILURES
    # A botnet: one wrong password each from 31 addresses, on unknown identifiers.
    for index in range(limit + 1):
        assert proxy.login(f"Z{index:07d}", "wrong-password", client=f"198.51.100.{index + 1}") == 200
    # Alice, from her own address, is not refused because the proxy's address was counted.
    assert proxy.login("A6060001", "Test-Password-2026!", client="203.0.113.50") == 302
    # The audit trail stores the client's address, not nginx's.
    failures = AuditEvent.all_firms.filter(action="users.login.failed").values_list("ip_address", flat=True)
    assert "127.0.0.1" not in set(failures)
    assert AuditEvent.all_firms.filter(action="users.login.succeeded", ip_address="203.0.113.50").exists()


def test_failures_from_one_client_throttle_that_client_even_with_a_forged_header(proxy: Proxy) -> None:
    limit = django_settings.LOGIN_THROTTLE_IP_FAILURES
    attacker = "203.0.113.66"
    for index in range(limit):
        # The attacker writes a new X-Forwarded-For each time; nginx appends the real address.
        status = proxy.login(f"Z{index:07d}", "wrong-password", client=attacker, forged=f"10.1.{index}.1")
        assert status == 200, index
    assert proxy.login(f"Z{limit:07d}", "wrong-password", client=attacker, forged="127.0.0.1") == 429
    assert proxy.login("A6060001", "Test-Password-2026!", client=attacker) == 429
    # Another client is not affected.
    assert proxy.login("A6060001", "Test-Password-2026!", client="203.0.113.50") == 302


def test_reset_requests_from_many_clients_are_not_silenced(proxy: Proxy) -> None:
    for index in range(django_settings.RESET_THROTTLE_IP_PER_HOUR + 1):
        status = proxy.post_form(FORGOT, {"identifier": f"Z{index:07d}"}, client=f"198.51.100.{index + 1}")
        assert status in {200, 302}
    assert not AuditEvent.all_firms.filter(action="users.password_reset.throttled").exists()
