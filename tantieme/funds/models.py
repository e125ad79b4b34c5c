"""Budgets, works operations, calls for funds, their per co-owner notices and the batches that issue them.

A `Call` is one instalment of a budget (or of a works operation) for one due date: its ledger entry
in journal AF, one `CallNotice` per co-owner who owns a lot on the due date (amounts, previous
balance, the PDF published in "Mes documents") and one `CallLine` per lot and key. Unique
constraints make issuing idempotent: (budget, number), (operation, number), (call, co-owner).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner, Lot
from tantieme.core.fields import MoneyField
from tantieme.documents.models import Document
from tantieme.funds.enums import BatchState, CallKind, Frequency, OperationState
from tantieme.ledger.models import Entry
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager

ZERO = Decimal("0.00")


class Budget(models.Model):
    """The budget prévisionnel of one fiscal year (art. 14-1), per key and account, and its works fund."""

    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="budgets")
    start_date = models.DateField(_("début de l'exercice"))
    end_date = models.DateField(_("fin de l'exercice"))
    general_meeting_date = models.DateField(_("date de l'assemblée générale"), null=True, blank=True)
    frequency = models.CharField(
        _("périodicité des appels"), max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    is_provisional = models.BooleanField(
        _("provisoire"),
        default=False,
        help_text=_("Appels sur la base du budget précédent, le nouveau n'étant pas encore voté (art. 14-1)."),
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("budget de référence")
    )
    works_fund_amount = MoneyField(_("fonds de travaux (montant annuel)"), default=ZERO)
    works_plan_amount = MoneyField(
        _("travaux du plan pluriannuel adopté"),
        null=True,
        blank=True,
        help_text=_("Montant total des travaux du PPT adopté par l'AG, s'il y en a un."),
    )
    works_fund_reason = models.TextField(_("motif d'un fonds de travaux inférieur au minimum"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["Budget"]()
    all_firms = models.Manager["Budget"]()

    class Meta:
        verbose_name = _("budget prévisionnel")
        verbose_name_plural = _("budgets prévisionnels")
        ordering = ["condominium", "-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["condominium", "start_date"], name="funds_budget_one_per_year"),
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="funds_budget_dates"),
            models.CheckConstraint(condition=Q(works_fund_amount__gte=0), name="funds_budget_fund_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Budget {self.label}"

    @property
    def label(self) -> str:
        """Like the ledger's fiscal years: the year of the closing date ("2026")."""
        return str(self.end_date.year)

    @property
    def calls_per_year(self) -> int:
        return 12 // Frequency(self.frequency).months

    def due_dates(self) -> list[datetime.date]:
        from tantieme.funds.computation import schedule

        return schedule(self.start_date, Frequency(self.frequency).months, self.calls_per_year)


