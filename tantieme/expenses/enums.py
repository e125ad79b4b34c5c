"""Choices of the expenses app: suppliers, bank details, contracts, invoices, approvals."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SupplierKind(models.TextChoices):
    COMPANY = "company", _("Société")
    SOLE_TRADER = "sole_trader", _("Entrepreneur individuel")
    PUBLIC_BODY = "public_body", _("Organisme public")
    INSURER = "insurer", _("Assureur")
    ENERGY = "energy", _("Fournisseur d'énergie")
    INDIVIDUAL = "individual", _("Particulier")


class SupplierCategory(models.TextChoices):
    CLEANING = "cleaning", _("Nettoyage")
    LIFT = "lift", _("Ascenseur")
    INSURANCE = "insurance", _("Assurance")
    ENERGY = "energy", _("Énergie et fluides")
    HEATING = "heating", _("Chauffage")
    MAINTENANCE = "maintenance", _("Entretien et réparations")
    WORKS = "works", _("Travaux")
    GREEN_SPACES = "green_spaces", _("Espaces verts")
    SAFETY = "safety", _("Sécurité incendie, contrôle d'accès")
    PEST_CONTROL = "pest_control", _("Hygiène, dératisation")
    SYNDIC = "syndic", _("Syndic")
    STUDIES = "studies", _("Études, diagnostics, honoraires")
    OTHER = "other", _("Autre")


class VatRegime(models.TextChoices):
    NORMAL = "normal", _("TVA collectée")
    FRANCHISE = "franchise_293B", _("Franchise en base (art. 293 B du CGI)")
    EXEMPT = "exempt", _("Exonéré (assurances…)")


class PaymentMeans(models.TextChoices):
    TRANSFER = "transfer", _("Virement SEPA")
    DIRECT_DEBIT = "direct_debit", _("Prélèvement SEPA")
    CHEQUE = "cheque", _("Chèque")
    CARD = "card", _("Carte")


class BankAccountStatus(models.TextChoices):
    PENDING = "pending_verification", _("À vérifier")
    VERIFIED = "verified", _("Vérifié")
    REVOKED = "revoked", _("Révoqué")


class ContractKind(models.TextChoices):
    INSURANCE = "insurance", _("Assurance")
    CLEANING = "cleaning", _("Nettoyage")
    LIFT_MAINTENANCE = "lift_maintenance", _("Maintenance ascenseur")
    HEATING = "heating", _("Chauffage")
    ENERGY_SUPPLY = "energy_supply", _("Fourniture d'énergie")
    WATER = "water", _("Eau")
    GREEN_SPACES = "green_spaces", _("Espaces verts")
    PEST_CONTROL = "pest_control", _("Dératisation, désinsectisation")
    FIRE_SAFETY = "fire_safety", _("Sécurité incendie")
    DOOR_ENTRY = "door_entry", _("Contrôle d'accès, interphone")
    SYNDIC = "syndic", _("Contrat de syndic")
    STAFF = "staff", _("Contrat de travail du personnel")
    OTHER = "other", _("Autre")


# Maintenance contracts of common equipment (décret 2019-502: « contrats d'entretien et de maintenance »).
MAINTENANCE_KINDS = frozenset(
    {
        ContractKind.CLEANING,
        ContractKind.LIFT_MAINTENANCE,
        ContractKind.HEATING,
        ContractKind.GREEN_SPACES,
        ContractKind.PEST_CONTROL,
        ContractKind.FIRE_SAFETY,
        ContractKind.DOOR_ENTRY,
    }
)


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    ACTIVE = "active", _("En cours")
    TERMINATED = "terminated", _("Résilié")
    EXPIRED = "expired", _("Échu")


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Facture")
    CREDIT_NOTE = "credit_note", _("Avoir")


class InvoiceStatus(models.TextChoices):
    """draft → validated (posted in AC) → approved (bon à payer) → partly_paid → paid; cancelled
    only before validation. Under the condominium's threshold validation approves at once."""

    DRAFT = "draft", _("Brouillon")
    VALIDATED = "validated", _("Validée, à approuver")
    APPROVED = "approved", _("Bon à payer")
    PARTLY_PAID = "partly_paid", _("Payée en partie")
    PAID = "paid", _("Payée")
    CANCELLED = "cancelled", _("Annulée")


# Statuses a payment batch may pick an invoice from (with no payment_block).
PAYABLE_STATUSES = (InvoiceStatus.APPROVED, InvoiceStatus.PARTLY_PAID)


class PaymentBlock(models.TextChoices):
    NONE = "", _("Aucun")
    DISPUTE = "dispute", _("Litige")
    IBAN_MISMATCH = "iban_mismatch", _("IBAN de la facture différent de l'IBAN vérifié")
    AWAITING_COUNCIL = "awaiting_council", _("En attente du visa du conseil syndical")
    RETENTION = "retention", _("Retenue de garantie")


class ApprovalStep(models.TextChoices):
    VALIDATED = "validated", _("Validée et comptabilisée")
    APPROVED = "approved", _("Bon à payer")
    REJECTED = "rejected", _("Approbation refusée")
    COUNCIL_VISA = "council_visa", _("Visa du conseil syndical")
    BLOCKED = "blocked", _("Paiement bloqué")
    UNBLOCKED = "unblocked", _("Paiement débloqué")
    CANCELLED = "cancelled", _("Annulée")
