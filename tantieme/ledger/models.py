"""The condominium's double-entry books: accounts, journals, fiscal years, entries, lines, lettering.

Rows are written by `tantieme.ledger.services` only. Entries and lines are append-only: on
PostgreSQL the database refuses an UPDATE or DELETE of them and an unbalanced entry at commit
(migration 0002); on every backend CHECK constraints keep each line one-sided and positive.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner
from tantieme.core.fields import MoneyField
from tantieme.ledger.enums import FiscalYearState, JournalKind, LineNature
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def cents(value: Decimal | None) -> Decimal:
    """A sum read from the database, to the cent.

    PostgreSQL sums NUMERIC exactly; SQLite sums DECIMAL columns as floating point, off by
    1e-11 or so, which rounding to the cent removes (amounts are whole cents on both).
    """
    if value is None:
        return ZERO
    total: Decimal = Decimal(value).quantize(CENT)
    return total


# The output type of sums of amounts (debit - credit) in queries.
MONEY_OUTPUT: models.DecimalField[Decimal | int | str, Decimal] = models.DecimalField(max_digits=16, decimal_places=2)


class Account(models.Model):
    """A general account of the condominium's chart (décret 2005-240), e.g. 4501 or 5128."""

    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="accounts")
    number = models.CharField(_("numéro"), max_length=10)
    label = models.CharField(_("libellé"), max_length=120)
    # 450x and 459: every line on them names a co-owner (sub-ledger = control account).
    is_co_owner_account = models.BooleanField(_("compte copropriétaire"), default=False)
    # A third party's sub-account of a collective account (a supplier's 40100003 under 401): the FEC
    # writes it as CompteNum = the collective (its first three digits), CompAuxNum = this code and
    # CompAuxLib = this label (LPF A47 A-1). Set by the app that owns the third party (expenses).
    auxiliary_code = models.CharField(_("code auxiliaire"), max_length=17, blank=True)
    auxiliary_label = models.CharField(_("libellé auxiliaire"), max_length=120, blank=True)

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["Account"]()
    all_firms = models.Manager["Account"]()

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("plan comptable")
        ordering = ["condominium", "number"]
        constraints = [
            models.UniqueConstraint(fields=["condominium", "number"], name="ledger_account_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.label}"

    @property
    def account_class(self) -> int:
        return int(self.number[0])

    @property
    def collective(self) -> str:
        """The collective account an auxiliary account subdivides (« 401 » for 40100003), else itself."""
        return self.number[:3] if self.auxiliary_code else self.number


class Journal(models.Model):
    """AF, BQ1, CB, AC, OD, RE, AN…: one per kind, one per bank account."""

    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="journals")
    code = models.CharField(_("code"), max_length=6)
    label = models.CharField(_("libellé"), max_length=60)
    kind = models.CharField(_("type"), max_length=20, choices=JournalKind.choices)
    bank_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("compte de banque")
    )

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["Journal"]()
    all_firms = models.Manager["Journal"]()

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journaux")
        ordering = ["condominium", "code"]
        constraints = [
            models.UniqueConstraint(fields=["condominium", "code"], name="ledger_journal_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class FiscalYear(models.Model):
    """An exercice: 12 months (the first up to 18), open or closed."""

    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="fiscal_years")
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("clôture"))
    state = models.CharField(_("état"), max_length=10, choices=FiscalYearState.choices, default=FiscalYearState.OPEN)
    closed_at = models.DateTimeField(_("clôturé le"), null=True, blank=True)
    # The general meeting that approved the accounts (ValidDate of the régularisation entries).
    approved_on = models.DateField(_("comptes approuvés le"), null=True, blank=True)
    # sha256 of every line of the year (and of the previous closed year's seal): check_ledger recomputes it.
    seal = models.CharField(_("empreinte"), max_length=64, blank=True)

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["FiscalYear"]()
    all_firms = models.Manager["FiscalYear"]()

    class Meta:
        verbose_name = _("exercice")
        verbose_name_plural = _("exercices")
        ordering = ["condominium", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["condominium", "start_date"], name="ledger_fiscal_year_start_unique"),
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="ledger_fiscal_year_ends_after"),
        ]

    def __str__(self) -> str:
        return f"{self.start_date:%d/%m/%Y} – {self.end_date:%d/%m/%Y}"

    @property
    def label(self) -> str:
        """The year of the closing date: entries of the year 2025 are numbered AF2025-0001."""
        return str(self.end_date.year)

    @property
    def is_open(self) -> bool:
        return self.state == FiscalYearState.OPEN

    def contains(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date


class JournalSequence(models.Model):
    """The last number given in a journal for a fiscal year; locked (FOR UPDATE) while numbering."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="sequences")
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="sequences")
    last_number = models.PositiveIntegerField(default=0)

    firm_lookup: ClassVar[str] = "journal__condominium__firm"
    objects = FirmScopedManager["JournalSequence"]()
    all_firms = models.Manager["JournalSequence"]()

    class Meta:
        verbose_name = _("numérotation")
        verbose_name_plural = _("numérotations")
        constraints = [
            models.UniqueConstraint(fields=["journal", "fiscal_year"], name="ledger_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.journal.code} {self.fiscal_year.label}: {self.last_number}"


class Entry(models.Model):
    """A posted entry (écriture): numbered, dated, balanced and immutable."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+", db_index=False)
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="entries", db_index=False)
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries", db_index=False)
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="entries")
    number = models.PositiveIntegerField(_("numéro"))
    code = models.CharField(_("numéro d'écriture"), max_length=24, help_text=_("AF2025-0001"))
    date = models.DateField(_("date d'écriture"))
    validation_date = models.DateField(_("date de validation"))
    voucher = models.CharField(_("pièce"), max_length=40, blank=True)
    voucher_date = models.DateField(_("date de la pièce"))
    label = models.CharField(_("libellé"), max_length=200)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal", verbose_name=_("contrepasse")
    )
    posted_at = models.DateTimeField(_("enregistrée le"))
    # Why the entry was posted by hand (OD, contre-passation). Inserted with the entry, like every
    # column: the row never changes afterwards. `db_default` so that any INSERT naming no `reason`
    # (a raw one, an old COPY column list) still passes.
    reason = models.TextField(_("motif"), blank=True, default="", db_default="")

    objects = FirmScopedManager["Entry"]()
    all_firms = models.Manager["Entry"]()

    class Meta:
        verbose_name = _("écriture")
        verbose_name_plural = _("écritures")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["journal", "fiscal_year", "number"], name="ledger_entry_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="ledger_entry_number_positive"),
        ]
        indexes = [models.Index(fields=["condominium", "date"], name="ledger_entry_condo_date")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Line(models.Model):
    """One leg of an entry: a debit or a credit on an account, for a co-owner on 450x/459.

    `firm`, `condominium` and `date` repeat the entry's so that balances and statements read one
    table through one index, (co_owner, date), whatever the length of the history.

    On PostgreSQL these three and `entry` carry no foreign key of their own (migration 0005): the
    key (entry_id, posted_txid) proves the entry exists and was inserted by the same transaction,
    and the entry's check at COMMIT proves the copies equal the entry's. A foreign key per column
    cost four checks per line at COMMIT for nothing more.
    """

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    condominium = models.ForeignKey(
        Condominium, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, related_name="lines", db_index=False, db_constraint=False
    )
    position = models.PositiveIntegerField(_("rang"))  # a call entry has a line per co-owner and sub-account
    date = models.DateField(_("date d'écriture"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines", db_index=False)
    co_owner = models.ForeignKey(
        CoOwner, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_lines", db_index=False
    )
    debit = MoneyField(_("débit"), default=ZERO)
    credit = MoneyField(_("crédit"), default=ZERO)
    nature = models.CharField(_("nature"), max_length=20, choices=LineNature.choices, default=LineNature.CURRENT)
    label = models.CharField(_("libellé"), max_length=200)
    # What the amount is distributed on at closing (spec §4.1): an allocation key for current
    # charges, income and provisions (601 on « CG », 701 on « ASC »), or a works operation (art.
    # 14-2) for its charges and provisions. The operation is named by string: the ledger does not
    # import `funds`, which depends on it.
    key = models.ForeignKey(
        AllocationKey,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("clé de répartition"),
    )
    operation = models.ForeignKey(
        "funds.WorksOperation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("opération de travaux"),
    )

    firm_lookup: ClassVar[str] = "firm"
    objects = FirmScopedManager["Line"]()
    all_firms = models.Manager["Line"]()

    class Meta:
        verbose_name = _("ligne d'écriture")
        verbose_name_plural = _("lignes d'écriture")
        ordering = ["entry", "position"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "position"], name="ledger_line_position_unique"),
            models.CheckConstraint(condition=Q(debit__gte=0), name="ledger_line_debit_not_negative"),
            models.CheckConstraint(condition=Q(credit__gte=0), name="ledger_line_credit_not_negative"),
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)),
                name="ledger_line_one_side_only",
            ),
        ]
        indexes = [
            # Balance and statement of a co-owner: an index range scan. On PostgreSQL migration 0002
            # rebuilds both with INCLUDE (debit, credit, firm_id) so that a balance is an index-only scan.
            models.Index(
                fields=["co_owner", "date"], name="ledger_line_co_owner_date", condition=Q(co_owner__isnull=False)
            ),
            models.Index(fields=["account", "date"], name="ledger_line_account_date"),
            # A co-owner's amounts due (calls, fees): what a payment letters, the next due amount.
            # Without it, finding them reads every payment of the account's history too.
            models.Index(
                fields=["co_owner", "date"],
                name="ledger_line_co_owner_debits",
                condition=Q(co_owner__isnull=False) & Q(debit__gt=0),
            ),
        ]

    def __str__(self) -> str:
        side = f"D {self.debit}" if self.debit else f"C {self.credit}"
        return f"{self.account_id} {side}"

    @property
    def amount(self) -> Decimal:
        """Signed: positive for a debit, negative for a credit."""
        signed: Decimal = self.debit - self.credit
        return signed


