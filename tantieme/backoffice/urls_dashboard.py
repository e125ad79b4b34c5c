"""Routes of the landing page « À traiter » and of the search (issue 13), included by
`tantieme.backoffice.urls` (same namespace)."""

from django.urls import URLPattern, path

from tantieme.backoffice import views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
]
