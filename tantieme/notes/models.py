"""Internal notes of the syndic's staff on a co-owner (or a condominium): never shown in the portal.

Append-only: a note is never edited nor deleted; a wrong one is struck out (who, when), and stays.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager

NOTE_MAX_LENGTH = 5000


class Note(models.Model):
    """A staff note on a condominium, or on one of its co-owners when `co_owner` is set."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="notes")
    co_owner = models.ForeignKey(
        CoOwner, on_delete=models.PROTECT, null=True, blank=True, related_name="notes", verbose_name=_("copropriétaire")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(_("écrite le"), auto_now_add=True)
    struck_at = models.DateTimeField(_("barrée le"), null=True, blank=True)
    struck_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    firm_lookup: ClassVar[str] = "firm"
    objects = FirmScopedManager["Note"]()
    all_firms = models.Manager["Note"]()

    class Meta:
        verbose_name = _("note interne")
        verbose_name_plural = _("notes internes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["co_owner", "created_at"], name="note_co_owner_idx"),
            models.Index(fields=["condominium", "created_at"], name="note_condominium_idx"),
        ]
        constraints = [
            # Struck by someone at some time, or not struck at all.
            models.CheckConstraint(
                condition=Q(struck_at__isnull=True, struck_by__isnull=True)
                | Q(struck_at__isnull=False, struck_by__isnull=False),
                name="note_struck_by_and_at",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None
