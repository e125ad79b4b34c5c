"""The client's address behind the documented reverse proxy (issue 15, item 1; AUTH-05, LOG-01).

`client_ip` believes `X-Forwarded-For` only when the direct peer (REMOTE_ADDR) is one of
`TRUSTED_PROXIES`, and then walks the header from the right, skipping trusted proxies: the first
address that is not a trusted proxy is the client. Whatever a client writes on the left is ignored.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from tantieme.audit.services import client_ip

NGINX = "127.0.0.1"


def request_from(remote_addr: str, forwarded_for: str | None = None) -> Any:
    extra: dict[str, str] = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)  # type: ignore[arg-type]


@pytest.fixture
def behind_nginx(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "::1"]


def test_the_test_profile_trusts_no_proxy() -> None:
    assert django_settings.TRUSTED_PROXIES == []


def test_without_a_trusted_proxy_the_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    assert client_ip(request_from(NGINX, "198.51.100.1")) == NGINX


def test_trusted_proxy_with_one_client(behind_nginx: None) -> None:
    assert client_ip(request_from(NGINX, "198.51.100.23")) == "198.51.100.23"
    assert client_ip(request_from(NGINX, " 198.51.100.23 ")) == "198.51.100.23"


def test_a_forged_left_most_entry_is_not_believed(behind_nginx: None) -> None:
    # The client sent `X-Forwarded-For: 10.9.8.7`; nginx appended the address it saw.
    assert client_ip(request_from(NGINX, "10.9.8.7, 198.51.100.23")) == "198.51.100.23"
    # A client that forges a trusted address on the left gains nothing either.
    assert client_ip(request_from(NGINX, "127.0.0.1, 198.51.100.23")) == "198.51.100.23"
    assert client_ip(request_from(NGINX, "not-an-address, 198.51.100.23")) == "198.51.100.23"


def test_a_chain_of_two_trusted_proxies(settings: Any) -> None:
    # Client → load balancer (10.0.0.5) → nginx (127.0.0.1) → gunicorn.
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "10.0.0.0/24"]
    assert client_ip(request_from(NGINX, "198.51.100.23, 10.0.0.5")) == "198.51.100.23"
    assert client_ip(request_from(NGINX, "6.6.6.6, 198.51.100.23, 10.0.0.5")) == "198.51.100.23"
    # The load balancer is trusted, another private address is not.
    assert client_ip(request_from(NGINX, "198.51.100.23, 10.0.1.5")) == "10.0.1.5"
    # Several X-Forwarded-For headers arrive joined with commas.
    assert client_ip(request_from(NGINX, "198.51.100.23,10.0.0.5")) == "198.51.100.23"


def test_only_trusted_proxies_in_the_header_gives_the_furthest_one(behind_nginx: None) -> None:
    assert client_ip(request_from(NGINX, "127.0.0.1")) == "127.0.0.1"
    assert client_ip(request_from(NGINX, "")) == NGINX
    assert client_ip(request_from(NGINX)) == NGINX


def test_an_untrusted_peer_sending_the_header_is_ignored(behind_nginx: None) -> None:
    # Someone reaching gunicorn directly (not through nginx) cannot choose their address.
    assert client_ip(request_from("203.0.113.7", "198.51.100.23")) == "203.0.113.7"
    assert client_ip(request_from("203.0.113.7", "198.51.100.23, 127.0.0.1")) == "203.0.113.7"


def test_ipv6(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["::1", "2001:db8:ffff::/48"]
    assert client_ip(request_from("::1", "2001:db8::1")) == "2001:db8::1"
    assert client_ip(request_from("::1", "2001:db8::1, 2001:db8:ffff::10")) == "2001:db8::1"
    assert client_ip(request_from("::1", "[2001:db8::1]:51234")) == "2001:db8::1"
    assert client_ip(request_from("::1", "2001:DB8:0:0::1")) == "2001:db8::1"
    # An IPv6 peer outside the list: the header is ignored.
    assert client_ip(request_from("2001:db8:1::9", "198.51.100.23")) == "2001:db8:1::9"
    # A dual-stack socket shows IPv4 peers as ::ffff:a.b.c.d.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("::ffff:127.0.0.1", "198.51.100.23")) == "198.51.100.23"


def test_ports_and_mixed_families_in_the_header(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    assert client_ip(request_from("::1", "198.51.100.23:4711")) == "198.51.100.23"
    assert client_ip(request_from(NGINX, "2001:db8::1")) == "2001:db8::1"


def test_no_address_at_all() -> None:
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) is None


def _settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in {"BEHIND_PROXY", "TRUSTED_PROXIES"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="tantieme.settings", TANTIEME_ENV="test")
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.TRUSTED_PROXIES)"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_defaults_and_validation() -> None:
    assert _settings_in_a_fresh_process().stdout.strip() == "[]"
    assert _settings_in_a_fresh_process(BEHIND_PROXY="1").stdout.strip() == "['127.0.0.1/32', '::1']"
    # `TRUSTED_PROXIES=` as .env.example shows it means the default, never "trust nobody behind nginx".
    blank = _settings_in_a_fresh_process(BEHIND_PROXY="1", TRUSTED_PROXIES=" ")
    assert blank.stdout.strip() == "['127.0.0.1/32', '::1']"
    explicit = _settings_in_a_fresh_process(BEHIND_PROXY="1", TRUSTED_PROXIES="10.0.0.0/8, 192.168.1.5")
    assert explicit.stdout.strip() == "['10.0.0.0/8', '192.168.1.5']"
    malformed = _settings_in_a_fresh_process(BEHIND_PROXY="1", TRUSTED_PROXIES="10.0.0.0/8,nginx")
    assert malformed.returncode != 0
    assert "TRUSTED_PROXIES" in malformed.stderr
