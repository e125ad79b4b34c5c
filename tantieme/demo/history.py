"""Several years of books for a demo condominium, written through the funds and ledger services.

`seed_ledger_history(condominium, today=...)` opens the chart and four fiscal years (the three
before today's, closed, and today's, open). Each year has a budget voted by the AG (per key and
account, `funds.services.save_budget`) with its works fund at the legal minimum (5 %); a works
operation (façade, art. 14-2) was voted for the current year with three instalments. Every call
due up to today is issued through `funds.issuing.issue_call` (one AF entry per call: 4501/701,
4505/105, 4502/102), in order, and the co-owners pay it by transfer a few days later; the notices
of the calls of the current quarter are published in the co-owners' documents. At the end of a
past year its charges (equal to the budget) are posted and paid, and the year is closed.

One co-owner pays late: A 606 0001 did not pay in full, so that they owe exactly 1 210,77 € today
(DEMO_BALANCE, the amount of the syndic's letter). Seeding twice changes nothing: a condominium
that has entries is left alone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner
from tantieme.core.money import allocate
from tantieme.funds.computation import add_months, period_code, period_range
from tantieme.funds.issuing import instalments_between, issue_call, publish_notices
from tantieme.funds.models import Budget, Call, CallNotice
from tantieme.funds.services import InstalmentData, LineData, create_works_operation, save_budget
from tantieme.ledger import services
from tantieme.ledger.enums import LineNature
from tantieme.ledger.models import Entry, FiscalYear
from tantieme.ledger.queries import balance
from tantieme.ledger.services import EntryDraft, LineDraft
from tantieme.tenancy.scoping import firm_scope

LATE_PAYER = "A6060001"
DEMO_BALANCE = Decimal("1210.77")
ANNUAL_BUDGET = Decimal("48000.00")
YEARLY_INCREASE = Decimal("0.02")
WORKS_FUND_RATE = Decimal("0.05")
WORKS_AMOUNT = Decimal("36000.00")
PAST_YEARS = 3

# Accounts of a key's budget, with their weight: general charges, then the lift, then the rest.
Accounts = tuple[tuple[str, str, int], ...]
GENERAL_ACCOUNTS: Accounts = (
    ("616", "Assurance multirisque", 30),
    ("6211", "Honoraires du syndic", 25),
    ("611", "Nettoyage des parties communes", 20),
    ("602", "Électricité", 10),
    ("601", "Eau", 15),
)
ELEVATOR_ACCOUNTS: Accounts = (("614", "Contrat d'entretien ascenseur", 80), ("602", "Électricité ascenseur", 20))
OTHER_ACCOUNTS: Accounts = (("615", "Entretien et petites réparations", 70), ("611", "Nettoyage", 30))
SPECIAL_SHARE = Decimal("0.15")  # each special key takes 15 % of the budget, the general key the rest


def _budget_lines(keys: list[AllocationKey], total: Decimal) -> list[LineData]:
    special = [key for key in keys if key.kind != KeyKind.GENERAL]
    general = [key for key in keys if key.kind == KeyKind.GENERAL]
    if not general:
        return []
    special_total = (total * SPECIAL_SHARE).quantize(Decimal("0.01"))
    amounts = {key.code: special_total for key in special}
    amounts[general[0].code] = total - special_total * len(special)
    lines = []
    for key in general + special:
        if key.kind == KeyKind.GENERAL:
            accounts = GENERAL_ACCOUNTS
        elif key.code.upper().startswith("ASC"):
            accounts = ELEVATOR_ACCOUNTS
        else:
            accounts = OTHER_ACCOUNTS
        parts = allocate(amounts[key.code], [weight for _account, _label, weight in accounts])
        lines += [
            LineData(key_code=key.code, account=account, label=label, amount=part)
            for (account, label, _weight), part in zip(accounts, parts, strict=True)
        ]
    return lines


def _vote_budgets(condominium: Condominium, years: list[FiscalYear]) -> list[Budget]:
    keys = list(AllocationKey.objects.filter(condominium=condominium).order_by("code"))
    budgets = []
    total = ANNUAL_BUDGET
    for year in years:
        lines = _budget_lines(keys, total)
        if not lines:
            continue
        budgets.append(
            save_budget(
                condominium=condominium,
                start_date=year.start_date,
                general_meeting_date=year.start_date - datetime.timedelta(days=200),
                lines=lines,
                works_fund_amount=(total * WORKS_FUND_RATE).quantize(Decimal("0.01")),
            )
        )
        total = (total * (1 + YEARLY_INCREASE)).quantize(Decimal("100"))
    return budgets


def _vote_works(condominium: Condominium, year: FiscalYear) -> None:
    general = AllocationKey.objects.filter(condominium=condominium, kind=KeyKind.GENERAL).first()
    if general is None:
        return
    start = year.start_date
    create_works_operation(
        condominium=condominium,
        code=f"RAV{year.label}",
        label="Ravalement de la façade sur rue",
        general_meeting_date=start - datetime.timedelta(days=200),
        lines=[LineData(key_code=general.code, account="671", label="Ravalement", amount=WORKS_AMOUNT)],
        instalments=[
            InstalmentData(due_date=add_months(start, 0), weight=30),
            InstalmentData(due_date=add_months(start, 3), weight=30),
            InstalmentData(due_date=add_months(start, 6), weight=40),
        ],
    )


def _payments(call: Call, *, today: datetime.date, late_payer: CoOwner | None) -> list[EntryDraft]:
    """Every co-owner but the late payer pays the call by transfer 3 to 22 days after the due date."""
    drafts = []
    account = "4502" if call.operation_id else "4501"
    nature = LineNature.WORKS if call.operation_id else LineNature.CURRENT
    notices = CallNotice.objects.filter(call=call).select_related("co_owner").order_by("co_owner__reference")
    for index, notice in enumerate(notices):
        owner = notice.co_owner
        paid_on = call.due_date + datetime.timedelta(days=3 + index % 20)
        if paid_on >= today or (late_payer is not None and owner.pk == late_payer.pk):
            continue
        lines = [LineDraft(account="512", debit=notice.amount, label=f"Virement {owner.reference}")]
        if notice.amount_current:
            lines.append(
                LineDraft(
                    account=account, credit=notice.amount_current, co_owner=owner, nature=nature, label="Virement reçu"
                )
            )
        if notice.amount_works_fund:
            lines.append(
                LineDraft(
                    account="4505",
                    credit=notice.amount_works_fund,
                    co_owner=owner,
                    nature=LineNature.WORKS_FUND,
                    label="Virement reçu",
                )
            )
        drafts.append(
            EntryDraft(
                journal="BQ1",
                date=paid_on,
                validation_date=paid_on,
                label=f"Virement {owner.reference_display}",
                voucher=f"VIR-{paid_on:%Y%m%d}-{owner.reference}",
                lines=lines,
            )
        )
    return drafts


def _close_year(condominium: Condominium, year: FiscalYear, budget: Budget | None) -> int:
    """The year's charges equal the budget (no régularisation in the demo) and are paid; then closing."""
    posted = 0
    if budget is not None:
        end = year.end_date
        by_account: dict[str, Decimal] = {}
        for line in budget.lines.all():
            by_account[line.account] = by_account.get(line.account, Decimal("0.00")) + line.amount
        total = sum(by_account.values(), Decimal("0.00"))
        services.post_entries_bulk(
            condominium=condominium,
            drafts=[
                EntryDraft(
                    journal="AC",
                    date=end,
                    validation_date=end,
                    label=f"Charges de l'exercice {year.label}",
                    lines=[
                        *(LineDraft(account=account, debit=amount) for account, amount in sorted(by_account.items())),
                        LineDraft(account="401", credit=total),
                    ],
                ),
                EntryDraft(
                    journal="BQ1",
                    date=end,
                    validation_date=end,
                    label=f"Règlement des fournisseurs {year.label}",
                    lines=[LineDraft(account="401", debit=total), LineDraft(account="512", credit=total)],
                ),
            ],
        )
        posted = 2
    services.close_fiscal_year(fiscal_year=year)
    return posted


