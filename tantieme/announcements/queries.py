"""Announcement reads: a co-owner sees the live announcements of the condominiums of their accounts."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from tantieme.announcements.models import Announcement, AnnouncementRead
from tantieme.condominiums.models import CoOwner


def announcements_for_user(user_id: int) -> QuerySet[Announcement]:
    """Published, not archived, for a condominium where the user holds an account; `is_read` annotated."""
    condominium_ids = CoOwner.objects.filter(users__id=user_id).values("condominium_id")
    return (
        Announcement.objects.filter(
            condominium_id__in=condominium_ids, archived_at__isnull=True, published_at__lte=timezone.now()
        )
        .annotate(is_read=Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user_id=user_id)))
        .order_by("-published_at", "-pk")
    )


def announcements_for_staff(condominium_ids: list[int] | None) -> QuerySet[Announcement]:
    announcements = Announcement.objects.select_related("condominium", "published_by").annotate(
        read_count=Count("reads")
    )
    if condominium_ids is not None:
        announcements = announcements.filter(condominium_id__in=condominium_ids)
    return announcements.order_by("-published_at", "-pk")
