"""Routes of `tantieme.backoffice.fiscal_years`, included by `tantieme.backoffice.urls` (same namespace)."""

from django.urls import URLPattern, path

from tantieme.backoffice import fiscal_years

urlpatterns: list[URLPattern] = [
    path("", fiscal_years.fiscal_years_home, name="fiscal_years_home"),
    path("copropriete/<int:pk>/", fiscal_years.fiscal_years_condominium, name="fiscal_years_condominium"),
    path("copropriete/<int:pk>/ouvrir/", fiscal_years.fiscal_years_open, name="fiscal_years_open"),
]
