"""Routes of `tantieme.backoffice.accounting`, included by `tantieme.backoffice.urls` (same namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
