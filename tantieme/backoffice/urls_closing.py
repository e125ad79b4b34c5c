"""Routes of `tantieme.backoffice.closing`, included by `tantieme.backoffice.urls` (same namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
