"""Back office: give co-owners access to the extranet, re-send it, reset it, change their e-mail.

Co-owners with an e-mail get an activation link (14 days); the others a printed letter with a
temporary password (30 days). Each action is audited by the users services it calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import ascii_uppercase
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tantieme.audit.services import record
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, can, condominiums_for_staff, portfolio_condominium
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.tenancy.models import Firm
from tantieme.users import services as user_services
from tantieme.users.enums import UserKind
from tantieme.users.letters import WelcomeLetter, render_welcome_letters
from tantieme.users.models import AccessToken, TokenPurpose, User


class AccessError(Exception):
    pass


@dataclass
class AccessOutcome:
    user: User
    letter: WelcomeLetter | None  # None when an invitation e-mail left


def _co_owner_for(request: HttpRequest, pk: int) -> CoOwner:
    co_owner = get_object_or_404(CoOwner.objects.select_related("condominium"), pk=pk)
    portfolio_condominium(request, co_owner.condominium_id)
    return co_owner


def _portal_user_for(request: HttpRequest, pk: int) -> tuple[User, CoOwner]:
    firm: Firm = request.firm  # type: ignore[attr-defined]
    user = get_object_or_404(User, pk=pk, firm=firm, kind=UserKind.CO_OWNER)
    co_owner = CoOwner.objects.filter(users=user).select_related("condominium").first()
    if co_owner is None:
        raise Http404
    portfolio_condominium(request, co_owner.condominium_id)
    return user, co_owner


def _letter(co_owner: CoOwner, user: User, password: str) -> WelcomeLetter:
    assert user.temporary_password_expires_at is not None
    return WelcomeLetter(
        recipient_name=co_owner.display_name,
        postal_address=co_owner.postal_address,
        reference_display=co_owner.reference_display,
        login=user.login,
        temporary_password=password,
        expires_at=timezone.localtime(user.temporary_password_expires_at),
    )


def _send_access(*, user: User, co_owner: CoOwner, request: HttpRequest) -> AccessOutcome:
    if user.email:
        user_services.invite_user(user=user, request=request)
        return AccessOutcome(user=user, letter=None)
    password = user_services.issue_temporary_password(user=user, request=request)
    return AccessOutcome(user=user, letter=_letter(co_owner, user, password))


def give_access(*, co_owner: CoOwner, request: HttpRequest) -> AccessOutcome:
    """Create the co-owner's first login (their reference) if needed, then invite or print a letter."""
    firm: Firm = request.firm  # type: ignore[attr-defined]
    with transaction.atomic():
        user = co_owner.users.order_by("pk").first()
        if user is None:
            if User.objects.filter(firm=firm, login=co_owner.reference).exists():
                raise AccessError(_("L'identifiant %(login)s est déjà pris.") % {"login": co_owner.reference})
            email = co_owner.email
            if email and user_services.email_taken(firm=firm, email=email):
                email = ""  # another login already uses it: fall back to a letter
            user = user_services.create_portal_user(
                firm=firm,
                login=co_owner.reference,
                email=email,
                first_name=co_owner.first_name,
                last_name=co_owner.last_name,
            )
            co_owner.users.add(user)
            record(
                action="users.access.granted",
                request=request,
                target=user,
                data={"co_owner_id": co_owner.pk, "reference": co_owner.reference},
            )
        return _send_access(user=user, co_owner=co_owner, request=request)


def add_joint_login(*, co_owner: CoOwner, email: str, first_name: str, last_name: str, request: HttpRequest) -> User:
    """A joint owner's own login on the same account: reference + letter (A6060001B), invited by e-mail."""
    firm: Firm = request.firm  # type: ignore[attr-defined]
    with transaction.atomic():
        if user_services.email_taken(firm=firm, email=email):
            raise AccessError(_("Cette adresse e-mail est déjà celle d'un autre compte du cabinet."))
        taken = set(
            User.objects.filter(firm=firm, login__startswith=co_owner.reference).values_list("login", flat=True)
        )
        login = next((co_owner.reference + c for c in ascii_uppercase[1:] if co_owner.reference + c not in taken), None)
        if login is None:
            raise AccessError(_("Trop d'accès pour ce compte."))
        user = user_services.create_portal_user(
            firm=firm, login=login, email=email, first_name=first_name, last_name=last_name
        )
        co_owner.users.add(user)
        record(action="users.access.granted", request=request, target=user, data={"co_owner_id": co_owner.pk})
        user_services.invite_user(user=user, request=request)
    return user


