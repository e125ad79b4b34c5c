from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketCategory(models.TextChoices):
    TECHNICAL = "technical", _("Technique")
    ACCOUNTING = "accounting", _("Comptabilité")
    ADMINISTRATIVE = "administrative", _("Administratif")
    OTHER = "other", _("Autre")


class TicketStatus(models.TextChoices):
    NEW = "new", _("Nouvelle")
    IN_PROGRESS = "in_progress", _("En cours")
    RESOLVED = "resolved", _("Traitée")
