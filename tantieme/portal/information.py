"""Portal "Mes informations": contact details, e-mail, consent, language, password, recent logins;
and the syndic's announcements ("Mes informations" table of the home page) opened one by one.

Name and postal address are requests to the syndic (a ticket), not changes; the phone and the consent
are applied to the co-owner account; the e-mail needs the password again and a confirmation link.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.validators import RegexValidator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tantieme.announcements.queries import announcements_for_user
from tantieme.announcements.services import mark_announcement_read
from tantieme.audit.models import AuditEvent
from tantieme.audit.services import client_ip, record
from tantieme.condominiums.contact_details import update_co_owner_contact_details
from tantieme.condominiums.models import CoOwner
from tantieme.portal.views import _accounts, co_owner_required
from tantieme.tickets.exceptions import TicketError
from tantieme.tickets.services import request_details_change
from tantieme.users import services as user_services
from tantieme.users.models import AccessToken, TokenPurpose, User
from tantieme.users.throttling import begin_login_attempt, register_login_success
from tantieme.users.validators import MAX_LENGTH

RECENT_LOGINS = 10
phone_validator = RegexValidator(
    r"^\+?[0-9 .()-]{6,30}$", gettext_lazy("Un numéro de téléphone : chiffres, espaces, points ou tirets.")
)


class DetailsForm(forms.Form):
    """Name and postal address: what the co-owner would like the syndic to record."""

    civility = forms.CharField(label=gettext_lazy("Civilité"), max_length=30, required=False)
    last_name = forms.CharField(label=gettext_lazy("Nom ou raison sociale"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("Prénom"), max_length=100, required=False)
    address_line1 = forms.CharField(label=gettext_lazy("Adresse"), max_length=200)
    address_line2 = forms.CharField(label=gettext_lazy("Complément d'adresse"), max_length=200, required=False)
    postal_code = forms.CharField(label=gettext_lazy("Code postal"), max_length=10)
    city = forms.CharField(label=gettext_lazy("Ville"), max_length=100)
    country = forms.CharField(label=gettext_lazy("Pays (code à deux lettres)"), max_length=2, min_length=2)

    @classmethod
    def for_account(cls, account: CoOwner, data: Any = None) -> DetailsForm:
        initial = {name: getattr(account, name) for name in cls.base_fields}
        return cls(data, initial=initial, prefix=f"details-{account.pk}")

    def changes(self, account: CoOwner) -> dict[str, tuple[str, str]]:
        """{label: (current, requested)} for the fields that differ."""
        changed: dict[str, tuple[str, str]] = {}
        for name, field in self.fields.items():
            current = str(getattr(account, name) or "")
            requested = str(self.cleaned_data.get(name) or "").strip()
            if name == "country":
                requested = requested.upper()
            if current != requested:
                changed[str(field.label)] = (current, requested)
        return changed


class ContactForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Téléphone"), max_length=30, required=False, validators=[phone_validator]
    )
    e_notification_consent = forms.BooleanField(
        label=gettext_lazy(
            "J'accepte de recevoir par voie électronique les appels de fonds "
            "et les convocations aux assemblées générales"
        ),
        required=False,
        help_text=gettext_lazy(
            "Vous pouvez revenir sur ce choix à tout moment ; les envois repasseront alors par courrier."
        ),
    )

    @classmethod
    def for_account(cls, account: CoOwner, data: Any = None) -> ContactForm:
        initial = {"phone": account.phone, "e_notification_consent": account.e_notification_consent}
        return cls(data, initial=initial, prefix=f"contact-{account.pk}")


class EmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Nouvelle adresse e-mail"))
    password = forms.CharField(
        label=gettext_lazy("Votre mot de passe"),
        strip=False,
        max_length=MAX_LENGTH,
        help_text=gettext_lazy("Pour protéger votre compte, confirmez qu'il s'agit bien de vous."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Langue de l'espace et des e-mails"), choices=settings.LANGUAGES)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _account(request: HttpRequest, pk: int) -> CoOwner:
    """One of the user's own accounts (another's is a 404)."""
    for account in _accounts(request):
        if account.pk == pk:
            return account
    raise Http404


def recent_logins(user: User) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action="users.login.succeeded", object_type="users.user", object_id=str(user.pk))
        .only("created_at", "ip_address")
        .order_by("-created_at", "-pk")[:RECENT_LOGINS]
    )


def _pending_email(user: User) -> str | None:
    return (
        AccessToken.objects.filter(
            user=user, purpose=TokenPurpose.EMAIL_CONFIRMATION, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .values_list("new_email", flat=True)
        .first()
    )


def _render(request: HttpRequest, *, bound: dict[str, forms.Form] | None = None, status: int = 200) -> HttpResponse:
    """The page; `bound` replaces the blank form of that key with one that has errors."""
    bound = bound or {}
    user = _user(request)
    blocks = [
        {
            "account": account,
            "details_form": bound.get(f"details-{account.pk}") or DetailsForm.for_account(account),
            "contact_form": bound.get(f"contact-{account.pk}") or ContactForm.for_account(account),
        }
        for account in _accounts(request)
    ]
    context = {
        "blocks": blocks,
        "email_form": bound.get("email") or EmailForm(),
        "language_form": bound.get("language") or LanguageForm(initial={"language": user.language}),
        "pending_email": _pending_email(user),
        "logins": recent_logins(user),
        "menu": "information",
    }
    return render(request, "portal/information.html", context, status=status)


@co_owner_required
def information(request: HttpRequest) -> HttpResponse:
    return _render(request)


@require_POST
@co_owner_required
def information_details(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = DetailsForm.for_account(account, request.POST)
    if form.is_valid():
        try:
            ticket = request_details_change(
                co_owner=account, author=_user(request), changes=form.changes(account), request=request
            )
        except TicketError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Votre demande de changement est transmise au syndic, qui mettra vos coordonnées à jour."),
            )
            return redirect("portal:request_detail", pk=ticket.pk)
    return _render(request, bound={f"details-{account.pk}": form}, status=400)


@require_POST
@co_owner_required
def information_contact(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = ContactForm.for_account(account, request.POST)
    if not form.is_valid():
        return _render(request, bound={f"contact-{account.pk}": form}, status=400)
    update_co_owner_contact_details(
        co_owner=account,
        phone=form.cleaned_data["phone"],
        e_notification_consent=form.cleaned_data["e_notification_consent"],
        actor=_user(request),
        request=request,
    )
    messages.success(request, _("Vos coordonnées sont enregistrées."))
    return redirect("portal:information")


@sensitive_post_parameters("password")
@require_POST
@co_owner_required
def information_email(request: HttpRequest) -> HttpResponse:
    """A new address needs the password again (SESS-03), then the link sent to that address."""
    user = _user(request)
    form = EmailForm(request.POST)
    if not form.is_valid():
        return _render(request, bound={"email": form}, status=400)
    subject, ip = f"user:{user.pk}", client_ip(request)
    firm_id = user.firm_id
    # Checked and counted as a failure at once, before the hash: parallel guesses stop at the limit.
    if begin_login_attempt(firm_id=firm_id, identifier=subject, ip=ip).wait:
        form.add_error("password", _("Trop d'essais : réessayez plus tard."))
        return _render(request, bound={"email": form}, status=429)
    if not user.check_password(form.cleaned_data["password"]):
        record(action="users.email.change_refused", request=request, target=user, data={"reason": "password"})
        form.add_error("password", _("Mot de passe incorrect."))
        return _render(request, bound={"email": form}, status=400)
    register_login_success(firm_id=firm_id, identifier=subject, ip=ip)
    # The same answer whether or not the address is another account's (no enumeration): a taken
    # address is never mailed nor attached.
    user_services.request_own_email_change(user=user, new_email=form.cleaned_data["email"], request=request)
    messages.success(
        request,
        _("Un lien de confirmation est parti vers %(email)s : votre adresse changera quand vous l'aurez ouvert.")
        % {"email": form.cleaned_data["email"]},
    )
    return redirect("portal:information")


@transaction.atomic
def set_user_language(*, user: User, language: str, request: HttpRequest | None = None) -> None:
    if user.language == language:
        return
    previous = user.language
    user.language = language
    user.save(update_fields=["language"])
    record(action="users.language.changed", request=request, target=user, data={"from": previous, "to": language})


@require_POST
@co_owner_required
def information_sessions(request: HttpRequest) -> HttpResponse:
    """Sign out every other device (a forgotten computer, a lost phone); this one stays signed in."""
    user = _user(request)
    user_services.end_sessions(user=user, request=request)
    update_session_auth_hash(request, user)
    messages.success(request, _("Vos autres sessions sont fermées : seule celle-ci reste ouverte."))
    return redirect("portal:information")


@require_POST
@co_owner_required
def information_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _render(request, bound={"language": form}, status=400)
    language = form.cleaned_data["language"]
    set_user_language(user=_user(request), language=language, request=request)
    response = redirect("portal:information")
    # LocaleMiddleware reads the language cookie on the next requests (as the footer's set_language does).
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    with translation.override(language):  # the confirmation already in the chosen language
        messages.success(request, _("La langue est enregistrée."))
    return response


@co_owner_required
def announcement(request: HttpRequest, pk: int) -> HttpResponse:
    """One announcement of the home page's "Mes informations"; opening it marks it read."""
    user = _user(request)
    item = get_object_or_404(announcements_for_user(user.pk).select_related("condominium"), pk=pk)
    if not item.is_read:  # type: ignore[attr-defined]
        mark_announcement_read(announcement=item, user=user)
    return render(request, "portal/announcement.html", {"announcement": item, "menu": "home"})