class LetteringCounter(models.Model):
    """The last lettering code given on a co-owner's account (AA, AB…); also the row locked while lettering.

    General accounts (401, 472, 5128…) have theirs in `AccountLetteringCounter`.
    """

    co_owner = models.OneToOneField(CoOwner, on_delete=models.PROTECT, related_name="+")
    last_index = models.IntegerField(default=-1)

    firm_lookup: ClassVar[str] = "co_owner__firm"
    objects = FirmScopedManager["LetteringCounter"]()
    all_firms = models.Manager["LetteringCounter"]()

    class Meta:
        verbose_name = _("compteur de lettrage")
        verbose_name_plural = _("compteurs de lettrage")

    def __str__(self) -> str:
        return f"{self.co_owner_id}: {self.last_index}"


class AccountLetteringCounter(models.Model):
    """The last lettering code given on a general account (401, 472, 5128…); the row locked while lettering it."""

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="+")
    last_index = models.IntegerField(default=-1)

    firm_lookup: ClassVar[str] = "account__condominium__firm"
    objects = FirmScopedManager["AccountLetteringCounter"]()
    all_firms = models.Manager["AccountLetteringCounter"]()

    class Meta:
        verbose_name = _("compteur de lettrage d'un compte")
        verbose_name_plural = _("compteurs de lettrage des comptes")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.last_index}"


