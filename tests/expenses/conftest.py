"""Fixtures of the expenses tests: the worked example of the spec (§11) in firm « tilleuls »."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tantieme.tenancy.scoping import firm_scope
from tests.expenses.factories import Tilleuls, build_tilleuls
from tests.factories import FirmFactory


@pytest.fixture
def tilleuls(db: None) -> Iterator[Tilleuls]:
    firm = FirmFactory(slug="tilleuls", name="Cabinet des Tilleuls")
    with firm_scope(firm):
        yield build_tilleuls(firm)
