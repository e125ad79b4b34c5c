"""Several years of books for a demo condominium, posted through the ledger services.

`seed_ledger_history(condominium, today=...)` opens the chart and four fiscal years (the three
before today's, closed, and today's, open), then for each quarter up to today: the call for funds
(4501 budget on the general tantièmes, 4505 works fund at 5 %), the payments (transfers, and card
payments for A 606 0001, posted D+1), the year's charges and their payment. One co-owner pays
late: A 606 0001 did not pay in full, so that they owe exactly 1 210,77 € today (DEMO_BALANCE).
Seeding twice changes nothing: a condominium that has entries is left alone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import Condominium, CoOwner, LotShare, Ownership
from tantieme.core.money import allocate
from tantieme.ledger import services
from tantieme.ledger.enums import LineNature
from tantieme.ledger.models import Entry, FiscalYear
from tantieme.ledger.queries import balance
from tantieme.ledger.services import EntryDraft, LineDraft
from tantieme.tenancy.scoping import firm_scope

LATE_PAYER = "A6060001"
DEMO_BALANCE = Decimal("1210.77")
ANNUAL_BUDGET = Decimal("48000.00")
WORKS_FUND_RATE = Decimal("0.05")
PAST_YEARS = 3


def _quarter_starts(year: FiscalYear) -> list[datetime.date]:
    starts, day = [], year.start_date
    while day <= year.end_date:
        starts.append(day)
        month = day.month + 3
        day = datetime.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return starts


def _owners_and_shares(condominium: Condominium, day: datetime.date) -> list[tuple[CoOwner, int]]:
    """Who pays the call of `day`, with their general tantièmes (the owner on that day pays)."""
    shares = LotShare.objects.filter(key__condominium=condominium, key__kind=KeyKind.GENERAL).select_related("lot")
    by_owner: dict[int, int] = {}
    owners: dict[int, CoOwner] = {}
    ownerships = Ownership.objects.filter(lot__condominium=condominium).select_related("co_owner")
    for share in shares:
        for ownership in ownerships:
            if ownership.lot_id == share.lot_id and ownership.covers(day):
                by_owner[ownership.co_owner_id] = by_owner.get(ownership.co_owner_id, 0) + share.shares
                owners[ownership.co_owner_id] = ownership.co_owner
    return [(owners[pk], by_owner[pk]) for pk in sorted(by_owner) if by_owner[pk]]


def seed_ledger_history(condominium: Condominium, *, today: datetime.date) -> int:
    """Post the demo history of `condominium` up to `today`; returns the number of entries posted."""
    with firm_scope(condominium.firm):
        if Entry.objects.filter(condominium=condominium).exists():
            return 0
        services.create_chart(condominium=condominium)
        current_start = condominium.fiscal_year_start(today)
        first = datetime.date(current_start.year - PAST_YEARS, current_start.month, 1)
        years = [services.open_fiscal_year(condominium=condominium, start_date=first)]
        while years[-1].end_date < today:
            years.append(services.open_fiscal_year(condominium=condominium))
        late_payer = CoOwner.objects.filter(condominium=condominium, reference=LATE_PAYER).first()
        posted = 0
        for year in years:
            posted += _post_year(condominium, year, today=today, late_payer=late_payer)
            if year.end_date < today:
                services.close_fiscal_year(fiscal_year=year)
        if late_payer is not None:
            posted += _settle_late_payer(condominium, late_payer, today=today)
        return posted


def _post_year(condominium: Condominium, year: FiscalYear, *, today: datetime.date, late_payer: CoOwner | None) -> int:
    quarter_budget = ANNUAL_BUDGET / 4
    quarter_fund = (ANNUAL_BUDGET * WORKS_FUND_RATE / 4).quantize(Decimal("0.01"))
    drafts: list[EntryDraft] = []
    called = Decimal("0.00")
    for number, day in enumerate(_quarter_starts(year), start=1):
        if day > today:
            break
        owners = _owners_and_shares(condominium, day)
        if not owners:
            continue
        weights = [shares for _owner, shares in owners]
        budget_parts = allocate(quarter_budget, weights)
        fund_parts = allocate(quarter_fund, weights)
        label = f"Appel T{number} {year.label}"
        lines: list[LineDraft] = []
        for (owner, _shares), budget, fund in zip(owners, budget_parts, fund_parts, strict=True):
            if budget:
                lines.append(
                    LineDraft(account="4501", debit=budget, co_owner=owner, label=f"{label} charges courantes")
                )
            if fund:
                lines.append(
                    LineDraft(
                        account="4505",
                        debit=fund,
                        co_owner=owner,
                        nature=LineNature.WORKS_FUND,
                        label=f"{label} fonds de travaux",
                    )
                )
        lines += [
            LineDraft(account="701", credit=quarter_budget, label=label),
            LineDraft(account="105", credit=quarter_fund, label=f"{label} fonds de travaux"),
        ]
        called += quarter_budget
        drafts.append(
            EntryDraft(
                journal="AF",
                date=day,
                label=label,
                voucher=f"AF-{year.label}-T{number}",
                validation_date=day - datetime.timedelta(days=15),
                lines=lines,
            )
        )
        for index, ((owner, _shares), budget, fund) in enumerate(zip(owners, budget_parts, fund_parts, strict=True)):
            due = budget + fund
            paid_on = day + datetime.timedelta(days=3 + index % 20)
            if not due or paid_on >= today or (late_payer is not None and owner.pk == late_payer.pk):
                continue
            drafts.append(
                EntryDraft(
                    journal="BQ1",
                    date=paid_on,
                    validation_date=paid_on,
                    label=f"Virement {owner.reference_display}",
                    voucher=f"VIR-{paid_on:%Y%m%d}-{owner.reference}",
                    lines=[
                        LineDraft(account="512", debit=due, label=f"Virement {owner.reference}"),
                        *(
                            [LineDraft(account="4501", credit=budget, co_owner=owner, label="Virement reçu")]
                            if budget
                            else []
                        ),
                        *(
                            [
                                LineDraft(
                                    account="4505",
                                    credit=fund,
                                    co_owner=owner,
                                    nature=LineNature.WORKS_FUND,
                                    label="Virement reçu",
                                )
                            ]
                            if fund
                            else []
                        ),
                    ],
                )
            )
    if year.end_date < today and called:
        # The year's charges equal the provisions called (no régularisation in the demo) and are paid.
        end = year.end_date
        charges = allocate(called, [30, 25, 20, 15, 10])
        accounts = ["616", "6211", "611", "602", "614"]
        drafts.append(
            EntryDraft(
                journal="AC",
                date=end,
                validation_date=end,
                label=f"Charges de l'exercice {year.label}",
                lines=[
                    *(LineDraft(account=a, debit=c) for a, c in zip(accounts, charges, strict=True)),
                    LineDraft(account="401", credit=called),
                ],
            )
        )
        drafts.append(
            EntryDraft(
                journal="BQ1",
                date=end,
                validation_date=end,
                label=f"Règlement des fournisseurs {year.label}",
                lines=[LineDraft(account="401", debit=called), LineDraft(account="512", credit=called)],
            )
        )
    services.post_entries_bulk(condominium=condominium, drafts=drafts)
    return len(drafts)


def _settle_late_payer(condominium: Condominium, owner: CoOwner, *, today: datetime.date) -> int:
    """The late payer pays by card and transfer, late, all but DEMO_BALANCE (lettered by art. 1342-10)."""
    owed = balance(owner, at=today)
    to_pay = owed - DEMO_BALANCE
    if to_pay <= 0:
        return 0
    late = today - datetime.timedelta(days=2)
    year_start = condominium.fiscal_year_start(today)
    transfer_day = max(late - datetime.timedelta(days=30), year_start)
    late = max(late, year_start)
    # One late transfer for most of it, then a card payment (posted D+1) for the rest.
    transfer = (to_pay * Decimal("0.8")).quantize(Decimal("0.01"))
    card = to_pay - transfer
    services.post_co_owner_payment(
        co_owner=owner,
        amount=transfer,
        date=transfer_day,
        validation_date=transfer_day,
        journal="BQ1",
        label=f"Virement {owner.reference_display} (retard)",
    )
    posted = 1
    if card:
        services.post_co_owner_payment(
            co_owner=owner,
            amount=card,
            date=late,
            validation_date=late + datetime.timedelta(days=1),
            journal="CB",
            label=f"Paiement CB {owner.reference}",
            line_label="Paiement CB",
        )
        posted += 1
    return posted
