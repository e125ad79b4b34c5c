"""Payments fixtures: the provider's server-to-server calls routed to this process (the sandbox bank)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tantieme.payments.http import set_http_client
from tests.payments.helpers import DjangoClientHttp


@pytest.fixture
def http() -> Iterator[DjangoClientHttp]:
    client = DjangoClientHttp()
    previous = set_http_client(client)
    yield client
    set_http_client(previous)
