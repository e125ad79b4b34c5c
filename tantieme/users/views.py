from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from tantieme.audit.services import record
from tantieme.users.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "users/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        record(action="users.login.succeeded", request=self.request, target=form.get_user())
        return response

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        record(action="users.login.failed", request=self.request, data={"identifier_length": len(form.data.get("username", ""))})
        return super().form_invalid(form)



class LogoutView(auth_views.LogoutView):
    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            record(action="users.logout", request=request)
        return super().post(request, *args, **kwargs)
