"""Choices of calls for funds: schedule frequencies, call kinds, batch states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    """How often the budget provisions are called (art. 14-1: quarterly unless the AG decides)."""

    QUARTERLY = "quarterly", _("Trimestrielle")
    MONTHLY = "monthly", _("Mensuelle")
    HALF_YEARLY = "half_yearly", _("Semestrielle")

    @property
    def months(self) -> int:
        return {"quarterly": 3, "monthly": 1, "half_yearly": 6}[self.value]


class CallKind(models.TextChoices):
    BUDGET = "budget", _("Budget prévisionnel")
    WORKS = "works", _("Travaux hors budget")


class OperationState(models.TextChoices):
    OPEN = "open", _("En cours")
    CLOSED = "closed", _("Clôturée")


class BatchState(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("En erreur")
