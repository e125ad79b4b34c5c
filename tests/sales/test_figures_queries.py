"""The figures of a sale read the books with a fixed number of bounded aggregates (issue 13, bench
« Back office at scale »): the same count whatever the history, the same amounts as per co-owner sums."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tantieme.ledger import services as ledger
from tantieme.ledger.models import Line
from tantieme.ledger.queries import co_owner_balances
from tantieme.ledger.services import LineDraft
from tantieme.sales.figures import syndicate_position
from tantieme.sales.models import Sale
from tantieme.sales.services import figures_for, open_sale
from tantieme.tenancy.scoping import firm_scope
from tests.factories import FirmFactory
from tests.funds.helpers import Example, build_example
from tests.sales.helpers import build_seller_history

D = Decimal
REQUESTED = datetime.date(2026, 2, 15)


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        yield build_seller_history(build_example(firm=firm, years=2))


def _sale(example: Example) -> Sale:
    return open_sale(
        condominium=example.condominium,
        seller=example.owners["A"],
        lot_numbers=[1],
        requested_on=REQUESTED,
        notary_name="Me Claire NOTAIRE",
        notary_office="Office notarial du Centre",
    )


def _count(sale: Sale) -> int:
    sale = Sale.objects.get(pk=sale.pk)
    with CaptureQueriesContext(connection) as queries:
        figures_for(sale)
    return len(queries)


def test_the_syndicate_figures_are_the_per_co_owner_sums(example: Example) -> None:
    condominium = example.condominium
    # A supplier invoice, a supplier advance (409, not a debt) and a co-owner in credit.
    ledger.post_entry(
        condominium=condominium,
        journal="AC",
        date=datetime.date(2026, 1, 10),
        label="Facture eau",
        lines=[LineDraft(account="601", debit=D("300.00")), LineDraft(account="401", credit=D("300.00"))],
    )
    for at in (REQUESTED, datetime.date(2025, 6, 30), datetime.date(2024, 1, 1)):
        unpaid, debt, _fund = syndicate_position(condominium, at)
        expected = sum((amount for amount in co_owner_balances(condominium, at).values() if amount > 0), D("0"))
        assert unpaid == expected, at
        suppliers = Line.objects.filter(condominium=condominium, account__number__startswith="40", date__lte=at)
        suppliers = suppliers.exclude(account__number__startswith="409")
        assert debt == sum((line.credit - line.debit for line in suppliers), D("0")), at
    assert syndicate_position(condominium, REQUESTED)[0] == D("15012.62")


def test_the_figures_read_a_fixed_number_of_queries(example: Example) -> None:
    sale = _sale(example)
    before = _count(sale)
    # More history: every co-owner pays, a few more supplier invoices.
    for co_owner in example.owners.values():
        ledger.post_co_owner_payment(
            co_owner=co_owner, amount=D("10.00"), date=datetime.date(2026, 1, 5), journal="BQ1", label="Virement"
        )
    for day in (5, 6, 7):
        ledger.post_entry(
            condominium=example.condominium,
            journal="AC",
            date=datetime.date(2026, 1, day),
            label="Facture",
            lines=[LineDraft(account="601", debit=D("12.00")), LineDraft(account="401", credit=D("12.00"))],
        )
    assert _count(sale) == before
    assert before <= 19  # was 23 before the syndicate, shares and fiscal-year reads were merged
