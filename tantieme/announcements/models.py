"""The syndic's announcements to the co-owners of a condominium ("Mes informations" on the home page)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import Condominium
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager


class Announcement(models.Model):
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="announcements")
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    published_at = models.DateTimeField(_("publiée le"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    send_email = models.BooleanField(_("envoyée par e-mail"), default=False)
    archived_at = models.DateTimeField(_("archivée le"), null=True, blank=True)

    objects = FirmScopedManager["Announcement"]()
    all_firms = models.Manager["Announcement"]()

    class Meta:
        verbose_name = _("annonce")
        verbose_name_plural = _("annonces")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["condominium", "-published_at"], name="announcement_condo_date")]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(models.Model):
    """A portal user opened the announcement."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("lue le"), default=timezone.now)

    firm_lookup: ClassVar[str] = "announcement__firm"
    objects = FirmScopedManager["AnnouncementRead"]()
    all_firms = models.Manager["AnnouncementRead"]()

    class Meta:
        verbose_name = _("lecture d'une annonce")
        verbose_name_plural = _("lectures des annonces")
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="announcement_read_once")]

    def __str__(self) -> str:
        return f"{self.announcement_id}/{self.user_id}"
