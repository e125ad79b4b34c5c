"""Several years of books for a demo condominium, written through the funds and ledger services.

`seed_ledger_history(condominium, today=...)` opens the chart and four fiscal years (the three
before today's and today's), then the next one once only one year is left open. Each year has a
budget voted by the AG (per key and account, `funds.services.save_budget`) with its works fund at
the legal minimum (5 %); a works
operation (façade, art. 14-2) was voted for the current year with three instalments. Every call
due up to today is issued through `funds.issuing.issue_call` (one AF entry per call: 4501/701,
4505/105, 4502/102), in order, and the co-owners pay it by transfer a few days later; the notices
of the calls of the current quarter are published in the co-owners' documents. Each quarter the
suppliers' invoices (within 5 % of the budget, each line on its key) are posted and paid. An ended
year is approved by a general meeting three and a half months later: the régularisations are
posted to the co-owners and the year is locked (`tantieme.closing`); the years still open (the
current one, and the previous one while its meeting is to come) have a draft closing.

One co-owner pays late: A 606 0001 did not pay in full, so that they owe exactly 1 210,77 € today
(DEMO_BALANCE, the amount of the syndic's letter). Seeding twice changes nothing: a condominium
that has entries is left alone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from tantieme.closing.services import approve_closing, draft_closing
from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner
from tantieme.core.money import allocate
from tantieme.demo.expenses import seed_expenses
from tantieme.funds.computation import add_months, period_code, period_range
from tantieme.funds.issuing import instalments_between, issue_call, publish_notices
from tantieme.funds.models import Budget, BudgetLine, Call, CallNotice, WorksOperation
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


def _vote_budgets(condominium: Condominium, years: list[FiscalYear], *, first_index: int = 0) -> list[Budget]:
    """The budget of each year, 2 % more each year from ANNUAL_BUDGET (the `first_index`-th year first)."""
    keys = list(AllocationKey.objects.filter(condominium=condominium).order_by("code"))
    budgets = []
    total = ANNUAL_BUDGET
    for _year in range(first_index):
        total = (total * (1 + YEARLY_INCREASE)).quantize(Decimal("100"))
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


def _actual(line: BudgetLine, year: FiscalYear) -> Decimal:
    """The year's actual charge of a budget line: within 5 % of the budget, deterministic."""
    variation = Decimal((int(line.account) * 7 + year.start_date.year) % 11 - 5) / 100
    actual: Decimal = (line.amount * (1 + variation)).quantize(Decimal("0.01"))
    return actual


def _post_charges(condominium: Condominium, year: FiscalYear, budget: Budget | None, *, today: datetime.date) -> int:
    """A quarter's supplier invoices (each line on its key, as voted) and their payment, up to `today`."""
    if budget is None:
        return 0
    lines = list(budget.lines.select_related("key").order_by("key__code", "account"))
    quarters = [allocate(_actual(line, year), [1, 1, 1, 1]) for line in lines]
    drafts: list[EntryDraft] = []
    for quarter in range(4):
        invoiced_on = add_months(year.start_date, 3 * (quarter + 1)) - datetime.timedelta(days=5)
        if invoiced_on > today:
            break
        amounts = [(line, parts[quarter]) for line, parts in zip(lines, quarters, strict=True) if parts[quarter]]
        total = sum((amount for _line, amount in amounts), Decimal("0.00"))
        label = f"Factures fournisseurs T{quarter + 1} {year.label}"
        drafts.append(
            EntryDraft(
                journal="AC",
                date=invoiced_on,
                validation_date=invoiced_on,
                label=label,
                voucher=f"FAC-{year.label}-T{quarter + 1}",
                lines=[
                    *(
                        LineDraft(account=line.account, debit=amount, key_id=line.key_id, label=line.label or label)
                        for line, amount in amounts
                    ),
                    LineDraft(account="401", credit=total, label=label),
                ],
            )
        )
        paid_on = min(invoiced_on + datetime.timedelta(days=3), year.end_date)
        if paid_on <= today:
            drafts.append(
                EntryDraft(
                    journal="BQ1",
                    date=paid_on,
                    validation_date=paid_on,
                    label=f"Règlement des fournisseurs T{quarter + 1} {year.label}",
                    voucher=f"VIR-FRS-{year.label}-T{quarter + 1}",
                    lines=[LineDraft(account="401", debit=total), LineDraft(account="512", credit=total)],
                )
            )
    services.post_entries_bulk(condominium=condominium, drafts=drafts)
    return len(drafts)


def _post_works_invoice(condominium: Condominium, year: FiscalYear, *, today: datetime.date) -> int:
    """The façade contractor's first progress invoice (30 %), on the works operation of the year."""
    operation = WorksOperation.objects.filter(condominium=condominium, code=f"RAV{year.label}").first()
    invoiced_on = add_months(year.start_date, 4)
    if operation is None or invoiced_on > today:
        return 0
    amount = (WORKS_AMOUNT * Decimal("0.30")).quantize(Decimal("0.01"))
    services.post_entry(
        condominium=condominium,
        journal="AC",
        date=invoiced_on,
        validation_date=invoiced_on,
        label="Ravalement : situation de travaux n° 1",
        voucher=f"FAC-RAV{year.label}-1",
        lines=[
            LineDraft(account="671", debit=amount, operation_id=operation.pk, label="Ravalement, situation n° 1"),
            LineDraft(account="401", credit=amount, label="Ravalement, situation n° 1"),
        ],
    )
    return 1


def _close_years(condominium: Condominium, years: list[FiscalYear], *, today: datetime.date) -> list[FiscalYear]:
    """Each ended year is approved by a general meeting about three and a half months after its end
    (régularisations posted, year locked); a year whose meeting is still to come, and the current
    year, have a draft closing to look at. Returns the years still open."""
    still_open: list[FiscalYear] = []
    for year in years:
        meeting = year.end_date + datetime.timedelta(days=105)
        if meeting <= today:
            draft_closing(fiscal_year=year, on=meeting)
            approve_closing(fiscal_year=year, approval_date=meeting)
        else:
            still_open.append(year)
    for year in still_open:
        draft_closing(fiscal_year=year, on=max(today, year.start_date))
    return still_open


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
        posted = expenses = 0
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
            if year is years[-1]:  # the current year: real invoices, paid in batches (tantieme.demo.expenses)
                expenses = seed_expenses(condominium, year, today=today)
            if not expenses:
                posted += _post_charges(condominium, year, budgets.get(year.start_date), today=today)
        posted += expenses or _post_works_invoice(condominium, years[-1], today=today)
        still_open = _close_years(condominium, years, today=today)
        posted += Entry.objects.filter(condominium=condominium, journal__code="RE").count()
        if len(still_open) == 1:
            # Years N and N+1 may be open together: the next year is open, with its budget, so
            # that its first call can be issued before 1 January.
            following = services.open_fiscal_year(condominium=condominium)
            _vote_budgets(condominium, [following], first_index=len(years))
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
        voucher=f"VIR-{transfer_day:%Y%m%d}-{owner.reference}",
    )
    posted = 1
    if card:
        services.post_co_owner_payment(
            co_owner=owner,
            amount=card,
            date=late,
            validation_date=late + datetime.timedelta(days=1),
            journal="CB",
            label=f"Paiement par carte {owner.reference}",
            line_label="Paiement par carte",
            voucher=f"CB-{late:%Y%m%d}-{owner.reference}",
        )
        posted += 1
    return posted
