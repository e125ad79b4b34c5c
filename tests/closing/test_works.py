"""Works operations at the year end: a received one uses its provisions (102 → 702), an open one
waits on 120 and comes back on the first day of the next year; classes 6 and 7 net to zero."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.db.models import F, Q, Sum

from tantieme.closing.services import approve_closing, draft_closing
from tantieme.funds.exceptions import BudgetError
from tantieme.funds.issuing import instalments_between, issue_call
from tantieme.funds.services import InstalmentData, LineData, close_works_operation, create_works_operation
from tantieme.ledger import services as ledger
from tantieme.ledger.models import MONEY_OUTPUT, FiscalYear, Line, cents
from tantieme.ledger.services import LineDraft
from tantieme.tenancy.scoping import firm_scope
from tests.closing.test_closing import run_2025
from tests.factories import FirmFactory
from tests.funds.helpers import Example, build_example

D = Decimal


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    firm = FirmFactory(slug="exemple")
    with firm_scope(firm):
        with time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
            built = build_example(firm=firm, years=2)
            for code, amount in (("TOIT", D("6000.00")), ("ASC", D("3000.00"))):
                operation = create_works_operation(
                    condominium=built.condominium,
                    code=code,
                    label=f"Travaux {code}",
                    general_meeting_date=datetime.date(2024, 6, 1),
                    lines=[LineData(key_code="CG", account="671", amount=amount)],
                    instalments=[InstalmentData(due_date=datetime.date(2025, 3, 1), weight=1)],
                )
                ledger.post_entry(
                    condominium=built.condominium,
                    journal="AC",
                    date=datetime.date(2025, 9, 1),
                    label=f"Facture {code}",
                    lines=[
                        LineDraft(account="671", debit=amount - D("500.00"), operation_id=operation.pk),
                        LineDraft(account="401", credit=amount - D("500.00")),
                    ],
                )
            run_2025(built)
            for instalment in instalments_between(
                built.condominium, datetime.date(2025, 3, 1), datetime.date(2025, 3, 1)
            ):
                if instalment.operation is not None:
                    issue_call(instalment=instalment, validation_date=instalment.due_date)
            close_works_operation(operation=operation, closed_on=datetime.date(2025, 12, 15))  # ASC received
        yield built


def _balance(example: Example, prefix: str, start: datetime.date, end: datetime.date) -> Decimal:
    total = Line.objects.filter(
        condominium=example.condominium, account__number__startswith=prefix, date__gte=start, date__lte=end
    ).aggregate(total=Sum(F("debit") - F("credit"), output_field=MONEY_OUTPUT))["total"]
    return cents(total)


def test_works_at_the_year_end(example: Example) -> None:
    year = FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False):
        draft_closing(fiscal_year=year)
        approve_closing(fiscal_year=year, approval_date=datetime.date(2026, 4, 15), publish=False)
    start, end = year.start_date, year.end_date
    # The received operation (ASC) used 2 500 of its provisions: Dr 102 / Cr 702.
    assert _balance(example, "702", start, end) == D("-2500.00")
    # The open one (TOIT) waits on 120 at the year end and is back in 671 on 1 January.
    assert _balance(example, "120", start, end) == D("5500.00")
    assert _balance(example, "120", start, datetime.date(2026, 1, 1)) == D("0.00")
    assert _balance(example, "671", datetime.date(2026, 1, 1), datetime.date(2026, 1, 1)) == D("5500.00")
    # Classes 6 and 7 of the closed year net to zero.
    year_lines = Line.objects.filter(entry__fiscal_year=year).filter(
        Q(account__number__startswith="6") | Q(account__number__startswith="7")
    )
    assert cents(year_lines.aggregate(total=Sum(F("debit") - F("credit"), output_field=MONEY_OUTPUT))["total"]) == 0
    # 102 keeps what the calls exceed the spending by, per operation (annex 4).
    assert _balance(example, "102", start, end) == D("-9000.00") + D("2500.00")


def test_closing_an_operation_is_checked(example: Example) -> None:
    from tantieme.funds.models import WorksOperation

    operation = WorksOperation.objects.get(code="ASC")
    with pytest.raises(BudgetError, match="déjà clôturée"):
        close_works_operation(operation=operation, closed_on=datetime.date(2025, 12, 16))
    roof = WorksOperation.objects.get(code="TOIT")
    with pytest.raises(BudgetError, match="avant l'assemblée"):
        close_works_operation(operation=roof, closed_on=datetime.date(2024, 1, 1))
