"""Ledger test helpers: books for a condominium, and entries posted through the one service."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.ledger import services
from tantieme.ledger.enums import FiscalYearState, LineNature
from tantieme.ledger.models import Entry, FiscalYear
from tantieme.ledger.services import LineDraft
from tests.factories import CondominiumFactory, ScopedFactory


def D(text: str) -> Decimal:
    return Decimal(text)


def open_books(condominium: Condominium, *, first_year: int = 2025, years: int = 1) -> list[FiscalYear]:
    """Chart, journals and `years` calendar fiscal years from `first_year` (call inside the firm scope)."""
    services.create_chart(condominium=condominium)
    opened = [services.open_fiscal_year(condominium=condominium, start_date=datetime.date(first_year, 1, 1))]
    for _ in range(years - 1):
        opened.append(services.open_fiscal_year(condominium=condominium))
    return opened


def post_call(
    condominium: Condominium,
    co_owner: CoOwner,
    amount: Decimal,
    *,
    date: datetime.date,
    account: str = "4501",
    counterpart: str = "701",
    nature: LineNature = LineNature.CURRENT,
    label: str = "Appel de fonds",
) -> Entry:
    return services.post_entry(
        condominium=condominium,
        journal="AF",
        date=date,
        label=label,
        validation_date=date,
        lines=[
            LineDraft(account=account, debit=amount, co_owner=co_owner, nature=nature),
            LineDraft(account=counterpart, credit=amount),
        ],
    )


class FiscalYearFactory(ScopedFactory):
    """A bare fiscal year (no journals): prefer `open_books`, which goes through the services."""

    class Meta:
        model = FiscalYear

    condominium = factory.SubFactory(CondominiumFactory)
    start_date = datetime.date(2025, 1, 1)
    end_date = datetime.date(2025, 12, 31)
    state = FiscalYearState.OPEN

    @classmethod
    def _create(cls, model_class: type[FiscalYear], *args: Any, **kwargs: Any) -> FiscalYear:
        return super()._create(model_class, *args, **kwargs)
