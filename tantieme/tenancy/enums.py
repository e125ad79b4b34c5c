from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    FIRM_ADMIN = "admin", _("Administrateur du cabinet")
    MANAGER = "manager", _("Gestionnaire")
    ACCOUNTANT = "accountant", _("Comptable")
    ASSISTANT = "assistant", _("Assistant(e) de copropriété")
    READ_ONLY = "read_only", _("Lecture seule")


class RequestAlerts(models.TextChoices):
    """How a staff member hears of co-owners' requests of their condominiums."""

    IMMEDIATE = "immediate", _("Un e-mail à chaque nouvelle demande ou réponse")
    DIGEST = "digest", _("Un récapitulatif quotidien")
    NONE = "none", _("Aucun e-mail")