class Lettering(models.Model):
    """A lettering code: credits matched to the debits they settle, on one account.

    Either on a co-owner's sub-account (`co_owner` set; codes AA, AB… per co-owner, across their
    sub-accounts) or on a general account such as 401 or 472 (`co_owner` empty; codes per account).
    """

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+", db_index=False)
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="+", db_index=False)
    co_owner = models.ForeignKey(
        CoOwner, on_delete=models.PROTECT, null=True, blank=True, related_name="letterings", db_index=False
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=6)
    date = models.DateField(_("date de lettrage"))
    created_at = models.DateTimeField(auto_now_add=True)

    firm_lookup: ClassVar[str] = "firm"
    objects = FirmScopedManager["Lettering"]()
    all_firms = models.Manager["Lettering"]()

    class Meta:
        verbose_name = _("lettrage")
        verbose_name_plural = _("lettrages")
        ordering = ["co_owner", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["co_owner", "code"],
                condition=Q(co_owner__isnull=False),
                name="ledger_lettering_code_unique",
            ),
            models.UniqueConstraint(
                fields=["account", "code"],
                condition=Q(co_owner__isnull=True),
                name="ledger_lettering_account_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.date:%d/%m/%Y}"


class Match(models.Model):
    """`amount` of a credit line settles `amount` of a debit line (partial matches allowed)."""

    lettering = models.ForeignKey(Lettering, on_delete=models.CASCADE, related_name="matches")
    debit_line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="debit_matches")
    credit_line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="credit_matches")
    amount = MoneyField(_("montant"))

    firm_lookup: ClassVar[str] = "lettering__firm"
    objects = FirmScopedManager["Match"]()
    all_firms = models.Manager["Match"]()

    class Meta:
        verbose_name = _("rapprochement")
        verbose_name_plural = _("rapprochements")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_match_amount_positive"),
            models.UniqueConstraint(
                fields=["lettering", "debit_line", "credit_line"], name="ledger_match_unique_in_lettering"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lettering.code} {self.amount}"


def attachment_path(instance: EntryAttachment, filename: str) -> str:
    """In the entry's folder, under a random name: the uploaded name is only metadata."""
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(instance.content_type, "bin")
    entry = instance.entry
    return f"ledger/{entry.firm_id}/{entry.condominium_id}/entries/{entry.pk}/{uuid.uuid4().hex}.{extension}"


class EntryAttachment(models.Model):
    """A voucher file (pièce justificative) of an entry; written by `services.attach_to_entry` only."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+", db_index=False)
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("fichier"), upload_to=attachment_path, max_length=255)
    original_filename = models.CharField(_("nom du fichier"), max_length=150)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("ajoutée le"), default=timezone.now)

    firm_lookup: ClassVar[str] = "firm"
    objects = FirmScopedManager["EntryAttachment"]()
    all_firms = models.Manager["EntryAttachment"]()

    class Meta:
        verbose_name = _("pièce jointe d'une écriture")
        verbose_name_plural = _("pièces jointes des écritures")
        ordering = ["entry", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_filename
