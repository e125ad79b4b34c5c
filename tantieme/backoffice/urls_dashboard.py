"""Routes of the landing page « À traiter » and of the search (issue 13), included by
`tantieme.backoffice.urls` (same namespace)."""

from django.urls import URLPattern, path

from tantieme.backoffice import dashboard, search

urlpatterns: list[URLPattern] = [
    path("", dashboard.dashboard, name="home"),
    path("recherche/", search.search_view, name="search"),
]
