"""Routes of the council's budget against actual (issue 14), included by `tantieme.portal.urls` (same
namespace), under /conseil/budget/."""

from django.urls import URLPattern, path

from tantieme.portal import council_budget

urlpatterns: list[URLPattern] = [
    path("", council_budget.council_budget, name="council_budget"),
]
