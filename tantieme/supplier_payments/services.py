"""Writes of the supplier payments app (spec expenses-and-suppliers §6).

    candidates       the due, approved invoices of one condominium a batch may pay, and why the
                     others may not (read-only)
    build_batch      a payment batch and its pain.001.001.09 file, checked (EPC) and validated
                     (XSD), stored with its SHA-256 — or a `PaymentError` listing every refusal,
                     nothing written
    mark_sent        the file was handed to the bank (built → sent)
    cancel_batch     a file never sent is voided; its invoices are payable again
    record_cheque    a cheque sent to a supplier: posted at issue, Dr 401·supplier / Cr 512
    settle_items     (called by the bank import's debit rule, `matching`) the debit arrived:
                     items paid, 401 lines lettered, invoices paid, batch partly executed or closed

Call them inside `firm_scope(firm)`. Refusals (spec §2.3, §6.1): an invoice of another
condominium (never two syndicates in one transfer), not approved, blocked, a credit note, paid
by direct debit or cheque, already in a batch, with nothing left to pay; a supplier without a
verified IBAN; an IBAN verified less than `COOLING_BUSINESS_DAYS` business days ago without a
second approver (a user other than the batch's creator and the IBAN's creator and verifier).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tantieme.audit.services import record
from tantieme.condominiums.models import Condominium
from tantieme.core.money import format_amount
from tantieme.expenses.enums import PAYABLE_STATUSES, BankAccountStatus, InvoiceKind, InvoiceStatus, PaymentMeans
from tantieme.expenses.models import Invoice, SupplierAccount, SupplierBankAccount
from tantieme.expenses.queries import amounts_due
from tantieme.expenses.services import refresh_payment_status, supplier_line
from tantieme.formats import pain001
from tantieme.ledger import chart
from tantieme.ledger.enums import JournalKind
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.models import Journal, Lettering, Line
from tantieme.ledger.services import LineDraft, letter_lines, post_entry, unletter
from tantieme.supplier_payments.enums import ACTIVE_STATUSES, BatchStatus, ItemStatus
from tantieme.supplier_payments.exceptions import NothingToPayError, PaymentError
from tantieme.supplier_payments.models import PaymentBatch, PaymentBatchItem, SupplierCheque

ZERO = Decimal("0.00")
COOLING_BUSINESS_DAYS = 5  # spec §2.3: a freshly verified IBAN needs a second approver


# --- What may be paid ---------------------------------------------------------------------------


@dataclass
class Candidate:
    """An invoice and what a batch would pay: the amount left, the verified IBAN, or why not."""

    invoice: Invoice
    amount: Decimal
    bank_account: SupplierBankAccount | None
    problems: list[str] = field(default_factory=list)
    needs_second_approver: bool = False

    @property
    def is_payable(self) -> bool:
        return not self.problems


def _active_invoice_ids(invoice_ids: Sequence[int]) -> set[int]:
    return set(
        PaymentBatchItem.objects.filter(
            invoice_id__in=list(invoice_ids), status=ItemStatus.PENDING, batch__status__in=ACTIVE_STATUSES
        ).values_list("invoice_id", flat=True)
    )


def _bank_accounts(supplier_ids: set[int]) -> tuple[dict[int, SupplierBankAccount], set[int]]:
    """The verified IBAN of each supplier, and the suppliers with an IBAN waiting for verification."""
    verified: dict[int, SupplierBankAccount] = {}
    pending: set[int] = set()
    for account in SupplierBankAccount.objects.filter(
        supplier_id__in=supplier_ids, status__in=[BankAccountStatus.VERIFIED, BankAccountStatus.PENDING]
    ):
        if account.status == BankAccountStatus.VERIFIED:
            verified[account.supplier_id] = account
        else:
            pending.add(account.supplier_id)
    return verified, pending


def _in_cooling_period(account: SupplierBankAccount, today: datetime.date) -> bool:
    if account.verified_at is None:
        return True
    verified_on = timezone.localtime(account.verified_at).date()
    return pain001.add_target_business_days(verified_on, COOLING_BUSINESS_DAYS) > today


def assess(  # noqa: PLR0912 - one refusal per branch, in the spec's order
    condominium: Condominium,
    invoices: Sequence[Invoice],
    *,
    today: datetime.date,
    actor: Any = None,
    second_approver: Any = None,
    by_transfer: bool = True,
    taken: set[int] | None = None,
) -> list[Candidate]:
    """Each invoice with what a batch of `condominium` would pay for it, or its refusals. Four queries.

    `by_transfer=False` (a cheque): the payment means and the IBAN rules do not apply. `taken`: the
    invoices already in an active batch, when the caller knows them."""
    invoices = list(invoices)
    due = amounts_due(invoices)
    if taken is None:
        taken = _active_invoice_ids([invoice.pk for invoice in invoices])
    verified, pending = _bank_accounts({invoice.supplier_id for invoice in invoices})
    approver_id = getattr(second_approver, "pk", None)
    actor_id = getattr(actor, "pk", None)
    result = []
    for invoice in invoices:
        problems: list[str] = []
        name = f"{invoice.supplier.display_name} n° {invoice.number}"
        if invoice.condominium_id != condominium.pk:
            problems.append(
                _("La facture %(name)s est d'une autre copropriété : un virement ne paie qu'un syndicat.")
                % {"name": name}
            )
        if invoice.kind != InvoiceKind.INVOICE:
            problems.append(_("%(name)s est un avoir : il ne se paie pas.") % {"name": name})
        elif invoice.status not in PAYABLE_STATUSES:
            problems.append(
                _("La facture %(name)s n'a pas de bon à payer (état : %(status)s).")
                % {"name": name, "status": invoice.get_status_display()}
            )
        if invoice.payment_block:
            problems.append(
                _("Le paiement de la facture %(name)s est bloqué : %(why)s.")
                % {"name": name, "why": invoice.get_payment_block_display()}
            )
        if by_transfer and invoice.payment_means != PaymentMeans.TRANSFER:
            problems.append(
                _("La facture %(name)s se règle par %(means)s, pas par virement.")
                % {"name": name, "means": invoice.get_payment_means_display().lower()}
            )
        if invoice.pk in taken:
            problems.append(_("La facture %(name)s est déjà dans une remise en cours.") % {"name": name})
        amount = due.get(invoice.pk, ZERO)
        if invoice.entry_id is not None and amount <= 0 and invoice.status in PAYABLE_STATUSES:
            problems.append(_("La facture %(name)s est déjà réglée.") % {"name": name})
        account = verified.get(invoice.supplier_id)
        needs_second = False
        if not by_transfer:
            pass
        elif account is None:
            if invoice.supplier_id in pending:
                problems.append(
                    _(
                        "L'IBAN de %(supplier)s attend sa vérification par une autre personne (contrôle "
                        "anti-fraude) : la facture %(name)s ne peut pas être payée."
                    )
                    % {"supplier": invoice.supplier.display_name, "name": name}
                )
            else:
                problems.append(_("%(supplier)s n'a pas d'IBAN vérifié.") % {"supplier": invoice.supplier.display_name})
        elif _in_cooling_period(account, today):
            needs_second = True
            involved = {actor_id, account.created_by_id, account.verified_by_id}
            if approver_id is None:
                problems.append(
                    _(
                        "L'IBAN de %(supplier)s a été vérifié il y a moins de %(days)s jours ouvrés : la remise "
                        "demande un second approbateur."
                    )
                    % {"supplier": invoice.supplier.display_name, "days": COOLING_BUSINESS_DAYS}
                )
            elif approver_id in involved:
                problems.append(
                    _(
                        "Le second approbateur est une autre personne que celle qui crée la remise et que celles "
                        "qui ont saisi ou vérifié l'IBAN de %(supplier)s."
                    )
                    % {"supplier": invoice.supplier.display_name}
                )
        result.append(
            Candidate(
                invoice=invoice,
                amount=amount,
                bank_account=account,
                problems=problems,
                needs_second_approver=needs_second,
            )
        )
    return result


def due_invoices(condominium: Condominium, *, due_by: datetime.date) -> list[Invoice]:
    """The condominium's approved, unblocked invoices paid by transfer, due by `due_by`, not in a batch."""
    invoices = list(
        Invoice.objects.filter(
            condominium=condominium,
            status__in=PAYABLE_STATUSES,
            payment_block="",
            kind=InvoiceKind.INVOICE,
            payment_means=PaymentMeans.TRANSFER,
            due_date__lte=due_by,
        )
        .select_related("supplier")
        .order_by("due_date", "supplier__code", "pk")
    )
    taken = _active_invoice_ids([invoice.pk for invoice in invoices])
    return [invoice for invoice in invoices if invoice.pk not in taken]


