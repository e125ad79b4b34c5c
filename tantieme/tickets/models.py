"""Requests from co-owners to the syndic (demandes): a conversation with attachments and internal notes."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager
from tantieme.tickets.enums import TicketCategory, TicketStatus


class Ticket(models.Model):
    """A co-owner's request to the syndic (a "demande")."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="tickets")
    co_owner = models.ForeignKey(CoOwner, on_delete=models.PROTECT, related_name="tickets")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.CharField(_("catégorie"), max_length=20, choices=TicketCategory.choices)
    subject = models.CharField(_("objet"), max_length=200)
    status = models.CharField(_("état"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suivie par"),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("dernière activité"), default=timezone.now)
    resolved_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    objects = FirmScopedManager["Ticket"]()
    all_firms = models.Manager["Ticket"]()

    class Meta:
        verbose_name = _("demande")
        verbose_name_plural = _("demandes")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["firm", "status", "-updated_at"], name="ticket_firm_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class TicketMessage(models.Model):
    """One message of the conversation; `internal` notes are for the syndic's staff only."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_staff = models.BooleanField(_("du syndic"), default=False)
    body = models.TextField(_("message"))
    internal = models.BooleanField(_("note interne"), default=False)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    firm_lookup: ClassVar[str] = "ticket__firm"
    objects = FirmScopedManager["TicketMessage"]()
    all_firms = models.Manager["TicketMessage"]()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.pk}"


def attachment_path(instance: TicketAttachment, filename: str) -> str:
    """A random name per firm: the uploaded name is kept in `filename` only, never in the path."""
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(instance.content_type, "bin")
    return f"tickets/{instance.message.ticket.firm_id}/{uuid.uuid4().hex}.{extension}"


class TicketAttachment(models.Model):
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(max_length=64)

    firm_lookup: ClassVar[str] = "message__ticket__firm"
    objects = FirmScopedManager["TicketAttachment"]()
    all_firms = models.Manager["TicketAttachment"]()

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename
