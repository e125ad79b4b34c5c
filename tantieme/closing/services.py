"""Closing a fiscal year in two steps (spec §4.2): the draft, then the approval.

    draft_closing     computes the distribution and the checklist, keeps them (recomputed at will
                      while the year is open); nothing is posted: the co-owners see a « projet »
    approve_closing   on the general meeting's date: recomputes for the owners on that date, posts
                      the régularisations (journal RE, EcritureDate = last day of the year,
                      ValidDate = the meeting's date), the works operations' year-end entries,
                      locks and seals the year, and publishes the individual statements

À-nouveaux: balances are read from every line up to a date, so the balance-sheet accounts carry
forward by themselves; what the ledger shows as the opening of N+1 (journal AN in the FEC, opening
column of the trial balance) is computed from the sealed year, classes 1, 4 and 5 only. See
docs/closing.md.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from tantieme.audit.services import record
from tantieme.banking.enums import LineStatus
from tantieme.banking.models import StatementImport, StatementLine
from tantieme.closing.distribution import Distribution, compute_distribution
from tantieme.closing.exceptions import ClosingError
from tantieme.closing.models import Closing, ClosingState, DistributionLine
from tantieme.closing.works import works_drafts
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner
from tantieme.core.money import format_amount
from tantieme.ledger import chart
from tantieme.ledger import services as ledger
from tantieme.ledger.enums import FiscalYearState, LineNature
from tantieme.ledger.models import MONEY_OUTPUT, ZERO, FiscalYear, Line, cents
from tantieme.ledger.services import EntryDraft, LineDraft

BULK = 5000


def _check(label: str, ok: bool, detail: str = "", *, blocking: bool = True) -> dict[str, object]:
    return {"label": label, "ok": ok, "detail": detail, "blocking": blocking}


def _account_balance(condominium_id: int, prefix: str, at: datetime.date) -> Decimal:
    total = Line.objects.filter(
        condominium_id=condominium_id, account__number__startswith=prefix, date__lte=at
    ).aggregate(total=Sum(F("debit") - F("credit"), output_field=MONEY_OUTPUT))["total"]
    return cents(total)


def checklist(fiscal_year: FiscalYear, distribution: Distribution) -> list[dict[str, object]]:
    """The preconditions of §4.2: books reconciled with the bank, suspense justified, cut-off, keys."""
    condominium_id = fiscal_year.condominium_id
    end = fiscal_year.end_date
    items: list[dict[str, object]] = [
        _check(
            "Exercice terminé",
            timezone.localdate() > end,
            f"Clôture le {end:%d/%m/%Y}."
            + ("" if timezone.localdate() > end else " Projet provisoire sur les charges comptabilisées à ce jour."),
        )
    ]
    earlier = (
        FiscalYear.objects.filter(condominium_id=condominium_id, start_date__lt=fiscal_year.start_date)
        .filter(state=FiscalYearState.OPEN)
        .order_by("start_date")
        .first()
    )
    items.append(
        _check(
            "Exercices précédents clôturés",
            earlier is None,
            f"Approuvez d'abord l'exercice {earlier.label}."
            if earlier is not None
            else "Aucun exercice antérieur ouvert.",
        )
    )
    last = (
        StatementImport.objects.filter(condominium_id=condominium_id, closing_date__isnull=False)
        .order_by("-closing_date", "-pk")
        .first()
    )
    if last is None or last.closing_balance is None or last.closing_date is None:
        items.append(_check("Banque rapprochée au dernier relevé", False, "Aucun relevé importé.", blocking=False))
    else:
        book = _account_balance(condominium_id, chart.BANK, last.closing_date)
        in_transit = _account_balance(condominium_id, chart.CARD_IN_TRANSIT, last.closing_date)
        book -= in_transit  # 5128 card receipts in transit are not at the bank yet
        ok = book == last.closing_balance and last.closing_date >= end
        items.append(
            _check(
                "Banque rapprochée au dernier relevé",
                ok,
                f"Relevé au {last.closing_date:%d/%m/%Y} : {format_amount(last.closing_balance)} ; "
                f"comptabilité (512) : {format_amount(book)}."
                + ("" if last.closing_date >= end else " Importez les relevés jusqu'à la clôture."),
                blocking=False,
            )
        )
    waiting = StatementLine.objects.filter(
        condominium_id=condominium_id, booking_date__lte=end, status__in=[LineStatus.TO_REVIEW, LineStatus.SUSPENSE]
    ).count()
    suspense = _account_balance(condominium_id, "47", end)
    items.append(
        _check(
            "Lignes en attente justifiées",
            waiting == 0 and suspense == 0,
            f"{waiting} ligne(s) bancaire(s) à vérifier ou en attente ; comptes 47x : {format_amount(suspense)}.",
            blocking=False,
        )
    )
    pending_invoices = -_account_balance(condominium_id, "408", end)
    items.append(
        _check(
            "Charges de l'exercice reçues après la clôture (408)",
            True,
            f"Factures non parvenues comptabilisées : {format_amount(pending_invoices)}. Passez en 408 les charges "
            "de l'exercice dont la facture arrive plus tard.",
            blocking=False,
        )
    )
    items.append(
        _check(
            "Charges et provisions rattachées à une clé",
            not distribution.problems,
            " ".join(distribution.problems) or "Toutes les charges ont une clé ou une opération de travaux.",
        )
    )
    return items


def _store(closing: Closing, distribution: Distribution, items: list[dict[str, object]]) -> None:
    closing.owners_on = distribution.owners_on
    closing.computed_at = timezone.now()
    closing.key_totals = [
        {
            "key_id": key.key_id,
            "code": key.code,
            "label": key.label,
            "charges": str(key.charges),
            "income": str(key.income),
            "provisions": str(key.provisions),
            "regularisation": str(key.regularisation),
            "charges_by_account": {number: str(amount) for number, amount in key.charges_by_account.items()},
        }
        for key in distribution.keys
    ]
    closing.checklist = items
    closing.regularisation_total = distribution.regularisation_total
    closing.save()
    DistributionLine.objects.filter(closing=closing).delete()
    DistributionLine.objects.bulk_create(
        (
            DistributionLine(
                closing=closing,
                lot_id=line.lot_id,
                key_id=line.key_id,
                co_owner_id=line.co_owner_id,
                shares=line.shares,
                key_total=line.key_total,
                share=line.share,
                called=line.called,
                regularisation=line.regularisation,
            )
            for line in distribution.lines
        ),
        batch_size=BULK,
    )


def _locked_year(fiscal_year: FiscalYear) -> FiscalYear:
    year = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    if year.state != FiscalYearState.OPEN:
        raise ClosingError(f"L'exercice {year.label} est déjà clôturé.")
    return year


@transaction.atomic
def draft_closing(*, fiscal_year: FiscalYear, on: datetime.date | None = None, actor: Any = None) -> Closing:
    """Compute (again) the draft closing of an open year: distribution and checklist.

    Before the year ends this is a pre-closing (a simulation on the charges booked so far): the
    checklist says the year is not over, and the approval waits for it."""
    year = _locked_year(fiscal_year)
    today = on or timezone.localdate()
    if today < year.start_date:
        raise ClosingError(f"L'exercice {year.label} n'a pas commencé.")
    distribution = compute_distribution(year, owners_date=today)
    closing = Closing.objects.filter(fiscal_year=year).first() or Closing(
        condominium_id=year.condominium_id, fiscal_year=year
    )
    _store(closing, distribution, checklist(year, distribution))
    condominium = Condominium.objects.select_related("firm").get(pk=year.condominium_id)
    record(
        action="closing.draft.computed",
        firm=condominium.firm,
        actor=actor,
        target=closing,
        data={"year": year.label, "regularisation_total": str(closing.regularisation_total)},
    )
    return closing


def _regularisation_lines(owner: CoOwner, key_id: int, amount: Decimal, label: str) -> list[LineDraft]:
    """Insufficiency (amount > 0): Dr 4501·owner / Cr 701; excess: Dr 701 / Cr 4501·owner (spec §4.1)."""
    nature = LineNature.REGULARISATION
    owed, refunded = (amount, ZERO) if amount > 0 else (ZERO, -amount)
    return [
        LineDraft(
            account=chart.BUDGET, co_owner=owner, debit=owed, credit=refunded, nature=nature, key_id=key_id, label=label
        ),
        LineDraft(
            account=chart.CURRENT_PROVISIONS, debit=refunded, credit=owed, nature=nature, key_id=key_id, label=label
        ),
    ]


def regularisation_drafts(
    distribution: Distribution, *, approval_date: datetime.date, co_owners: dict[int, CoOwner]
) -> list[EntryDraft]:
    """One RE entry per co-owner: per key, Dr 4501 / Cr 701 (insufficiency) or the reverse (excess)."""
    year = distribution.fiscal_year
    keys = {key.pk: key for key in AllocationKey.objects.filter(condominium_id=year.condominium_id)}
    drafts: list[EntryDraft] = []
    for owner_id, per_key in sorted(distribution.by_co_owner().items(), key=lambda item: co_owners[item[0]].reference):
        owner = co_owners[owner_id]
        lines: list[LineDraft] = []
        for key_id, amount in sorted(per_key.items(), key=lambda item: keys[item[0]].code):
            code = keys[key_id].code
            label = f"Régularisation charges {year.label} – {code} (approuvée AG {approval_date:%d/%m/%Y})"[:200]
            lines += _regularisation_lines(owner, key_id, amount, label)
        drafts.append(
            EntryDraft(
                journal="RE",
                date=year.end_date,
                validation_date=approval_date,
                label=f"Régularisation des charges {year.label} – {owner.reference_display}",
                voucher=f"REG{year.label}",
                voucher_date=approval_date,
                lines=lines,
            )
        )
    return drafts


def _closing_to_approve(year: FiscalYear, approval_date: datetime.date) -> Closing:
    """The year's draft, locked, if `approval_date` can approve it; else a ClosingError."""
    closing = Closing.objects.select_for_update().filter(fiscal_year=year).first()
    if closing is None:
        raise ClosingError(f"Calculez d'abord le projet de clôture de l'exercice {year.label}.")
    if approval_date <= year.end_date:
        raise ClosingError(f"L'assemblée générale approuve les comptes après la clôture ({year.end_date:%d/%m/%Y}).")
    if approval_date > timezone.localdate():
        raise ClosingError("La date de l'assemblée générale ne peut pas être dans le futur.")
    return closing


