"""Exercices, Budgets et appels, Documents: what the condominium has, with links to the pages that act on it
(`/gestion/exercices/`, the closing pages, the funds pages, the documents pages)."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from tantieme.backoffice.condominium_file.base import condominium_for, page
from tantieme.backoffice.policy import Can
from tantieme.backoffice.views import staff_required
from tantieme.documents.models import Document
from tantieme.funds.models import Budget, Call
from tantieme.ledger.models import FiscalYear

RECENT = 20


@require_GET
@staff_required(can=Can.VIEW)
def condominium_years(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    years = list(FiscalYear.objects.filter(condominium=condominium).order_by("-start_date"))
    return page(request, "years.html", condominium, "years", years=years)


@require_GET
@staff_required(can=Can.VIEW)
def condominium_budgets(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    budgets = list(Budget.objects.filter(condominium=condominium).order_by("-start_date")[:RECENT])
    calls = list(Call.objects.filter(condominium=condominium).order_by("-due_date", "-pk")[:RECENT])
    return page(request, "budgets.html", condominium, "budgets", budgets=budgets, calls=calls)


@require_GET
@staff_required(can=Can.VIEW)
def condominium_documents(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    published = Document.objects.filter(condominium=condominium, archived_at__isnull=True)
    by_category = list(published.values("category").annotate(count=Count("pk")).order_by("category"))
    labels = dict(Document._meta.get_field("category").choices or [])
    categories = [(labels.get(row["category"], row["category"]), row["count"]) for row in by_category]
    recent = list(published.order_by("-published_at", "-pk")[:RECENT])
    return page(request, "documents.html", condominium, "documents", categories=categories, recent=recent)
