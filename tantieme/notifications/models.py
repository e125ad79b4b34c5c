"""The outbox: every e-mail is a row written in the business transaction, sent after commit by a task."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class OutboundMessage(models.Model):
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="outbound_messages")
    template = models.CharField(_("modèle"), max_length=60)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    recipient = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=250)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    # Links with a token: the body is blanked once sent, outside development (LOG-02).
    sensitive = models.BooleanField(default=False)
    status = models.CharField(_("état"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)

    objects = FirmScopedManager["OutboundMessage"]()
    all_firms = models.Manager["OutboundMessage"]()

    class Meta:
        verbose_name = _("courriel sortant")
        verbose_name_plural = _("courriels sortants")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbound_status_created")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
