"""The operator's admin (it sees every firm) under the staff sign-in policy (issue 15, defect 3).

Django's admin would take a password alone, with no throttling and no audit. Here the admin site
signs operators in through our `LoginView` (per-account and per-address throttles, audit rows,
the same timing for unknown identifiers), then requires their TOTP device like staff: every admin
page answers only to an operator whose session passed `users:otp_verify`.
"""

from __future__ import annotations

from typing import cast

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from tantieme.users.enums import UserKind
from tantieme.users.views import LoginView, LogoutView


def is_operator(user: object) -> bool:
    return getattr(user, "is_authenticated", False) and getattr(user, "kind", None) == UserKind.OPERATOR


class OperatorLoginView(LoginView):
    template_name = "users/operator_login.html"


class OperatorAdminSite(admin.AdminSite):
    site_header = "Tantième — administration de la plateforme"
    site_title = "Tantième administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return super().has_permission(request) and is_operator(user) and user.is_verified()  # type: ignore[union-attr]

    def login(self, request: HttpRequest, extra_context: dict[str, object] | None = None) -> HttpResponse:
        if is_operator(request.user) and not request.user.is_verified():  # type: ignore[union-attr]
            return redirect("users:otp_verify")
        if self.has_permission(request):
            return redirect("admin:index")
        view = OperatorLoginView.as_view(
            redirect_authenticated_user=False, next_page=reverse("admin:index", current_app=self.name)
        )
        return cast(HttpResponse, view(request))  # a TemplateResponse or a redirect

    def logout(  # type: ignore[override]  # a redirect, not the admin's "logged out" page
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponseBase:
        return LogoutView.as_view(next_page=reverse("admin:login", current_app=self.name))(request)
