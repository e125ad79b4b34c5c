"""Routes of supplier payment batches (issue 14), included by `tantieme.backoffice.urls` (same namespace)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
