"""URLs of the operator host only: the Django admin is never served on a firm's host."""

from django.contrib import admin
from django.urls import path

from tantieme.urls import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("", admin.site.urls),
]
