"""Cheque deposits (remises de chèques): one slip, several cheques, one bank entry.

    record_cheque_deposit   a slip (date, bank journal, number) and its cheques: Dr 512 the total /
                            Cr 450x one line per cheque (one per sub-account when a cheque settles
                            items of several), each cheque lettered against its co-owner's open
                            items in the order of Code civil art. 1342-10 (spec §3.1)

The imputation is the transfers' (`banking.posting._plan`, the in-memory form of
`ledger.services.plan_payment`, checked equal by the tests): items due on the deposit date first,
oldest first, then the later ones; what is left is an advance on 4501. Two cheques of one
co-owner in a slip settle one after the other. The lettering goes through
`ledger.services.letter_line`, naming the items the plan settles.

When the bank's statement brings the slip's total as one credit, the matching
(`banking.matching._cheque_deposit`) ties that line to the deposit: nothing is posted twice.
The other way round, a slip recorded after its credit was imported finds that credit (same rule:
same total, booked on or after the slip, naming it or reading as a cheque remittance) in the review
queue (then the slip's entry is the line's posting, Dr 512) or in suspense (then it clears 472: the
slip's entry, in the OD journal, debits 472 instead of the bank). Call inside a firm scope.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tantieme.audit.services import record
from tantieme.banking.enums import LineKind, LineStatus, MatchRule
from tantieme.banking.exceptions import BankingError
from tantieme.banking.matching import is_cheque_remittance, names_slip
from tantieme.banking.models import Cheque, ChequeDeposit, MatchSuggestion, StatementLine
from tantieme.banking.parsers.base import ParsedEntry
from tantieme.banking.posting import _open_items, _plan
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.money import CENT
from tantieme.ledger import chart
from tantieme.ledger.enums import JournalKind, LineNature
from tantieme.ledger.models import ZERO, Journal, LetteringCounter, Line
from tantieme.ledger.services import LineDraft, letter_line, post_entry

MAX_CHEQUES = 200
MISC_JOURNAL = "OD"  # where a slip whose credit waits in suspense clears 472


class ChequeDepositError(BankingError):
    """A slip refused as a whole (its message is shown to the staff member)."""


@dataclass(frozen=True)
class ChequeDraft:
    """One cheque to record: the co-owner it pays for, the drawer (who signed it), bank, number, amount."""

    co_owner: CoOwner
    drawer_name: str
    number: str
    amount: Decimal
    bank_name: str = ""


def bank_journals(condominium: Condominium) -> list[Journal]:
    """The condominium's bank journals (one per bank account: BQ1 on 512, BQ2 on 5121…)."""
    return list(
        Journal.objects.filter(condominium=condominium, kind=JournalKind.BANK, bank_account__isnull=False)
        .select_related("bank_account")
        .order_by("code")
    )


def _check_cheque(rank: int, cheque: ChequeDraft, condominium: Condominium, numbers: set[str]) -> None:
    where = _("Chèque %(rank)d : ") % {"rank": rank}
    if not isinstance(cheque.amount, Decimal) or not cheque.amount.is_finite():
        raise ChequeDepositError(where + _("montant invalide."))
    if cheque.amount <= 0:
        raise ChequeDepositError(where + _("le montant doit être positif."))
    if cheque.amount.quantize(CENT) != cheque.amount:
        raise ChequeDepositError(where + _("le montant a plus de deux décimales."))
    if cheque.co_owner.condominium_id != condominium.pk:
        raise ChequeDepositError(
            where
            + _("%(reference)s n'est pas copropriétaire de %(condominium)s.")
            % {"reference": cheque.co_owner.reference_display, "condominium": condominium.name}
        )
    number = " ".join(cheque.number.split())
    if not number:
        raise ChequeDepositError(where + _("indiquez le numéro du chèque."))
    if number in numbers:
        raise ChequeDepositError(
            where + _("le numéro %(number)s figure deux fois dans la remise.") % {"number": number}
        )
    numbers.add(number)
    if not cheque.drawer_name.strip():
        raise ChequeDepositError(where + _("indiquez le tireur (qui a signé le chèque)."))


