"""Back office "Demandes": the co-owners' requests, the conversation with internal notes, answers,
assignment and status. Staff see the requests of their portfolio's condominiums (all when none)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, can, condominiums_for_staff
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.tenancy.models import StaffMembership
from tantieme.tickets import queries, services
from tantieme.tickets.downloads import attachment_response
from tantieme.tickets.enums import TicketStatus
from tantieme.tickets.exceptions import TicketError
from tantieme.tickets.forms import AssignForm, NoteForm, ReplyForm, StatusForm
from tantieme.tickets.models import Ticket, TicketAttachment
from tantieme.users.models import User

COLUMNS = (
    Column("number", gettext_lazy("N°"), lambda t: str(t.pk), order_by="pk"),
    Column("status", gettext_lazy("État"), lambda t: t.get_status_display(), order_by="status"),
    Column("subject", gettext_lazy("Objet"), lambda t: t.subject, order_by="subject"),
    Column(
        "co_owner",
        gettext_lazy("Copropriétaire"),
        lambda t: t.co_owner.reference_display,
        order_by="co_owner__reference",
    ),
    Column("condominium", gettext_lazy("Copropriété"), lambda t: t.condominium.code, order_by="condominium__code"),
    Column("category", gettext_lazy("Catégorie"), lambda t: t.get_category_display(), order_by="category"),
    Column(
        "assigned", gettext_lazy("Suivie par"), lambda t: str(t.assigned_to or ""), order_by="assigned_to__last_name"
    ),
    Column("activity", gettext_lazy("Dernière activité"), lambda t: t.updated_at, order_by="updated_at"),
)


class StaffReplyForm(ReplyForm):
    body = forms.CharField(
        label=gettext_lazy("Réponse au copropriétaire"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000
    )
    close = forms.BooleanField(label=gettext_lazy("Marquer la demande comme traitée"), required=False)


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("État"),
        required=False,
        choices=[
            ("", gettext_lazy("Ouvertes (nouvelles et en cours)")),
            ("all", gettext_lazy("Toutes")),
            *TicketStatus.choices,
        ],
    )
    condominium = forms.TypedChoiceField(
        label=gettext_lazy("Copropriété"), required=False, coerce=int, empty_value=None
    )
    assigned = forms.ChoiceField(label=gettext_lazy("Suivie par"), required=False)

    def __init__(self, *args: Any, condominiums: list[Any], staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["condominium"].choices = [("", _("Toutes")), *((c.pk, str(c)) for c in condominiums)]  # type: ignore[attr-defined]
        self.fields["assigned"].choices = [  # type: ignore[attr-defined]
            ("", _("Tout le monde")),
            ("me", _("Moi")),
            ("none", _("Personne")),
            *((str(user.pk), str(user)) for user in staff),
        ]


def _portfolio(request: HttpRequest) -> tuple[list[Any], list[int]]:
    condominiums = condominiums_for_staff(staff_user(request))
    return condominiums, [c.pk for c in condominiums]


def staff_members() -> list[User]:
    """The firm's staff, for assignment (firm in scope)."""
    memberships = StaffMembership.objects.select_related("user").filter(user__is_active=True)
    return sorted((m.user for m in memberships), key=lambda user: (user.last_name, user.first_name, user.login))


def _ticket_for(request: HttpRequest, pk: int) -> Ticket:
    """A ticket of the firm in scope and of the staff member's portfolio: anything else is a 404."""
    _condominiums, ids = _portfolio(request)
    return get_object_or_404(queries.tickets_for_staff(ids), pk=pk)


