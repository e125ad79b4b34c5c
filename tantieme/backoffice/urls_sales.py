"""Routes of the sale of a lot: notary requests, état daté, mutation (issue 13), included by
`tantieme.backoffice.urls` (same namespace)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
