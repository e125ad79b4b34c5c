"""« À traiter »: the landing page of each staff member, limited to their portfolio (issue 13, item 1).

Each block says what waits and links to the page where it is done:

- bank lines to review and in suspense, per condominium, with the age of the oldest (oldest first);
- requests waiting for an answer (the last public message is the co-owner's), over 48 h marked;
- card payments to look at (see `flagged_payments`);
- calls for funds to issue: instalments due from the 1st of last month to the end of next month
  that no call was issued for (a call is issued about a month before it falls due);
- fiscal years to open or to close (`fiscal_years.year_alerts`);
- co-owners whose balance is above `ARREARS_THRESHOLD` (from the index of balances, see `arrears`);
- for each condominium, the nine documents of décret 2019-502 (art. 1, 1°) missing from the
  extranet — the syndic's legal checklist;
- contract notice deadlines (`contract_deadlines`, from `tantieme.expenses`).

The page runs a constant number of queries whatever the number of condominiums and lines: one
query per block, the per-condominium figures (documents, bank queues) as correlated subqueries of
the one query that lists the portfolio. With the session, the user, the second factor, the staff
membership and the portfolio check: 15 queries in all (see tests/backoffice/test_dashboard.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from tantieme.backoffice.fiscal_years import YearAlerts, year_alerts
from tantieme.backoffice.policy import portfolio_condominiums
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.banking.enums import LineStatus
from tantieme.banking.models import StatementLine
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.documents.enums import SHARED_CATEGORIES, Audience, DocumentCategory
from tantieme.documents.models import Document
from tantieme.expenses.queries import NoticeDue, contracts_with_notice_due
from tantieme.funds.computation import add_months
from tantieme.funds.enums import OperationState
from tantieme.funds.models import Budget, Call, WorksInstalment
from tantieme.ledger.models import cents
from tantieme.payments.enums import EventCode, PaymentState
from tantieme.payments.models import Payment, PaymentEvent
from tantieme.search.models import CoOwnerBalance
from tantieme.tickets.enums import TicketStatus
from tantieme.tickets.models import Ticket, TicketMessage
from tantieme.users.models import User

# A co-owner owing more than this is listed. One constant for every firm until firms have settings
# of their own: about a quarter of charges for a flat, the usual point where a reminder is sent.
ARREARS_THRESHOLD = Decimal("500.00")
ARREARS_SHOWN = 20
LIST_SIZE = 10  # rows shown in the requests and payments blocks (the counts say how many in all)
CONDOMINIUMS_SHOWN = 20  # rows of the bank and extranet blocks: the oldest / the most incomplete
LATE_ANSWER = datetime.timedelta(hours=48)
NOTICE_WARNING_DAYS = 30  # spec expenses §2.4: warn 30 days before the notice deadline
# Card payments: posted the next day (post_card_payments); asked about for three days
# (payments.reconciliation); a refund answers within the day.
UNPOSTED_AFTER = datetime.timedelta(days=2)
PENDING_AFTER = datetime.timedelta(days=3)
REFUND_PENDING_AFTER = datetime.timedelta(days=1)
ERRORS_SINCE = datetime.timedelta(days=30)


# --- Condominiums: the portfolio, its bank queues and its extranet checklist (one query) -----------


@dataclass(frozen=True)
class CondominiumRow:
    condominium: Condominium
    missing_documents: list[str]  # labels of the décret 2019-502 categories with no document
    to_review: int
    to_review_since: int | None  # age in days of the oldest line to review
    in_suspense: int
    in_suspense_since: int | None

    @property
    def oldest_bank_line(self) -> int:
        return max(self.to_review_since or 0, self.in_suspense_since or 0)

    @property
    def to_review_age(self) -> str:
        return _days(self.to_review_since)

    @property
    def in_suspense_age(self) -> str:
        return _days(self.in_suspense_since)


def _days(count: int | None) -> str:
    # In Python rather than a {% blocktranslate count %} per row: a hundred rows render faster.
    return "" if count is None else ngettext("%(count)s jour", "%(count)s jours", count) % {"count": count}


def _line_count(status: str) -> Coalesce:
    lines = (
        StatementLine.objects.filter(condominium=OuterRef("pk"), status=status)
        .order_by()
        .values("condominium")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(lines, output_field=IntegerField()), Value(0))


def _oldest_line(status: str) -> Subquery:
    return Subquery(
        StatementLine.objects.filter(condominium=OuterRef("pk"), status=status)
        .order_by("booking_date")
        .values("booking_date")[:1]
    )


def _has_document(category: str) -> Exists:
    return Exists(
        Document.objects.filter(
            condominium=OuterRef("pk"), audience=Audience.CONDOMINIUM, category=category, archived_at__isnull=True
        )
    )


def condominium_rows(user: User, today: datetime.date) -> list[CondominiumRow]:
    """The portfolio, each condominium with its bank queues and missing extranet documents (two
    queries: the portfolio check, then the condominiums with correlated subqueries)."""
    condominiums = portfolio_condominiums(user).annotate(
        to_review=_line_count(LineStatus.TO_REVIEW),
        to_review_oldest=_oldest_line(LineStatus.TO_REVIEW),
        in_suspense=_line_count(LineStatus.SUSPENSE),
        in_suspense_oldest=_oldest_line(LineStatus.SUSPENSE),
        **{f"has_{category.value}": _has_document(category) for category in SHARED_CATEGORIES},
    )

    def age(day: datetime.date | None) -> int | None:
        return None if day is None else (today - day).days

    labels = {category.value: str(DocumentCategory(category).label) for category in SHARED_CATEGORIES}
    rows = []
    for condominium in condominiums:
        data: Any = condominium
        rows.append(
            CondominiumRow(
                condominium=condominium,
                missing_documents=[label for name, label in labels.items() if not getattr(data, f"has_{name}")],
                to_review=data.to_review,
                to_review_since=age(data.to_review_oldest),
                in_suspense=data.in_suspense,
                in_suspense_since=age(data.in_suspense_oldest),
            )
        )
    return rows


# --- Requests waiting for an answer (one query) ---------------------------------------------------


@dataclass
class WaitingRequests:
    tickets: list[Ticket] = field(default_factory=list)  # the oldest first; each has `waiting_since`, `late`
    total: int = 0
    late: int = 0


def waiting_requests(condominium_ids: list[int], now: datetime.datetime) -> WaitingRequests:
    """Open requests whose last public message is the co-owner's, the longest waiting first."""
    cutoff = now - LATE_ANSWER
    last_public = TicketMessage.objects.filter(ticket=OuterRef("pk"), internal=False).order_by("-created_at", "-pk")
    tickets = (
        Ticket.objects.filter(condominium_id__in=condominium_ids)
        .exclude(status=TicketStatus.RESOLVED)
        .annotate(
            last_from_staff=Subquery(last_public.values("from_staff")[:1]),
            waiting_since=Subquery(last_public.values("created_at")[:1]),
        )
        .filter(last_from_staff=False)
        .annotate(
            total=Window(Count("pk")),
            late_total=Window(Sum(Case(When(waiting_since__lt=cutoff, then=Value(1)), default=Value(0)))),
        )
        .select_related("co_owner", "condominium")
        .order_by("waiting_since", "pk")[:LIST_SIZE]
    )
    result = WaitingRequests(tickets=list(tickets))
    for ticket in result.tickets:
        data: Any = ticket
        data.late = data.waiting_since < cutoff
        result.total, result.late = data.total, data.late_total or 0
    return result


