"""The bank import's debit rule for supplier payments (spec expenses-and-suppliers §6.6–§6.8).

Registered in `banking.debits` by the app config; built once per statement import with what is
waiting for the bank of that condominium, then asked about each booked debit, in this order:

1. a batch: `Btch/PmtInfId` (or the `MsgId` in the texts) of a batch not yet debited, and the
   movement's amount equal to what the batch still has to pay (its `CtrlSum` when nothing was
   debited yet) → one entry in the bank journal, Dr 401·supplier per transfer / Cr 512 the total;
2. transfers by `EndToEndId` with their amounts: a bank that books each transaction (or a batch
   whose `TxDtls` carry amounts, which the parser splits) → Dr 401·supplier / Cr 512 each;
3. a cheque issued to a supplier (`record_cheque`, posted at issue): its number in the texts and
   the same amount → matched to that entry, nothing posted again;
4. a supplier direct debit (energy, water…): the amount of exactly one open invoice of a supplier
   paid by direct debit (the counterparty's name decides between several) → Dr 401 / Cr 512.
And a credit that returns a transfer of a batch (`RtrInf` reason or reversal, its EndToEndId and
amount) → Dr 512 / Cr 401·supplier, the invoice due again, the IBAN revoked (spec §6.6, end).
Anything else stays in the debit queue. Each claim settles what it paid (lettering of the 401
lines, invoices paid, batch partly executed or closed) once the statement line is written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from tantieme.banking.debits import DebitClaim
from tantieme.banking.parsers.base import ParsedEntry, normalise
from tantieme.condominiums.models import Condominium
from tantieme.expenses.enums import InvoiceKind, InvoiceStatus, PaymentMeans
from tantieme.expenses.models import Invoice, SupplierAccount
from tantieme.expenses.queries import amounts_due
from tantieme.ledger import chart
from tantieme.ledger.services import EntryDraft, LineDraft
from tantieme.supplier_payments.enums import ACTIVE_STATUSES, ChequeStatus, ItemStatus
from tantieme.supplier_payments.models import PaymentBatchItem, SupplierCheque
from tantieme.supplier_payments.services import (
    bank_journal,
    settle_cheque,
    settle_direct_debit,
    settle_items,
    settle_return,
)

ZERO = Decimal("0.00")
OPEN_FOR_DIRECT_DEBIT = (InvoiceStatus.VALIDATED, InvoiceStatus.APPROVED, InvoiceStatus.PARTLY_PAID)
DIRECT_DEBIT_MARKERS = (" PRLV ", " PRELEVEMENT ", " SDD ")


@dataclass
class _Item:
    pk: int
    batch_id: int
    invoice_id: int
    amount: Decimal
    end_to_end_id: str
    account: str  # 401·supplier
    supplier: str


@dataclass
class _Batch:
    pk: int
    message_id: str
    payment_info_id: str
    items: list[_Item]

    @property
    def open_total(self) -> Decimal:
        return sum((item.amount for item in self.items), ZERO)


class SupplierDebitMatcher:
    """What the condominium's account is waiting for: batch transfers, cheques, direct debits."""

    def __init__(self, condominium: Condominium) -> None:
        self.condominium = condominium
        journal = bank_journal(condominium)
        self.journal = journal.code if journal is not None else ""
        accounts = dict(
            SupplierAccount.objects.filter(condominium=condominium).values_list("supplier_id", "account__number")
        )
        self.batches: dict[str, _Batch] = {}
        self.by_message: dict[str, _Batch] = {}
        self.items: dict[str, _Item] = {}
        rows = PaymentBatchItem.objects.filter(
            condominium=condominium, status=ItemStatus.PENDING, batch__status__in=ACTIVE_STATUSES
        ).values_list(
            "pk",
            "batch_id",
            "batch__message_id",
            "batch__payment_info_id",
            "invoice_id",
            "amount",
            "end_to_end_id",
            "supplier_id",
            "supplier__legal_name",
        )
        for pk, batch_id, message_id, pmt_id, invoice_id, amount, e2e, supplier_id, name in rows.order_by(
            "batch_id", "position"
        ):
            item = _Item(pk, batch_id, invoice_id, amount, e2e, accounts.get(supplier_id, ""), name)
            batch = self.batches.get(pmt_id)
            if batch is None:
                batch = self.batches[pmt_id] = _Batch(batch_id, message_id, pmt_id, [])
                self.by_message[message_id] = batch
            batch.items.append(item)
            self.items[e2e] = item
        self.cheques: dict[str, SupplierCheque] = {
            cheque.number: cheque
            for cheque in SupplierCheque.objects.filter(condominium=condominium, status=ChequeStatus.ISSUED)
        }
        self._direct_debits: dict[Decimal, list[tuple[Invoice, str]]] | None = None
        self._returned_ids: set[int] = set()
        self._accounts = accounts

    # --- rules ------------------------------------------------------------------------------

    def match(self, entry: ParsedEntry) -> DebitClaim | None:
        if entry.amount == 0 or not self.journal:
            return None
        if entry.amount > 0:  # asked only about credits that return a debit (RtrInf, reversal)
            return self._returned(entry, entry.amount)
        amount = -entry.amount
        return (
            self._batch(entry, amount)
            or self._transfers(entry, amount)
            or self._cheque(entry, amount)
            or self._direct_debit(entry, amount)
        )

    def _batch(self, entry: ParsedEntry, amount: Decimal) -> DebitClaim | None:
        if entry.raw.get("batch"):  # one transaction of a split batch entry: rule 2
            return None
        batch = self.batches.get(entry.raw.get("PmtInfId", ""))
        how = "PmtInfId"
        if batch is None:
            words = set(" ".join(entry.texts()).split()) | {entry.raw.get("BtchMsgId", "")}
            found = [self.by_message[word] for word in words if word in self.by_message]
            batch = found[0] if len(found) == 1 else None
            how = "MsgId"
        if batch is None or not batch.items or batch.open_total != amount:
            return None
        return self._claim(
            entry,
            list(batch.items),
            label=f"Remise vir SEPA {batch.message_id} ({len(batch.items)} op.)",
            voucher=batch.message_id,
            evidence=f"Remise {batch.message_id} : {how} et montant {amount} = total des virements.",
        )

    def _transfers(self, entry: ParsedEntry, amount: Decimal) -> DebitClaim | None:
        ids = [word for word in entry.end_to_end_id.split() if word in self.items]
        if not ids:
            return None
        items = [self.items[word] for word in dict.fromkeys(ids)]
        if sum((item.amount for item in items), ZERO) != amount:
            return None
        message = next((b.message_id for b in self.batches.values() if b.pk == items[0].batch_id), "")
        return self._claim(
            entry,
            items,
            label=f"Vir SEPA {' '.join(item.end_to_end_id for item in items)}"[:200],
            voucher=message or items[0].end_to_end_id,
            evidence=f"EndToEndId {', '.join(item.end_to_end_id for item in items)} et montant {amount}.",
        )

    def _claim(self, entry: ParsedEntry, items: list[_Item], *, label: str, voucher: str, evidence: str) -> DebitClaim:
        for item in items:  # taken: a second debit of this import never pays them again
            self.items.pop(item.end_to_end_id, None)
            for batch in self.batches.values():
                if item in batch.items:
                    batch.items.remove(item)
        draft = EntryDraft(
            journal=self.journal,
            date=entry.booking_date,
            label=label,
            voucher=voucher[:40],
            lines=[
                *(
                    LineDraft(account=item.account, debit=item.amount, label=f"Vir SEPA {item.end_to_end_id}")
                    for item in items
                ),
                LineDraft(account=chart.BANK, credit=sum((item.amount for item in items), ZERO), label=label),
            ],
        )
        ids = [item.pk for item in items]
        day = entry.booking_date

        def settle(line_id: int, entry_id: int | None) -> None:
            rows = {row.pk: row for row in PaymentBatchItem.objects.filter(pk__in=ids)}
            settle_items(items=[rows[pk] for pk in ids], line_id=line_id, entry_id=entry_id, on=day)

        return DebitClaim(evidence=evidence[:300], confidence=Decimal("1.00"), draft=draft, settle=settle)

    def _cheque(self, entry: ParsedEntry, amount: Decimal) -> DebitClaim | None:
        if not self.cheques:
            return None
        words = set(normalise(" ".join(entry.texts())).split())
        for number, cheque in self.cheques.items():
            if number in words and cheque.amount == amount:
                del self.cheques[number]

                def settle(line_id: int, _entry_id: int | None, cheque: SupplierCheque = cheque) -> None:
                    settle_cheque(cheque=cheque, line_id=line_id)

                return DebitClaim(
                    evidence=f"Chèque n° {number} émis le {cheque.issue_date:%d/%m/%Y}, même montant."[:300],
                    confidence=Decimal("1.00"),
                    entry_id=cheque.entry_id,
                    settle=settle,
                )
        return None

    def _returned(self, entry: ParsedEntry, amount: Decimal) -> DebitClaim | None:
        """A transfer of a batch sent back by the beneficiary's bank (closed account, wrong IBAN…):
        its EndToEndId and its amount. Dr 512 / Cr 401·supplier; the invoice is due again."""
        words = {word for word in " ".join([entry.end_to_end_id, *entry.texts()]).split() if 0 < len(word) <= 35}
        if not words:
            return None
        item = (
            PaymentBatchItem.objects.filter(
                condominium=self.condominium, status=ItemStatus.PAID, end_to_end_id__in=words, amount=amount
            )
            .exclude(pk__in=self._returned_ids)
            .order_by("-paid_on", "-pk")
            .first()
        )
        account = self._accounts.get(item.supplier_id, "") if item is not None else ""
        if item is None or not account:
            return None
        self._returned_ids.add(item.pk)
        reason = entry.return_reason or "RVSL"
        label = f"Retour vir {item.end_to_end_id} {item.creditor_name} ({reason})"[:200]
        draft = EntryDraft(
            journal=self.journal,
            date=entry.booking_date,
            label=label,
            voucher=(entry.bank_reference or item.end_to_end_id)[:40],
            lines=[
                LineDraft(account=chart.BANK, debit=amount, label=label),
                LineDraft(account=account, credit=amount, label=label),
            ],
        )
        day, item_id = entry.booking_date, item.pk

        def settle(line_id: int, entry_id: int | None) -> None:
            settle_return(item_id=item_id, line_id=line_id, entry_id=entry_id, on=day, reason=reason)

        return DebitClaim(
            evidence=(
                f"Virement {item.end_to_end_id} à {item.creditor_name} retourné par sa banque (motif {reason}) : "
                "la facture est de nouveau due, l'IBAN est révoqué."
            )[:300],
            confidence=Decimal("1.00"),
            draft=draft,
            settle=settle,
        )

    def _load_direct_debits(self) -> dict[Decimal, list[tuple[Invoice, str]]]:
        invoices = list(
            Invoice.objects.filter(
                condominium=self.condominium,
                kind=InvoiceKind.INVOICE,
                status__in=OPEN_FOR_DIRECT_DEBIT,
                payment_means=PaymentMeans.DIRECT_DEBIT,
            ).select_related("supplier")
        )
        due = amounts_due(invoices)
        by_amount: dict[Decimal, list[tuple[Invoice, str]]] = defaultdict(list)
        for invoice in invoices:
            left = due.get(invoice.pk, ZERO)
            account = self._accounts.get(invoice.supplier_id, "")
            if left > 0 and account:
                by_amount[left].append((invoice, account))
        return by_amount

    def _direct_debit(self, entry: ParsedEntry, amount: Decimal) -> DebitClaim | None:
        if self._direct_debits is None:
            self._direct_debits = self._load_direct_debits()
        found = self._direct_debits.get(amount, [])
        if not found:
            return None
        text = f" {normalise(' '.join(entry.texts()))} "
        family = entry.bank_code.split("/")
        is_debit_order = (len(family) >= 2 and family[1] in ("RDDT", "DDBT")) or any(
            marker in text for marker in DIRECT_DEBIT_MARKERS
        )
        name = normalise(entry.counterparty_name)
        named = [
            pair
            for pair in found
            if name
            and (normalise(pair[0].supplier.legal_name) in name or name in normalise(pair[0].supplier.legal_name))
        ]
        if len(named) > 1:
            # Fixed instalments: several open invoices of one supplier for the same amount. The one
            # the bank text names wins; otherwise the oldest due (a late statement pays in order).
            by_number = [pair for pair in named if f" {normalise(pair[0].number)} " in text]
            named = by_number or sorted(named, key=lambda pair: (pair[0].due_date, pair[0].pk))[:1]
        chosen = named if len(named) == 1 else (found if len(found) == 1 and is_debit_order else [])
        if len(chosen) != 1:
            return None
        invoice, account = chosen[0]
        found.remove(chosen[0])
        label = f"Prlv {invoice.supplier.display_name} fact. {invoice.number}"[:200]
        draft = EntryDraft(
            journal=self.journal,
            date=entry.booking_date,
            label=label,
            voucher=(entry.bank_reference or invoice.number)[:40],
            lines=[
                LineDraft(account=account, debit=amount, label=label),
                LineDraft(account=chart.BANK, credit=amount, label=label),
            ],
        )
        day = entry.booking_date

        def settle(line_id: int, entry_id: int | None) -> None:
            settle_direct_debit(invoice=invoice, line_id=line_id, entry_id=entry_id, on=day)

        return DebitClaim(
            evidence=(
                f"Prélèvement de {invoice.supplier.display_name} : montant de la facture {invoice.number} "
                f"({amount}), payée par prélèvement."
            )[:300],
            confidence=Decimal("0.95"),
            draft=draft,
            settle=settle,
        )
