"""Back office: the fiscal years of each condominium, opening the next one, and the warnings about
years to open (a call falls due with no open year to post it in) or to close (ended, still open).

Every staff member reads; firm administrators and accountants open a year (others get a 403). A
condominium outside the staff member's portfolio, or of another firm, is a 404.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tantieme.backoffice.policy import Can, can, condominiums_for_staff, portfolio_condominium
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import Condominium
from tantieme.funds.enums import OperationState
from tantieme.funds.models import Budget, WorksInstalment
from tantieme.ledger.enums import FiscalYearState
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.models import FiscalYear
from tantieme.ledger.services import open_fiscal_year

HORIZON_DAYS = 90  # the dashboard warns of calls due within this many days with no open year
MENU = "fiscal_years"


# --- What to open, what to close (reads) --------------------------------------------------------


def _twelve_months_from(start: datetime.date) -> datetime.date:
    """The last day of the 12 months starting on `start` (the day before the same date a year later)."""
    try:
        next_start = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        next_start = datetime.date(start.year + 1, 3, 1)
    return next_start - datetime.timedelta(days=1)


@dataclass(frozen=True)
class ProposedYear:
    """The dates the next year would have: the 12 months after the last one, or the first year."""

    start: datetime.date
    end: datetime.date
    first: bool

    @property
    def label(self) -> str:
        return str(self.end.year)


def proposed_next_year(condominium: Condominium, years: Sequence[FiscalYear], today: datetime.date) -> ProposedYear:
    """`years` in order of start date. The first year starts at the start of the fiscal year of today."""
    if years:
        start = years[-1].end_date + datetime.timedelta(days=1)
        return ProposedYear(start=start, end=_twelve_months_from(start), first=False)
    start = condominium.fiscal_year_start(today)
    return ProposedYear(start=start, end=_twelve_months_from(start), first=True)


def open_year_contains(years: Iterable[FiscalYear], day: datetime.date) -> bool:
    return any(year.is_open and year.contains(day) for year in years)


@dataclass(frozen=True)
class DueWithoutYear:
    """A call that falls due on a day no open fiscal year contains."""

    due_date: datetime.date
    label: str


@dataclass
class YearAlerts:
    condominium: Condominium
    years: list[FiscalYear]
    proposed: ProposedYear
    to_open: list[DueWithoutYear] = field(default_factory=list)
    to_close: list[FiscalYear] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.to_open or self.to_close)


def years_by_condominium(condominium_ids: Iterable[int]) -> dict[int, list[FiscalYear]]:
    """Every fiscal year of these condominiums, in order (one query)."""
    years: dict[int, list[FiscalYear]] = defaultdict(list)
    for year in FiscalYear.objects.filter(condominium_id__in=list(condominium_ids)).order_by("start_date"):
        years[year.condominium_id].append(year)
    return years


def year_alerts(
    condominiums: Sequence[Condominium], *, today: datetime.date, horizon_days: int = HORIZON_DAYS
) -> list[YearAlerts]:
    """Per condominium: calls due from today to `horizon_days` ahead with no open year to post them in,
    and years that ended and are still open. Three queries, whatever the number of condominiums."""
    until = today + datetime.timedelta(days=horizon_days)
    ids = [condominium.pk for condominium in condominiums]
    years = years_by_condominium(ids)
    due: dict[int, list[DueWithoutYear]] = defaultdict(list)
    budgets = Budget.objects.filter(condominium_id__in=ids, start_date__lte=until, end_date__gte=today)
    for budget in budgets.order_by("start_date"):
        for number, day in enumerate(budget.due_dates(), start=1):
            if today <= day <= until:
                label = _("Appel %(number)s du budget %(year)s") % {"number": number, "year": budget.label}
                due[budget.condominium_id].append(DueWithoutYear(day, label))
    instalments = WorksInstalment.objects.filter(
        operation__condominium_id__in=ids, operation__state=OperationState.OPEN, due_date__range=(today, until)
    ).select_related("operation")
    for instalment in instalments.order_by("due_date"):
        label = _("Appel travaux %(operation)s n° %(number)s") % {
            "operation": instalment.operation.label,
            "number": instalment.number,
        }
        due[instalment.operation.condominium_id].append(DueWithoutYear(instalment.due_date, label))
    alerts = []
    for condominium in condominiums:
        own = years[condominium.pk]
        alerts.append(
            YearAlerts(
                condominium=condominium,
                years=own,
                proposed=proposed_next_year(condominium, own, today),
                to_open=sorted(
                    (item for item in due[condominium.pk] if not open_year_contains(own, item.due_date)),
                    key=lambda item: item.due_date,
                ),
                to_close=[year for year in own if year.state == FiscalYearState.OPEN and year.end_date < today],
            )
        )
    return alerts


def days_without_open_year(condominium: Condominium, days: Iterable[datetime.date]) -> list[datetime.date]:
    """Those of `days` that no open fiscal year of `condominium` contains (one query)."""
    years = list(FiscalYear.objects.filter(condominium=condominium, state=FiscalYearState.OPEN))
    return sorted({day for day in days if not open_year_contains(years, day)})


# --- Pages --------------------------------------------------------------------------------------


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpenYearForm(forms.Form):
    start_date = forms.DateField(label=gettext_lazy("Début"), widget=_date_input())
    end_date = forms.DateField(label=gettext_lazy("Clôture"), widget=_date_input())


@require_GET
@staff_required
def fiscal_years_home(request: HttpRequest) -> HttpResponse:
    alerts = year_alerts(condominiums_for_staff(staff_user(request)), today=timezone.localdate())
    context = {"alerts": alerts, "has_alerts": any(alert.any for alert in alerts), "menu": MENU}
    return render(request, "backoffice/fiscal_years/home.html", context)


@require_GET
@staff_required
def fiscal_years_condominium(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    (alerts,) = year_alerts([condominium], today=timezone.localdate())
    proposed = alerts.proposed
    form = OpenYearForm(initial={"start_date": proposed.start, "end_date": proposed.end})
    if not proposed.first:
        form.fields["start_date"].widget = forms.HiddenInput()
    open_years = [year for year in alerts.years if year.is_open]
    context = {
        "condominium": condominium,
        "alerts": alerts,
        "years": list(reversed(alerts.years)),
        "proposed": proposed,
        "form": form,
        "can_open": can(request, Can.CLOSE_YEARS),
        # N and N+1 may be open together: N+2 waits for N's closing.
        "blocked_by": open_years[0] if len(open_years) >= 2 else None,
        "menu": MENU,
    }
    return render(request, "backoffice/fiscal_years/condominium.html", context)


@require_POST
@staff_required(can=Can.CLOSE_YEARS)
def fiscal_years_open(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    form = OpenYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Dates invalides : indiquez le début et la clôture (JJ/MM/AAAA)."))
        return redirect("backoffice:fiscal_years_condominium", pk=condominium.pk)
    start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
    existing = FiscalYear.objects.filter(condominium=condominium, start_date=start).first()
    if existing is not None and existing.end_date == end:
        messages.info(request, _("L'exercice %(year)s existe déjà : rien à faire.") % {"year": existing})
        return redirect("backoffice:fiscal_years_condominium", pk=condominium.pk)
    try:
        year = open_fiscal_year(
            condominium=condominium, start_date=start, end_date=end, actor=staff_user(request), one_year_ahead=True
        )
    except LedgerError as error:
        messages.error(request, _("Exercice non ouvert : %(reason)s") % {"reason": error})
    else:
        messages.success(
            request,
            _("Exercice %(label)s ouvert, du %(start)s au %(end)s.")
            % {"label": year.label, "start": f"{year.start_date:%d/%m/%Y}", "end": f"{year.end_date:%d/%m/%Y}"},
        )
    return redirect("backoffice:fiscal_years_condominium", pk=condominium.pk)