def _letters_response(request: HttpRequest, letters: list[WelcomeLetter], name: str) -> HttpResponse:
    firm: Firm = request.firm  # type: ignore[attr-defined]
    pdf = render_welcome_letters(firm=firm, letters=letters, today=timezone.localdate())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- Pages -------------------------------------------------------------------------------------


class EmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Nouvelle adresse e-mail"))


class JointLoginForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse e-mail"))
    first_name = forms.CharField(label=gettext_lazy("Prénom"), max_length=100, required=False)
    last_name = forms.CharField(label=gettext_lazy("Nom"), max_length=100)


@staff_required
def access_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/access_home.html",
        {"condominiums": condominiums_for_staff(staff_user(request)), "menu": "access"},
    )


class AccessFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Référence, nom ou e-mail"), required=False, max_length=100)
    acces = forms.ChoiceField(
        label=gettext_lazy("Accès"),
        required=False,
        choices=[
            ("", gettext_lazy("Tous")),
            ("avec", gettext_lazy("Avec un accès")),
            ("sans", gettext_lazy("Sans accès")),
        ],
    )


COLUMNS = (
    Column("reference", gettext_lazy("Référence"), lambda c: c.reference_display, order_by="reference"),
    Column("name", gettext_lazy("Copropriétaire"), lambda c: c.display_name, order_by="last_name"),
    Column("email", gettext_lazy("E-mail"), lambda c: c.email, order_by="email"),
    Column("access", gettext_lazy("Accès"), lambda c: ", ".join(user.login for user in c.users.all())),
)


def _filtered_co_owners(condominium: Condominium, form: AccessFilterForm) -> QuerySet[CoOwner]:
    co_owners = CoOwner.objects.filter(condominium=condominium).prefetch_related("users")
    if not form.is_valid():
        return co_owners
    query = form.cleaned_data["q"].strip()
    if query:
        compact = query.replace(" ", "").replace("-", "").upper()
        co_owners = co_owners.filter(
            Q(reference__icontains=compact) | Q(last_name__icontains=query) | Q(email__icontains=query)
        )
    if form.cleaned_data["acces"] == "avec":
        co_owners = co_owners.filter(users__isnull=False).distinct()
    elif form.cleaned_data["acces"] == "sans":
        co_owners = co_owners.filter(users__isnull=True)
    return co_owners


def _access_states(co_owners: list[CoOwner]) -> dict[int, dict[str, Any]]:
    """`user_services.access_state` for every login of the page's co-owners, in one query (not two per login)."""
    users = [user for co_owner in co_owners for user in co_owner.users.all()]
    pending = AccessToken.objects.filter(
        user__in=users, used_at__isnull=True, expires_at__gt=timezone.now()
    ).values_list("user_id", "purpose", "new_email")
    invited = {user_id for user_id, purpose, _email in pending if purpose == TokenPurpose.ACTIVATION}
    new_emails = {user_id: email for user_id, purpose, email in pending if purpose == TokenPurpose.EMAIL_CONFIRMATION}
    return {
        user.pk: {
            "has_password": user.has_usable_password(),
            "must_change": user.must_change_password,
            "temporary_expires_at": user.temporary_password_expires_at,
            "invitation_pending": user.pk in invited,
            "email_pending": new_emails.get(user.pk),
            "last_login": user.last_login,
        }
        for user in users
    }