@transaction.atomic
def request_approval(*, fiscal_year: FiscalYear, approval_date: datetime.date, actor: Any = None) -> Closing:
    """Ask for the approval to run as a task (the back office): checked now as far as the stored
    draft allows, done by `tasks.approve_requested`, whose refusal is kept on the closing. Asking
    again while a request is pending runs it again (a worker that died leaves it pending)."""
    year = _locked_year(fiscal_year)
    closing = _closing_to_approve(year, approval_date)
    blockers = [str(item["detail"]) for item in closing.blockers]
    if blockers:
        raise ClosingError("La clôture ne peut être approuvée : " + " ".join(blockers))
    closing.approval_requested_for = approval_date
    closing.approval_requested_at = timezone.now()
    closing.approval_requested_by = actor if getattr(actor, "pk", None) else None
    closing.approval_error = ""
    closing.save(
        update_fields=["approval_requested_for", "approval_requested_at", "approval_requested_by", "approval_error"]
    )
    from tantieme.closing.tasks import approve_requested

    transaction.on_commit(lambda: approve_requested.enqueue(closing.pk))
    return closing


@transaction.atomic
def approve_closing(
    *, fiscal_year: FiscalYear, approval_date: datetime.date, actor: Any = None, publish: bool = True
) -> Closing:
    """The general meeting approved the accounts on `approval_date`: post, lock, then (a task after
    the commit) publish the individual statements and the annexes (`publishing`)."""
    year = _locked_year(fiscal_year)
    closing = _closing_to_approve(year, approval_date)
    distribution = compute_distribution(year, owners_date=approval_date)
    items = checklist(year, distribution)
    blockers = [str(item["detail"]) for item in items if not item["ok"] and item["blocking"]]
    next_year = (
        FiscalYear.objects.filter(condominium_id=year.condominium_id, start_date__gt=year.end_date)
        .order_by("start_date")
        .first()
    )
    works, works_problems = works_drafts(
        year, next_year if next_year is not None and next_year.is_open else None, approval_date=approval_date
    )
    blockers += works_problems
    if blockers:
        raise ClosingError("La clôture ne peut être approuvée : " + " ".join(blockers))
    condominium = Condominium.objects.select_related("firm").get(pk=year.condominium_id)
    co_owners = {owner.pk: owner for owner in CoOwner.objects.filter(condominium=condominium)}
    drafts = regularisation_drafts(distribution, approval_date=approval_date, co_owners=co_owners)
    ledger.post_entries_bulk(condominium=condominium, drafts=[*drafts, *works], actor=actor)
    _store(closing, distribution, items)
    closing.state = ClosingState.APPROVED
    closing.approval_date = approval_date
    closing.approved_at = timezone.now()
    closing.approved_by = actor if getattr(actor, "pk", None) else None
    closing.approval_requested_for = None
    closing.save(update_fields=["state", "approval_date", "approved_at", "approved_by", "approval_requested_for"])
    ledger.close_fiscal_year(fiscal_year=year, actor=actor)
    FiscalYear.objects.filter(pk=year.pk).update(approved_on=approval_date)
    if publish:
        from tantieme.closing.tasks import publish_closing

        transaction.on_commit(lambda: publish_closing.enqueue(closing.pk))
    record(
        action="closing.approved",
        firm=condominium.firm,
        actor=actor,
        target=closing,
        data={
            "year": year.label,
            "approval_date": approval_date.isoformat(),
            "regularisations": len(drafts),
            "regularisation_total": str(distribution.regularisation_total),
        },
    )
    return closing


def draft_regularisation_for(co_owner: CoOwner) -> tuple[Closing, Decimal] | None:
    """The co-owner's régularisation in a draft closing (what « Mon compte » shows as a projet)."""
    row = (
        DistributionLine.objects.filter(co_owner=co_owner, closing__state=ClosingState.DRAFT)
        .values("closing_id")
        .annotate(total=Sum("regularisation"))
        .order_by("-closing_id")
        .first()
    )
    if row is None:
        return None
    closing = Closing.objects.select_related("fiscal_year").get(pk=row["closing_id"])
    return closing, cents(row["total"])
