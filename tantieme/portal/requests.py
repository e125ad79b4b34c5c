"""Portal "Mes demandes": the co-owner's requests to the syndic, the conversation, the attachments."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tantieme.portal.views import _accounts, co_owner_required
from tantieme.tickets import queries, services
from tantieme.tickets.downloads import attachment_response
from tantieme.tickets.forms import NewTicketForm, ReplyForm
from tantieme.tickets.models import TicketAttachment
from tantieme.users.models import User


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@co_owner_required
def requests_list(request: HttpRequest) -> HttpResponse:
    tickets = queries.tickets_for_co_owner_user(_user(request).pk).order_by("-updated_at", "-pk")
    return render(request, "portal/requests_list.html", {"tickets": tickets, "menu": "requests"})


@co_owner_required
def request_new(request: HttpRequest) -> HttpResponse:
    accounts = _accounts(request)
    if not accounts:
        raise Http404
    form = NewTicketForm(request.POST or None, request.FILES or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The account comes from the user's own list, never from a posted id alone (mass assignment).
        account = next((a for a in accounts if a.pk == data.get("account", accounts[0].pk)), None)
        if account is None:
            raise Http404
        ticket = services.open_ticket(
            co_owner=account,
            author=_user(request),
            category=data["category"],
            subject=data["subject"],
            body=data["body"],
            files=data["attachments"],
            request=request,
        )
        messages.success(request, _("Votre demande est envoyée au syndic."))
        return redirect("portal:request_detail", pk=ticket.pk)
    return render(request, "portal/request_new.html", {"form": form, "menu": "requests"})


@co_owner_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    ticket = get_object_or_404(queries.tickets_for_co_owner_user(user.pk), pk=pk)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.reply_to_ticket(
            ticket=ticket,
            author=user,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["attachments"],
            request=request,
        )
        messages.success(request, _("Votre message est envoyé au syndic."))
        return redirect("portal:request_detail", pk=ticket.pk)
    return render(
        request,
        "portal/request_detail.html",
        {"ticket": ticket, "conversation": queries.public_messages(ticket), "form": form, "menu": "requests"},
    )


@co_owner_required
def request_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        attachment = queries.attachment_for_co_owner_user(_user(request).pk, pk)
    except TicketAttachment.DoesNotExist:
        raise Http404 from None
    return attachment_response(attachment)
