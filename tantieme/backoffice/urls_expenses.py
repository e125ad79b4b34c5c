"""Routes of suppliers, contracts and invoices (issue 14), included by `tantieme.backoffice.urls` (same namespace)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
