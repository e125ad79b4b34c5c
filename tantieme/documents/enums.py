"""Document categories (décret n° 2019-502) and audiences (who may read a document)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentCategory(models.TextChoices):
    # The nine categories every co-owner must find online (décret 2019-502, art. 1, 1°).
    RULES = "rules", _("Règlement de copropriété et état descriptif de division")
    SUMMARY_SHEET = "summary_sheet", _("Fiche synthétique")
    MAINTENANCE_LOG = "maintenance_log", _("Carnet d'entretien")
    DIAGNOSTICS = "diagnostics", _("Diagnostics techniques")
    INSURANCE = "insurance", _("Contrats d'assurance")
    CONTRACTS = "contracts", _("Contrats et marchés en cours")
    MAINTENANCE_CONTRACTS = "maintenance_contracts", _("Contrats d'entretien et de maintenance")
    MEETING_MINUTES = "meeting_minutes", _("Procès-verbaux des trois dernières assemblées générales")
    SYNDIC_CONTRACT = "syndic_contract", _("Contrat de syndic")
    # Each co-owner's own documents (art. 1, 2°).
    CALL_FOR_FUNDS = "call_for_funds", _("Appels de fonds")
    STATEMENT = "statement", _("Relevés de compte")
    REGULARISATION = "regularisation", _("Régularisations et compte individuel")
    RECEIPT = "receipt", _("Reçus de paiement")
    LETTER = "letter", _("Courriers")
    # The conseil syndical's space (art. 1, 3°).
    COUNCIL = "council", _("Conseil syndical")


class Audience(models.TextChoices):
    CONDOMINIUM = "condominium", _("Tous les copropriétaires de la copropriété")
    COUNCIL = "council", _("Membres du conseil syndical")
    CO_OWNER = "co_owner", _("Un copropriétaire")


SHARED_CATEGORIES: tuple[DocumentCategory, ...] = (
    DocumentCategory.RULES,
    DocumentCategory.SUMMARY_SHEET,
    DocumentCategory.MAINTENANCE_LOG,
    DocumentCategory.DIAGNOSTICS,
    DocumentCategory.INSURANCE,
    DocumentCategory.CONTRACTS,
    DocumentCategory.MAINTENANCE_CONTRACTS,
    DocumentCategory.MEETING_MINUTES,
    DocumentCategory.SYNDIC_CONTRACT,
)
PERSONAL_CATEGORIES: tuple[DocumentCategory, ...] = (
    DocumentCategory.CALL_FOR_FUNDS,
    DocumentCategory.STATEMENT,
    DocumentCategory.REGULARISATION,
    DocumentCategory.RECEIPT,
)


def allowed_audiences(category: str) -> tuple[Audience, ...]:
    """Who a category may be published to.

    Personal documents (calls, statements…) only ever go to one co-owner: publishing a statement
    to the whole building would disclose it. Council documents stay in the council's space. The
    décret's collective documents go to every co-owner or, as drafts, to the council only. A
    letter may go to anyone.
    """
    if category in PERSONAL_CATEGORIES:
        return (Audience.CO_OWNER,)
    if category == DocumentCategory.COUNCIL:
        return (Audience.COUNCIL,)
    if category in SHARED_CATEGORIES:
        return (Audience.CONDOMINIUM, Audience.COUNCIL)
    return (Audience.CONDOMINIUM, Audience.COUNCIL, Audience.CO_OWNER)