def seed_ledger_history(condominium: Condominium, *, today: datetime.date) -> int:
    """Write the demo history of `condominium` up to `today`; returns the number of entries posted."""
    with firm_scope(condominium.firm):
        if Entry.objects.filter(condominium=condominium).exists():
            return 0
        services.create_chart(condominium=condominium)
        current_start = condominium.fiscal_year_start(today)
        first = datetime.date(current_start.year - PAST_YEARS, current_start.month, 1)
        years = [services.open_fiscal_year(condominium=condominium, start_date=first)]
        while years[-1].end_date < today:
            years.append(services.open_fiscal_year(condominium=condominium))
        budgets = {budget.start_date: budget for budget in _vote_budgets(condominium, years)}
        _vote_works(condominium, years[-1])
        late_payer = CoOwner.objects.filter(condominium=condominium, reference=LATE_PAYER).first()
        current_period = period_range(period_code(today, 3))
        posted = 0
        for year in years:
            for instalment in instalments_between(condominium, year.start_date, min(year.end_date, today)):
                validation = min(instalment.due_date - datetime.timedelta(days=15), today)
                call, _created = issue_call(instalment=instalment, validation_date=validation)
                # Backdated like its entry: the notice says « Émis le » the validation day, not the seeding day.
                call.issued_at = timezone.make_aware(datetime.datetime.combine(validation, datetime.time(9)))
                Call.objects.filter(pk=call.pk).update(issued_at=call.issued_at)
                posted += 1
                payments = _payments(call, today=today, late_payer=late_payer)
                services.post_entries_bulk(condominium=condominium, drafts=payments)
                posted += len(payments)
                if current_period[0] <= call.due_date <= current_period[1]:
                    publish_notices(call=call)
            if year.end_date < today:
                posted += _close_year(condominium, year, budgets.get(year.start_date))
        if late_payer is not None:
            posted += _settle_late_payer(condominium, late_payer, today=today)
        return posted


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