@staff_required
def tickets_list(request: HttpRequest) -> HttpResponse:
    condominiums, ids = _portfolio(request)
    staff = staff_members()
    form = FilterForm(request.GET or None, condominiums=condominiums, staff=staff)
    tickets = queries.tickets_for_staff(ids)
    status, condominium, assigned = "", None, ""
    if form.is_valid():
        status = form.cleaned_data["status"]
        condominium = form.cleaned_data["condominium"]
        assigned = form.cleaned_data["assigned"]
    if status == "":
        tickets = tickets.exclude(status=TicketStatus.RESOLVED)
    elif status != "all":
        tickets = tickets.filter(status=status)
    if condominium is not None:
        tickets = tickets.filter(condominium_id=condominium)
    if assigned == "me":
        tickets = tickets.filter(assigned_to=staff_user(request))
    elif assigned == "none":
        tickets = tickets.filter(assigned_to__isnull=True)
    elif assigned:
        tickets = tickets.filter(assigned_to_id=int(assigned))
    if wants_export(request):
        return export_listing(request, tickets, COLUMNS, title=gettext_lazy("Demandes"), filename="demandes")
    listing = build_listing(request, tickets, COLUMNS, default_sort="activity", default_descending=True)
    return render(request, "backoffice/tickets_list.html", {"form": form, "listing": listing, "menu": "tickets"})


def _detail(request: HttpRequest, ticket: Ticket, *, bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    bound = bound or {}
    staff = staff_members()
    can_answer = can(request, Can.ANSWER_REQUESTS)
    context = {
        "ticket": ticket,
        "conversation": queries.all_messages(ticket),
        "can_answer": can_answer,
        "reply_form": bound.get("reply") or StaffReplyForm(),
        "note_form": bound.get("note") or NoteForm(),
        "assign_form": bound.get("assign") or AssignForm(initial={"assignee": ticket.assigned_to_id}, staff=staff),
        "status_form": bound.get("status") or StatusForm(initial={"status": ticket.status}),
        "menu": "tickets",
    }
    return render(request, "backoffice/tickets_detail.html", context, status=400 if bound else 200)


@staff_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _ticket_for(request, pk))


@require_POST
@staff_required(can=Can.ANSWER_REQUESTS)
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket_for(request, pk)
    form = StaffReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, ticket, bound={"reply": form})
    services.reply_to_ticket(
        ticket=ticket,
        author=staff_user(request),
        body=form.cleaned_data["body"],
        files=form.cleaned_data["attachments"],
        request=request,
    )
    if form.cleaned_data["close"]:
        services.set_ticket_status(
            ticket=ticket, status=TicketStatus.RESOLVED, actor=staff_user(request), request=request
        )
    messages.success(request, _("Réponse envoyée ; le copropriétaire est prévenu par e-mail."))
    return redirect("backoffice:ticket_detail", pk=ticket.pk)


@require_POST
@staff_required(can=Can.ANSWER_REQUESTS)
def ticket_note(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket_for(request, pk)
    form = NoteForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, ticket, bound={"note": form})
    services.add_internal_note(
        ticket=ticket,
        author=staff_user(request),
        body=form.cleaned_data["body"],
        files=form.cleaned_data["attachments"],
        request=request,
    )
    messages.success(request, _("Note interne ajoutée."))
    return redirect("backoffice:ticket_detail", pk=ticket.pk)


@require_POST
@staff_required(can=Can.ANSWER_REQUESTS)
def ticket_assign(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket_for(request, pk)
    staff = staff_members()
    form = AssignForm(request.POST, staff=staff)
    if not form.is_valid():
        return _detail(request, ticket, bound={"assign": form})
    assignee_id = form.cleaned_data["assignee"]
    assignee = next((user for user in staff if user.pk == assignee_id), None)
    try:
        services.assign_ticket(ticket=ticket, assignee=assignee, actor=staff_user(request), request=request)
    except TicketError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Demande attribuée."))
    return redirect("backoffice:ticket_detail", pk=ticket.pk)


@require_POST
@staff_required(can=Can.ANSWER_REQUESTS)
def ticket_status(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket_for(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail(request, ticket, bound={"status": form})
    services.set_ticket_status(
        ticket=ticket, status=form.cleaned_data["status"], actor=staff_user(request), request=request
    )
    messages.success(request, _("État de la demande : %(status)s.") % {"status": ticket.get_status_display()})
    return redirect("backoffice:ticket_detail", pk=ticket.pk)


@staff_required
def ticket_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    _condominiums, ids = _portfolio(request)
    attachment = TicketAttachment.objects.filter(pk=pk, message__ticket__condominium_id__in=ids).first()
    if attachment is None:
        raise Http404
    return attachment_response(attachment)
