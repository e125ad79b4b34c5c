"""Documents published on the extranet, the conseil syndical's members, and each user's last visit."""

from __future__ import annotations

import datetime
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager


def document_path(instance: Document, filename: str) -> str:
    """A random name in a folder per firm and condominium: the original name is only metadata."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"documents/{instance.firm_id}/{instance.condominium_id}/{uuid.uuid4().hex}.{extension}"


class Document(models.Model):
    """A file on the extranet, for every co-owner of a condominium, its council, or one co-owner."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="documents")
    category = models.CharField(_("catégorie"), max_length=30, choices=DocumentCategory.choices)
    audience = models.CharField(_("destinataires"), max_length=20, choices=Audience.choices)
    co_owner = models.ForeignKey(
        CoOwner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("copropriétaire"),
    )
    title = models.CharField(_("titre"), max_length=200)
    document_date = models.DateField(_("date du document"))
    year = models.PositiveSmallIntegerField(_("année"))
    file = models.FileField(_("fichier"), upload_to=document_path, max_length=255)
    original_filename = models.CharField(_("nom du fichier"), max_length=150)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    published_at = models.DateTimeField(_("publié le"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FirmScopedManager["Document"]()
    all_firms = models.Manager["Document"]()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-document_date", "-published_at", "-pk"]
        indexes = [
            models.Index(fields=["condominium", "audience", "archived_at"], name="document_audience_idx"),
            models.Index(fields=["co_owner", "archived_at"], name="document_co_owner_idx"),
        ]
        constraints = [
            # One co-owner exactly for personal documents, none otherwise.
            models.CheckConstraint(
                condition=(Q(audience=Audience.CO_OWNER) & Q(co_owner__isnull=False))
                | (~Q(audience=Audience.CO_OWNER) & Q(co_owner__isnull=True)),
                name="document_co_owner_iff_personal",
            ),
            # Stored once: the same content in the same category for the same readers.
            models.UniqueConstraint(
                fields=["condominium", "audience", "category", "sha256"],
                condition=Q(co_owner__isnull=True),
                name="document_once_per_audience",
            ),
            models.UniqueConstraint(
                fields=["co_owner", "category", "sha256"],
                condition=Q(co_owner__isnull=False),
                name="document_once_per_co_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def format_label(self) -> str:
        return {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}.get(self.content_type, "")


class CouncilMembership(models.Model):
    """A co-owner's seat on the conseil syndical of their condominium, from `start_date` to
    `end_date` (inclusive; open while empty)."""

    condominium = models.ForeignKey(Condominium, on_delete=models.CASCADE, related_name="council_memberships")
    co_owner = models.ForeignKey(CoOwner, on_delete=models.CASCADE, related_name="council_memberships")
    start_date = models.DateField(_("début du mandat"))
    end_date = models.DateField(_("fin du mandat"), null=True, blank=True)

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["CouncilMembership"]()
    all_firms = models.Manager["CouncilMembership"]()

    class Meta:
        verbose_name = _("membre du conseil syndical")
        verbose_name_plural = _("membres du conseil syndical")
        ordering = ["condominium", "co_owner__reference", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="council_membership_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["co_owner"], condition=Q(end_date__isnull=True), name="one_open_council_membership"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.co_owner_id} @ {self.condominium_id}"

    def covers(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class DocumentVisit(models.Model):
    """A user's visits of "Mes documents": what was published after their previous visit is new.

    A visit starts at the first page after 30 minutes away; reloading within a visit writes nothing.
    """

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="+")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="document_visit")
    visit_started_at = models.DateTimeField()
    previous_visit_started_at = models.DateTimeField(null=True, blank=True)

    objects = FirmScopedManager["DocumentVisit"]()
    all_firms = models.Manager["DocumentVisit"]()

    class Meta:
        verbose_name = _("visite des documents")
        verbose_name_plural = _("visites des documents")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.visit_started_at:%Y-%m-%d %H:%M}"
