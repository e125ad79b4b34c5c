"""Announcement writes: publish (with the optional e-mail to consenting co-owners), archive, mark read."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from tantieme.announcements.models import Announcement, AnnouncementRead
from tantieme.audit.services import record
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.condominiums.queries import email_languages
from tantieme.notifications.services import queue_email
from tantieme.users.models import User


def announcement_link(announcement: Announcement) -> str:
    path = reverse("portal:announcement", args=[announcement.pk], urlconf=settings.ROOT_URLCONF)
    return f"{announcement.firm.base_url}{path}"


def _email_recipients(condominium: Condominium) -> dict[str, str]:
    """E-mail -> language of the co-owners who accepted electronic notifications and gave an address."""
    co_owners = list(
        CoOwner.objects.filter(condominium=condominium, e_notification_consent=True).exclude(email="").order_by("pk")
    )
    languages = email_languages(co_owners)
    recipients: dict[str, str] = {}
    for co_owner in co_owners:
        recipients.setdefault(co_owner.email.strip().lower(), languages[co_owner.pk])
    return dict(sorted(recipients.items()))


@transaction.atomic
def publish_announcement(
    *,
    condominium: Condominium,
    title: str,
    body: str,
    send_email: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> Announcement:
    announcement = Announcement.objects.create(
        firm=condominium.firm,
        condominium=condominium,
        title=title.strip(),
        body=body.strip(),
        published_at=timezone.now(),
        published_by=actor,
        send_email=send_email,
    )
    recipients = _email_recipients(condominium) if send_email else {}
    for email, language in recipients.items():
        queue_email(
            firm=condominium.firm,
            to=email,
            template="announcement",
            language=language,
            context={
                "title": announcement.title,
                "condominium": condominium.name,
                "link": announcement_link(announcement),
            },
        )
    record(
        action="announcements.announcement.published",
        request=request,
        firm=condominium.firm,
        actor=actor,
        target=announcement,
        data={"condominium_id": condominium.pk, "emails": len(recipients)},
    )
    return announcement


@transaction.atomic
def archive_announcement(*, announcement: Announcement, actor: User, request: HttpRequest | None = None) -> None:
    """Hidden from the co-owners from now on; kept for the record."""
    if announcement.archived_at is not None:
        return
    announcement.archived_at = timezone.now()
    announcement.save(update_fields=["archived_at"])
    record(
        action="announcements.announcement.archived",
        request=request,
        firm=announcement.firm,
        actor=actor,
        target=announcement,
    )


def mark_announcement_read(*, announcement: Announcement, user: User) -> None:
    """Record the first opening; later openings change nothing (one INSERT that ignores the duplicate).

    No audit record: reading is not an action on the account.
    """
    AnnouncementRead.objects.bulk_create(
        [AnnouncementRead(announcement=announcement, user=user, read_at=timezone.now())], ignore_conflicts=True
    )
