"""Bank statements of a condominium's account: imports, their lines, match suggestions, returns.

The pipeline (pretix banktransfer): an import job (`StatementImport`, visible state and counts)
stages each booked movement as a `StatementLine` (raw data kept, one unique key per bank entry),
the matching gives it a status and, for suggestions, `MatchSuggestion` rows with their evidence;
postings go through the ledger services. The account is the condominium's own IBAN, posted in
its bank journal (BQ1, account 512).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tantieme.banking.enums import ImportState, LineKind, LineStatus, MatchRule, ReturnState, StatementFormat
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.fields import MoneyField
from tantieme.ledger.models import Entry
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager

ZERO = Decimal("0.00")


class StatementImport(models.Model):
    """One statement file imported for a condominium: state, progress and what became of its lines."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="statement_imports")
    account_iban = models.CharField(_("IBAN du compte"), max_length=34)
    format = models.CharField(_("format"), max_length=10, choices=StatementFormat.choices)
    filename = models.CharField(_("fichier"), max_length=200, blank=True)
    file_sha256 = models.CharField(_("empreinte du fichier"), max_length=64)
    state = models.CharField(_("état"), max_length=10, choices=ImportState.choices, default=ImportState.RUNNING)
    total = models.PositiveIntegerField(_("mouvements comptabilisés"), default=0)
    progress = models.PositiveIntegerField(_("mouvements traités"), default=0)
    imported = models.PositiveIntegerField(_("importées"), default=0)
    skipped = models.PositiveIntegerField(_("déjà connues"), default=0)
    matched = models.PositiveIntegerField(_("rapprochées"), default=0)
    to_review = models.PositiveIntegerField(_("à vérifier"), default=0)
    suspense = models.PositiveIntegerField(_("en attente"), default=0)
    ignored = models.PositiveIntegerField(_("ignorées"), default=0)
    pending = models.PositiveIntegerField(_("non comptabilisées par la banque"), default=0)
    statements = models.JSONField(_("relevés"), default=list)
    opening_balance = MoneyField(_("solde initial"), null=True, blank=True)
    opening_date = models.DateField(_("date du solde initial"), null=True, blank=True)
    closing_balance = MoneyField(_("solde final"), null=True, blank=True)
    closing_date = models.DateField(_("date du solde final"), null=True, blank=True)
    warnings = models.JSONField(_("avertissements"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = FirmScopedManager["StatementImport"]()
    all_firms = models.Manager["StatementImport"]()

    class Meta:
        verbose_name = _("import de relevé")
        verbose_name_plural = _("imports de relevés")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same file is one import: a second run resumes it (crash) or says "déjà importé".
            models.UniqueConstraint(fields=["condominium", "file_sha256"], name="banking_import_file_unique"),
            # The target of the lines' composite key (see StatementLine).
            models.UniqueConstraint(fields=["id", "condominium", "firm"], name="banking_import_owner_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.filename or self.file_sha256[:12]} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.progress * 100 // self.total)


class StatementLine(models.Model):
    """A booked movement of the account, once, whatever the number of files it came in.

    On PostgreSQL, `firm`, `condominium` and `statement_import` are checked by one composite key,
    (statement_import_id, condominium_id, firm_id) -> the import's (migration 0002): a line belongs
    to its import's condominium and firm, one check per line instead of three.
    """

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    condominium = models.ForeignKey(
        Condominium, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    statement_import = models.ForeignKey(
        StatementImport, on_delete=models.PROTECT, related_name="lines", db_constraint=False
    )
    account_iban = models.CharField(_("IBAN du compte"), max_length=34)
    entry_key = models.CharField(_("clé bancaire"), max_length=120)
    # The same movement read from any format (CAMT, CFONB, OFX) gives the same fingerprint, where the
    # entry key (the bank's reference) differs; NULL for lines imported before it existed.
    fingerprint = models.CharField(_("empreinte du mouvement"), max_length=32, null=True, blank=True)
    position = models.PositiveIntegerField(_("rang dans le fichier"))
    booking_date = models.DateField(_("date d'opération"))
    value_date = models.DateField(_("date de valeur"), null=True, blank=True)
    amount = MoneyField(_("montant"), help_text=_("positif : crédit du compte ; négatif : débit"))
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    remittance = models.TextField(_("motif"), blank=True)
    structured_reference = models.CharField(_("référence structurée"), max_length=140, blank=True)
    end_to_end_id = models.CharField(_("référence de bout en bout"), max_length=140, blank=True)
    counterparty_name = models.CharField(_("tiers"), max_length=140, blank=True)
    counterparty_iban = models.CharField(_("IBAN du tiers"), max_length=34, blank=True)
    counterparty_bic = models.CharField(_("BIC du tiers"), max_length=11, blank=True)
    bank_code = models.CharField(_("code opération"), max_length=40, blank=True)
    return_reason = models.CharField(_("motif de rejet"), max_length=35, blank=True)
    raw = models.JSONField(_("données brutes"), default=dict)
    kind = models.CharField(_("nature"), max_length=20, choices=LineKind.choices)
    status = models.CharField(_("statut"), max_length=10, choices=LineStatus.choices)
    rule = models.CharField(_("règle"), max_length=10, choices=MatchRule.choices, blank=True)
    confidence = models.DecimalField(_("confiance"), max_digits=3, decimal_places=2, null=True, blank=True)
    evidence = models.CharField(_("justification"), max_length=300, blank=True)
    co_owner = models.ForeignKey(
        CoOwner, on_delete=models.PROTECT, null=True, blank=True, related_name="statement_lines"
    )
    suggested_account = models.CharField(_("compte proposé"), max_length=10, blank=True)
    entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("écriture")
    )
    resolution_entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("écriture de solde")
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    firm_lookup: ClassVar[str] = "firm"
    objects = FirmScopedManager["StatementLine"]()
    all_firms = models.Manager["StatementLine"]()

    class Meta:
        verbose_name = _("ligne de relevé")
        verbose_name_plural = _("lignes de relevé")
        ordering = ["booking_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["condominium", "account_iban", "entry_key"], name="banking_line_entry_key_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["condominium", "status", "booking_date"], name="banking_line_status"),
            # The movements of an account's days, across formats (`services._refuse_other_format_overlap`).
            # The day first: led by (condominium, account_iban), SQLite's planner took it for the entry
            # keys' lookups (`_known_keys`) instead of the unique index, and a re-import took twice as long.
            models.Index(
                fields=["booking_date", "account_iban", "condominium", "fingerprint"], name="banking_line_fingerprint"
            ),
            models.Index(
                fields=["condominium", "counterparty_iban"],
                name="banking_line_payer_iban",
                condition=Q(status="matched", co_owner__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_date:%d/%m/%Y} {self.amount} {self.label or self.remittance[:40]}"

    @property
    def is_credit(self) -> bool:
        return bool(self.amount > 0)

    @property
    def absolute_amount(self) -> Decimal:
        amount: Decimal = abs(self.amount)
        return amount

    def age_in_days(self, today: datetime.date) -> int:
        return (today - self.booking_date).days

    @property
    def text(self) -> str:
        parts = (self.structured_reference, self.remittance, self.end_to_end_id, self.label)
        return " · ".join(part for part in parts if part and part != "NOTPROVIDED")


class MatchSuggestion(models.Model):
    """A co-owner the matching thinks a credit may come from, and why; confirmed by one click."""

    line = models.ForeignKey(StatementLine, on_delete=models.CASCADE, related_name="suggestions")
    co_owner = models.ForeignKey(CoOwner, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(_("règle"), max_length=10, choices=MatchRule.choices)
    confidence = models.DecimalField(_("confiance"), max_digits=3, decimal_places=2)
    evidence = models.CharField(_("justification"), max_length=300)

    firm_lookup: ClassVar[str] = "line__firm"
    objects = FirmScopedManager["MatchSuggestion"]()
    all_firms = models.Manager["MatchSuggestion"]()

    class Meta:
        verbose_name = _("suggestion de rapprochement")
        verbose_name_plural = _("suggestions de rapprochement")
        ordering = ["line", "-confidence", "id"]
        constraints = [models.UniqueConstraint(fields=["line", "co_owner"], name="banking_suggestion_unique")]

    def __str__(self) -> str:
        return f"{self.co_owner_id} ({self.confidence})"

    @property
    def percent(self) -> int:
        return int(self.confidence * 100)


class ReturnTransfer(models.Model):
    """Money sent back to the payer of an unidentified credit: a SEPA credit transfer (pain.001) to give
    the bank; cleared when the outgoing transfer appears on a later statement."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="+")
    line = models.OneToOneField(StatementLine, on_delete=models.PROTECT, related_name="return_transfer")
    amount = MoneyField(_("montant"))
    creditor_name = models.CharField(_("bénéficiaire"), max_length=70)
    creditor_iban = models.CharField(_("IBAN du bénéficiaire"), max_length=34)
    creditor_bic = models.CharField(_("BIC du bénéficiaire"), max_length=11, blank=True)
    end_to_end_id = models.CharField(_("référence de bout en bout"), max_length=35, unique=True)
    message_id = models.CharField(_("identifiant du message"), max_length=35)
    remittance = models.CharField(_("motif"), max_length=140)
    requested_date = models.DateField(_("date d'exécution demandée"))
    document = models.TextField(_("fichier pain.001"))
    state = models.CharField(_("état"), max_length=10, choices=ReturnState.choices, default=ReturnState.ORDERED)
    cleared_by = models.OneToOneField(
        StatementLine, on_delete=models.PROTECT, null=True, blank=True, related_name="clears_return"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FirmScopedManager["ReturnTransfer"]()
    all_firms = models.Manager["ReturnTransfer"]()

    class Meta:
        verbose_name = _("renvoi au payeur")
        verbose_name_plural = _("renvois au payeur")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.end_to_end_id} {self.amount}"


class ChequeDeposit(models.Model):
    """A remise de chèques: one slip taken to the bank, several cheques, posted as one bank entry.

    The entry (Dr 512 total / Cr 450x per cheque) is posted when the slip is recorded; the bank's
    credit of the slip's total, when a statement brings it, is matched to the deposit
    (`statement_line`) instead of being posted again or left in suspense.
    """

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="cheque_deposits")
    journal = models.ForeignKey(
        "ledger.Journal", on_delete=models.PROTECT, related_name="+", verbose_name=_("compte bancaire (journal)")
    )
    deposit_date = models.DateField(_("date de remise"))
    slip_number = models.CharField(_("numéro de bordereau"), max_length=30)
    total = MoneyField(_("total"))
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="+", verbose_name=_("écriture"))
    statement_line = models.OneToOneField(
        StatementLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cheque_deposit",
        verbose_name=_("ligne du relevé"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FirmScopedManager["ChequeDeposit"]()
    all_firms = models.Manager["ChequeDeposit"]()

    class Meta:
        verbose_name = _("remise de chèques")
        verbose_name_plural = _("remises de chèques")
        ordering = ["-deposit_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["condominium", "slip_number"], name="banking_cheque_slip_unique"),
            models.CheckConstraint(condition=Q(total__gt=0), name="banking_cheque_deposit_positive"),
        ]
        indexes = [
            # The deposits still waiting for the bank's credit (the matching's directory).
            models.Index(
                fields=["condominium", "total"],
                name="banking_deposit_waiting",
                condition=Q(statement_line__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slip_number} ({self.deposit_date:%d/%m/%Y})"


class Cheque(models.Model):
    """One cheque of a slip: the co-owner it pays for, who signed it (the drawer), its bank and number."""

    deposit = models.ForeignKey(ChequeDeposit, on_delete=models.PROTECT, related_name="cheques")
    position = models.PositiveSmallIntegerField(_("rang"))
    co_owner = models.ForeignKey(CoOwner, on_delete=models.PROTECT, related_name="cheques")
    drawer_name = models.CharField(_("tireur"), max_length=140)
    bank_name = models.CharField(_("banque"), max_length=100, blank=True)
    number = models.CharField(_("numéro du chèque"), max_length=20)
    amount = MoneyField(_("montant"))

    firm_lookup: ClassVar[str] = "deposit__firm"
    objects = FirmScopedManager["Cheque"]()
    all_firms = models.Manager["Cheque"]()

    class Meta:
        verbose_name = _("chèque")
        verbose_name_plural = _("chèques")
        ordering = ["deposit", "position"]
        constraints = [
            models.UniqueConstraint(fields=["deposit", "number"], name="banking_cheque_number_unique_in_slip"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="banking_cheque_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.amount}"
