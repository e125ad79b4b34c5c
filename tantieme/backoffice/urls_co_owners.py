"""Routes of the co-owner file (issue 13), included by `tantieme.backoffice.urls` (same namespace)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
