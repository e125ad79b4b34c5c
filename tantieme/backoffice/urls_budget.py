"""Routes of budget against actual (issue 14), included by `tantieme.backoffice.urls` (same namespace),
under /gestion/suivi-budgetaire/. The pages take `?exercice=<fiscal year id>`."""

from django.urls import URLPattern, path

from tantieme.backoffice import budget

urlpatterns: list[URLPattern] = [
    path("", budget.budget_home, name="budget_home"),
    path("<int:pk>/", budget.budget_condominium, name="budget_condominium"),
    path("<int:pk>/lignes/", budget.budget_lines, name="budget_lines"),
]