class BudgetLine(models.Model):
    """One amount of the budget: a key and an account of class 6 (616 insurance, 6211 syndic…)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    key = models.ForeignKey(AllocationKey, on_delete=models.PROTECT, related_name="+", verbose_name=_("clé"))
    account = models.CharField(_("compte"), max_length=10)
    label = models.CharField(_("libellé"), max_length=150, blank=True)
    amount = MoneyField(_("montant"))

    firm_lookup: ClassVar[str] = "budget__condominium__firm"
    objects = FirmScopedManager["BudgetLine"]()
    all_firms = models.Manager["BudgetLine"]()

    class Meta:
        verbose_name = _("ligne de budget")
        verbose_name_plural = _("lignes de budget")
        ordering = ["budget", "key__code", "account"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "key", "account"], name="funds_budget_line_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funds_budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.label}: {self.amount}"


class WorksOperation(models.Model):
    """Works outside the budget (art. 14-2 I): own budget, keys and schedule of calls, posted 4502/102."""

    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="works_operations")
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("objet des travaux"), max_length=200)
    general_meeting_date = models.DateField(_("date de l'assemblée générale"))
    state = models.CharField(_("état"), max_length=10, choices=OperationState.choices, default=OperationState.OPEN)
    # The works are received (réception des travaux): at the next approval its provisions are used
    # (Dr 102 / Cr 702) and it moves from annex 5 to annex 4.
    closed_on = models.DateField(_("clôturée le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["WorksOperation"]()
    all_firms = models.Manager["WorksOperation"]()

    class Meta:
        verbose_name = _("opération de travaux")
        verbose_name_plural = _("opérations de travaux")
        ordering = ["condominium", "-general_meeting_date", "code"]
        constraints = [models.UniqueConstraint(fields=["condominium", "code"], name="funds_operation_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class WorksLine(models.Model):
    """The amount of an operation charged on a key (671 works decided by the AG, 673 studies…)."""

    operation = models.ForeignKey(WorksOperation, on_delete=models.CASCADE, related_name="lines")
    key = models.ForeignKey(AllocationKey, on_delete=models.PROTECT, related_name="+", verbose_name=_("clé"))
    account = models.CharField(_("compte"), max_length=10, default="671")
    label = models.CharField(_("libellé"), max_length=150, blank=True)
    amount = MoneyField(_("montant"))

    firm_lookup: ClassVar[str] = "operation__condominium__firm"
    objects = FirmScopedManager["WorksLine"]()
    all_firms = models.Manager["WorksLine"]()

    class Meta:
        verbose_name = _("ligne de travaux")
        verbose_name_plural = _("lignes de travaux")
        ordering = ["operation", "key__code", "account"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "key", "account"], name="funds_works_line_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_works_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.label}: {self.amount}"


class WorksInstalment(models.Model):
    """One call of an operation: its due date and its weight (fraction = weight / Σ weights)."""

    operation = models.ForeignKey(WorksOperation, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("numéro"))
    due_date = models.DateField(_("date d'exigibilité"))
    weight = models.PositiveIntegerField(_("part"), help_text=_("Par exemple 30, 30 et 40 pour 30 %, 30 % et 40 %."))

    firm_lookup: ClassVar[str] = "operation__condominium__firm"
    objects = FirmScopedManager["WorksInstalment"]()
    all_firms = models.Manager["WorksInstalment"]()

    class Meta:
        verbose_name = _("échéance de travaux")
        verbose_name_plural = _("échéances de travaux")
        ordering = ["operation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "number"], name="funds_instalment_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="funds_instalment_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.operation.code} {self.number}: {self.due_date:%d/%m/%Y}"


class Call(models.Model):
    """One call for funds (an instalment of a budget or an operation), posted as one AF entry."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="calls")
    kind = models.CharField(_("nature"), max_length=10, choices=CallKind.choices)
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, null=True, blank=True, related_name="calls")
    operation = models.ForeignKey(WorksOperation, on_delete=models.PROTECT, null=True, blank=True, related_name="calls")
    number = models.PositiveSmallIntegerField(_("numéro"))
    period = models.CharField(_("période"), max_length=10, help_text=_("2026-Q2, 2026-04, 2026-S1"))
    due_date = models.DateField(_("date d'exigibilité"))
    label = models.CharField(_("libellé"), max_length=200)
    is_provisional = models.BooleanField(_("sur le budget précédent"), default=False)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="+")
    total_current = MoneyField(_("provisions (701 / 102)"), default=ZERO)
    total_works_fund = MoneyField(_("fonds de travaux (105)"), default=ZERO)
    key_totals = models.JSONField(_("totaux par clé"), default=dict)
    co_owner_count = models.PositiveIntegerField(_("copropriétaires"), default=0)
    issued_at = models.DateTimeField(_("émis le"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FirmScopedManager["Call"]()
    all_firms = models.Manager["Call"]()

    class Meta:
        verbose_name = _("appel de fonds")
        verbose_name_plural = _("appels de fonds")
        ordering = ["condominium", "-due_date", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "number"], condition=Q(budget__isnull=False), name="funds_call_once_per_budget"
            ),
            models.UniqueConstraint(
                fields=["budget", "period"], condition=Q(budget__isnull=False), name="funds_call_budget_period"
            ),
            models.UniqueConstraint(
                fields=["operation", "number"],
                condition=Q(operation__isnull=False),
                name="funds_call_once_per_operation",
            ),
            models.CheckConstraint(
                condition=(Q(kind=CallKind.BUDGET) & Q(budget__isnull=False) & Q(operation__isnull=True))
                | (Q(kind=CallKind.WORKS) & Q(operation__isnull=False) & Q(budget__isnull=True)),
                name="funds_call_source",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def total(self) -> Decimal:
        return Decimal(self.total_current) + Decimal(self.total_works_fund)


class CallNotice(models.Model):
    """What one co-owner owes for one call, and their notice (avis d'appel de fonds) once published."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="notices")
    co_owner = models.ForeignKey(CoOwner, on_delete=models.PROTECT, related_name="call_notices")
    amount_current = MoneyField(_("provisions"), default=ZERO)
    amount_works_fund = MoneyField(_("fonds de travaux"), default=ZERO)
    previous_balance = MoneyField(_("solde antérieur"), default=ZERO)
    document = models.OneToOneField(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    emailed = models.BooleanField(_("envoyé par e-mail"), default=False)

    firm_lookup: ClassVar[str] = "call__firm"
    objects = FirmScopedManager["CallNotice"]()
    all_firms = models.Manager["CallNotice"]()

    class Meta:
        verbose_name = _("avis d'appel de fonds")
        verbose_name_plural = _("avis d'appel de fonds")
        ordering = ["call", "co_owner__reference"]
        constraints = [models.UniqueConstraint(fields=["call", "co_owner"], name="funds_notice_once_per_co_owner")]
        indexes = [models.Index(fields=["call", "document"], name="funds_notice_pending")]

    def __str__(self) -> str:
        return f"{self.call} — {self.co_owner.reference}"

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_current) + Decimal(self.amount_works_fund)


class CallLine(models.Model):
    """The amount of one lot in one key for one call (works fund lines have `is_works_fund`)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="lines")
    notice = models.ForeignKey(CallNotice, on_delete=models.CASCADE, related_name="lines")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(AllocationKey, on_delete=models.PROTECT, related_name="+")
    is_works_fund = models.BooleanField(default=False)
    shares = models.PositiveIntegerField(_("tantièmes"))
    key_total = models.PositiveIntegerField(_("total de la clé"))
    amount = MoneyField(_("montant"))

    firm_lookup: ClassVar[str] = "call__firm"
    objects = FirmScopedManager["CallLine"]()
    all_firms = models.Manager["CallLine"]()

    class Meta:
        verbose_name = _("ligne d'appel")
        verbose_name_plural = _("lignes d'appel")
        ordering = ["notice", "lot__number", "is_works_fund", "key__code"]
        constraints = [
            models.UniqueConstraint(fields=["call", "lot", "key", "is_works_fund"], name="funds_call_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.lot} {self.key.code}: {self.amount}"


class CallBatch(models.Model):
    """A visible job issuing the calls of a period (one condominium or all of a firm's)."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    period = models.CharField(_("période"), max_length=10)
    state = models.CharField(_("état"), max_length=10, choices=BatchState.choices, default=BatchState.PENDING)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    calls_created = models.PositiveIntegerField(_("appels créés"), default=0)
    calls_existing = models.PositiveIntegerField(_("appels déjà émis"), default=0)
    notices_published = models.PositiveIntegerField(_("avis publiés"), default=0)
    emails_queued = models.PositiveIntegerField(_("e-mails"), default=0)
    total_amount = MoneyField(_("montant appelé"), default=ZERO)
    errors = models.JSONField(_("erreurs"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FirmScopedManager["CallBatch"]()
    all_firms = models.Manager["CallBatch"]()

    class Meta:
        verbose_name = _("émission d'appels")
        verbose_name_plural = _("émissions d'appels")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.period} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        if self.state == BatchState.DONE:
            return 100
        if not self.steps_total:
            return 0
        return min(100, self.steps_done * 100 // self.steps_total)

    @property
    def is_finished(self) -> bool:
        return self.state in (BatchState.DONE, BatchState.FAILED)
