"""Routes of `tantieme.backoffice.fiscal_years`, included by `tantieme.backoffice.urls` (same namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
