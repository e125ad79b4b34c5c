"""Ticket reads. Co-owners reach only their own accounts' tickets and never the internal notes."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from tantieme.tickets.models import Ticket, TicketAttachment, TicketMessage


def tickets_for_co_owner_user(user_id: int) -> QuerySet[Ticket]:
    """The tickets of the accounts this portal user holds (in the firm in scope)."""
    return Ticket.objects.filter(co_owner__users__id=user_id).select_related("co_owner", "condominium")


def public_messages(ticket: Ticket) -> QuerySet[TicketMessage]:
    """The conversation as the co-owner sees it: no internal note."""
    return (
        TicketMessage.objects.filter(ticket=ticket, internal=False)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=TicketAttachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )


def all_messages(ticket: Ticket) -> QuerySet[TicketMessage]:
    """The conversation with the internal notes (staff only)."""
    return (
        TicketMessage.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=TicketAttachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )


def attachment_for_co_owner_user(user_id: int, attachment_id: int) -> TicketAttachment:
    """An attachment of a public message of one of the user's tickets; anything else is DoesNotExist."""
    return TicketAttachment.objects.select_related("message__ticket").get(
        pk=attachment_id, message__internal=False, message__ticket__co_owner__users__id=user_id
    )


def tickets_for_staff(condominium_ids: list[int] | None) -> QuerySet[Ticket]:
    """The firm's tickets (limited to a portfolio of condominiums when given), with their message count."""
    tickets = Ticket.objects.select_related("co_owner", "condominium", "assigned_to").annotate(
        message_count=Count("messages", filter=Q(messages__internal=False))
    )
    if condominium_ids is not None:
        tickets = tickets.filter(condominium_id__in=condominium_ids)
    return tickets
