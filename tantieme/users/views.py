"""Sign-in, sign-out, password change, forgotten password, activation, e-mail confirmation, two-factor."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tantieme.audit.services import client_ip, record
from tantieme.users import services
from tantieme.users.enums import UserKind
from tantieme.users.forms import (
    ChangePasswordForm,
    ChoosePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    OTPTokenForm,
)
from tantieme.users.models import AccessToken, TokenPurpose, User
from tantieme.users.throttling import register_login_success

_sensitive = method_decorator(sensitive_post_parameters(), name="dispatch")
_never_cache = method_decorator(never_cache, name="dispatch")


def _firm_id(request: HttpRequest) -> int | None:
    firm = getattr(request, "firm", None)
    return firm.pk if firm is not None else None


class LoginView(auth_views.LoginView):
    template_name = "users/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        assert isinstance(form, LoginForm)
        response = super().form_valid(form)
        register_login_success(
            firm_id=_firm_id(self.request), identifier=form.throttle_subject, ip=client_ip(self.request)
        )
        record(action="users.login.succeeded", request=self.request, target=form.get_user())
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        assert isinstance(form, LoginForm)
        codes = {str(error.code) for error in form.non_field_errors().as_data()}
        if "throttled" in codes:
            record(
                action="users.login.throttled",
                request=self.request,
                data={"retry_after": form.throttled_for},
            )
            response = super().form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(form.throttled_for)
            return response
        if codes & {"invalid_login", "inactive", "temporary_expired"}:
            # The failure was counted before the password was checked (LoginForm.clean).
            record(
                action="users.login.failed",
                request=self.request,
                data={"outcome": sorted(codes)[0], "delay_imposed": form.delay_if_failed},
            )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            record(action="users.logout", request=request)
        # auth.logout() flushes the session: the server-side row is deleted, the key is dead.
        return super().post(request, *args, **kwargs)


@_sensitive
@_never_cache
@method_decorator(login_required, name="dispatch")
class PasswordChangeView(View):
    template_name = "users/password_change.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ChangePasswordForm(request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        form = ChangePasswordForm(user, request.POST)
        if not form.is_valid():
            if "old_password" in form.errors:
                record(action="users.password.change_failed", request=request, data={"reason": "old_password"})
            return self._render(request, form)
        services.change_password(user=user, password=form.cleaned_data["new_password1"], request=request)
        # Keep this session; every other session of the user ends with the old password hash.
        update_session_auth_hash(request, user)
        messages.success(request, _("Votre mot de passe est enregistré."))
        return redirect(settings.LOGIN_REDIRECT_URL)

    def _render(self, request: HttpRequest, form: ChangePasswordForm) -> HttpResponse:
        forced = getattr(request.user, "must_change_password", False)
        return render(request, self.template_name, {"form": form, "forced": forced})


@_never_cache
class ForgotPasswordView(View):
    template_name = "users/password_forgot.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": ForgotPasswordForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ForgotPasswordForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        firm = getattr(request, "firm", None)
        if firm is not None:
            services.request_password_reset(firm=firm, identifier=form.cleaned_data["identifier"], request=request)
        # The same page whether or not a message left (AUTH-04).
        return redirect("users:password_forgot_done")


def password_forgot_done(request: HttpRequest) -> HttpResponse:
    firm = getattr(request, "firm", None)
    subject = _("Adresse e-mail pour mon espace copropriétaire")
    mailto = f"mailto:{firm.contact_email}?subject={quote(subject)}" if firm is not None else ""
    return render(request, "users/password_forgot_done.html", {"mailto": mailto})


class _TokenPasswordView(View):
    """A page reached from a single-use link: choose a password."""

    purpose: str = ""
    title: str = ""
    template_name = "users/password_set.html"

    def _token(self, request: HttpRequest, token: str) -> AccessToken | None:
        firm = getattr(request, "firm", None)
        if firm is None:
            raise Http404
        return services.find_token(firm=firm, raw=token, purpose=self.purpose)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        access = self._token(request, token)
        if access is None:
            return render(request, "users/link_invalid.html", status=200)
        return render(request, self.template_name, {"form": ChoosePasswordForm(access.user), "view": self})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        access = self._token(request, token)
        if access is None:
            return render(request, "users/link_invalid.html", status=200)
        form = ChoosePasswordForm(access.user, request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "view": self})
        try:
            self.apply(access, form.cleaned_data["new_password1"], request)
        except services.LinkUsedError:  # a parallel request with the same link got there first
            return render(request, "users/link_invalid.html", status=200)
        return redirect(settings.LOGIN_URL)

    def apply(self, access: AccessToken, password: str, request: HttpRequest) -> None:
        raise NotImplementedError


@_sensitive
@_never_cache
class ActivateView(_TokenPasswordView):
    purpose = TokenPurpose.ACTIVATION

    def apply(self, access: AccessToken, password: str, request: HttpRequest) -> None:
        services.activate_account(token=access, password=password, request=request)
        messages.success(request, _("Votre espace est ouvert : connectez-vous avec votre nouveau mot de passe."))


@_sensitive
@_never_cache
class ResetView(_TokenPasswordView):
    purpose = TokenPurpose.PASSWORD_RESET

    def apply(self, access: AccessToken, password: str, request: HttpRequest) -> None:
        services.reset_password(token=access, password=password, request=request)
        messages.success(request, _("Votre mot de passe est enregistré : connectez-vous."))


@_never_cache
class ConfirmEmailView(View):
    """GET shows a button, POST confirms: a mail scanner following the link confirms nothing."""

    def _token(self, request: HttpRequest, token: str) -> AccessToken | None:
        firm = getattr(request, "firm", None)
        if firm is None:
            raise Http404
        return services.find_token(firm=firm, raw=token, purpose=TokenPurpose.EMAIL_CONFIRMATION)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        access = self._token(request, token)
        if access is None:
            return render(request, "users/link_invalid.html")
        return render(request, "users/email_confirm.html", {"new_email": access.new_email})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        access = self._token(request, token)
        if access is None:
            return render(request, "users/link_invalid.html")
        try:
            services.confirm_email_change(token=access, request=request)
        except services.LinkUsedError:
            return render(request, "users/link_invalid.html")
        except services.AccountError as error:
            return render(request, "users/email_confirm.html", {"new_email": access.new_email, "error": str(error)})
        messages.success(request, _("Votre adresse e-mail est confirmée."))
        return redirect(settings.LOGIN_URL)


# --- Two-factor authentication (staff) ---------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    """Firm staff, or the platform operator (same second factor for the admin)."""
    user = request.user
    if not isinstance(user, User) or not (user.is_firm_staff or user.kind == UserKind.OPERATOR):
        raise Http404
    return user


def _home_after_second_factor(user: User) -> HttpResponse:
    return redirect("admin:index" if user.kind == UserKind.OPERATOR else "backoffice:home")


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg: bytes | str = image.to_string(encoding="unicode")
    text = svg.decode() if isinstance(svg, bytes) else svg
    # Inline in the page: drop the XML declaration.
    return text[text.index("<svg") :]


@never_cache
@login_required
@csrf_protect
def otp_setup(request: HttpRequest) -> HttpResponse:
    """First staff sign-in: enrol an authenticator app (QR code drawn on the server, secret in text)."""
    user = _staff(request)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("users:otp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Application d'authentification"), confirmed=False)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record(action="users.otp.enrolled", request=request, target=user)
            return _home_after_second_factor(user)
        record(action="users.otp.failed", request=request, data={"step": "enrolment"})
        form.add_error("token", _("Code incorrect : vérifiez l'heure de votre téléphone et saisissez le code affiché."))
    secret = _base32(device.bin_key)
    uri = device.config_url
    return render(
        request,
        "users/otp_setup.html",
        {"form": form, "qr_svg": _qr_svg(uri), "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))},
    )


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


@never_cache
@login_required
@csrf_protect
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("users:otp_setup")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            record(action="users.otp.verified", request=request, target=user)
            return _home_after_second_factor(user)
        record(action="users.otp.failed", request=request, data={"step": "verification", "throttled": not allowed})
        form.add_error("token", _("Code incorrect ou déjà utilisé. Attendez le code suivant et réessayez."))
    return render(request, "users/otp_verify.html", {"form": form})
