"""« Conseil syndical — Budget » (issue 14 item 6): budget against actual of the condominium, read-only,
for the co-owners seated on its council (an open `CouncilMembership` today); anyone else gets a 404,
as for an object of another firm. Loi 1965 art. 21: the council checks the syndic's management.

`?copropriete=<id>` picks the condominium when the user sits on several councils; `?exercice=<id>`
the current year (default) or the last one whose accounts were approved."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tantieme.documents.queries import co_owner_accounts_with_council
from tantieme.funds.actuals import budget_actuals
from tantieme.ledger import reports
from tantieme.ledger.models import FiscalYear
from tantieme.portal.views import co_owner_required


def _years(condominium_id: int, today: datetime.date) -> list[FiscalYear]:
    """The current year and the last approved one (at most two, newest first, no duplicate)."""
    years = reports.fiscal_years_of(condominium_id)
    shown: list[FiscalYear] = []
    current = reports.current_fiscal_year(years, today)
    if current is not None:
        shown.append(current)
    approved = next((year for year in years if year.approved_on is not None), None)
    if approved is not None and approved not in shown:
        shown.append(approved)
    return shown


@require_GET
@co_owner_required
def council_budget(request: HttpRequest) -> HttpResponse:
    assert request.user.pk is not None
    today = timezone.localdate()
    accounts = [
        account
        for account in co_owner_accounts_with_council(request.user.pk, day=today)
        if getattr(account, "is_council", False)
    ]
    condominiums = {account.condominium_id: account.condominium for account in accounts}
    if not condominiums:
        raise Http404
    wanted = request.GET.get("copropriete", "")
    if wanted:
        condominium = next((item for pk, item in condominiums.items() if str(pk) == wanted), None)
        if condominium is None:
            raise Http404
    else:
        condominium = next(iter(condominiums.values()))
    years = _years(condominium.pk, today)
    wanted_year = request.GET.get("exercice", "")
    year = next((item for item in years if str(item.pk) == wanted_year), None) if wanted_year else None
    if wanted_year and year is None:
        raise Http404
    year = year or (years[0] if years else None)
    result = budget_actuals(year, today=today) if year is not None else None
    return render(
        request,
        "portal/council_budget.html",
        {
            "condominium": condominium,
            "condominiums": list(condominiums.values()),
            "years": years,
            "year": year,
            "actuals": result,
            "drill": False,
            "menu": "council_budget",
        },
    )
