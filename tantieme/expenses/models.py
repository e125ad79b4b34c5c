"""Suppliers, their bank details and per-condominium accounts, contracts, invoices and their approval.

Rows are written by `tantieme.expenses.services` only. Amounts are TTC (a syndicate does not
recover VAT); HT and VAT are kept as information. Invoice and line amounts are positive: an
invoice's `kind` says which way it is posted (a credit note debits 401 and credits the charge).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner
from tantieme.core.fields import MoneyField
from tantieme.documents.models import Document
from tantieme.expenses.enums import (
    PAYABLE_STATUSES,
    ApprovalStep,
    BankAccountStatus,
    ContractKind,
    ContractStatus,
    InvoiceKind,
    InvoiceStatus,
    PaymentBlock,
    PaymentMeans,
    SupplierCategory,
    SupplierKind,
    VatRegime,
)
from tantieme.funds.models import BudgetLine, WorksOperation
from tantieme.ledger.models import Account, Entry, FiscalYear
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager

ZERO = Decimal("0.00")


class Supplier(models.Model):
    """A supplier of the firm's directory, used by any of its condominiums (each keeps its own 401)."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=8, help_text=_("FRN00002… (FRN00001 : le syndic)"))
    legal_name = models.CharField(_("raison sociale"), max_length=140)
    trade_name = models.CharField(_("enseigne"), max_length=140, blank=True)
    kind = models.CharField(_("forme"), max_length=20, choices=SupplierKind.choices, default=SupplierKind.COMPANY)
    category = models.CharField(
        _("catégorie"), max_length=20, choices=SupplierCategory.choices, default=SupplierCategory.OTHER
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    vat_number = models.CharField(_("n° de TVA intracommunautaire"), max_length=14, blank=True)
    vat_regime = models.CharField(
        _("régime de TVA"), max_length=20, choices=VatRegime.choices, default=VatRegime.NORMAL
    )
    # Structured address: SEPA transfers need town and country (EPC, from November 2026).
    street = models.CharField(_("voie"), max_length=140, blank=True)
    building_number = models.CharField(_("numéro"), max_length=16, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=16, blank=True)
    town = models.CharField(_("ville"), max_length=35, blank=True)
    country = models.CharField(_("pays"), max_length=2, default="FR")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(_("délai de paiement (jours)"), default=30)
    payment_means = models.CharField(
        _("moyen de paiement"), max_length=20, choices=PaymentMeans.choices, default=PaymentMeans.TRANSFER
    )
    # Décret 1967 art. 39: a contract with a firm linked to the syndic needs an AG authorisation.
    linked_to_syndic = models.BooleanField(_("lié au syndic"), default=False)
    is_syndic = models.BooleanField(_("le syndic lui-même"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FirmScopedManager["Supplier"]()
    all_firms = models.Manager["Supplier"]()

    class Meta:
        verbose_name = _("fournisseur")
        verbose_name_plural = _("fournisseurs")
        ordering = ["firm", "code"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "code"], name="expenses_supplier_code_unique"),
        ]
        indexes = [
            models.Index(fields=["firm", "siren"], name="expenses_supplier_siren"),
            models.Index(fields=["firm", "siret"], name="expenses_supplier_siret"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.trade_name or self.legal_name


class SupplierContact(models.Model):
    """A person to call at the supplier (agency, technician, accounts department)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("nom"), max_length=140)
    role = models.CharField(_("fonction"), max_length=80, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    firm_lookup: ClassVar[str] = "supplier__firm"
    objects = FirmScopedManager["SupplierContact"]()
    all_firms = models.Manager["SupplierContact"]()

    class Meta:
        verbose_name = _("contact fournisseur")
        verbose_name_plural = _("contacts fournisseur")
        ordering = ["supplier", "name"]

    def __str__(self) -> str:
        return self.name


class SupplierBankAccount(models.Model):
    """One IBAN of a supplier. Never edited in place (spec §2.3): a change is a new row, pending
    until a user other than its creator verifies it out of band; the old one is revoked."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="bank_accounts")
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    holder_name = models.CharField(_("titulaire du compte"), max_length=70)
    status = models.CharField(
        _("état"), max_length=24, choices=BankAccountStatus.choices, default=BankAccountStatus.PENDING
    )
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evidence = models.TextField(_("preuve de la vérification"), blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    firm_lookup: ClassVar[str] = "supplier__firm"
    objects = FirmScopedManager["SupplierBankAccount"]()
    all_firms = models.Manager["SupplierBankAccount"]()

    class Meta:
        verbose_name = _("coordonnées bancaires fournisseur")
        verbose_name_plural = _("coordonnées bancaires fournisseurs")
        ordering = ["supplier", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier"], condition=Q(status="verified"), name="expenses_one_verified_iban"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.iban} ({self.get_status_display()})"


class SupplierAccount(models.Model):
    """A supplier in one condominium's books: its auxiliary account 401 + code (« 40100003 »)."""

    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="condominium_accounts")
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("compte 401"))
    default_account = models.CharField(_("compte de charge par défaut"), max_length=10, blank=True)
    default_key = models.ForeignKey(
        AllocationKey, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("clé")
    )

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["SupplierAccount"]()
    all_firms = models.Manager["SupplierAccount"]()

    class Meta:
        verbose_name = _("compte fournisseur")
        verbose_name_plural = _("comptes fournisseurs")
        constraints = [
            models.UniqueConstraint(fields=["condominium", "supplier"], name="expenses_supplier_account_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}"


class ExpenseSettings(models.Model):
    """A condominium's rules for its invoices (absent: the defaults of the field declarations)."""

    condominium = models.OneToOneField(Condominium, on_delete=models.CASCADE, related_name="+")
    # An invoice whose TTC is above it waits for a manager's « bon à payer »; 0: every invoice.
    approval_threshold = MoneyField(_("seuil d'approbation (TTC)"), default=ZERO)
    council_visa_required = models.BooleanField(_("visa du conseil syndical avant paiement"), default=False)
    invoices_visible_to_co_owners = models.BooleanField(
        _("factures visibles de tous les copropriétaires"), default=False
    )
    # Invoices of year N booked up to this many days after its end still go to N (spec §4.6).
    cutoff_days = models.PositiveSmallIntegerField(_("délai d'arrêté des comptes (jours)"), default=20)
    council_consultation_threshold = MoneyField(_("seuil de consultation du conseil (art. 21)"), null=True, blank=True)
    competition_threshold = MoneyField(_("seuil de mise en concurrence (art. 21)"), null=True, blank=True)

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["ExpenseSettings"]()
    all_firms = models.Manager["ExpenseSettings"]()

    class Meta:
        verbose_name = _("paramètres des dépenses")
        verbose_name_plural = _("paramètres des dépenses")

    def __str__(self) -> str:
        return f"{self.condominium_id}"


def contract_path(instance: Contract, filename: str) -> str:
    return f"expenses/{instance.condominium.firm_id}/{instance.condominium_id}/contracts/{uuid.uuid4().hex}.pdf"


class Contract(models.Model):
    """A contract signed for the condominium; active ones are published on the extranet (décret 2019-502)."""

    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    kind = models.CharField(_("catégorie"), max_length=20, choices=ContractKind.choices)
    title = models.CharField(_("objet"), max_length=200)
    reference = models.CharField(_("référence"), max_length=60, blank=True)
    signed_on = models.DateField(_("signé le"), null=True, blank=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("échéance"), null=True, blank=True)
    tacit_renewal = models.BooleanField(_("reconduction tacite"), default=False)
    renewal_months = models.PositiveSmallIntegerField(_("durée de reconduction (mois)"), default=12)
    notice_days = models.PositiveSmallIntegerField(_("préavis de résiliation (jours)"), default=90)
    yearly_amount = MoneyField(_("montant annuel TTC"), null=True, blank=True)
    status = models.CharField(_("état"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    publish_extranet = models.BooleanField(_("publier sur l'extranet"), default=True)
    file = models.FileField(_("contrat signé"), upload_to=contract_path, max_length=255, blank=True)
    original_filename = models.CharField(_("nom du fichier"), max_length=150, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("publication")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["Contract"]()
    all_firms = models.Manager["Contract"]()

    class Meta:
        verbose_name = _("contrat")
        verbose_name_plural = _("contrats")
        ordering = ["condominium", "kind", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=models.F("start_date")),
                name="expenses_contract_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["condominium", "status", "end_date"], name="expenses_contract_due")]

    def __str__(self) -> str:
        return self.title


class ContractListing(models.Model):
    """The generated PDF listing a condominium's contracts of one extranet category, as published."""

    condominium = models.ForeignKey(Condominium, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("catégorie"), max_length=30)
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["ContractListing"]()
    all_firms = models.Manager["ContractListing"]()

    class Meta:
        verbose_name = _("liste des contrats publiée")
        verbose_name_plural = _("listes des contrats publiées")
        constraints = [
            models.UniqueConstraint(fields=["condominium", "category"], name="expenses_contract_listing_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.condominium_id} {self.category}"


def invoice_path(instance: Invoice, filename: str) -> str:
    """A random name in a folder per firm and condominium: the uploaded name is only metadata."""
    return f"expenses/{instance.firm_id}/{instance.condominium_id}/invoices/{uuid.uuid4().hex}.pdf"


class Invoice(models.Model):
    """A supplier invoice or credit note of a condominium.

    For payments: pay `status in PAYABLE_STATUSES` and `payment_block == ""`; what is left to pay
    is `queries.amounts_due()` (total less what the lettering of its 401 line settled).
    """

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(_("type"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    number = models.CharField(_("numéro de facture"), max_length=40)
    issue_date = models.DateField(_("date de facture"))
    due_date = models.DateField(_("échéance"))
    received_on = models.DateField(_("reçue le"), null=True, blank=True)
    service_date = models.DateField(_("date de la prestation"), null=True, blank=True)
    # The entry date in AC: the invoice date, or a day of the current year for an invoice of a
    # past year received after its cut-off (« exercice antérieur », spec §4.6).
    booking_date = models.DateField(_("date de comptabilisation"), null=True, blank=True)
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    total_ht = MoneyField(_("total HT"), null=True, blank=True)
    total_vat = MoneyField(_("total TVA"), null=True, blank=True)
    total_ttc = MoneyField(_("total TTC"))
    status = models.CharField(_("état"), max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    payment_block = models.CharField(
        _("blocage du paiement"), max_length=20, choices=PaymentBlock.choices, blank=True, default=""
    )
    payment_means = models.CharField(
        _("moyen de paiement"), max_length=20, choices=PaymentMeans.choices, default=PaymentMeans.TRANSFER
    )
    payee_iban = models.CharField(_("IBAN indiqué sur la facture"), max_length=34, blank=True)
    remittance = models.CharField(_("référence de paiement"), max_length=140, blank=True)
    preceding_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("facture d'origine"),
    )
    ag_resolution = models.CharField(_("résolution d'AG (art. 39)"), max_length=200, blank=True)
    entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("écriture")
    )
    internal_number = models.CharField(_("n° interne"), max_length=24, blank=True)
    file = models.FileField(_("facture (PDF)"), upload_to=invoice_path, max_length=255, blank=True)
    original_filename = models.CharField(_("nom du fichier"), max_length=150, blank=True)
    size = models.PositiveBigIntegerField(_("taille"), default=0)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    einvoice = models.BooleanField(_("facture électronique (Factur-X)"), default=False)
    einvoice_xml = models.TextField(_("XML CII"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("bon à payer le"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FirmScopedManager["Invoice"]()
    all_firms = models.Manager["Invoice"]()

    class Meta:
        verbose_name = _("facture fournisseur")
        verbose_name_plural = _("factures fournisseurs")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(total_ttc__gt=0), name="expenses_invoice_total_positive"),
            # Spec invariant 3: one document per (condominium, supplier, number, type), drafts included.
            models.UniqueConstraint(
                fields=["condominium", "supplier", "kind", "number"],
                condition=~Q(status="cancelled"),
                name="expenses_invoice_number_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["condominium", "status", "due_date"], name="expenses_invoice_due"),
            models.Index(fields=["condominium", "issue_date"], name="expenses_invoice_date"),
            models.Index(fields=["supplier", "total_ttc", "issue_date"], name="expenses_invoice_same_amount"),
            # The back office's list, newest first: the page's 25 rows read in index order (with
            # years of invoices in a firm, no sort of all of them).
            models.Index(fields=["firm", "-issue_date", "id"], name="expenses_invoice_list"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.total_ttc} €)"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def signed_total(self) -> Decimal:
        """TTC with the sign of the charge: negative for a credit note."""
        total: Decimal = -self.total_ttc if self.is_credit_note else self.total_ttc
        return total

    @property
    def is_payable(self) -> bool:
        return self.status in PAYABLE_STATUSES and not self.payment_block and not self.is_credit_note


class InvoiceLine(models.Model):
    """One allocation of an invoice: a charge account and a key (current charges, 60–66), or a works
    operation (67x, art. 14-2). Σ amounts = the invoice's TTC to the cent."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("rang"))
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    account = models.CharField(_("compte de charge"), max_length=10)
    key = models.ForeignKey(
        AllocationKey, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("clé")
    )
    operation = models.ForeignKey(
        WorksOperation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opération de travaux"),
    )
    budget_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ligne de budget"),
    )
    amount = MoneyField(_("montant TTC"))
    net_amount = MoneyField(_("montant HT"), null=True, blank=True)
    vat_rate = models.DecimalField(_("taux de TVA"), max_digits=5, decimal_places=2, null=True, blank=True)
    recoverable_pct = models.PositiveSmallIntegerField(_("part récupérable (%)"), default=0)

    firm_lookup: ClassVar[str] = "invoice__firm"
    objects = FirmScopedManager["InvoiceLine"]()
    all_firms = models.Manager["InvoiceLine"]()

    class Meta:
        verbose_name = _("ligne de facture")
        verbose_name_plural = _("lignes de facture")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="expenses_invoice_line_position"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="expenses_invoice_line_positive"),
            models.CheckConstraint(
                condition=(Q(key__isnull=False) & Q(operation__isnull=True))
                | (Q(key__isnull=True) & Q(operation__isnull=False)),
                name="expenses_invoice_line_key_xor_operation",
            ),
            models.CheckConstraint(condition=Q(recoverable_pct__lte=100), name="expenses_invoice_line_recoverable_pct"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"


class InvoiceEvent(models.Model):
    """One step of an invoice's life (validation, approval, council visa, block…): the audit trail
    shown to staff and to the council. A council visa names the co-owner who gave it."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(_("étape"), max_length=20, choices=ApprovalStep.choices)
    at = models.DateTimeField(_("le"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    co_owner = models.ForeignKey(CoOwner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    comment = models.TextField(_("commentaire"), blank=True)

    firm_lookup: ClassVar[str] = "invoice__firm"
    objects = FirmScopedManager["InvoiceEvent"]()
    all_firms = models.Manager["InvoiceEvent"]()

    class Meta:
        verbose_name = _("étape d'une facture")
        verbose_name_plural = _("étapes des factures")
        ordering = ["invoice", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.step}"


class Accrual(models.Model):
    """A charge of year N not invoiced by its cut-off (charges à payer, spec §4.6): OD Dr 6xx /
    Cr 408·supplier on the last day of N, reversed on the first day of N+1."""

    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="accruals")
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    account = models.CharField(_("compte de charge"), max_length=10)
    key = models.ForeignKey(AllocationKey, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    operation = models.ForeignKey(WorksOperation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount = MoneyField(_("montant estimé TTC"))
    label = models.CharField(_("libellé"), max_length=200)
    justification = models.CharField(_("justificatif"), max_length=200, help_text=_("devis, contrat, relevé…"))
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="+")
    reversal = models.OneToOneField(Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["Accrual"]()
    all_firms = models.Manager["Accrual"]()

    class Meta:
        verbose_name = _("facture non parvenue")
        verbose_name_plural = _("factures non parvenues")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expenses_accrual_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.amount}"


class InvoiceImport(models.Model):
    """A file given to `import_invoices`: its hash makes re-importing it a no-op."""

    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    filename = models.CharField(_("fichier"), max_length=255)
    invoice_count = models.PositiveIntegerField(_("factures"), default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["InvoiceImport"]()
    all_firms = models.Manager["InvoiceImport"]()

    class Meta:
        verbose_name = _("import de factures")
        verbose_name_plural = _("imports de factures")
        constraints = [
            models.UniqueConstraint(fields=["condominium", "sha256"], name="expenses_invoice_import_once"),
        ]

    def __str__(self) -> str:
        return self.filename
