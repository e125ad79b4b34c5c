"""Back office « Suivi budgétaire » (issue 14 item 6): budget against actual per key and budget
line for a condominium of the portfolio and a fiscal year, CSV/XLSX export, and the ledger lines
behind each figure. Read-only: every staff member may look (`Can.VIEW`). The figures come from
`tantieme.funds.actuals` (the closing reads the same query); docs/budget-vs-actual.md."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, condominiums_for_staff, portfolio_condominium
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import AllocationKey, Condominium
from tantieme.funds.actuals import ActualRow, KeyActuals, budget_actuals, ledger_lines
from tantieme.ledger import reports
from tantieme.ledger.models import FiscalYear, cents

MENU = "budget"
NO_KEY = "aucune"  # ?cle= of the charges posted without key


def _year(request: HttpRequest, condominium: Condominium) -> tuple[list[FiscalYear], FiscalYear | None]:
    """The condominium's fiscal years and the one of `?exercice=` (the current one by default)."""
    years = reports.fiscal_years_of(condominium.pk)
    wanted = request.GET.get("exercice", "")
    year = next((year for year in years if str(year.pk) == wanted), None)
    return years, year or reports.current_fiscal_year(years, timezone.localdate())


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value} %".replace(".", ",")


def export_columns() -> tuple[Column, ...]:
    """The columns of the CSV/XLSX file: one row per budget line or « hors budget » account."""

    def key_of(item: tuple[KeyActuals, ActualRow]) -> str:
        key, _row = item
        return key.code or _("Sans clé")

    return (
        Column("key", _("Clé"), key_of),
        Column("account", _("Compte"), lambda item: item[1].account),
        Column("label", _("Libellé"), lambda item: item[1].label),
        Column("budget", _("Budget"), lambda item: item[1].figures.budget, numeric=True),
        Column("actual", _("Réalisé"), lambda item: item[1].figures.actual, numeric=True),
        Column("remaining", _("Reste"), lambda item: item[1].figures.remaining, numeric=True),
        Column("consumption", _("Consommation"), lambda item: _percent(item[1].figures.consumption)),
        Column("expected", _("Prévu à date"), lambda item: item[1].figures.expected, numeric=True),
        Column("projection", _("Projection fin d'exercice"), lambda item: item[1].figures.projection, numeric=True),
        Column("variance", _("Écart projeté"), lambda item: item[1].figures.variance, numeric=True),
        Column("alerts", _("Alertes"), lambda item: ", ".join(item[1].alert_labels)),
    )


@require_GET
@staff_required(can=Can.VIEW)
def budget_home(request: HttpRequest) -> HttpResponse:
    condominiums = condominiums_for_staff(staff_user(request))
    return render(request, "backoffice/budget/home.html", {"condominiums": condominiums, "menu": MENU})


@require_GET
@staff_required(can=Can.VIEW)
def budget_condominium(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    years, year = _year(request, condominium)
    context: dict[str, Any] = {"condominium": condominium, "years": years, "year": year, "menu": MENU}
    if year is not None:
        result = budget_actuals(year, today=timezone.localdate())
        if wants_export(request):
            title = _("Budget et réalisé — %(condominium)s — exercice %(year)s au %(date)s") % {
                "condominium": condominium.code,
                "year": year.label,
                "date": f"{result.as_of:%d/%m/%Y}",
            }
            return export_listing(
                request,
                result.rows,
                export_columns(),
                title=title,
                filename=f"budget-realise-{condominium.code}-{year.label}",
            )
        context.update(actuals=result, drill=True)
    elif wants_export(request):
        raise Http404
    return render(request, "backoffice/budget/condominium.html", context)


LINE_COLUMNS = (
    Column("date", _("Date"), lambda line: line.date, order_by="date"),
    Column("entry", _("Écriture"), lambda line: line.entry.code, order_by="entry__code"),
    Column("voucher", _("Pièce"), lambda line: line.entry.voucher),
    Column("label", _("Libellé"), lambda line: line.label or line.entry.label),
    Column("debit", _("Débit"), lambda line: line.debit, order_by="debit", numeric=True),
    Column("credit", _("Crédit"), lambda line: line.credit, order_by="credit", numeric=True),
)


@require_GET
@staff_required(can=Can.VIEW)
def budget_lines(request: HttpRequest, pk: int) -> HttpResponse:
    """The ledger lines behind one figure: a key (`?cle=<id>` or `aucune`) and an account (`?compte=`)."""
    condominium = portfolio_condominium(request, pk)
    years, year = _year(request, condominium)
    if "compte" not in request.GET:  # no figure chosen: back to the table
        table = reverse("backoffice:budget_condominium", args=[condominium.pk])
        return redirect(f"{table}?exercice={year.pk}" if year is not None else table)
    account = request.GET.get("compte", "").strip()
    wanted_key = request.GET.get("cle", "")
    if year is None or not account.isdigit() or len(account) > 10:
        raise Http404
    key: AllocationKey | None = None
    if wanted_key != NO_KEY:
        if not wanted_key.isdigit():
            raise Http404
        # The key of this condominium only: another's (or another firm's) is a 404.
        key = AllocationKey.objects.filter(condominium=condominium, pk=int(wanted_key)).first()
        if key is None:
            raise Http404
    lines = ledger_lines(year, key_id=key.pk if key is not None else None, account=account)
    if wants_export(request):
        return export_listing(
            request,
            lines,
            LINE_COLUMNS,
            title=_("Lignes du compte %(account)s, clé %(key)s — %(condominium)s — exercice %(year)s")
            % {
                "account": account,
                "key": key.code if key is not None else _("aucune"),
                "condominium": condominium.code,
                "year": year.label,
            },
            filename=f"budget-lignes-{condominium.code}-{year.label}-{account}",
        )
    listing = build_listing(request, lines, LINE_COLUMNS, default_sort="date", default_descending=True)
    totals = lines.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    debit, credit = cents(totals["debit"]), cents(totals["credit"])
    return render(
        request,
        "backoffice/budget/lines.html",
        {
            "condominium": condominium,
            "years": years,
            "year": year,
            "key": key,
            "account": account,
            "listing": listing,
            "total_debit": debit,
            "total_credit": credit,
            "balance": debit - credit,
            "menu": MENU,
        },
    )