# --- Card payments to look at (one query) ---------------------------------------------------------


@dataclass
class FlaggedPayments:
    payments: list[Payment] = field(default_factory=list)  # each with `flag`: why it is listed
    total: int = 0


def flagged_payments(condominium_ids: list[int], now: datetime.datetime) -> FlaggedPayments:
    """Card payments that need a person: the provider does not confirm a paid payment (daily
    reconciliation), paid but still not posted two days later, a refund asked and not done after a
    day, still « en attente de la banque » after the three days the reconciliation asks, or failed
    to start (« Erreur ») in the last 30 days. The payments list shows them with the same states."""
    not_confirmed = Exists(PaymentEvent.objects.filter(payment=OuterRef("pk"), code=EventCode.NOT_PAID_AT_PROVIDER))
    payments = (
        Payment.objects.filter(condominium_id__in=condominium_ids)
        .annotate(not_confirmed=not_confirmed)
        .filter(
            Q(state=PaymentState.PAID, not_confirmed=True)
            | Q(state=PaymentState.PAID, posted_entry__isnull=True, paid_at__lt=now - UNPOSTED_AFTER)
            | Q(state=PaymentState.PAID, refund_requested_at__lt=now - REFUND_PENDING_AFTER)
            | Q(state=PaymentState.PENDING, created_at__lt=now - PENDING_AFTER)
            | Q(state=PaymentState.ERROR, created_at__gte=now - ERRORS_SINCE)
        )
        .annotate(total=Window(Count("pk")))
        .select_related("co_owner", "condominium")
        .order_by("-created_at", "-pk")[:LIST_SIZE]
    )
    result = FlaggedPayments(payments=list(payments))
    for payment in result.payments:
        data: Any = payment
        result.total = data.total
        if data.not_confirmed:
            data.flag = _("payé ici, non confirmé par la banque")
        elif payment.refund_requested_at is not None and payment.state == PaymentState.PAID:
            data.flag = _("remboursement demandé, non confirmé")
        elif payment.state == PaymentState.PAID:
            data.flag = _("payé, non comptabilisé")
        elif payment.state == PaymentState.PENDING:
            data.flag = _("sans réponse de la banque")
        else:
            data.flag = _("erreur à l'ouverture du paiement")
    return result


