"""Properties of the closing for random condominiums, charges and ownership changes (hypothesis).

For each generated condominium a year of budget calls and charges is posted through the product's
own services, then drafted and approved; the books must then say what §4.1 says, to the cent.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine
from django.db.models import F, Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tantieme.closing.models import Closing
from tantieme.closing.services import approve_closing, draft_closing
from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import Ownership
from tantieme.funds.issuing import instalments_between, issue_call
from tantieme.funds.services import LineData, save_budget
from tantieme.ledger import services as ledger
from tantieme.ledger.fec import fec_rows
from tantieme.ledger.models import MONEY_OUTPUT, Entry, FiscalYear, Line, cents
from tantieme.ledger.queries import balance
from tantieme.ledger.services import LineDraft
from tantieme.tenancy.scoping import firm_scope
from tests.factories import (
    AllocationKeyFactory,
    CondominiumFactory,
    CoOwnerFactory,
    FirmFactory,
    LotFactory,
    LotShareFactory,
    OwnershipFactory,
)

D = Decimal
START = datetime.date(2025, 1, 1)
END = datetime.date(2025, 12, 31)
MEETING = datetime.date(2026, 4, 15)
_firms = itertools.count()

amounts = st.integers(min_value=0, max_value=2_000_000).map(lambda cents_: D(cents_) / 100)


@st.composite
def condominiums(draw: st.DrawFn) -> dict[str, object]:
    lots = draw(st.integers(min_value=1, max_value=7))
    keys = draw(st.integers(min_value=1, max_value=3))
    shares = [
        [draw(st.integers(min_value=1 if key == 0 else 0, max_value=400)) for key in range(keys)]
        for _lot in range(lots)
    ]
    for key in range(1, keys):  # a special key has at least one lot
        if not any(row[key] for row in shares):
            shares[0][key] = 1
    owners = draw(st.integers(min_value=1, max_value=lots))
    return {
        "shares": shares,
        "owner_of": [draw(st.integers(min_value=0, max_value=owners - 1)) for _lot in range(lots)],
        "owners": owners,
        "sold": draw(st.lists(st.integers(min_value=0, max_value=lots - 1), max_size=2, unique=True)),
        "budget": [
            draw(st.integers(min_value=0, max_value=5_000_000).map(lambda c: D(c) / 100 if c >= 100 else D(0)))
            for _key in range(keys)
        ],
        "charges": [[draw(amounts) for _account in range(2)] for _key in range(keys)],
        "income": draw(amounts),
    }


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=condominiums())
def test_closing_properties(spec: dict[str, object]) -> None:
    firm = FirmFactory(slug=f"prop{next(_firms)}")
    with firm_scope(firm), time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
        condominium = CondominiumFactory(firm=firm, code="606")
        shares: list[list[int]] = spec["shares"]  # type: ignore[assignment]
        keys = [
            AllocationKeyFactory(
                condominium=condominium,
                code=f"K{index}",
                kind=KeyKind.GENERAL if index == 0 else KeyKind.SPECIAL,
                total=sum(row[index] for row in shares),
            )
            for index in range(len(shares[0]))
        ]
        owners = [
            CoOwnerFactory(condominium=condominium, reference=f"A606{index + 1:04d}")
            for index in range(spec["owners"])  # type: ignore[call-overload]
        ]
        lots = []
        for number, (row, owner) in enumerate(zip(shares, spec["owner_of"], strict=True), start=1):  # type: ignore[call-overload]
            lot = LotFactory(condominium=condominium, number=number)
            lots.append(lot)
            for key, lot_shares in zip(keys, row, strict=True):
                LotShareFactory(key=key, lot=lot, shares=lot_shares)
            OwnershipFactory(co_owner=owners[owner], lot=lot, start_date=datetime.date(2010, 1, 1))
        ledger.create_chart(condominium=condominium)
        year = ledger.open_fiscal_year(condominium=condominium, start_date=START)
        ledger.open_fiscal_year(condominium=condominium)
        budget = [
            LineData(key_code=key.code, account="615", amount=amount)
            for key, amount in zip(keys, spec["budget"], strict=True)  # type: ignore[call-overload]
            if amount
        ]
        if budget:
            save_budget(
                condominium=condominium,
                start_date=START,
                general_meeting_date=datetime.date(2024, 6, 1),
                lines=budget,
                works_fund_reason="Immeuble de moins de dix ans",
            )
            for instalment in instalments_between(condominium, START, END):
                issue_call(instalment=instalment, validation_date=instalment.due_date)
        for key, (first, second) in zip(keys, spec["charges"], strict=True):  # type: ignore[call-overload]
            charged = [(number, amount) for number, amount in (("602", first), ("615", second)) if amount]
            if charged:
                ledger.post_entry(
                    condominium=condominium,
                    journal="AC",
                    date=datetime.date(2025, 11, 30),
                    label="Factures",
                    lines=[
                        *(LineDraft(account=number, debit=amount, key_id=key.pk) for number, amount in charged),
                        LineDraft(account="401", credit=sum((a for _n, a in charged), D("0.00"))),
                    ],
                )
        if spec["income"]:  # interest without key: assigned to the general key
            ledger.post_entry(
                condominium=condominium,
                journal="BQ1",
                date=datetime.date(2025, 12, 1),
                label="Intérêts",
                lines=[LineDraft(account="512", debit=spec["income"]), LineDraft(account="716", credit=spec["income"])],  # type: ignore[arg-type]
            )
    # Lots sold after the year end, before the meeting: the buyer gets the régularisation.
    with firm_scope(firm):
        for index in spec["sold"]:  # type: ignore[attr-defined]
            buyer = CoOwnerFactory(condominium=condominium, reference=f"A606{9000 + index:04d}")
            Ownership.objects.filter(lot=lots[index]).update(end_date=datetime.date(2026, 2, 28))
            Ownership.objects.create(co_owner=buyer, lot=lots[index], start_date=datetime.date(2026, 3, 1))
        co_owners = list(condominium.co_owners.all())
        before = {owner.pk: balance(owner) for owner in co_owners}
        with time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False):
            draft = draft_closing(fiscal_year=year)
            closing = approve_closing(fiscal_year=year, approval_date=MEETING, publish=False)
        _check(closing, year, co_owners, before, draft_total=draft.regularisation_total)


def _check(
    closing: Closing, year: FiscalYear, co_owners: list, before: dict[int, Decimal], draft_total: Decimal
) -> None:  # type: ignore[type-arg]
    # Σ régularisations per key = net charges − provisions of the key; the draft said the same.
    per_key: dict[int, Decimal] = defaultdict(lambda: D("0.00"))
    for line in closing.lines.all():
        per_key[line.key_id] += line.regularisation
    for key in closing.key_totals:
        net = D(key["charges"]) - D(key["income"])
        assert per_key[key["key_id"]] == net - D(key["provisions"]) == D(key["regularisation"])
    assert closing.regularisation_total == draft_total
    # Every co-owner's account moved by their régularisation, as the statement lines say.
    by_owner: dict[int, Decimal] = defaultdict(lambda: D("0.00"))
    for line in closing.lines.all():
        by_owner[line.co_owner_id] += line.regularisation
    for owner in co_owners:
        assert balance(owner) - before[owner.pk] == by_owner[owner.pk]
    # Classes 6 and 7 net to zero in the closed year.
    year_lines = Line.objects.filter(entry__fiscal_year=year).filter(
        Q(account__number__startswith="6") | Q(account__number__startswith="7")
    )
    net = year_lines.aggregate(total=Sum(F("debit") - F("credit"), output_field=MONEY_OUTPUT))["total"]
    assert cents(net) == 0
    # The à-nouveaux of the next year equal the closing balance sheet (classes 1, 4, 5), per account.
    following = FiscalYear.objects.get(
        condominium_id=year.condominium_id, start_date=year.end_date + datetime.timedelta(days=1)
    )
    carried: dict[str, Decimal] = defaultdict(lambda: D("0.00"))
    for row in fec_rows(following):
        if row[0] == "AN":
            carried[row[4]] += D(row[11].replace(",", ".")) - D(row[12].replace(",", "."))
    closing_sheet = {
        number: cents(total)
        for number, total in Line.objects.filter(condominium_id=year.condominium_id, date__lte=year.end_date)
        .filter(
            Q(account__number__startswith="1") | Q(account__number__startswith="4") | Q(account__number__startswith="5")
        )
        .values_list("account__number")
        .annotate(total=Sum(F("debit") - F("credit"), output_field=MONEY_OUTPUT))
        if cents(total)
    }
    assert {number: amount for number, amount in carried.items() if amount} == closing_sheet
    assert sum(carried.values(), D("0.00")) == 0
    per_owner_key: dict[tuple[int, int], Decimal] = defaultdict(lambda: D("0.00"))
    for line in closing.lines.all():
        per_owner_key[(line.co_owner_id, line.key_id)] += line.regularisation
    regularised = Entry.objects.filter(fiscal_year=year, journal__code="RE").count()
    assert regularised == len({owner for (owner, _key), amount in per_owner_key.items() if amount})
