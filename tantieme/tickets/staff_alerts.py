"""Staff are told of co-owners' requests (issue 16, item 5).

Who: the staff member the request is assigned to, and the condominium's managers — the managers
(`StaffRole.MANAGER`) whose portfolio holds the condominium; when no manager has it in an explicit
portfolio, the managers without a portfolio (they see every condominium). How: each chooses in
« Mes préférences » between an e-mail per new request or co-owner reply (default), a daily
digest (the periodic job `tickets.staff_digest`, from 7 a.m.), or nothing. The e-mail carries the
subject and a link to the back office, never the message itself (it may hold personal data).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tantieme.condominiums.models import Condominium
from tantieme.notifications.services import queue_email
from tantieme.tenancy.enums import RequestAlerts, StaffRole
from tantieme.tenancy.models import Firm, StaffMembership
from tantieme.tickets.models import Ticket, TicketMessage
from tantieme.users.models import PortfolioCondominium, User

DIGEST_FROM_HOUR = 7


def _address(user: User) -> str:
    if user.email:
        return user.email
    return user.login if "@" in user.login else ""


def _back_office_link(ticket: Ticket) -> str:
    path = reverse("backoffice:ticket_detail", args=[ticket.pk], urlconf=settings.ROOT_URLCONF)
    return f"{ticket.firm.base_url}{path}"


def managers_of(condominium: Condominium) -> list[StaffMembership]:
    """The managers who look after `condominium` (explicit portfolio first, else those who see all)."""
    managers = list(
        StaffMembership.all_firms.filter(
            firm_id=condominium.firm_id, role=StaffRole.MANAGER, user__is_active=True
        ).select_related("user")
    )
    with_portfolio = set(
        PortfolioCondominium.objects.filter(firm_id=condominium.firm_id).values_list("user_id", flat=True)
    )
    holding = set(PortfolioCondominium.objects.filter(condominium=condominium).values_list("user_id", flat=True))
    explicit = [membership for membership in managers if membership.user_id in holding]
    return explicit or [membership for membership in managers if membership.user_id not in with_portfolio]


def staff_to_alert(ticket: Ticket) -> list[StaffMembership]:
    """The condominium's managers and the assignee, once each."""
    memberships = {membership.user_id: membership for membership in managers_of(ticket.condominium)}
    if ticket.assigned_to_id and ticket.assigned_to_id not in memberships:
        assignee = (
            StaffMembership.all_firms.filter(
                user_id=ticket.assigned_to_id, firm_id=ticket.firm_id, user__is_active=True
            )
            .select_related("user")
            .first()
        )
        if assignee is not None:
            memberships[assignee.user_id] = assignee
    return list(memberships.values())


def alert_staff(ticket: Ticket, *, event: str) -> int:
    """E-mail the staff who want it now that a co-owner opened (`event="opened"`) or answered
    (`"replied"`) `ticket`; in the caller's transaction (the outbox sends after commit)."""
    sent = 0
    for membership in staff_to_alert(ticket):
        address = _address(membership.user)
        if membership.request_alerts != RequestAlerts.IMMEDIATE or not address:
            continue
        queue_email(
            firm=ticket.firm,
            to=address,
            template="ticket_staff_alert",
            language=membership.user.language or "fr",
            context={
                "event": event,
                "number": ticket.pk,
                "subject": ticket.subject,
                "condominium": ticket.condominium.name,
                "co_owner": ticket.co_owner.display_name,
                "reference": ticket.co_owner.reference_display,
                "link": _back_office_link(ticket),
            },
        )
        sent += 1
    return sent


@dataclass(frozen=True)
class DigestLine:
    number: int
    subject: str
    condominium: str
    co_owner: str
    link: str


def _visible_condominium_ids(membership: StaffMembership) -> list[int] | None:
    """The condominiums a manager looks after for the digest; None: all of the firm."""
    portfolio = list(
        PortfolioCondominium.objects.filter(user_id=membership.user_id).values_list("condominium_id", flat=True)
    )
    return portfolio or None


def digest_lines(membership: StaffMembership, since: datetime.datetime) -> list[DigestLine]:
    """Requests with a co-owner's message since `since` that `membership` is alerted of."""
    messages = TicketMessage.objects.filter(
        ticket__firm_id=membership.firm_id, from_staff=False, internal=False, created_at__gte=since
    )
    scope = Q(ticket__assigned_to_id=membership.user_id)
    if membership.role == StaffRole.MANAGER:
        condominium_ids = _visible_condominium_ids(membership)
        # (Q() | x is x: "every condominium" must not be an empty Q.)
        scope = (
            Q(pk__isnull=False) if condominium_ids is None else scope | Q(ticket__condominium_id__in=condominium_ids)
        )
    ticket_ids = set(messages.filter(scope).values_list("ticket_id", flat=True))
    tickets = Ticket.objects.filter(pk__in=ticket_ids).select_related("condominium", "co_owner", "firm").order_by("pk")
    return [
        DigestLine(
            number=ticket.pk,
            subject=ticket.subject,
            condominium=ticket.condominium.name,
            co_owner=f"{ticket.co_owner.display_name} ({ticket.co_owner.reference_display})",
            link=_back_office_link(ticket),
        )
        for ticket in tickets
    ]


def send_digests(firm: Firm, *, now: datetime.datetime | None = None) -> int:
    """Once a day from 7 a.m. (local time), one digest e-mail per staff member who chose it and has
    something in it; inside `firm`'s scope. Idempotent: a day's digest goes once."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DIGEST_FROM_HOUR:
        return 0
    start_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    due = StaffMembership.all_firms.filter(firm=firm, request_alerts=RequestAlerts.DIGEST, user__is_active=True).filter(
        Q(request_digest_sent_at__isnull=True) | Q(request_digest_sent_at__lt=start_of_day)
    )
    sent = 0
    for membership in due.select_related("user"):
        since = membership.request_digest_sent_at or now - datetime.timedelta(days=1)
        lines = digest_lines(membership, since)
        address = _address(membership.user)
        if lines and address:
            queue_email(
                firm=firm,
                to=address,
                template="ticket_staff_digest",
                language=membership.user.language or "fr",
                context={"lines": lines, "count": len(lines), "day": local.date()},
            )
            sent += 1
        membership.request_digest_sent_at = now
        membership.save(update_fields=["request_digest_sent_at"])
    return sent
