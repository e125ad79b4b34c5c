"""Payment batches of supplier invoices (SEPA credit transfer files), and cheques issued to suppliers.

Rows are written by `tantieme.supplier_payments.services` and by the bank import's debit rule
(`matching`). A batch pays invoices of one condominium from its own account (never two
syndicates in one transfer); its pain.001.001.09 file is kept through Django's storage with its
SHA-256 and never rewritten. The payment entry (Dr 401·supplier / Cr 512) is posted when the
bank's debit arrives on a statement (spec expenses-and-suppliers §6.6); a cheque is posted when
it is issued (§6.7).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tantieme.banking.models import StatementLine
from tantieme.condominiums.models import Condominium
from tantieme.core.fields import MoneyField
from tantieme.expenses.models import Invoice, Supplier, SupplierBankAccount
from tantieme.ledger.models import Entry
from tantieme.supplier_payments.enums import BatchStatus, ChequeStatus, ItemStatus
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager


def batch_path(instance: PaymentBatch, filename: str) -> str:
    return f"supplier_payments/{instance.firm_id}/{instance.condominium_id}/{instance.message_id}.xml"


class PaymentBatch(models.Model):
    """One SEPA credit transfer file (pain.001.001.09) of one condominium's account: one PmtInf,
    one execution date, one transaction (EndToEndId) per invoice."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="+")
    debtor_name = models.CharField(_("donneur d'ordre"), max_length=70)
    debtor_iban = models.CharField(_("IBAN débité"), max_length=34)
    debtor_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    execution_date = models.DateField(_("date d'exécution demandée"))
    message_id = models.CharField(_("identifiant du message (MsgId)"), max_length=35)
    payment_info_id = models.CharField(_("identifiant du lot (PmtInfId)"), max_length=35)
    status = models.CharField(_("état"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.BUILT)
    nb_of_txs = models.PositiveIntegerField(_("nombre de virements"))
    ctrl_sum = MoneyField(_("montant total"))
    file = models.FileField(_("fichier pain.001"), upload_to=batch_path, max_length=255)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("second approbateur"),
    )
    sent_at = models.DateTimeField(_("transmis le"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    objects = FirmScopedManager["PaymentBatch"]()
    all_firms = models.Manager["PaymentBatch"]()

    class Meta:
        verbose_name = _("remise de virements fournisseurs")
        verbose_name_plural = _("remises de virements fournisseurs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Banks refuse a file whose MsgId they already received from the same customer.
            models.UniqueConstraint(fields=["firm", "message_id"], name="supplier_payments_msg_id_unique"),
            models.CheckConstraint(condition=Q(ctrl_sum__gt=0), name="supplier_payments_batch_positive"),
        ]
        indexes = [models.Index(fields=["condominium", "status"], name="supplier_payments_batch_status")]

    def __str__(self) -> str:
        return self.message_id


class PaymentBatchItem(models.Model):
    """One transfer of a batch: one invoice, its amount, its EndToEndId, the IBAN paid."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="items")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("rang"))
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    bank_account = models.ForeignKey(SupplierBankAccount, on_delete=models.PROTECT, related_name="+")
    creditor_name = models.CharField(_("bénéficiaire"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    amount = MoneyField(_("montant"))
    end_to_end_id = models.CharField(_("référence de bout en bout (EndToEndId)"), max_length=35)
    remittance = models.CharField(_("motif"), max_length=140)
    status = models.CharField(_("état"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("écriture")
    )
    statement_line = models.ForeignKey(StatementLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    paid_on = models.DateField(_("débité le"), null=True, blank=True)

    firm_lookup: ClassVar[str] = "batch__firm"
    objects = FirmScopedManager["PaymentBatchItem"]()
    all_firms = models.Manager["PaymentBatchItem"]()

    class Meta:
        verbose_name = _("virement fournisseur")
        verbose_name_plural = _("virements fournisseurs")
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="supplier_payments_item_position"),
            # What the bank's debit is matched by, within the condominium's account.
            models.UniqueConstraint(fields=["condominium", "end_to_end_id"], name="supplier_payments_e2e_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="supplier_payments_item_positive"),
        ]
        indexes = [models.Index(fields=["invoice", "status"], name="supplier_payments_item_invoice")]

    def __str__(self) -> str:
        return f"{self.end_to_end_id} {self.amount}"


class SupplierCheque(models.Model):
    """A cheque sent to a supplier: posted at issue (Dr 401·supplier / Cr 512, the number as voucher),
    then matched to the bank's debit when a statement brings it."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("numéro du chèque"), max_length=20)
    amount = MoneyField(_("montant"))
    issue_date = models.DateField(_("émis le"))
    status = models.CharField(_("état"), max_length=10, choices=ChequeStatus.choices, default=ChequeStatus.ISSUED)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="+", verbose_name=_("écriture"))
    statement_line = models.OneToOneField(
        StatementLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FirmScopedManager["SupplierCheque"]()
    all_firms = models.Manager["SupplierCheque"]()

    class Meta:
        verbose_name = _("chèque fournisseur")
        verbose_name_plural = _("chèques fournisseurs")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["condominium", "number"], name="supplier_payments_cheque_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="supplier_payments_cheque_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.amount}"
