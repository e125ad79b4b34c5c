"""A sale file (dossier de mutation): the notary's request for one or several lots of a seller,
the pre-sale information (CCH L721-2), the état daté (décret 1967 art. 5) and the mutation.

Rows are written by `tantieme.sales.services` only. The figures given to the notary are frozen
when they are given (`information`, `statement`: JSON of `tantieme.sales.figures`): the PDF
downloaded later is the one that was sent, whatever is posted afterwards.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import Condominium, CoOwner, Lot
from tantieme.core.fields import MoneyField
from tantieme.ledger.models import Entry
from tantieme.sales.enums import SaleStatus
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager

ZERO = Decimal("0.00")
# Décret n° 2020-153 du 21 février 2020: the état daté costs the seller at most 380 € TTC.
FEE_CAP = Decimal("380.00")


class Sale(models.Model):
    """The sale of one or several lots of one co-owner (the seller), from the notary's request to the end."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="sales")
    seller = models.ForeignKey(CoOwner, on_delete=models.PROTECT, related_name="sales", verbose_name=_("vendeur"))
    lots = models.ManyToManyField(Lot, related_name="sales", verbose_name=_("lots vendus"))
    status = models.CharField(_("état"), max_length=20, choices=SaleStatus.choices, default=SaleStatus.REQUESTED)
    # The notary's request.
    requested_on = models.DateField(_("date de la demande"))
    notary_name = models.CharField(_("notaire"), max_length=150)
    notary_office = models.CharField(_("office notarial"), max_length=150, blank=True)
    notary_email = models.EmailField(_("e-mail du notaire"), blank=True)
    notary_address = models.TextField(_("adresse de l'office"), blank=True)
    planned_date = models.DateField(_("date prévue de la vente"), null=True, blank=True)
    buyer_name = models.CharField(_("acquéreur pressenti"), max_length=200, blank=True)
    # Pre-sale information (CCH L721-2), frozen when sent.
    information_sent_on = models.DateField(_("informations envoyées le"), null=True, blank=True)
    information = models.JSONField(_("informations pré-état daté"), null=True, blank=True)
    # The état daté: figures at `statement_date`, the fee and its entry.
    statement_date = models.DateField(_("état daté arrêté au"), null=True, blank=True)
    statement_issued_on = models.DateField(_("état daté délivré le"), null=True, blank=True)
    statement = models.JSONField(_("état daté"), null=True, blank=True)
    fee = MoneyField(_("honoraires de l'état daté (TTC)"), default=ZERO)
    fee_entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("écriture")
    )
    # The mutation, on the date the syndic was notified of it (décret 1967 art. 6).
    mutation_date = models.DateField(_("date de notification de la mutation"), null=True, blank=True)
    buyer = models.ForeignKey(
        CoOwner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchases",
        verbose_name=_("acquéreur"),
    )
    closed_on = models.DateField(_("dossier clos le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FirmScopedManager["Sale"]()
    all_firms = models.Manager["Sale"]()

    class Meta:
        verbose_name = _("vente de lot")
        verbose_name_plural = _("ventes de lots")
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(fee__gte=0) & Q(fee__lte=FEE_CAP), name="sales_fee_within_cap"),
            models.CheckConstraint(
                condition=Q(mutation_date__isnull=True) | Q(mutation_date__gte=models.F("requested_on")),
                name="sales_mutation_after_request",
            ),
        ]
        indexes = [models.Index(fields=["condominium", "status"], name="sales_condominium_status")]

    def __str__(self) -> str:
        return f"Vente {self.pk} — {self.seller}"

    @property
    def is_open(self) -> bool:
        return self.status != SaleStatus.CLOSED