def _checked(condominium: Condominium, journal: Journal, slip_number: str, cheques: Sequence[ChequeDraft]) -> str:
    """Every refusal before anything is written; returns the slip number, trimmed."""
    slip_number = " ".join(slip_number.split())
    if not slip_number:
        raise ChequeDepositError(_("Indiquez le numéro du bordereau de remise."))
    if journal.condominium_id != condominium.pk or journal.kind != JournalKind.BANK or journal.bank_account is None:
        raise ChequeDepositError(_("Choisissez un compte bancaire de la copropriété."))
    if not cheques:
        raise ChequeDepositError(_("Une remise compte au moins un chèque."))
    if len(cheques) > MAX_CHEQUES:
        raise ChequeDepositError(_("Une remise compte au plus %(count)d chèques.") % {"count": MAX_CHEQUES})
    numbers: set[str] = set()
    for rank, cheque in enumerate(cheques, start=1):
        _check_cheque(rank, cheque, condominium, numbers)
    if ChequeDeposit.objects.filter(condominium=condominium, slip_number=slip_number).exists():
        raise ChequeDepositError(
            _("Le bordereau %(number)s est déjà enregistré pour cette copropriété.") % {"number": slip_number}
        )
    return slip_number


def _credit_already_imported(
    condominium: Condominium, total: Decimal, deposit_date: datetime.date, slip_number: str
) -> StatementLine | None:
    """A credit of the slip's total imported before the slip was recorded, still to review or in
    suspense: the one naming the slip, else the first that reads as a cheque remittance (locked)."""
    lines = list(
        StatementLine.objects.select_for_update(of=("self",))
        .filter(
            condominium=condominium,
            amount=total,
            booking_date__gte=deposit_date,
            status__in=[LineStatus.TO_REVIEW, LineStatus.SUSPENSE],
            cheque_deposit__isnull=True,
        )
        .order_by("booking_date", "pk")[:50]
    )
    for line in lines:
        if names_slip(line.text, slip_number):
            return line
    for line in lines:
        entry = ParsedEntry(
            statement_index=0,
            position=line.position,
            amount=line.amount,
            booking_date=line.booking_date,
            label=line.label,
            remittance=line.remittance,
            bank_code=line.bank_code,
            additional_info=str(line.raw.get("additional_info", "")),
        )
        if is_cheque_remittance(entry):
            return line
    return None


def _tie(line: StatementLine, deposit: ChequeDeposit, *, actor: Any) -> None:
    """The imported credit is the slip: matched, its posting (review) or resolution (suspense) the slip's."""
    if line.status == LineStatus.SUSPENSE:
        line.resolution_entry = deposit.entry
    else:
        line.entry = deposit.entry
        MatchSuggestion.objects.filter(line=line).delete()
    line.status = LineStatus.MATCHED
    line.kind = LineKind.CHEQUE_DEPOSIT
    line.rule = MatchRule.CHEQUE_DEPOSIT
    line.confidence = Decimal("1.00")
    line.evidence = f"Remise de chèques n° {deposit.slip_number} enregistrée après l'import du relevé."[:300]
    line.resolved_at = timezone.now()
    line.resolved_by = actor if getattr(actor, "pk", None) else None
    line.save()
    deposit.statement_line = line
    deposit.save(update_fields=["statement_line"])


