"""The bulk receipts of an import post and letter exactly as `ledger.services.post_co_owner_payment`."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tantieme.banking.posting import Receipt, post_receipts_bulk
from tantieme.condominiums.models import CoOwner
from tantieme.ledger.enums import LineNature
from tantieme.ledger.models import Line, Match
from tantieme.ledger.services import post_co_owner_payment
from tests.banking.conftest import Books, D
from tests.ledger.factories import post_call


def _calls(books: Books, co_owner: CoOwner) -> None:
    post_call(books.condo, co_owner, D("300.00"), date=datetime.date(2026, 2, 1))
    post_call(books.condo, co_owner, D("120.00"), date=datetime.date(2026, 2, 1), account="4505",
              counterpart="105", nature=LineNature.WORKS_FUND)  # fmt: skip
    post_call(books.condo, co_owner, D("500.00"), date=datetime.date(2026, 6, 1))


def _picture(co_owner: CoOwner) -> list[tuple[object, ...]]:
    credit_lines = Line.objects.filter(co_owner=co_owner, credit__gt=0).order_by("entry_id", "position")
    rows: list[tuple[object, ...]] = []
    for line in credit_lines:
        matched = sorted(
            (str(match.debit_line.date), match.debit_line.account.number, match.amount)
            for match in Match.objects.filter(credit_line=line).select_related("debit_line__account")
        )
        rows.append((line.account.number, line.nature, line.credit, line.date, tuple(matched)))
    return rows


def test_bulk_receipts_equal_the_ledger_service(books: Books) -> None:
    _calls(books, books.alice)
    _calls(books, books.bob)
    payments = [
        (D("250.00"), datetime.date(2026, 3, 2)),  # part of the 1 000.00 due on 1 January, shared… then February
        (D("1500.00"), datetime.date(2026, 3, 3)),  # the rest due, then June's call (not yet due), then advance
        (D("35.55"), datetime.date(2026, 3, 4)),
    ]
    post_receipts_bulk(
        condominium=books.condo,
        journal="BQ1",
        debit_account="512",
        receipts=[Receipt(co_owner=books.alice, amount=a, date=d, label="Virement") for a, d in payments],
    )
    for amount, day in payments:
        post_co_owner_payment(co_owner=books.bob, amount=amount, date=day, journal="BQ1", label="Virement")
    assert _picture(books.alice) == _picture(books.bob)
    assert len(_picture(books.alice)) >= 4
    assert Decimal("0") < sum((row[2] for row in _picture(books.alice)), Decimal("0"))  # type: ignore[misc]
