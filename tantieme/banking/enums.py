"""Choices of the banking app: import states, line statuses and kinds, match rules."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatementFormat(models.TextChoices):
    CAMT053 = "camt053", _("CAMT.053")
    CFONB120 = "cfonb120", _("CFONB 120")
    OFX = "ofx", _("OFX")


class ImportState(models.TextChoices):
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")


class LineStatus(models.TextChoices):
    MATCHED = "matched", _("Rapprochée")
    TO_REVIEW = "to_review", _("À vérifier")
    SUSPENSE = "suspense", _("En attente (472)")
    RETURNED = "returned", _("Renvoyée")
    IGNORED = "ignored", _("Ignorée")


class LineKind(models.TextChoices):
    CO_OWNER_PAYMENT = "co_owner_payment", _("Virement d'un copropriétaire")
    UNIDENTIFIED = "unidentified", _("Crédit non identifié")
    CARD_REMITTANCE = "card_remittance", _("Remise carte")
    DEBIT = "debit", _("Débit")
    RETURN_TRANSFER = "return_transfer", _("Renvoi au payeur")
    OTHER_CREDIT = "other_credit", _("Autre crédit")
    CHEQUE_DEPOSIT = "cheque_deposit", _("Remise de chèques")


class MatchRule(models.TextChoices):
    CREDITOR_REFERENCE = "rf", _("Référence RF valide")
    REFERENCE = "reference", _("Référence copropriétaire")
    SEVERAL_REFERENCES = "several", _("Plusieurs références")
    NEAR_MISS = "near_miss", _("Référence approchante")
    KNOWN_IBAN = "iban", _("IBAN déjà connu")
    NAME = "name", _("Nom du payeur")
    CARD = "card", _("Remise carte")
    RETURN = "return", _("Renvoi au payeur")
    CHEQUE_DEPOSIT = "cheques", _("Remise de chèques enregistrée")
    MANUAL = "manual", _("Saisie manuelle")


class ReturnState(models.TextChoices):
    ORDERED = "ordered", _("Virement à émettre")
    CLEARED = "cleared", _("Débité")
