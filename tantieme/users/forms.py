from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tantieme.audit.services import client_ip
from tantieme.users.backends import find_user_for_login
from tantieme.users.models import User, normalize_login
from tantieme.users.throttling import begin_login_attempt
from tantieme.users.validators import MAX_LENGTH


def throttle_subject(firm_id: int | None, identifier: str) -> str:
    """What throttling counts: the account when the identifier names one (its login or e-mail alike)."""
    user = find_user_for_login(firm_id, identifier)
    return f"user:{user.pk}" if user is not None else f"login:{normalize_login(identifier)}"


def _password_field(label: Any, autocomplete: str, help_text: Any = "") -> forms.CharField:
    # 128 characters, never truncated, paste allowed (no onpaste tricks): ASVS 2.1.2/2.1.11.
    return forms.CharField(
        label=label,
        strip=False,
        max_length=MAX_LENGTH,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Identifiant ou adresse e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        # The same message whether the identifier exists or not.
        "invalid_login": _("Identifiant ou mot de passe incorrect."),
        "inactive": _("Identifiant ou mot de passe incorrect."),
        "temporary_expired": _(
            "Votre mot de passe provisoire a expiré. Demandez un nouvel accès à votre syndic, ou utilisez "
            "« Mot de passe oublié ? » si une adresse e-mail est enregistrée."
        ),
    }

    throttled_for: int = 0
    delay_if_failed: int = 0
    throttle_subject: str = ""

    def clean(self) -> dict[str, Any]:
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if identifier and password is not None and self.request is not None:
            firm = getattr(self.request, "firm", None)
            firm_id = firm.pk if firm is not None else None
            self.throttle_subject = throttle_subject(firm_id, identifier)
            # Checked before authenticate(): a blocked attempt never reaches the password hash. An
            # allowed one is counted as a failure now, in the same step (parallel guesses stop at the
            # limit); the view's register_login_success gives it back.
            attempt = begin_login_attempt(firm_id=firm_id, identifier=self.throttle_subject, ip=client_ip(self.request))
            self.throttled_for, self.delay_if_failed = attempt.wait, attempt.delay_if_failed
            if self.throttled_for:
                minutes = math.ceil(self.throttled_for / 60)
                raise ValidationError(
                    ngettext(
                        "Trop de tentatives : réessayez dans %(minutes)d minute. Si vous avez oublié votre mot "
                        "de passe, utilisez « Mot de passe oublié ? ».",
                        "Trop de tentatives : réessayez dans %(minutes)d minutes. Si vous avez oublié votre mot "
                        "de passe, utilisez « Mot de passe oublié ? ».",
                        minutes,
                    )
                    % {"minutes": minutes},
                    code="throttled",
                )
        return super().clean()

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        expires = user.temporary_password_expires_at
        if user.must_change_password and expires is not None and expires <= timezone.now():
            raise ValidationError(self.error_messages["temporary_expired"], code="temporary_expired")


class NewPasswordMixin:
    """Refuses the current password as the new one; fields accept 128 characters."""

    user: User

    def _tune_fields(self) -> None:
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        help_text = password_validation.password_validators_help_text_html()
        fields["new_password1"] = _password_field(_("Nouveau mot de passe"), "new-password", help_text)
        fields["new_password2"] = _password_field(_("Confirmation du nouveau mot de passe"), "new-password")

    def clean_new_password2(self) -> str:
        cleaned: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        password: str = cleaned.get("new_password2", "")
        if password and self.user.has_usable_password() and self.user.check_password(password):
            raise ValidationError(
                _("Le nouveau mot de passe doit être différent de l'ancien (ou du mot de passe provisoire)."),
                code="password_unchanged",
            )
        return password


class ChangePasswordForm(NewPasswordMixin, PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        old = _password_field(_("Mot de passe actuel (ou provisoire)"), "current-password")
        old.widget.attrs["autofocus"] = True
        self.fields["old_password"] = old
        self._tune_fields()


class ChoosePasswordForm(NewPasswordMixin, SetPasswordForm):  # type: ignore[type-arg]
    """Activation and reset: no current password to give."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tune_fields()


class ForgotPasswordForm(forms.Form):
    identifier = forms.CharField(
        label=_("Identifiant ou adresse e-mail"),
        max_length=254,
        help_text=_("Votre référence copropriétaire (par exemple A 606 0001) ou votre adresse e-mail."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code à 6 chiffres"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())