@staff_required
def access_condominium(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = portfolio_condominium(request, pk)
    form = AccessFilterForm(request.GET or None)
    co_owners = _filtered_co_owners(condominium, form)
    if wants_export(request):
        title = _("Accès à l'extranet %(code)s") % {"code": condominium.code}
        return export_listing(request, co_owners, COLUMNS, title=title, filename=f"acces-{condominium.code}")
    listing = build_listing(request, co_owners, COLUMNS, default_sort="reference")
    page = list(listing.page)
    states = _access_states(page)
    rows = [(co_owner, [(user, states[user.pk]) for user in co_owner.users.all()]) for co_owner in page]
    return render(
        request,
        "backoffice/access_condominium.html",
        {
            "condominium": condominium,
            "form": form,
            "listing": listing,
            "rows": rows,
            "can_manage": can(request, Can.MANAGE_ACCESS),
            "email_form": EmailForm(),
            "joint_form": JointLoginForm(),
            "menu": "access",
        },
    )


@require_POST
@staff_required(can=Can.MANAGE_ACCESS)
def access_give(request: HttpRequest, pk: int) -> HttpResponse:
    co_owner = _co_owner_for(request, pk)
    try:
        outcome = give_access(co_owner=co_owner, request=request)
    except AccessError as error:
        messages.error(request, str(error))
        return redirect("backoffice:access_condominium", pk=co_owner.condominium_id)
    if outcome.letter is not None:
        return _letters_response(request, [outcome.letter], f"acces-{co_owner.reference}")
    messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": outcome.user.email})
    return redirect("backoffice:access_condominium", pk=co_owner.condominium_id)


@require_POST
@staff_required(can=Can.MANAGE_ACCESS)
def access_give_all(request: HttpRequest, pk: int) -> HttpResponse:
    """Every co-owner of the condominium without a login yet: e-mails for some, letters for the others."""
    condominium = portfolio_condominium(request, pk)
    letters: list[WelcomeLetter] = []
    invited = 0
    for co_owner in CoOwner.objects.filter(condominium=condominium, users__isnull=True).order_by("reference"):
        try:
            outcome = give_access(co_owner=co_owner, request=request)
        except AccessError as error:
            messages.error(request, str(error))
            continue
        if outcome.letter is None:
            invited += 1
        else:
            letters.append(outcome.letter)
    record(
        action="users.access.granted_to_condominium",
        request=request,
        target=condominium,
        data={"invitations": invited, "letters": len(letters)},
    )
    if letters:
        return _letters_response(request, letters, f"acces-copropriete-{condominium.code}")
    messages.success(request, _("%(count)d invitation(s) envoyée(s).") % {"count": invited})
    return redirect("backoffice:access_condominium", pk=condominium.pk)


@require_POST
@staff_required(can=Can.MANAGE_ACCESS)
def access_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """A new invitation link (e-mail) or a new letter (no e-mail): the previous link or password dies."""
    user, co_owner = _portal_user_for(request, pk)
    outcome = _send_access(user=user, co_owner=co_owner, request=request)
    if outcome.letter is not None:
        return _letters_response(request, [outcome.letter], f"acces-{user.login}")
    messages.success(request, _("Invitation envoyée à nouveau à %(email)s.") % {"email": user.email})
    return redirect("backoffice:access_condominium", pk=co_owner.condominium_id)


@require_POST
@staff_required(can=Can.MANAGE_ACCESS)
def access_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A new temporary password on a letter, whatever the e-mail: the old password and sessions end."""
    user, co_owner = _portal_user_for(request, pk)
    password = user_services.issue_temporary_password(user=user, request=request)
    return _letters_response(request, [_letter(co_owner, user, password)], f"acces-{user.login}")


@require_POST
@staff_required(can=Can.MANAGE_ACCESS)
def access_end_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign the co-owner out everywhere (lost device, shared computer); the password stays."""
    user, co_owner = _portal_user_for(request, pk)
    user_services.end_sessions(user=user, request=request)
    messages.success(request, _("Toutes les sessions de %(login)s sont fermées.") % {"login": user.login})
    return redirect("backoffice:access_condominium", pk=co_owner.condominium_id)


@require_POST
@staff_required(can=Can.MANAGE_ACCESS)
def access_email(request: HttpRequest, pk: int) -> HttpResponse:
    user, co_owner = _portal_user_for(request, pk)
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            user_services.request_email_change(user=user, new_email=form.cleaned_data["email"], request=request)
        except user_services.AccountError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Un lien de confirmation est parti vers %(email)s ; l'adresse servira une fois confirmée.")
                % {"email": form.cleaned_data["email"]},
            )
    else:
        messages.error(request, _("Adresse e-mail invalide."))
    return redirect("backoffice:access_condominium", pk=co_owner.condominium_id)


@require_POST
@staff_required(can=Can.MANAGE_ACCESS)
def access_add_login(request: HttpRequest, pk: int) -> HttpResponse:
    co_owner = _co_owner_for(request, pk)
    form = JointLoginForm(request.POST)
    if form.is_valid():
        try:
            user = add_joint_login(co_owner=co_owner, request=request, **form.cleaned_data)
        except AccessError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Accès %(login)s créé, invitation envoyée.") % {"login": user.login})
    else:
        messages.error(request, _("Indiquez au moins le nom et une adresse e-mail valide."))
    return redirect("backoffice:access_condominium", pk=co_owner.condominium_id)
