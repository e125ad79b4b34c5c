"""Conseil syndical (seats through `documents.services`) and Contacts syndic (the « Contacts syndic » of the
co-owners' extranet: this condominium's own, editable here, then the firm-wide ones)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tantieme.backoffice.condominium_file.base import add_errors, co_owner_url, condominium_for, page
from tantieme.backoffice.condominium_file.forms import ContactForm, CouncilSeatForm
from tantieme.backoffice.policy import Can
from tantieme.backoffice.views import staff_required
from tantieme.condominiums import editing
from tantieme.condominiums.models import Condominium, CoOwner, SyndicContact
from tantieme.core.references import InvalidReferenceError, parse_reference
from tantieme.documents import services as documents
from tantieme.documents.models import CouncilMembership
from tantieme.documents.queries import active_council_memberships, council_members

# --- Council --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.VIEW, post=Can.MANAGE_COUNCIL)
def condominium_council(request: HttpRequest, pk: int) -> HttpResponse:
    """The members seated today, and the seats that ended; the form seats a co-owner (`Can.MANAGE_COUNCIL`)."""
    condominium = condominium_for(request, pk)
    today = timezone.localdate()
    form = CouncilSeatForm(request.POST or None, initial={"start_date": today})
    if request.method == "POST" and form.is_valid():
        co_owner = _co_owner_by_reference(condominium, form)
        if co_owner is not None:
            documents.add_council_member(co_owner=co_owner, start_date=form.cleaned_data["start_date"], request=request)
            messages.success(request, _("%(name)s fait partie du conseil syndical.") % {"name": co_owner.display_name})
            return redirect("backoffice:condominium_council", pk=condominium.pk)
    members = [
        (membership, co_owner_url(membership.co_owner_id))
        for membership in council_members(condominium, day=today).order_by("co_owner__reference")
    ]
    past = list(
        CouncilMembership.objects.filter(condominium=condominium)
        .filter(Q(end_date__lt=today) | Q(start_date__gt=today))
        .select_related("co_owner")
        .order_by("-start_date")[:50]
    )
    return page(request, "council.html", condominium, "council", members=members, past=past, form=form)


def _co_owner_by_reference(condominium: Condominium, form: CouncilSeatForm) -> CoOwner | None:
    try:
        reference = parse_reference(form.cleaned_data["reference"])
    except InvalidReferenceError as error:
        form.add_error("reference", str(error))
        return None
    co_owner = CoOwner.objects.filter(condominium=condominium, reference=reference).first()
    if co_owner is None:
        form.add_error("reference", _("Aucun copropriétaire de cette copropriété n'a cette référence."))
    return co_owner


@require_POST
@staff_required(can=Can.MANAGE_COUNCIL)
def condominium_council_end(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """End a seat (the co-owner loses the council's space at once)."""
    condominium = condominium_for(request, pk)
    today = timezone.localdate()
    membership = get_object_or_404(
        active_council_memberships(day=today).select_related("co_owner", "condominium__firm"),
        pk=membership_pk,
        condominium=condominium,
    )
    documents.remove_council_member(membership=membership, today=today, request=request)
    messages.success(
        request, _("%(name)s ne fait plus partie du conseil syndical.") % {"name": membership.co_owner.display_name}
    )
    return redirect("backoffice:condominium_council", pk=condominium.pk)


# --- Syndic contacts ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.VIEW, post=Can.EDIT_FILES)
def condominium_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            editing.create_contact(condominium=condominium, values=form.cleaned_data, request=request)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Le contact est ajouté."))
            return redirect("backoffice:condominium_contacts", pk=condominium.pk)
    own = list(SyndicContact.objects.filter(condominium=condominium).order_by("position", "name", "pk"))
    firm_wide = list(SyndicContact.objects.filter(condominium__isnull=True).order_by("position", "name"))
    return page(request, "contacts.html", condominium, "contacts", own=own, firm_wide=firm_wide, form=form)


def _contact(condominium: Condominium, contact_pk: int) -> SyndicContact:
    return get_object_or_404(
        SyndicContact.objects.select_related("condominium__firm"), pk=contact_pk, condominium=condominium
    )


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.EDIT_FILES)
def condominium_contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    contact = _contact(condominium, contact_pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            editing.update_contact(contact=contact, values=form.cleaned_data, request=request)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Le contact est enregistré."))
            return redirect("backoffice:condominium_contacts", pk=condominium.pk)
    return page(
        request,
        "form.html",
        condominium,
        "contacts",
        form=form,
        title=_("Modifier le contact %(name)s") % {"name": contact.name},
        cancel_url="backoffice:condominium_contacts",
        delete_url="backoffice:condominium_contact_delete",
        delete_args=[condominium.pk, contact.pk],
        delete_label=_("Supprimer le contact"),
    )


@require_POST
@staff_required(can=Can.EDIT_FILES)
def condominium_contact_delete(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    contact = _contact(condominium, contact_pk)
    editing.delete_contact(contact=contact, request=request)
    messages.success(request, _("Le contact %(name)s est supprimé.") % {"name": contact.name})
    return redirect("backoffice:condominium_contacts", pk=condominium.pk)


@require_POST
@staff_required(can=Can.EDIT_FILES)
def condominium_contact_move(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Up or down one place (`direction=up|down`): the order the co-owners see."""
    condominium = condominium_for(request, pk)
    contact = _contact(condominium, contact_pk)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        editing.move_contact(contact=contact, direction="up" if direction == "up" else "down", request=request)
    return redirect("backoffice:condominium_contacts", pk=condominium.pk)
