"""Back office: budgets (entered or imported), works fund, works operations, call preview and issue
with a progress bar, issued calls. Accountants and administrators write; every staff member reads."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tantieme.backoffice.fiscal_years import days_without_open_year
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import (
    Can,
    can,
    condominiums_for_staff,
    portfolio_condominium,
    portfolio_condominium_ids,
)
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import AllocationKey, Condominium
from tantieme.core.money import ZERO
from tantieme.funds import queries
from tantieme.funds.batches import is_stale, start_batch
from tantieme.funds.computation import period_code, period_range, works_fund_minimum
from tantieme.funds.exceptions import FundsError
from tantieme.funds.forms import (
    AmountLineFormSet,
    BudgetForm,
    InstalmentFormSet,
    PeriodForm,
    WorksFundForm,
    WorksOperationForm,
    instalments_from,
    lines_from,
)
from tantieme.funds.importer import BudgetImportError, read_budget_file
from tantieme.funds.issuing import instalments_for_period, preview_calls
from tantieme.funds.letters import calls_of_batch, notices_to_post
from tantieme.funds.models import Budget, CallBatch, WorksOperation
from tantieme.funds.services import (
    budget_total,
    close_works_operation,
    create_works_operation,
    save_budget,
    set_works_fund,
)
from tantieme.funds.tasks import run_call_batch

MENU = "funds"
CALL_COLUMNS = (
    Column("due", gettext_lazy("Exigible le"), lambda call: call.due_date, order_by="due_date"),
    Column("label", gettext_lazy("Appel"), lambda call: call.label, order_by="label"),
    Column("entry", gettext_lazy("Écriture"), lambda call: call.entry.code, order_by="entry__code"),
    Column("current", gettext_lazy("Provisions"), lambda c: c.total_current, order_by="total_current", numeric=True),
    Column(
        "works",
        gettext_lazy("Fonds de travaux"),
        lambda c: c.total_works_fund,
        order_by="total_works_fund",
        numeric=True,
    ),
    Column("total", gettext_lazy("Total"), lambda call: call.total, numeric=True),
    Column(
        "published",
        gettext_lazy("Avis publiés"),
        lambda call: f"{call.published} / {call.co_owner_count}",
        order_by="published",
        numeric=True,
    ),
)


@require_GET
@staff_required
def funds_home(request: HttpRequest) -> HttpResponse:
    condominiums = condominiums_for_staff(staff_user(request))
    return render(request, "backoffice/funds_home.html", {"condominiums": condominiums, "menu": MENU})


@require_GET
@staff_required
def funds_condominium(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    calls = queries.calls_of(condominium)
    if wants_export(request):
        title = _("Appels émis %(code)s") % {"code": condominium.code}
        return export_listing(request, calls, CALL_COLUMNS, title=title, filename=f"appels-{condominium.code}")
    # The page shows totals and instalments only: no keys of the lines (≤ 15 queries, test_page_queries).
    budgets = list(queries.budgets_of(condominium).prefetch_related(None).prefetch_related("lines"))
    rows = []
    for budget in budgets:
        total = sum((line.amount for line in budget.lines.all()), ZERO)
        rows.append((budget, total, works_fund_minimum(total, budget.works_plan_amount)))

    context: dict[str, Any] = {
        "condominium": condominium,
        "budgets": rows,
        "operations": queries.operations_of(condominium).prefetch_related(None).prefetch_related("instalments"),
        "listing": build_listing(request, calls, CALL_COLUMNS, default_sort="due", default_descending=True),
        "batches": queries.batches_of(condominium)[:10],
        "fund_balance": queries.works_fund_balance(condominium),
        "period_form": PeriodForm(initial={"period": period_code(timezone.localdate(), 3)}),
        "can_issue": can(request, Can.ISSUE_CALLS),
        "menu": MENU,
    }
    return render(request, "backoffice/funds_condominium.html", context)


def _keys(condominium: Condominium) -> Any:
    return AllocationKey.objects.filter(condominium=condominium).order_by("code")


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.ISSUE_CALLS)
def funds_budget_new(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    keys = _keys(condominium)
    form = BudgetForm(request.POST or None, request.FILES or None)
    formset = AmountLineFormSet(request.POST or None, prefix="lines", form_kwargs={"keys": keys})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        try:
            if upload is not None:
                lines = read_budget_file(
                    condominium=condominium, filename=upload.name or "", content=upload.read()
                ).lines
            else:
                lines = lines_from(formset)
            budget = save_budget(
                condominium=condominium,
                start_date=data["start_date"],
                general_meeting_date=data["general_meeting_date"],
                lines=lines,
                frequency=data["frequency"],
                works_fund_amount=data["works_fund_amount"],
                works_plan_amount=data.get("works_plan_amount"),
                works_fund_reason=data.get("works_fund_reason", ""),
                actor=staff_user(request),
            )
        except BudgetImportError as error:
            problems = error.problems
        except FundsError as error:
            problems = str(error).splitlines()
        else:
            messages.success(request, _("Budget %(year)s enregistré.") % {"year": budget.label})
            return redirect("backoffice:funds_budget", pk=budget.pk)
    context = {"condominium": condominium, "form": form, "formset": formset, "problems": problems, "menu": MENU}
    return render(request, "backoffice/funds_budget_form.html", context)


@require_http_methods(["GET", "POST"])
@staff_required(post=Can.ISSUE_CALLS)
def funds_budget(request: HttpRequest, pk: int) -> HttpResponse:
    budget = get_object_or_404(Budget.objects.select_related("condominium"), pk=pk)
    condominium = portfolio_condominium(request, budget.condominium_id)
    total = budget_total(budget)
    initial = {
        "amount": budget.works_fund_amount,
        "works_plan_amount": budget.works_plan_amount,
        "reason": budget.works_fund_reason,
    }
    form = WorksFundForm(request.POST or None, initial=initial)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            set_works_fund(
                budget=budget,
                amount=form.cleaned_data["amount"],
                works_plan_amount=form.cleaned_data.get("works_plan_amount"),
                reason=form.cleaned_data.get("reason", ""),
                actor=staff_user(request),
            )
        except FundsError as error:
            problems = [str(error)]
        else:
            messages.success(request, _("Fonds de travaux enregistré."))
            return redirect("backoffice:funds_budget", pk=budget.pk)
    context = {
        "condominium": condominium,
        "budget": budget,
        "lines": budget.lines.select_related("key").order_by("key__code", "account"),
        "total": total,
        "minimum": works_fund_minimum(total, budget.works_plan_amount),
        "calls": budget.calls.order_by("number"),
        "form": form,
        "problems": problems,
        "can_issue": can(request, Can.ISSUE_CALLS),
        "menu": MENU,
    }
    return render(request, "backoffice/funds_budget.html", context)


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.ISSUE_CALLS)
def funds_operation_new(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    keys = _keys(condominium)
    form = WorksOperationForm(request.POST or None)
    lines = AmountLineFormSet(request.POST or None, prefix="lines", form_kwargs={"keys": keys})
    instalments = InstalmentFormSet(request.POST or None, prefix="instalments")
    problems: list[str] = []
    if request.method == "POST" and form.is_valid() and lines.is_valid() and instalments.is_valid():
        try:
            create_works_operation(
                condominium=condominium,
                code=form.cleaned_data["code"],
                label=form.cleaned_data["label"],
                general_meeting_date=form.cleaned_data["general_meeting_date"],
                lines=lines_from(lines),
                instalments=instalments_from(instalments),
                actor=staff_user(request),
            )
        except FundsError as error:
            problems = str(error).splitlines()
        else:
            messages.success(request, _("Opération de travaux enregistrée."))
            return redirect("backoffice:funds_condominium", pk=condominium.pk)
    context = {
        "condominium": condominium,
        "form": form,
        "lines": lines,
        "instalments": instalments,
        "problems": problems,
        "menu": MENU,
    }
    return render(request, "backoffice/funds_operation_form.html", context)


def _days_without_year(condominium: Condominium, period: str, due_dates: list[datetime.date]) -> list[datetime.date]:
    """The due dates of `period` (or its first day, when nothing falls due) no open fiscal year contains."""
    return days_without_open_year(condominium, due_dates or [period_range(period)[0]])


@require_GET
@staff_required
def funds_preview(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    form = PeriodForm(request.GET or None)
    previews = preview_calls(condominium, form.cleaned_data["period"]) if form.is_valid() else []
    due_dates = [preview.instalment.due_date for preview in previews if preview.issued is None]
    without_year = _days_without_year(condominium, form.cleaned_data["period"], due_dates) if form.is_valid() else []
    context = {
        "condominium": condominium,
        "form": form,
        "period": form.cleaned_data.get("period") if form.is_valid() else "",
        "previews": previews,
        # Calls that issuing would refuse: no open fiscal year contains their due date.
        "without_year": without_year,
        "to_issue": any(preview.issued is None and not preview.error for preview in previews),
        "can_issue": can(request, Can.ISSUE_CALLS),
        "menu": MENU,
    }
    return render(request, "backoffice/funds_preview.html", context)


@require_POST
@staff_required(can=Can.ISSUE_CALLS)
def funds_issue(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Période invalide."))
        return redirect("backoffice:funds_condominium", pk=condominium.pk)
    period = form.cleaned_data["period"]
    due_dates = [instalment.due_date for instalment in instalments_for_period(condominium, period)]
    for day in _days_without_year(condominium, period, due_dates):
        messages.warning(
            request,
            _("Aucun exercice ouvert ne contient le %(day)s : ouvrez-le dans « Exercices », sinon l'émission échoue.")
            % {"day": f"{day:%d/%m/%Y}"},
        )
    batch = start_batch(firm=condominium.firm, period=period, condominium=condominium, actor=staff_user(request))
    if batch.started_at is None or is_stale(batch):
        run_call_batch.enqueue(batch.pk)
    return redirect("backoffice:funds_batch", pk=batch.pk)


@require_GET
@staff_required
def funds_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(CallBatch.objects.select_related("condominium"), pk=pk)
    if batch.condominium_id is not None:
        portfolio_condominium(request, batch.condominium_id)
    letters = notices_to_post(calls_of_batch(batch, portfolio_condominium_ids(staff_user(request)))).count()
    context = {"batch": batch, "stale": is_stale(batch), "menu": MENU, "letters": letters}
    return render(request, "backoffice/funds_batch.html", context)


@require_POST
@staff_required(can=Can.ISSUE_CALLS)
def funds_operation_close(request: HttpRequest, pk: int, operation_pk: int) -> HttpResponse:
    """The works are received: close the operation on the date given (today by default)."""
    condominium = portfolio_condominium(request, pk)
    operation = WorksOperation.objects.filter(pk=operation_pk, condominium=condominium).first()
    if operation is None:
        raise Http404
    field = forms.DateField(input_formats=["%Y-%m-%d", "%d/%m/%Y"], required=False)
    try:
        closed_on = field.clean(request.POST.get("closed_on")) or timezone.localdate()
        close_works_operation(operation=operation, closed_on=closed_on, actor=staff_user(request))
    except forms.ValidationError:
        messages.error(request, _("Date de clôture illisible."))
    except FundsError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Opération %(code)s clôturée : ses provisions seront employées à l'approbation des comptes.")
            % {"code": operation.code},
        )
    return redirect("backoffice:funds_condominium", pk=condominium.pk)
