"""A sale in the worked example of spec §11: owner A (lot 1, 233/1000 of CG) sells in 2026.

A was called the four quarters of 2025 and the first of 2026 (provisions 538,82 and works fund
36,12 a quarter for lot 1), paid Q1 2025, an advance of 100,00 and Q2 2025 in one transfer, and
has 50,00 credited by an identified transfer not lettered yet.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from tantieme.funds.issuing import instalments_between, issue_call
from tantieme.ledger import services as ledger
from tantieme.ledger.enums import LineNature
from tantieme.ledger.services import LineDraft
from tests.funds.helpers import Example, build_example, vote_example_budget

D = Decimal
QUARTER = D("538.82")  # lot 1's provisions for one quarter (CG 2 312,50 × 233/1000, largest remainder)
FUND = D("36.12")  # lot 1's works fund for one quarter (155,00 × 233/1000)


def issue_between(example: Example, start: datetime.date, end: datetime.date) -> None:
    for instalment in instalments_between(example.condominium, start, end):
        issue_call(instalment=instalment, validation_date=instalment.due_date)


def build_seller_history(example: Example | None = None) -> Example:
    """Call inside the firm scope."""
    example = example or build_example(years=2)
    vote_example_budget(example)
    vote_example_budget(example, start_date=datetime.date(2026, 1, 1), general_meeting_date=datetime.date(2025, 5, 20))
    issue_between(example, datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))
    seller = example.owners["A"]
    ledger.post_entry(
        condominium=example.condominium,
        journal="OD",
        date=datetime.date(2025, 3, 1),
        label="Appel d'avance de trésorerie",
        lines=[
            LineDraft(account="4503", debit=D("100.00"), co_owner=seller, nature=LineNature.ADVANCE),
            LineDraft(account="1031", credit=D("100.00")),
        ],
    )
    ledger.post_co_owner_payment(
        co_owner=seller,
        amount=2 * (QUARTER + FUND) + D("100.00"),
        date=datetime.date(2025, 4, 15),
        journal="BQ1",
        label="Virement DUPONT",
    )
    ledger.post_entry(
        condominium=example.condominium,
        journal="OD",
        date=datetime.date(2026, 1, 20),
        label="Virement identifié DUPONT",
        lines=[
            LineDraft(account="472", debit=D("50.00")),
            LineDraft(account="4501", credit=D("50.00"), co_owner=seller),
        ],
    )
    return example