@transaction.atomic
def record_cheque_deposit(
    *,
    condominium: Condominium,
    journal: Journal,
    deposit_date: datetime.date,
    slip_number: str,
    cheques: Sequence[ChequeDraft],
    actor: Any = None,
    request: HttpRequest | None = None,
) -> ChequeDeposit:
    """Record a slip and post it: one entry in the bank journal, each cheque lettered. All or nothing:
    a `ChequeDepositError` or a `LedgerError` (closed fiscal year…) leaves nothing written."""
    slip_number = _checked(condominium, journal, slip_number, cheques)
    assert journal.bank_account is not None
    co_owner_ids = sorted({cheque.co_owner.pk for cheque in cheques})
    # The co-owners' lettering counters, locked in a fixed order: a concurrent payment of one of them
    # waits, then sees what this slip settled (the open items are read after the lock).
    for pk in co_owner_ids:
        LetteringCounter.objects.get_or_create(co_owner_id=pk)
    list(LetteringCounter.objects.select_for_update().filter(co_owner_id__in=co_owner_ids).order_by("pk"))
    items = _open_items(set(co_owner_ids))
    label = _("Remise de chèques n° %(number)s") % {"number": slip_number}
    total = sum((cheque.amount for cheque in cheques), ZERO)
    # Statements are imported for the account on 512 only (`services._bank_journal`).
    on_statements = journal.bank_account.number == chart.BANK
    imported = _credit_already_imported(condominium, total, deposit_date, slip_number) if on_statements else None
    in_suspense = imported is not None and imported.status == LineStatus.SUSPENSE
    # Its credit already sits in suspense (Dr 512 / Cr 472 at import): the slip clears 472 instead.
    debit_account = chart.SUSPENSE_CREDIT if in_suspense else journal.bank_account.number
    lines = [LineDraft(account=debit_account, debit=total, label=label)]
    settles: list[list[int]] = []  # per credit line: the debit lines its plan settles
    for cheque in cheques:
        cheque_label = f"Chèque n° {' '.join(cheque.number.split())} {cheque.drawer_name.strip()}"[:200]
        for account, nature, amount, settled in _plan(items[cheque.co_owner.pk], cheque.amount, deposit_date):
            lines.append(
                LineDraft(
                    account=account,
                    credit=amount,
                    co_owner=cheque.co_owner,
                    nature=LineNature(nature),
                    label=cheque_label,
                )
            )
            settles.append([item.pk for item, _part in settled])
    entry = post_entry(
        condominium=condominium,
        journal=MISC_JOURNAL if in_suspense else journal.code,
        date=deposit_date,
        label=label,
        lines=lines,
        voucher=slip_number[:40],
        actor=actor,
    )
    credit_lines = list(Line.objects.filter(entry=entry, position__gt=1).order_by("position"))
    named = {line.pk: line for line in Line.objects.filter(pk__in=[pk for group in settles for pk in group])}
    for credit_line, settled_ids in zip(credit_lines, settles, strict=True):
        if settled_ids:
            letter_line(line=credit_line, on=entry.validation_date, against=[named[pk] for pk in settled_ids])
    try:
        with transaction.atomic():
            deposit = ChequeDeposit.objects.create(
                firm_id=condominium.firm_id,
                condominium=condominium,
                journal=journal,
                deposit_date=deposit_date,
                slip_number=slip_number,
                total=total,
                entry=entry,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:  # the same slip recorded at the same moment by someone else
        raise ChequeDepositError(
            _("Le bordereau %(number)s est déjà enregistré pour cette copropriété.") % {"number": slip_number}
        ) from None
    Cheque.objects.bulk_create(
        Cheque(
            deposit=deposit,
            position=rank,
            co_owner=cheque.co_owner,
            drawer_name=cheque.drawer_name.strip()[:140],
            bank_name=cheque.bank_name.strip()[:100],
            number=" ".join(cheque.number.split()),
            amount=cheque.amount,
        )
        for rank, cheque in enumerate(cheques, start=1)
    )
    if imported is not None:
        _tie(imported, deposit, actor=actor)
    per_co_owner: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for cheque in cheques:
        per_co_owner[cheque.co_owner.pk] += cheque.amount
    record(
        action="banking.cheque_deposit.recorded",
        request=request,
        firm=condominium.firm,
        actor=actor,
        target=deposit,
        data={
            "slip": slip_number,
            "entry": entry.code,
            "total": str(total),
            "cheques": len(cheques),
            "statement_line": imported.pk if imported is not None else None,
            "co_owners": {str(pk): str(amount) for pk, amount in per_co_owner.items()},
        },
    )
    return deposit
