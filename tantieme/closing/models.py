"""The closing of a fiscal year (spec accounting-and-law.md §4): a draft, then the approval.

A `Closing` is computed from the books while the year is open (the *draft*: distribution of the
actual charges per key against the provisions called, checklist, annexes) and recomputed at the
approval of the accounts by the general meeting, when the régularisation entries are posted and
the year is locked. `DistributionLine` keeps, per lot and key, the figures of the individual
distribution statement (« why am I paying this »): tantièmes, the lot's share of the charges, the
provisions called, the régularisation, and the co-owner it goes to.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner, Lot
from tantieme.core.fields import MoneyField
from tantieme.ledger.models import FiscalYear
from tantieme.tenancy.scoping import FirmScopedManager

ZERO = Decimal("0.00")


class ClosingState(models.TextChoices):
    DRAFT = "draft", _("Projet, sous réserve d'approbation")
    APPROVED = "approved", _("Approuvé par l'assemblée générale")


class Closing(models.Model):
    """The closing of one fiscal year: its draft distribution, then its approval."""

    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.OneToOneField(FiscalYear, on_delete=models.PROTECT, related_name="closing")
    state = models.CharField(_("état"), max_length=10, choices=ClosingState.choices, default=ClosingState.DRAFT)
    # Whose lots: the owners on this date get the régularisation (décret 1967 art. 6-2 3°). The
    # draft uses the day it was computed; the approval, the date of the general meeting.
    owners_on = models.DateField(_("propriétaires au"))
    computed_at = models.DateTimeField(_("calculé le"))
    approval_date = models.DateField(_("date de l'assemblée générale"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approuvé le"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # [{"code": "CG", "label": …, "charges": "9480.40", "income": "0.00", "provisions": "9250.00",
    #   "regularisation": "230.40"}, …] and the checklist [{"label": …, "ok": bool, "detail": …}].
    key_totals = models.JSONField(_("totaux par clé"), default=list)
    checklist = models.JSONField(_("points de contrôle"), default=list)
    regularisation_total = MoneyField(_("total des régularisations"), default=ZERO)
    # Publication after the approval (a task): the individual statements in « Mes documents » and
    # the annexes in the council's space; counts shown as a progress bar, resumable.
    documents_total = models.PositiveIntegerField(_("documents à publier"), default=0)
    documents_done = models.PositiveIntegerField(_("documents publiés"), default=0)
    documents_finished_at = models.DateTimeField(_("publication terminée le"), null=True, blank=True)
    # An approval asked for in the back office runs as a task (`tasks.approve_requested`): the date
    # asked for until it is done, or the reason it was refused.
    approval_requested_for = models.DateField(_("approbation demandée pour l'AG du"), null=True, blank=True)
    approval_requested_at = models.DateTimeField(_("approbation demandée le"), null=True, blank=True)
    approval_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approval_error = models.TextField(_("motif du refus de l'approbation"), blank=True, default="")

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["Closing"]()
    all_firms = models.Manager["Closing"]()

    class Meta:
        verbose_name = _("clôture d'exercice")
        verbose_name_plural = _("clôtures d'exercice")
        ordering = ["condominium", "-fiscal_year__start_date"]

    def __str__(self) -> str:
        return f"Clôture {self.fiscal_year.label} ({self.get_state_display()})"

    @property
    def is_draft(self) -> bool:
        return self.state == ClosingState.DRAFT

    @property
    def documents_percent(self) -> int:
        if self.documents_finished_at is not None:
            return 100
        return self.documents_done * 100 // self.documents_total if self.documents_total else 0

    @property
    def blockers(self) -> list[dict[str, object]]:
        return [item for item in self.checklist if not item.get("ok") and item.get("blocking", True)]


class DistributionLine(models.Model):
    """One lot in one key: its share of the year's charges, the provisions called, the difference."""

    closing = models.ForeignKey(Closing, on_delete=models.CASCADE, related_name="lines")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(AllocationKey, on_delete=models.PROTECT, related_name="+")
    co_owner = models.ForeignKey(CoOwner, on_delete=models.PROTECT, related_name="distribution_lines")
    shares = models.PositiveIntegerField(_("tantièmes"))
    key_total = models.PositiveIntegerField(_("total de la clé"))
    share = MoneyField(_("quote-part des charges"))
    called = MoneyField(_("provisions appelées"))
    regularisation = MoneyField(_("régularisation"))

    firm_lookup: ClassVar[str] = "closing__condominium__firm"
    objects = FirmScopedManager["DistributionLine"]()
    all_firms = models.Manager["DistributionLine"]()

    class Meta:
        verbose_name = _("ligne de répartition")
        verbose_name_plural = _("lignes de répartition")
        ordering = ["closing", "co_owner", "lot__number", "key__code"]
        constraints = [models.UniqueConstraint(fields=["closing", "lot", "key"], name="closing_line_once")]
        indexes = [models.Index(fields=["co_owner", "closing"], name="closing_line_co_owner")]

    def __str__(self) -> str:
        return f"{self.lot_id} {self.key_id}: {self.regularisation}"
