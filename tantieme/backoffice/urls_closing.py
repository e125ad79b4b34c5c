"""Routes of `tantieme.backoffice.closing`, included by `tantieme.backoffice.urls` (same namespace)."""

from django.urls import URLPattern, path

from tantieme.backoffice import closing

urlpatterns: list[URLPattern] = [
    path("exercice/<int:pk>/", closing.closing_year, name="closing_year"),
    path("exercice/<int:pk>/projet/", closing.closing_draft, name="closing_draft"),
    path("exercice/<int:pk>/approuver/", closing.closing_approve, name="closing_approve"),
    path("exercice/<int:pk>/annexes.pdf", closing.closing_annexes, {"fmt": "pdf"}, name="closing_annexes_pdf"),
    path("exercice/<int:pk>/annexes.xlsx", closing.closing_annexes, {"fmt": "xlsx"}, name="closing_annexes_xlsx"),
    path("exercice/<int:pk>/repartition/<int:co_owner_pk>.pdf", closing.closing_statement, name="closing_statement"),
]