def candidates(
    condominium: Condominium, *, due_by: datetime.date, today: datetime.date | None = None, actor: Any = None
) -> list[Candidate]:
    """The due invoices of `condominium` (see `due_invoices`), each assessed. Five queries."""
    invoices = due_invoices(condominium, due_by=due_by)
    return assess(condominium, invoices, today=today or timezone.localdate(), actor=actor, taken=set())


# --- Building a batch ---------------------------------------------------------------------------


def _message_id(condominium: Condominium, today: datetime.date) -> str:
    """`TNT-SCT-yyyymmdd-nnnn`: the firm's daily counter (spec §6.2: deterministic and stored)."""
    prefix = f"TNT-SCT-{today:%Y%m%d}-"
    used = PaymentBatch.all_firms.filter(firm_id=condominium.firm_id, message_id__startswith=prefix).values_list(
        "message_id", flat=True
    )
    last = max((int(value[len(prefix) :]) for value in used if value[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{last + 1:04d}"


def _end_to_end_ids(condominium: Condominium, invoices: Sequence[Invoice]) -> dict[int, str]:
    """The invoice's internal number (its AC entry code, « AC2026-0001 »), suffixed when an earlier
    batch of the condominium already used it (a partial or a cancelled payment)."""
    # Internal numbers are unique in the condominium: only an earlier item of the same invoice collides.
    used = set(
        PaymentBatchItem.objects.filter(
            condominium=condominium, invoice_id__in=[invoice.pk for invoice in invoices]
        ).values_list("end_to_end_id", flat=True)
    )
    result = {}
    for invoice in invoices:
        base = pain001.transliterate(invoice.internal_number or f"FACT{invoice.pk}")[:30].replace(" ", "-")
        value, rank = base, 1
        while value in used:
            rank += 1
            value = f"{base}-{rank}"
        used.add(value)
        result[invoice.pk] = value
    return result


def debtor_name(condominium: Condominium) -> str:
    """« SDC RESIDENCE LES TILLEULS »: the syndicate (the account holder), not the syndic."""
    name = pain001.transliterate(condominium.name).upper()
    if not name.startswith(("SDC ", "SYNDICAT")):
        name = f"SDC {name}"
    return name[: pain001.NAME_LENGTH].strip()


def creditor_reference_of(invoice: Invoice) -> str:
    """The supplier's ISO 11649 reference (« RF18 5390 0754 7034 », Factur-X BT-83), if it gave one."""
    from stdnum import iso11649

    reference = "".join(invoice.remittance.split()).upper()
    return reference if reference.startswith("RF") and iso11649.is_valid(reference) else ""


def remittance_of(invoice: Invoice) -> str:
    """« FACT D-2026-118 DU 10/09/2026 »: what the supplier matches the transfer with. The invoice's
    own payment reference follows when it fits in the 140 characters; the text is never cut (the
    invoice number would be what is lost)."""
    text = pain001.transliterate(f"FACT {invoice.number} DU {invoice.issue_date:%d/%m/%Y}")
    extra = pain001.transliterate(invoice.remittance)
    if extra and extra != pain001.transliterate(invoice.number) and not creditor_reference_of(invoice):
        longer = f"{text} {extra}"
        if len(longer) <= pain001.REMITTANCE_LENGTH:
            text = longer
    return text


def _creditor_address(invoice: Invoice) -> pain001.PostalAddress | None:
    supplier = invoice.supplier
    if not supplier.town or not supplier.country:
        return None
    return pain001.PostalAddress(
        town=supplier.town[:35],
        country=supplier.country.upper(),
        street=supplier.street[:70],
        building_number=supplier.building_number[:16],
        postcode=supplier.postal_code[:16],
    )


@transaction.atomic
def build_batch(
    *,
    condominium: Condominium,
    execution_date: datetime.date,
    invoices: Sequence[Invoice] | None = None,
    due_by: datetime.date | None = None,
    actor: Any = None,
    second_approver: Any = None,
    today: datetime.date | None = None,
) -> PaymentBatch:
    """A batch paying `invoices` (all of them, or a `PaymentError` listing every refusal), or, when
    `invoices` is None, the payable ones among those due by `due_by` (default: the execution date).

    `NothingToPayError` when nothing is left to pay. Nothing is written when refused."""
    today = today or timezone.localdate()
    # One batch at a time per condominium: the second waits, then sees the invoices the first took.
    Condominium.objects.select_for_update().filter(pk=condominium.pk).first()
    if invoices is None:
        assessed = assess(
            condominium,
            due_invoices(condominium, due_by=due_by or execution_date),
            today=today,
            actor=actor,
            second_approver=second_approver,
        )
        chosen = [candidate for candidate in assessed if candidate.is_payable]
        if not chosen:
            reasons = [problem for candidate in assessed for problem in candidate.problems]
            raise NothingToPayError(
                [
                    _("Aucune facture approuvée, échue et payable par virement pour %(code)s.")
                    % {"code": condominium.code},
                    *reasons,
                ]
            )
    else:
        if not invoices:
            raise NothingToPayError(_("Choisissez au moins une facture à payer."))
        rank = {invoice.pk: position for position, invoice in enumerate(invoices)}  # the caller's order
        invoices = sorted(
            Invoice.objects.filter(pk__in=list(rank)).select_related("supplier"), key=lambda i: rank[i.pk]
        )
        chosen = assess(condominium, invoices, today=today, actor=actor, second_approver=second_approver)
        problems = [problem for candidate in chosen for problem in candidate.problems]
        if problems:
            raise PaymentError(problems)
    if not condominium.iban:
        raise PaymentError(_("La copropriété %(code)s n'a pas d'IBAN.") % {"code": condominium.code})
    message_id = _message_id(condominium, today)
    payment_info_id = f"{message_id}-01"
    e2e = _end_to_end_ids(condominium, [candidate.invoice for candidate in chosen])
    debtor = pain001.Party(
        name=debtor_name(condominium),
        iban=condominium.iban.replace(" ", "").upper(),
        bic=condominium.bic.replace(" ", "").upper(),
    )
    transfers = []
    for candidate in chosen:
        account = candidate.bank_account
        assert account is not None
        transfers.append(
            pain001.Transfer(
                end_to_end_id=e2e[candidate.invoice.pk],
                amount=candidate.amount,
                creditor=pain001.Party(
                    name=pain001.transliterate(account.holder_name)[: pain001.NAME_LENGTH].strip(),
                    iban=account.iban,
                    bic=account.bic,
                    address=_creditor_address(candidate.invoice),
                ),
                remittance=remittance_of(candidate.invoice),
                creditor_reference=creditor_reference_of(candidate.invoice),
            )
        )
    message = pain001.CreditTransferMessage(
        message_id=message_id,
        created_at=timezone.localtime(),
        debtor=debtor,
        instructions=(pain001.PaymentInstruction(payment_info_id, execution_date, tuple(transfers)),),
    )
    try:
        content = pain001.build_credit_transfer(message, today=today)
    except pain001.Pain001Error as error:
        raise PaymentError(error.problems) from None
    batch = PaymentBatch(
        firm_id=condominium.firm_id,
        condominium=condominium,
        debtor_name=debtor.name,
        debtor_iban=debtor.iban,
        debtor_bic=debtor.bic,
        execution_date=execution_date,
        message_id=message_id,
        payment_info_id=payment_info_id,
        nb_of_txs=message.number_of_transactions,
        ctrl_sum=message.control_sum,
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=actor if getattr(actor, "pk", None) else None,
        second_approver=second_approver if any(c.needs_second_approver for c in chosen) else None,
    )
    batch.file.save(f"{message_id}.xml", ContentFile(content), save=False)
    try:
        batch.save()
        PaymentBatchItem.objects.bulk_create(
            PaymentBatchItem(
                batch=batch,
                condominium=condominium,
                position=position,
                invoice=candidate.invoice,
                supplier_id=candidate.invoice.supplier_id,
                bank_account=candidate.bank_account,
                creditor_name=transfer.creditor.name,
                iban=transfer.creditor.iban,
                bic=transfer.creditor.bic,
                amount=transfer.amount,
                end_to_end_id=transfer.end_to_end_id,
                remittance=transfer.creditor_reference or pain001.transliterate(transfer.remittance),
            )
            for position, (candidate, transfer) in enumerate(zip(chosen, transfers, strict=True), start=1)
        )
    except BaseException:
        batch.file.delete(save=False)  # the rollback keeps no row: keep no file either
        raise
    record(
        action="supplier_payments.batch.built",
        firm=condominium.firm,
        actor=actor,
        target=batch,
        data={
            "message_id": message_id,
            "transactions": batch.nb_of_txs,
            "ctrl_sum": str(batch.ctrl_sum),
            "execution_date": execution_date.isoformat(),
            "sha256": batch.sha256,
            "invoices": [candidate.invoice.pk for candidate in chosen],
        },
    )
    return batch


def batch_content(batch: PaymentBatch) -> bytes:
    """The stored file, checked against its SHA-256 (a file changed on disk is never handed out)."""
    with batch.file.open("rb") as handle:
        content: bytes = handle.read()
    if hashlib.sha256(content).hexdigest() != batch.sha256:
        raise PaymentError(
            _("Le fichier de la remise %(id)s a été modifié depuis sa création.") % {"id": batch.message_id}
        )
    return content


@transaction.atomic
def mark_sent(*, batch: PaymentBatch, actor: Any = None) -> PaymentBatch:
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.BUILT:
        raise PaymentError(
            _("La remise est « %(status)s » : seule une remise créée peut être transmise.")
            % {"status": batch.get_status_display()}
        )
    batch.status = BatchStatus.SENT
    batch.sent_at = timezone.now()
    batch.sent_by = actor if getattr(actor, "pk", None) else None
    batch.save(update_fields=["status", "sent_at", "sent_by"])
    record(action="supplier_payments.batch.sent", firm=batch.firm, actor=actor, target=batch)
    return batch


@transaction.atomic
def cancel_batch(*, batch: PaymentBatch, actor: Any = None) -> PaymentBatch:
    """Void a file never sent (spec §6.2: a generated file is immutable; regenerating voids the old one)."""
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.BUILT:
        raise PaymentError(_("Une remise transmise à la banque ne s'annule pas ici : attendez son relevé."))
    batch.status = BatchStatus.CANCELLED
    batch.cancelled_at = timezone.now()
    batch.save(update_fields=["status", "cancelled_at"])
    batch.items.update(status=ItemStatus.CANCELLED)
    record(action="supplier_payments.batch.cancelled", firm=batch.firm, actor=actor, target=batch)
    return batch


# --- Posting what the bank debited --------------------------------------------------------------


def bank_journal(condominium: Condominium) -> Journal | None:
    return (
        Journal.objects.filter(condominium=condominium, kind=JournalKind.BANK, bank_account__number=chart.BANK)
        .order_by("code")
        .first()
    )


def letter_payment(*, invoice: Invoice, payment_line: Line, on: datetime.date, actor: Any = None) -> None:
    """Letter the invoice's 401·supplier credit with the payment's debit (same auxiliary account)."""
    line = supplier_line(invoice)
    if line is None or line.account_id != payment_line.account_id:
        return
    try:
        letter_lines(lines=[line, payment_line], on=on, actor=actor)
    except LedgerError:
        return  # already settled (a credit note lettered first): the 401 balance says the rest


def settle_items(*, items: Sequence[PaymentBatchItem], line_id: int, entry_id: int | None, on: datetime.date) -> None:
    """The bank debited these items (posted by the import in `entry_id`, lines in item order)."""
    if entry_id is None:
        return
    payment_lines = list(Line.objects.filter(entry_id=entry_id, debit__gt=0).order_by("position"))
    invoices = {invoice.pk: invoice for invoice in Invoice.objects.filter(pk__in=[item.invoice_id for item in items])}
    PaymentBatchItem.objects.filter(pk__in=[item.pk for item in items]).update(
        status=ItemStatus.PAID, entry_id=entry_id, statement_line_id=line_id, paid_on=on
    )
    # One lettering per supplier account: its invoices' 401 credits with this payment's debits (a
    # lettering call per invoice made a 1,000-transfer batch take 20 s to read back).
    invoice_lines = {
        line.entry_id: line
        for line in Line.objects.filter(
            entry_id__in=[invoice.entry_id for invoice in invoices.values()], account__number__startswith="401"
        ).order_by("position")
    }
    by_account: dict[int, list[Line]] = {}
    for item, payment_line in zip(items, payment_lines, strict=False):
        invoice_line = invoice_lines.get(invoices[item.invoice_id].entry_id or 0)
        if invoice_line is not None and invoice_line.account_id == payment_line.account_id:
            by_account.setdefault(payment_line.account_id, []).extend([invoice_line, payment_line])
    for lines in by_account.values():
        try:
            letter_lines(lines=lines, on=on)
        except LedgerError:
            continue  # already settled (a credit note lettered first): the 401 balance says the rest
    refresh_payment_status(invoices=list(invoices.values()))
    for batch in PaymentBatch.objects.filter(pk__in={item.batch_id for item in items}).select_for_update():
        open_items = batch.items.filter(status=ItemStatus.PENDING).exists()
        batch.status = BatchStatus.PARTLY_EXECUTED if open_items else BatchStatus.CLOSED
        batch.closed_at = None if open_items else timezone.now()
        batch.save(update_fields=["status", "closed_at"])
        record(
            action="supplier_payments.batch.debited",
            firm=batch.firm,
            target=batch,
            data={"items": [item.end_to_end_id for item in items if item.batch_id == batch.pk], "line": line_id},
        )


def settle_return(*, item_id: int, line_id: int, entry_id: int | None, on: datetime.date, reason: str) -> None:
    """A transfer came back (spec §6.6): the item is returned, its payment no longer settles the
    invoice (un-lettered; the other invoices of that lettering lettered again), the payment and its
    return letter each other, the invoice is due again and the IBAN that failed is revoked."""
    item = PaymentBatchItem.objects.select_related("invoice", "bank_account").get(pk=item_id)
    PaymentBatchItem.objects.filter(pk=item.pk).update(status=ItemStatus.RETURNED)
    return_line = Line.objects.filter(entry_id=entry_id, credit__gt=0).first() if entry_id else None
    payment_line = _payment_line(item)
    if return_line is not None and payment_line is not None:
        invoice_line = supplier_line(item.invoice)
        for lettering in Lettering.objects.filter(
            Q(matches__debit_line=payment_line) | Q(matches__credit_line=payment_line)
        ).distinct():
            lines = {match.debit_line for match in lettering.matches.select_related("debit_line")}
            lines |= {match.credit_line for match in lettering.matches.select_related("credit_line")}
            others = [line for line in lines if line.pk not in {payment_line.pk, getattr(invoice_line, "pk", None)}]
            unletter(lettering=lettering)
            if others:
                with contextlib.suppress(LedgerError):  # nothing left to letter together
                    letter_lines(lines=others, on=on)
        with contextlib.suppress(LedgerError):
            letter_lines(lines=[payment_line, return_line], on=on)
    refresh_payment_status(invoices=[item.invoice])
    account = item.bank_account
    if account.status != BankAccountStatus.REVOKED:
        SupplierBankAccount.objects.filter(pk=account.pk).update(
            status=BankAccountStatus.REVOKED, revoked_at=timezone.now()
        )
    record(
        action="supplier_payments.transfer.returned",
        firm=item.invoice.firm,
        target=item.invoice,
        data={"end_to_end_id": item.end_to_end_id, "reason": reason, "line": line_id, "iban_end": item.iban[-4:]},
    )


def _payment_line(item: PaymentBatchItem) -> Line | None:
    """The item's debit line in the entry that paid it (entries list their transfers in item order)."""
    if item.entry_id is None:
        return None
    siblings = list(PaymentBatchItem.objects.filter(entry_id=item.entry_id).order_by("batch_id", "position"))
    debits = list(Line.objects.filter(entry_id=item.entry_id, debit__gt=0).order_by("position"))
    index = next((rank for rank, sibling in enumerate(siblings) if sibling.pk == item.pk), None)
    return debits[index] if index is not None and index < len(debits) else None


def settle_direct_debit(*, invoice: Invoice, line_id: int, entry_id: int | None, on: datetime.date) -> None:
    """A supplier's direct debit (energy…) posted from the statement: letter it and mark the invoice."""
    if entry_id is None:
        return
    payment_line = Line.objects.filter(entry_id=entry_id, debit__gt=0).order_by("position").first()
    if payment_line is not None:
        letter_payment(invoice=invoice, payment_line=payment_line, on=on)
    refresh_payment_status(invoices=[invoice])
    if invoice.status == InvoiceStatus.VALIDATED and amounts_due([invoice]).get(invoice.pk, ZERO) <= 0:
        # The supplier collected it before the « bon à payer »: the money is gone, the invoice is paid.
        Invoice.objects.filter(pk=invoice.pk, status=InvoiceStatus.VALIDATED).update(status=InvoiceStatus.PAID)
    record(
        action="supplier_payments.direct_debit.matched",
        firm=invoice.firm,
        target=invoice,
        data={"line": line_id, "amount": str(invoice.total_ttc)},
    )


def settle_cheque(*, cheque: SupplierCheque, line_id: int) -> None:
    SupplierCheque.objects.filter(pk=cheque.pk).update(status="debited", statement_line_id=line_id)
    record(action="supplier_payments.cheque.debited", firm=cheque.firm, target=cheque, data={"line": line_id})


# --- Cheques ------------------------------------------------------------------------------------


@transaction.atomic
def record_cheque(
    *,
    invoice: Invoice,
    number: str,
    issue_date: datetime.date,
    amount: Decimal | None = None,
    actor: Any = None,
) -> SupplierCheque:
    """A cheque sent to the supplier: posted at issue (spec §6.7), Dr 401·supplier / Cr 512, the
    cheque number as voucher; lettered with the invoice; matched later to the bank's debit."""
    invoice = Invoice.objects.select_for_update().select_related("supplier", "condominium__firm").get(pk=invoice.pk)
    condominium = invoice.condominium
    number = "".join(number.split())
    if not number or not number.isalnum() or len(number) > 20:
        raise PaymentError(_("Numéro de chèque invalide (chiffres et lettres, 20 au plus)."))
    (candidate,) = assess(condominium, [invoice], today=issue_date, actor=actor, by_transfer=False)
    if candidate.problems:
        raise PaymentError(candidate.problems)
    due = candidate.amount
    paid = due if amount is None else amount
    if not isinstance(paid, Decimal) or paid <= 0 or paid.quantize(Decimal("0.01")) != paid or paid > due:
        raise PaymentError(
            _("Le chèque doit être d'un montant positif, au plus ce qui reste dû (%(due)s).")
            % {"due": format_amount(due)}
        )
    if SupplierCheque.objects.filter(condominium=condominium, number=number).exists():
        raise PaymentError(_("Le chèque n° %(number)s est déjà enregistré.") % {"number": number})
    journal = bank_journal(condominium)
    supplier_account = (
        SupplierAccount.objects.select_related("account")
        .filter(condominium=condominium, supplier=invoice.supplier)
        .first()
    )
    if journal is None or supplier_account is None:
        raise PaymentError(_("Le journal de banque ou le compte 401 du fournisseur manque."))
    label = f"Chèque {number} {invoice.supplier.display_name} fact. {invoice.number}"[:200]
    try:
        entry = post_entry(
            condominium=condominium,
            journal=journal.code,
            date=issue_date,
            label=label,
            voucher=number,
            lines=[
                LineDraft(account=supplier_account.account.number, debit=paid, label=label),
                LineDraft(account=chart.BANK, credit=paid, label=label),
            ],
            actor=actor,
        )
    except LedgerError as error:
        raise PaymentError(str(error)) from None
    cheque = SupplierCheque.objects.create(
        firm_id=condominium.firm_id,
        condominium=condominium,
        invoice=invoice,
        supplier=invoice.supplier,
        number=number,
        amount=paid,
        issue_date=issue_date,
        entry=entry,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    payment_line = Line.objects.get(entry=entry, debit__gt=0)
    letter_payment(invoice=invoice, payment_line=payment_line, on=issue_date, actor=actor)
    refresh_payment_status(invoices=[invoice], actor=actor)
    record(
        action="supplier_payments.cheque.recorded",
        firm=condominium.firm,
        actor=actor,
        target=cheque,
        data={"number": number, "amount": str(paid), "invoice": invoice.pk, "entry": entry.code},
    )
    return cheque