# --- Calls for funds to issue (two queries) --------------------------------------------------------


@dataclass(frozen=True)
class CallToIssue:
    condominium: Condominium
    label: str
    due_date: datetime.date
    late: bool  # already due


def calls_to_issue(condominiums: dict[int, Condominium], today: datetime.date) -> list[CallToIssue]:
    """Budget and works instalments due from the 1st of last month to the end of next month with no
    call issued: one query for the budgets (their due dates fall on the 1st of a month, so « issued »
    is one EXISTS per month of the window), one for the works instalments."""
    this_month = today.replace(day=1)
    months = [add_months(this_month, shift) for shift in (-1, 0, 1)]
    start, end = months[0], add_months(this_month, 2) - datetime.timedelta(days=1)
    ids = list(condominiums)
    found: list[CallToIssue] = []
    budgets = Budget.objects.filter(condominium_id__in=ids, start_date__lte=end, end_date__gte=start).annotate(
        **{
            f"issued_{index}": Exists(Call.objects.filter(budget=OuterRef("pk"), due_date=month))
            for index, month in enumerate(months)
        }
    )
    for budget in budgets.order_by("start_date", "pk"):
        for number, due_date in enumerate(budget.due_dates(), start=1):
            if start <= due_date <= end and not getattr(budget, f"issued_{months.index(due_date)}"):
                label = _("Appel %(number)s du budget %(year)s") % {"number": number, "year": budget.label}
                found.append(CallToIssue(condominiums[budget.condominium_id], label, due_date, due_date < today))
    instalments = (
        WorksInstalment.objects.filter(
            operation__condominium_id__in=ids, operation__state=OperationState.OPEN, due_date__range=(start, end)
        )
        .annotate(issued=Exists(Call.objects.filter(operation_id=OuterRef("operation_id"), number=OuterRef("number"))))
        .filter(issued=False)
        .select_related("operation")
    )
    for instalment in instalments.order_by("due_date", "pk"):
        label = _("Appel travaux %(operation)s n° %(number)s") % {
            "operation": instalment.operation.label,
            "number": instalment.number,
        }
        found.append(
            CallToIssue(
                condominiums[instalment.operation.condominium_id],
                label,
                instalment.due_date,
                instalment.due_date < today,
            )
        )
    return sorted(found, key=lambda call: (call.due_date, call.condominium.code, call.label))


# --- Co-owners in arrears (one query) --------------------------------------------------------------


@dataclass(frozen=True)
class Debtor:
    co_owner: CoOwner
    condominium: Condominium
    balance: Decimal


@dataclass
class Arrears:
    threshold: Decimal
    debtors: list[Debtor] = field(default_factory=list)  # the largest first, ARREARS_SHOWN at most
    count: int = 0
    total: Decimal = Decimal("0.00")
    computed_at: datetime.datetime | None = None  # when the balances were added up


