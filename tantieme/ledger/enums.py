"""Choices of the ledger: journal kinds, line natures, fiscal-year states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JournalKind(models.TextChoices):
    CALLS = "calls", _("Appels de fonds")
    BANK = "bank", _("Banque")
    CARD = "card", _("Encaissements carte")
    PURCHASES = "purchases", _("Achats")
    MISC = "misc", _("Opérations diverses")
    DISTRIBUTION = "distribution", _("Répartition")
    OPENING = "opening", _("À-nouveaux")


class LineNature(models.TextChoices):
    """What a co-owner line is about (spec §9): groups the sub-accounts 4501–4505 for the état daté."""

    CURRENT = "current", _("Charges courantes")
    WORKS = "works", _("Travaux")
    WORKS_FUND = "works_fund", _("Fonds de travaux")
    ADVANCE = "advance", _("Avances")
    FEES = "fees", _("Frais imputables")
    INTEREST = "interest", _("Intérêts")
    REGULARISATION = "regularisation", _("Régularisation")
    OPENING = "opening", _("Reprise de solde")


class FiscalYearState(models.TextChoices):
    OPEN = "open", _("Ouvert")
    CLOSED = "closed", _("Clôturé")
