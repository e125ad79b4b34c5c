"""Reads of the expenses app: notice deadlines, what is left to pay, lists for pages.

Call inside `firm_scope(firm)`; each function runs a bounded number of queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from tantieme.documents.models import CouncilMembership
from tantieme.expenses.enums import ContractStatus, InvoiceStatus
from tantieme.expenses.facturx_reader import Prefill
from tantieme.expenses.models import Contract, Invoice, Supplier
from tantieme.ledger.models import Line, Match, cents


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return datetime.date(year, month, min(day.day, last))


def next_end(contract: Contract, today: datetime.date) -> datetime.date | None:
    """The contract's next end date on or after `today` (tacit renewals rolled forward)."""
    end = contract.end_date
    if end is None:
        return None
    if contract.tacit_renewal and contract.renewal_months > 0:
        while end < today:
            end = _add_months(end, contract.renewal_months)
    return end


@dataclass(frozen=True)
class NoticeDue:
    """A contract whose notice must be given by `deadline` to avoid its renewal (or to end it in time)."""

    contract: Contract
    end_date: datetime.date
    deadline: datetime.date

    @property
    def condominium_id(self) -> int:
        return self.contract.condominium_id


def contracts_with_notice_due(
    condominium_ids: Iterable[int], today: datetime.date, within_days: int = 30
) -> list[NoticeDue]:
    """Active contracts whose notice deadline (next end − notice period) falls between today and
    today + `within_days` (spec §2.4: warn at end − notice − 30 days), soonest first. One query."""
    ids = list(condominium_ids)
    if not ids:
        return []
    horizon = today + datetime.timedelta(days=within_days)
    contracts = Contract.objects.filter(
        condominium_id__in=ids, status=ContractStatus.ACTIVE, end_date__isnull=False
    ).select_related("supplier", "condominium")
    due = []
    for contract in contracts:
        end = next_end(contract, today)
        if end is None:
            continue
        deadline = end - datetime.timedelta(days=contract.notice_days)
        if today <= deadline <= horizon:
            due.append(NoticeDue(contract=contract, end_date=end, deadline=deadline))
    return sorted(due, key=lambda item: (item.deadline, item.contract.pk))


def amounts_due(invoices: Sequence[Invoice]) -> dict[int, Decimal]:
    """{invoice id: TTC less what the lettering of its 401·supplier line settled}. Two queries.

    A draft or cancelled invoice is absent. The 401 line is the entry's line on the supplier's
    auxiliary account (a credit for an invoice, a debit for a credit note)."""
    by_entry = {invoice.entry_id: invoice for invoice in invoices if invoice.entry_id is not None}
    if not by_entry:
        return {}
    lines = list(
        Line.objects.filter(entry_id__in=list(by_entry), account__number__startswith="401").values_list(
            "pk", "entry_id", "debit", "credit"
        )
    )
    line_of_entry = {entry_id: (pk, debit + credit) for pk, entry_id, debit, credit in lines}
    line_ids = [pk for pk, _amount in line_of_entry.values()]
    matched: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in (
        Match.objects.filter(Q(credit_line_id__in=line_ids) | Q(debit_line_id__in=line_ids))
        .values("credit_line_id", "debit_line_id")
        .annotate(total=Sum("amount"))
    ):
        for side in ("credit_line_id", "debit_line_id"):
            if row[side] in line_ids:
                matched[row[side]] += cents(row["total"])
    result = {}
    for entry_id, invoice in by_entry.items():
        found = line_of_entry.get(entry_id)
        if found is None:
            continue
        pk, amount = found
        result[invoice.pk] = amount - matched[pk]
    return result


def payable_invoices(condominium_id: int, *, due_by: datetime.date) -> QuerySet[Invoice]:
    """Invoices a payment batch may take: approved (or partly paid), not blocked, due by `due_by`."""
    return (
        Invoice.objects.filter(
            condominium_id=condominium_id,
            status__in=[InvoiceStatus.APPROVED, InvoiceStatus.PARTLY_PAID],
            payment_block="",
            kind="invoice",
            due_date__lte=due_by,
        )
        .select_related("supplier")
        .order_by("due_date", "pk")
    )


def approval_queue(condominium_ids: Iterable[int]) -> QuerySet[Invoice]:
    """Invoices waiting for a manager's « bon à payer »."""
    return (
        Invoice.objects.filter(condominium_id__in=list(condominium_ids), status=InvoiceStatus.VALIDATED)
        .select_related("supplier", "condominium")
        .defer("einvoice_xml")  # kilobytes of CII per e-invoice that a list never shows
        .order_by("due_date", "pk")
    )


def council_seat(*, condominium_id: int, co_owner_ids: Iterable[int], on: datetime.date) -> CouncilMembership | None:
    """An open seat on the council of the condominium held by one of the co-owners, on `on`."""
    return (
        CouncilMembership.objects.filter(
            condominium_id=condominium_id, co_owner_id__in=list(co_owner_ids), start_date__lte=on
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("co_owner")
        .first()
    )


def visible_invoices(condominium_id: int, *, year: int) -> QuerySet[Invoice]:
    """Validated invoices of a calendar year, as the council sees them (never drafts)."""
    return (
        Invoice.objects.filter(condominium_id=condominium_id, issue_date__year=year)
        .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED])
        .select_related("supplier")
        .order_by("-issue_date", "-pk")
    )


def match_supplier(*, firm_id: int, prefill: Prefill) -> Supplier | None:
    """The supplier a Factur-X names (spec §7.3 R5): by SIRET, then SIREN, then VAT number."""
    suppliers = Supplier.objects.filter(firm_id=firm_id, is_active=True)
    if prefill.seller_siret:
        found = suppliers.filter(siret=prefill.seller_siret).first()
        if found is not None:
            return found
    if prefill.seller_siren:
        found = suppliers.filter(siren=prefill.seller_siren).order_by("pk").first()
        if found is not None:
            return found
    if prefill.seller_vat:
        return suppliers.filter(vat_number=prefill.seller_vat).order_by("pk").first()
    return None
