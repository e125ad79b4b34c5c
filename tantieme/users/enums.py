from django.db import models
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    CO_OWNER = "co_owner", _("Copropriétaire")
    STAFF = "staff", _("Équipe du syndic")
    OPERATOR = "operator", _("Opérateur de la plateforme")