def arrears(condominiums: dict[int, Condominium], threshold: Decimal = ARREARS_THRESHOLD) -> Arrears:
    """Co-owners who owe more than `threshold`, from the index of balances (`search.CoOwnerBalance`,
    refreshed every few minutes by the periodic job): adding up every ledger line of a portfolio on
    each request takes seconds at 100,000 co-owners. One query; counts and total by window."""
    # The 20 largest and the window totals from the index alone, then only those 20 joined to their
    # co-owner: joining the thousands of rows above the threshold before sorting cost 40 ms.
    top = (
        CoOwnerBalance.objects.filter(condominium_id__in=list(condominiums), balance__gt=threshold)
        .annotate(debtors=Window(Count("pk")), owed=Window(Sum("balance")))
        .order_by("-balance", "co_owner_id")
        .values("co_owner_id", "balance", "computed_at", "debtors", "owed")[:ARREARS_SHOWN]
    )
    inner, params = top.query.sql_with_params()  # Django's own SQL, the values apart in `params`
    sql = (
        "SELECT c.*, t.balance AS owed_balance, t.computed_at AS balance_at, t.debtors, t.owed "  # noqa: S608
        f"FROM ({inner}) t JOIN condominiums_coowner c ON c.id = t.co_owner_id "
        "ORDER BY t.balance DESC, t.co_owner_id"
    )
    co_owners = CoOwner.objects.raw(sql, params)
    result = Arrears(threshold=threshold)
    for co_owner in co_owners:
        data: Any = co_owner
        result.count, result.total, result.computed_at = data.debtors, cents(data.owed), _aware(data.balance_at)
        result.debtors.append(Debtor(co_owner, condominiums[co_owner.condominium_id], cents(data.owed_balance)))
    return result


def _aware(moment: datetime.datetime | str) -> datetime.datetime:
    """Raw SQL returns SQLite's timestamps as text and PostgreSQL's as aware datetimes."""
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


# --- Contract notice deadlines (hook) -------------------------------------------------------------


def contract_deadlines(condominium_ids: list[int], today: datetime.date) -> list[NoticeDue]:
    """Contracts whose notice deadline (next end − notice) falls within `NOTICE_WARNING_DAYS`: the
    syndic must give notice by then or the contract renews (spec expenses §2.4). One query."""
    return contracts_with_notice_due(condominium_ids, today, within_days=NOTICE_WARNING_DAYS)


# --- The page -------------------------------------------------------------------------------------


def _prefix(name: str) -> str:
    """`/gestion/…/copropriete/` of a URL ending in `<pk>/`: links of a hundred rows are built by
    concatenation in the template instead of a hundred reverse()."""
    url = reverse(name, args=[0])
    assert url.endswith("/0/")
    return url[:-2]


def _document_gaps(rows: list[CondominiumRow]) -> list[CondominiumRow]:
    return sorted(
        (row for row in rows if row.missing_documents),
        key=lambda row: (-len(row.missing_documents), row.condominium.code),
    )


def _bank_rows(rows: list[CondominiumRow]) -> list[CondominiumRow]:
    return sorted(
        (row for row in rows if row.to_review or row.in_suspense),
        key=lambda row: (-row.oldest_bank_line, row.condominium.code),
    )


def _years(condominiums: list[Condominium], today: datetime.date) -> list[YearAlerts]:
    return [alert for alert in year_alerts(condominiums, today=today) if alert.any]


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today, now = timezone.localdate(), timezone.now()
    rows = condominium_rows(staff_user(request), today)
    bank_rows, document_gaps = _bank_rows(rows), _document_gaps(rows)
    condominiums = {row.condominium.pk: row.condominium for row in rows}
    ids = list(condominiums)
    context = {
        "rows": rows,
        "bank_rows": bank_rows[:CONDOMINIUMS_SHOWN],
        "bank_more": max(0, len(bank_rows) - CONDOMINIUMS_SHOWN),
        "documents_prefix": _prefix("backoffice:documents_condominium"),
        "funds_prefix": _prefix("backoffice:funds_condominium"),
        "bank_to_review": sum(row.to_review for row in rows),
        "bank_in_suspense": sum(row.in_suspense for row in rows),
        "requests": waiting_requests(ids, now),
        "payments": flagged_payments(ids, now),
        "calls": calls_to_issue(condominiums, today),
        "year_alerts": _years(list(condominiums.values()), today),
        "arrears": arrears(condominiums),
        "document_gaps": document_gaps[:CONDOMINIUMS_SHOWN],
        "documents_more": max(0, len(document_gaps) - CONDOMINIUMS_SHOWN),
        "document_gap_count": len(document_gaps),
        "document_categories": len(SHARED_CATEGORIES),
        "contracts": contract_deadlines(ids, today),
        "late_hours": int(LATE_ANSWER.total_seconds() // 3600),
        "menu": "home",
    }
    return render(request, "backoffice/dashboard.html", context)
