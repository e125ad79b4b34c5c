"""Choices of the supplier payments app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    """built → sent → partly_executed → closed (the bank's debit seen on the statements); cancelled
    only before the file is sent."""

    BUILT = "built", _("Fichier créé, à transmettre")
    SENT = "sent", _("Transmis à la banque")
    PARTLY_EXECUTED = "partly_executed", _("Exécuté en partie")
    CLOSED = "closed", _("Exécuté, clos")
    CANCELLED = "cancelled", _("Annulé")


# Batches whose invoices are taken (not payable again) and whose debit is awaited.
ACTIVE_STATUSES = (BatchStatus.BUILT, BatchStatus.SENT, BatchStatus.PARTLY_EXECUTED)


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("En attente du débit")
    PAID = "paid", _("Débité")
    RETURNED = "returned", _("Retourné par la banque du bénéficiaire")
    CANCELLED = "cancelled", _("Annulé")


class ChequeStatus(models.TextChoices):
    ISSUED = "issued", _("Émis, non débité")
    DEBITED = "debited", _("Débité")
