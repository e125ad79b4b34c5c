from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    FIRM_ADMIN = "admin", _("Administrateur du cabinet")
    MANAGER = "manager", _("Gestionnaire")
    ACCOUNTANT = "accountant", _("Comptable")
    ASSISTANT = "assistant", _("Assistant(e) de copropriété")
    READ_ONLY = "read_only", _("Lecture seule")
