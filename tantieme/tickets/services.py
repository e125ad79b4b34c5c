"""Ticket writes: open, reply, internal note, assign, status. One transaction and an audit record each;
the co-owner's e-mail (staff reply) leaves through the outbox after commit."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tantieme.audit.services import record
from tantieme.condominiums.models import CoOwner
from tantieme.notifications.services import queue_email
from tantieme.tenancy.models import StaffMembership
from tantieme.tickets.enums import TicketCategory, TicketStatus
from tantieme.tickets.exceptions import TicketError
from tantieme.tickets.models import Ticket, TicketAttachment, TicketMessage
from tantieme.tickets.staff_alerts import alert_staff
from tantieme.tickets.validators import CheckedFile
from tantieme.users.models import User


def ticket_link(ticket: Ticket) -> str:
    """The conversation on the firm's own host (never the request's Host header)."""
    path = reverse("portal:request_detail", args=[ticket.pk], urlconf=settings.ROOT_URLCONF)
    return f"{ticket.firm.base_url}{path}"


def _add_message(
    *, ticket: Ticket, author: User, body: str, internal: bool, files: Sequence[CheckedFile]
) -> TicketMessage:
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket,
        author=author,
        from_staff=author.is_firm_staff,
        body=body.strip(),
        internal=internal,
        created_at=now,
    )
    for checked in files:
        attachment = TicketAttachment(
            message=message,
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        checked.upload.seek(0)
        attachment.file.save(checked.filename, File(checked.upload), save=False)
        attachment.save()
    return message


def _touch(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=["updated_at", *fields])


@transaction.atomic
def open_ticket(
    *,
    co_owner: CoOwner,
    author: User,
    category: str,
    subject: str,
    body: str,
    files: Sequence[CheckedFile] = (),
    request: HttpRequest | None = None,
) -> Ticket:
    """A co-owner's new request with its first message."""
    now = timezone.now()
    ticket = Ticket.objects.create(
        firm=co_owner.firm,
        condominium=co_owner.condominium,
        co_owner=co_owner,
        created_by=author,
        category=category,
        subject=subject.strip(),
        status=TicketStatus.NEW,
        created_at=now,
        updated_at=now,
    )
    _add_message(ticket=ticket, author=author, body=body, internal=False, files=files)
    alerted = alert_staff(ticket, event="opened")
    record(
        action="tickets.ticket.opened",
        request=request,
        firm=ticket.firm,
        actor=author,
        target=ticket,
        data={"category": category, "attachments": len(files), "staff_alerted": alerted},
    )
    return ticket


def _notify_co_owner(ticket: Ticket) -> int:
    """E-mail each confirmed login address of the account (or the account's address): the link, not the text."""
    recipients: dict[str, str] = {}
    for user in ticket.co_owner.users.filter(is_active=True).exclude(email=""):
        recipients.setdefault(user.email.lower(), user.language)
    if not recipients and ticket.co_owner.email:
        recipients[ticket.co_owner.email.lower()] = "fr"
    for email, language in recipients.items():
        queue_email(
            firm=ticket.firm,
            to=email,
            template="ticket_reply",
            language=language,
            context={"subject": ticket.subject, "number": ticket.pk, "link": ticket_link(ticket)},
        )
    return len(recipients)


@transaction.atomic
def reply_to_ticket(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    files: Sequence[CheckedFile] = (),
    request: HttpRequest | None = None,
) -> TicketMessage:
    """A message in the conversation. From staff: the request is "en cours" (unless closed with the
    reply) and the co-owner gets an e-mail. From the co-owner: a closed request opens again."""
    message = _add_message(ticket=ticket, author=author, body=body, internal=False, files=files)
    fields = []
    if author.is_firm_staff:
        if ticket.status == TicketStatus.NEW:
            ticket.status = TicketStatus.IN_PROGRESS
            fields.append("status")
        notified = _notify_co_owner(ticket)
    else:
        notified = alert_staff(ticket, event="replied")
        if ticket.status == TicketStatus.RESOLVED:
            ticket.status = TicketStatus.IN_PROGRESS
            ticket.resolved_at = None
            fields += ["status", "resolved_at"]
    _touch(ticket, *fields)
    record(
        action="tickets.ticket.replied",
        request=request,
        firm=ticket.firm,
        actor=author,
        target=ticket,
        data={
            "message_id": message.pk,
            "from_staff": author.is_firm_staff,
            "attachments": len(files),
            "emails": notified,
        },
    )
    return message


@transaction.atomic
def add_internal_note(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    files: Sequence[CheckedFile] = (),
    request: HttpRequest | None = None,
) -> TicketMessage:
    """A note for the syndic's staff only: never shown to the co-owner, no e-mail."""
    if not author.is_firm_staff:
        raise TicketError(_("Seule l'équipe du syndic peut écrire une note interne."))
    message = _add_message(ticket=ticket, author=author, body=body, internal=True, files=files)
    record(
        action="tickets.note.added",
        request=request,
        firm=ticket.firm,
        actor=author,
        target=ticket,
        data={"message_id": message.pk, "attachments": len(files)},
    )
    return message


@transaction.atomic
def assign_ticket(*, ticket: Ticket, assignee: User | None, actor: User, request: HttpRequest | None = None) -> Ticket:
    """Give the request to a staff member of the firm (or to nobody)."""
    if assignee is not None and not StaffMembership.all_firms.filter(user=assignee, firm_id=ticket.firm_id).exists():
        raise TicketError(_("Cette personne ne fait pas partie de l'équipe du cabinet."))
    ticket.assigned_to = assignee
    _touch(ticket, "assigned_to")
    record(
        action="tickets.ticket.assigned",
        request=request,
        firm=ticket.firm,
        actor=actor,
        target=ticket,
        data={"assigned_to": assignee.pk if assignee is not None else None},
    )
    return ticket


@transaction.atomic
def set_ticket_status(*, ticket: Ticket, status: str, actor: User, request: HttpRequest | None = None) -> Ticket:
    """Nouvelle / en cours / traitée ("traitée" closes the request)."""
    if status not in TicketStatus.values:
        raise TicketError(_("État inconnu."))
    previous = ticket.status
    ticket.status = status
    ticket.resolved_at = timezone.now() if status == TicketStatus.RESOLVED else None
    _touch(ticket, "status", "resolved_at")
    record(
        action="tickets.ticket.status_changed",
        request=request,
        firm=ticket.firm,
        actor=actor,
        target=ticket,
        data={"from": previous, "to": status},
    )
    return ticket


def request_details_change(
    *, co_owner: CoOwner, author: User, changes: dict[str, tuple[str, str]], request: HttpRequest | None = None
) -> Ticket:
    """Name or postal address changes are not applied: the syndic gets them as an administrative request.

    `changes` maps a French field label to (current value, requested value).
    """
    if not changes:
        raise TicketError(_("Vous n'avez rien modifié."))
    lines = [
        _("Merci de mettre à jour mes coordonnées (compte %(reference)s) :")
        % {"reference": co_owner.reference_display},
        "",
    ]
    for label, (current, requested) in changes.items():
        lines.append(
            _("%(label)s : « %(current)s » → « %(requested)s »")
            % {"label": label, "current": current or "—", "requested": requested or "—"}
        )
    return open_ticket(
        co_owner=co_owner,
        author=author,
        category=TicketCategory.ADMINISTRATIVE,
        subject=_("Changement de coordonnées"),
        body="\n".join(lines),
        request=request,
    )
