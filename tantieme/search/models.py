"""What the search app keeps: an index of co-owner balances for lists that cover a whole portfolio.

The ledger is the only source of a balance, computed from the lines every time a co-owner's
account is shown (portal, co-owner file, statement). A list over every co-owner of a portfolio —
« À traiter »'s co-owners in arrears — would have to add up every line of every co-owner on each
request (5 s at 100,000 co-owners with two years of history): it reads this index instead,
refreshed by `search.balances.refresh_balances` (periodic job and command), and says when.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.fields import MoneyField
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager


class CoOwnerBalance(models.Model):
    """A co-owner who owed `balance` (> 0) on `computed_at` (lines dated that day or before)."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.CASCADE, related_name="+")
    co_owner = models.OneToOneField(CoOwner, on_delete=models.CASCADE, related_name="+")
    balance = MoneyField(_("solde"))
    computed_at = models.DateTimeField(_("calculé le"))

    firm_lookup: ClassVar[str] = "firm"
    objects = FirmScopedManager["CoOwnerBalance"]()
    all_firms = models.Manager["CoOwnerBalance"]()

    class Meta:
        verbose_name = _("solde d'un copropriétaire (index)")
        verbose_name_plural = _("soldes des copropriétaires (index)")
        indexes = [models.Index(fields=["condominium", "balance"], name="search_balance_condo_amount")]

    def __str__(self) -> str:
        return f"{self.co_owner_id}: {self.balance}"
