"""Demo announcements and requests for a condominium: two announcements (one read, one unread by
A6060001's login) and one request from A6060001 that the manager answered.

Run inside `firm_scope(condominium.firm)`, after the co-owners and logins are seeded. Idempotent:
a condominium that already has announcements is left alone. Files are not created (no attachment).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from tantieme.announcements.models import Announcement, AnnouncementRead
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import StaffMembership
from tantieme.tickets.enums import TicketCategory, TicketStatus
from tantieme.tickets.models import Ticket, TicketMessage
from tantieme.users.models import User

DEMO_REFERENCE = "A6060001"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _staff_author(condominium: Condominium) -> User | None:
    memberships = StaffMembership.objects.select_related("user").filter(firm=condominium.firm)
    membership = memberships.filter(role=StaffRole.MANAGER).first() or memberships.first()
    return membership.user if membership is not None else None


@transaction.atomic
def seed_conversations(condominium: Condominium, *, today: datetime.date) -> int:
    """Create the demo announcements and request; returns the number of rows created (0 when present)."""
    if Announcement.objects.filter(condominium=condominium).exists():
        return 0
    staff = _staff_author(condominium)
    co_owner = CoOwner.objects.filter(condominium=condominium, reference=DEMO_REFERENCE).first()
    reader = co_owner.users.order_by("pk").first() if co_owner is not None else None
    created = 0

    older = Announcement.objects.create(
        firm=condominium.firm,
        condominium=condominium,
        title="Assemblée générale annuelle : date retenue",
        body=(
            "L'assemblée générale ordinaire se tiendra dans six semaines, à 18 h 30, dans la salle commune.\n"
            "La convocation et les documents joints vous parviendront au moins 21 jours avant la réunion."
        ),
        published_at=_at(today - datetime.timedelta(days=20), 9),
        published_by=staff,
    )
    newer = Announcement.objects.create(
        firm=condominium.firm,
        condominium=condominium,
        title="Coupure d'eau pour travaux",
        body=(
            "Une coupure d'eau chaude et froide aura lieu la semaine prochaine, de 9 h à 12 h, "
            "pour le remplacement de la colonne montante du bâtiment A."
        ),
        published_at=_at(today - datetime.timedelta(days=2), 14),
        published_by=staff,
    )
    created += 2
    if reader is not None:
        AnnouncementRead.objects.create(
            announcement=older, user=reader, read_at=_at(today - datetime.timedelta(days=19), 20)
        )
        created += 1
    del newer  # left unread on purpose

    if co_owner is not None:
        opened = _at(today - datetime.timedelta(days=6), 10, 12)
        answered = _at(today - datetime.timedelta(days=5), 16, 40)
        ticket = Ticket.objects.create(
            firm=condominium.firm,
            condominium=condominium,
            co_owner=co_owner,
            created_by=reader,
            category=TicketCategory.TECHNICAL,
            subject="Infiltration au plafond de la salle de bains",
            status=TicketStatus.IN_PROGRESS,
            assigned_to=staff,
            created_at=opened,
            updated_at=answered,
        )
        TicketMessage.objects.create(
            ticket=ticket,
            author=reader,
            from_staff=False,
            body=(
                "Bonjour,\nune tache d'humidité s'agrandit au plafond de ma salle de bains depuis une semaine. "
                "Le voisin du dessus dit ne rien avoir remarqué.\nMerci de votre aide."
            ),
            created_at=opened,
        )
        TicketMessage.objects.create(
            ticket=ticket,
            author=staff,
            from_staff=True,
            internal=True,
            body="Vérifier la colonne d'eaux usées : même symptôme au 2e étage l'an dernier.",
            created_at=_at(today - datetime.timedelta(days=5), 9, 5),
        )
        TicketMessage.objects.create(
            ticket=ticket,
            author=staff,
            from_staff=True,
            body=(
                "Bonjour,\nnous avons missionné le plombier de la copropriété : il passera jeudi matin "
                "chez vous puis chez votre voisin du dessus. Nous revenons vers vous après son diagnostic."
            ),
            created_at=answered,
        )
        created += 4
    return created
