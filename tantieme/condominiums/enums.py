from django.db import models
from django.utils.translation import gettext_lazy as _


class LotKind(models.TextChoices):
    APARTMENT = "apartment", _("Appartement")
    HOUSE = "house", _("Maison")
    CELLAR = "cellar", _("Cave")
    PARKING = "parking", _("Parking")
    GARAGE = "garage", _("Garage / box")
    SHOP = "shop", _("Commerce")
    OFFICE = "office", _("Bureau")
    STORAGE = "storage", _("Débarras / local")
    OTHER = "other", _("Autre")


class KeyKind(models.TextChoices):
    GENERAL = "general", _("Charges générales")
    SPECIAL = "special", _("Charges spéciales")


class PersonKind(models.TextChoices):
    NATURAL = "natural", _("Personne physique")
    LEGAL = "legal", _("Personne morale")


class ContactRole(models.TextChoices):
    MANAGER = "manager", _("Gestionnaire")
    ASSISTANT = "assistant", _("Assistant(e) de copropriété")
    ACCOUNTANT = "accountant", _("Comptable")
    DIRECTOR = "director", _("Direction")
    OTHER = "other", _("Autre")
