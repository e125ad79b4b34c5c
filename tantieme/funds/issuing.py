"""Issuing calls for funds: what is due in a period, the preview, the posting and the notices.

Two idempotent steps, so that a batch killed at any point and started again ends with every call
exactly once and every notice exactly once:

1. `issue_call(instalment=...)`: compute, post the AF entry, create the `Call`, its `CallNotice`
   per co-owner and `CallLine` per lot and key, all in one transaction. The source (budget or
   operation) row is locked and (budget, number) / (operation, number) are unique: a second run
   finds the call and creates nothing.
2. `publish_notices(call=...)`: for each notice without a document, render the PDF (deterministic:
   same bytes every time), publish it in the co-owner's documents and queue the e-mail, in one
   transaction per notice. A notice already linked to its document is skipped.

Call inside `firm_scope(firm)`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tantieme.audit.services import record
from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner, LotShare, Ownership
from tantieme.condominiums.queries import email_languages
from tantieme.core.money import ZERO
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.services import publish_document
from tantieme.funds.computation import (
    CallComputation,
    KeyCall,
    LotShares,
    compute_call,
    instalment_total,
    period_code,
    period_range,
)
from tantieme.funds.enums import CallKind, Frequency, OperationState
from tantieme.funds.exceptions import CallError
from tantieme.funds.models import Budget, Call, CallLine, CallNotice, WorksOperation
from tantieme.funds.notices import NoticeData, NoticeLine, render_notice_pdf
from tantieme.ledger import chart
from tantieme.ledger.enums import LineNature
from tantieme.ledger.queries import co_owner_balances
from tantieme.ledger.services import EntryDraft, LineDraft, post_entries_bulk
from tantieme.notifications.services import queue_email

NOTICE_TEMPLATE = "funds_call_notice"
NOTICE_CHUNK = 100
DOCUMENTS_PATH = "/mes-documents/"  # the portal's "Mes documents", when the URLconf cannot say


# --- What falls due -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Instalment:
    """One call to issue: instalment `number` of `count` of a budget or a works operation."""

    kind: CallKind
    number: int
    count: int
    due_date: datetime.date
    period: str
    label: str
    voucher: str
    budget: Budget | None = None
    operation: WorksOperation | None = None

    @property
    def source(self) -> Budget | WorksOperation:
        source = self.budget if self.budget is not None else self.operation
        assert source is not None
        return source

    def existing(self) -> Call | None:
        if self.budget is not None:
            return Call.objects.filter(budget=self.budget, number=self.number).first()
        return Call.objects.filter(operation=self.operation, number=self.number).first()


def _budget_instalment(budget: Budget, number: int, due_date: datetime.date) -> Instalment:
    frequency = Frequency(budget.frequency)
    if frequency == Frequency.QUARTERLY:
        name = f"T{number} {budget.label}"
    elif frequency == Frequency.HALF_YEARLY:
        name = f"S{number} {budget.label}"
    else:
        name = f"{due_date:%m/%Y}"
    suffix = " (provisoire, budget précédent)" if budget.is_provisional else ""
    return Instalment(
        kind=CallKind.BUDGET,
        number=number,
        count=budget.calls_per_year,
        due_date=due_date,
        period=period_code(due_date, frequency.months),
        label=f"Appel {name}{suffix}",
        voucher=f"AF-{budget.label}-{name.split()[0].replace('/', '')}",
        budget=budget,
    )


def instalments_between(condominium: Condominium, start: datetime.date, end: datetime.date) -> list[Instalment]:
    """Every budget and works instalment of `condominium` due from `start` to `end` (inclusive)."""
    found: list[Instalment] = []
    budgets = Budget.objects.filter(condominium=condominium, start_date__lte=end, end_date__gte=start)
    for budget in budgets.order_by("start_date"):
        for number, due_date in enumerate(budget.due_dates(), start=1):
            if start <= due_date <= end:
                found.append(_budget_instalment(budget, number, due_date))
    operations = WorksOperation.objects.filter(condominium=condominium, state=OperationState.OPEN).prefetch_related(
        "instalments"
    )
    for operation in operations.order_by("code"):
        instalments = list(operation.instalments.all())
        for instalment in instalments:
            if start <= instalment.due_date <= end:
                found.append(
                    Instalment(
                        kind=CallKind.WORKS,
                        number=instalment.number,
                        count=len(instalments),
                        due_date=instalment.due_date,
                        period=period_code(instalment.due_date, 3),
                        label=f"Appel travaux {operation.label} {instalment.number}/{len(instalments)}",
                        voucher=f"AF-{operation.code}-{instalment.number}",
                        operation=operation,
                    )
                )
    return sorted(found, key=lambda item: (item.due_date, item.kind != CallKind.BUDGET, item.voucher))


def instalments_for_period(condominium: Condominium, period: str) -> list[Instalment]:
    start, end = period_range(period)
    return instalments_between(condominium, start, end)


# --- Computation (reads, then the pure module) ---------------------------------------------------


@dataclass
class PreparedCall:
    instalment: Instalment
    computation: CallComputation
    keys: list[KeyCall]
    key_labels: dict[int, str]


def _called_so_far(instalment: Instalment) -> dict[tuple[int, bool], Decimal]:
    """What earlier calls of the same source called, per (key id, works fund)."""
    earlier = Call.objects.filter(number__lt=instalment.number)
    if instalment.budget is not None:
        earlier = earlier.filter(budget=instalment.budget)
    else:
        earlier = earlier.filter(operation=instalment.operation)
    called: dict[tuple[int, bool], Decimal] = defaultdict(lambda: ZERO)
    for totals in earlier.values_list("key_totals", flat=True):
        for item in totals:
            called[(int(item["key_id"]), bool(item["works_fund"]))] += Decimal(item["amount"])
    return called


def _annual_amounts(instalment: Instalment) -> tuple[dict[tuple[int, bool], Decimal], list[int]]:
    """The amounts to call over the whole schedule per (key id, works fund), and the weights."""
    amounts: dict[tuple[int, bool], Decimal] = defaultdict(lambda: ZERO)
    if instalment.budget is not None:
        budget = instalment.budget
        for line in budget.lines.all():
            amounts[(line.key_id, False)] += line.amount
        if budget.works_fund_amount:
            general = AllocationKey.objects.filter(condominium=budget.condominium, kind=KeyKind.GENERAL).first()
            if general is None:
                raise CallError("Le fonds de travaux se répartit sur les tantièmes généraux : aucune clé générale.")
            amounts[(general.pk, True)] += budget.works_fund_amount
        return amounts, [1] * budget.calls_per_year
    operation = instalment.operation
    assert operation is not None
    for works_line in operation.lines.all():
        amounts[(works_line.key_id, False)] += works_line.amount
    weights = [item.weight for item in operation.instalments.all().order_by("number")]
    return amounts, weights


def prepare_call(instalment: Instalment) -> PreparedCall:
    """Amounts per key for this instalment, spread over the lots, per owner on the due date."""
    annual, weights = _annual_amounts(instalment)
    if not annual:
        raise CallError(f"{instalment.label} : rien à appeler (aucune ligne).")
    called = _called_so_far(instalment)
    condominium_id = instalment.source.condominium_id
    keys = {key.pk: key for key in AllocationKey.objects.filter(pk__in={key_id for key_id, _fund in annual})}
    lots_by_key: dict[int, list[LotShares]] = defaultdict(list)
    rows = LotShare.objects.filter(key_id__in=keys).values_list("key_id", "lot_id", "lot__number", "shares")
    for key_id, lot_id, lot_number, shares in rows:
        lots_by_key[key_id].append(LotShares(lot_id=lot_id, lot_number=lot_number, shares=shares))
    key_calls = []
    for (key_id, works_fund), total in sorted(annual.items(), key=lambda item: (item[0][1], keys[item[0][0]].code)):
        key = keys[key_id]
        amount = instalment_total(total, weights, instalment.number, called[(key_id, works_fund)])
        key_calls.append(
            KeyCall(
                key_id=key_id,
                code=key.code,
                key_total=key.total,
                amount=amount,
                lots=lots_by_key[key_id],
                is_works_fund=works_fund,
            )
        )
    due = instalment.due_date
    owners = dict(
        Ownership.objects.filter(lot__condominium_id=condominium_id, start_date__lte=due)
        .exclude(end_date__lt=due)
        .values_list("lot_id", "co_owner_id")
    )
    computation = compute_call(key_calls, owners)
    return PreparedCall(
        instalment=instalment,
        computation=computation,
        keys=key_calls,
        key_labels={key.pk: key.label for key in keys.values()},
    )


@dataclass(frozen=True)
class PreviewRow:
    co_owner: CoOwner
    current: Decimal
    works_fund: Decimal

    @property
    def total(self) -> Decimal:
        return self.current + self.works_fund


@dataclass
class CallPreview:
    instalment: Instalment
    issued: Call | None
    rows: list[PreviewRow]
    key_totals: list[tuple[str, str, Decimal]]
    total: Decimal
    error: str = ""


def preview_calls(condominium: Condominium, period: str) -> list[CallPreview]:
    """What issuing `period` would call: per co-owner and per key (issued calls read back as such)."""
    previews = []
    for instalment in instalments_for_period(condominium, period):
        issued = instalment.existing()
        try:
            prepared = prepare_call(instalment)
        except CallError as error:
            previews.append(CallPreview(instalment, issued, [], [], ZERO, error=str(error)))
            continue
        computation = prepared.computation
        co_owners = CoOwner.objects.in_bulk(list(computation.owners))
        rows = [
            PreviewRow(co_owner=co_owners[owner_id], current=due.current, works_fund=due.works_fund)
            for owner_id, due in computation.owners.items()
        ]
        rows.sort(key=lambda row: row.co_owner.reference)
        key_totals = [
            (
                key.code,
                prepared.key_labels[key.key_id] + (" — fonds de travaux" if key.is_works_fund else ""),
                key.amount,
            )
            for key in prepared.keys
        ]
        previews.append(CallPreview(instalment, issued, rows, key_totals, computation.total))
    return previews


# --- Posting ------------------------------------------------------------------------------------


def _entry_draft(
    prepared: PreparedCall, co_owners: dict[int, CoOwner], validation_date: datetime.date | None
) -> EntryDraft:
    instalment = prepared.instalment
    computation = prepared.computation
    works = instalment.kind == CallKind.WORKS
    debit_account = chart.WORKS if works else chart.BUDGET
    credit_account = "102" if works else chart.CURRENT_PROVISIONS
    nature = LineNature.WORKS if works else LineNature.CURRENT
    label = instalment.label[:150]
    lines: list[LineDraft] = []
    for owner_id, due in computation.owners.items():
        co_owner = co_owners[owner_id]
        if due.current:
            what = "travaux" if works else "charges courantes"
            lines.append(
                LineDraft(
                    account=debit_account,
                    debit=due.current,
                    co_owner=co_owner,
                    nature=nature,
                    label=f"{label} {what}",
                )
            )
        if due.works_fund:
            lines.append(
                LineDraft(
                    account=chart.WORKS_FUND,
                    debit=due.works_fund,
                    co_owner=co_owner,
                    nature=LineNature.WORKS_FUND,
                    label=f"{label} fonds de travaux",
                )
            )
    for key in prepared.keys:
        if not key.amount:
            continue
        if key.is_works_fund:
            lines.append(
                LineDraft(account=chart.WORKS_FUND_CONTRIBUTIONS, credit=key.amount, label=f"{label} fonds de travaux")
            )
        else:
            lines.append(
                LineDraft(
                    account=credit_account,
                    credit=key.amount,
                    label=f"{label} {key.code}",
                    key_id=key.key_id,
                    operation_id=instalment.operation.pk if instalment.operation is not None else None,
                )
            )
    return EntryDraft(
        journal="AF",
        date=instalment.due_date,
        label=label,
        voucher=instalment.voucher[:40],
        voucher_date=instalment.due_date,
        validation_date=validation_date,
        lines=lines,
    )


def _lock_source(instalment: Instalment) -> None:
    if instalment.budget is not None:
        list(Budget.objects.select_for_update().filter(pk=instalment.budget.pk))
    else:
        list(WorksOperation.objects.select_for_update().filter(pk=instalment.source.pk))


def issue_call(
    *, instalment: Instalment, actor: Any = None, validation_date: datetime.date | None = None
) -> tuple[Call, bool]:
    """Post one call and create its notices' rows, in one transaction; (call, created).

    Issuing an instalment that already has its call returns it and writes nothing. Instalments
    are issued in order: the previous one of the same budget or operation must be issued.
    """
    with transaction.atomic():
        _lock_source(instalment)
        existing = instalment.existing()
        if existing is not None:
            return existing, False
        if instalment.number > 1:
            previous = Call.objects.filter(number=instalment.number - 1)
            previous = (
                previous.filter(budget=instalment.budget)
                if instalment.budget is not None
                else previous.filter(operation=instalment.operation)
            )
            if not previous.exists():
                raise CallError(f"{instalment.label} : émettez d'abord l'appel précédent (n° {instalment.number - 1}).")
        prepared = prepare_call(instalment)
        computation = prepared.computation
        if computation.total <= 0:
            raise CallError(f"{instalment.label} : le montant appelé est nul.")
        source = instalment.source
        condominium = Condominium.objects.select_related("firm").get(pk=source.condominium_id)
        balances = co_owner_balances(condominium, at=instalment.due_date)
        co_owners = CoOwner.objects.only("id", "condominium_id", "reference", "firm_id").in_bulk(
            list(computation.owners)
        )
        (entry,) = post_entries_bulk(
            condominium=condominium, drafts=[_entry_draft(prepared, co_owners, validation_date)], actor=actor
        )
        call = Call.objects.create(
            firm_id=condominium.firm_id,
            condominium=condominium,
            kind=instalment.kind,
            budget=instalment.budget,
            operation=instalment.operation,
            number=instalment.number,
            period=instalment.period,
            due_date=instalment.due_date,
            label=instalment.label,
            is_provisional=bool(instalment.budget is not None and instalment.budget.is_provisional),
            entry=entry,
            total_current=computation.total_current,
            total_works_fund=computation.total_works_fund,
            key_totals=[
                {"key_id": key.key_id, "code": key.code, "works_fund": key.is_works_fund, "amount": str(key.amount)}
                for key in prepared.keys
            ],
            co_owner_count=len(computation.owners),
            issued_at=timezone.now(),
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        notices = CallNotice.objects.bulk_create(
            [
                CallNotice(
                    call=call,
                    co_owner_id=owner_id,
                    amount_current=due.current,
                    amount_works_fund=due.works_fund,
                    previous_balance=balances.get(owner_id, ZERO),
                )
                for owner_id, due in computation.owners.items()
            ],
            batch_size=2000,
        )
        notice_ids = {notice.co_owner_id: notice.pk for notice in notices}
        CallLine.objects.bulk_create(
            [
                CallLine(
                    call=call,
                    notice_id=notice_ids[line.owner_id],
                    lot_id=line.lot_id,
                    key_id=line.key_id,
                    is_works_fund=line.is_works_fund,
                    shares=line.shares,
                    key_total=line.key_total,
                    amount=line.amount,
                )
                for line in computation.lines
            ],
            batch_size=2000,
        )
        record(
            action="funds.call.issued",
            firm=condominium.firm,
            actor=actor,
            target=call,
            data={
                "condominium": condominium.code,
                "label": call.label,
                "due_date": call.due_date.isoformat(),
                "entry": entry.code,
                "total": str(call.total),
                "co_owners": call.co_owner_count,
            },
        )
    return call, True


# --- Notices ------------------------------------------------------------------------------------


def _extranet_url(base_url: str) -> str:
    try:
        return f"{base_url}{reverse('portal:documents')}"
    except (NoReverseMatch, ImportError):  # a broken URLconf must not stop a batch of notices
        return f"{base_url}{DOCUMENTS_PATH}"


def co_owners_who_can_sign_in(co_owner_ids: Sequence[int]) -> set[int]:
    """The accounts among `co_owner_ids` with an active, activated extranet login (one query)."""
    links = CoOwner.users.through.objects.filter(coowner_id__in=co_owner_ids, user__is_active=True).exclude(
        user__password__startswith=UNUSABLE_PASSWORD_PREFIX
    )
    return set(links.values_list("coowner_id", flat=True))


def notice_data(notices: Sequence[CallNotice]) -> list[NoticeData]:
    """Everything a notice shows, read in a few queries for a chunk of notices of one call."""
    if not notices:
        return []
    call = notices[0].call
    condominium = call.condominium
    firm = condominium.firm
    lines_by_notice: dict[int, list[NoticeLine]] = defaultdict(list)
    rows = (
        CallLine.objects.filter(notice__in=[notice.pk for notice in notices])
        .order_by("lot__number", "is_works_fund", "key__code")
        .values_list(
            "notice_id", "lot__number", "lot__kind", "key__code", "key__label", "is_works_fund", "shares", "key_total",
            "amount",
        )
    )  # fmt: skip
    from tantieme.condominiums.enums import LotKind

    kinds = dict(LotKind.choices)
    for notice_id, lot_number, lot_kind, key_code, key_label, works_fund, shares, key_total, amount in rows:
        lines_by_notice[notice_id].append(
            NoticeLine(
                lot=f"Lot {lot_number} ({kinds.get(lot_kind, lot_kind)})",
                key=f"{key_label} ({key_code})",
                shares=f"{shares}/{key_total}",
                amount=amount,
                is_works_fund=works_fund,
            )
        )
    operation = call.operation
    purpose = (
        f"Travaux votés par l'AG du {operation.general_meeting_date:%d/%m/%Y} : {operation.label}" if operation else ""
    )
    extranet = _extranet_url(firm.base_url)
    languages = email_languages(notice.co_owner for notice in notices)
    can_sign_in = co_owners_who_can_sign_in([notice.co_owner_id for notice in notices])
    data = []
    for notice in notices:
        co_owner = notice.co_owner
        data.append(
            NoticeData(
                firm_name=firm.name,
                firm_legal_name=firm.legal_name,
                firm_address=firm.postal_address,
                firm_contact=" · ".join(part for part in (firm.phone, firm.contact_email) if part),
                firm_card=f"Carte professionnelle {firm.professional_card} · Garant : {firm.financial_guarantor}",
                extranet_url=extranet,
                condominium=f"{condominium.code} {condominium.name}",
                condominium_address=condominium.postal_address.replace("\n", ", "),
                iban=condominium.iban_display,
                bic=condominium.bic,
                reference=co_owner.reference_display,
                creditor_reference=co_owner.creditor_reference_display,
                payer_label=co_owner.payer_label,
                recipient_name=co_owner.display_name,
                recipient_address=co_owner.postal_address,
                title=call.label,
                period=call.period,
                due_date=call.due_date,
                issue_date=timezone.localtime(call.issued_at).date(),
                purpose=purpose,
                is_provisional=call.is_provisional,
                lines=tuple(lines_by_notice[notice.pk]),
                amount_current=notice.amount_current,
                amount_works_fund=notice.amount_works_fund,
                previous_balance=notice.previous_balance,
                works=call.kind == CallKind.WORKS,
                email_language=languages[co_owner.pk],
                can_sign_in=co_owner.pk in can_sign_in,
            )
        )
    return data


Renderer = Callable[[Sequence[NoticeData]], list[bytes]]


def render_serially(items: Sequence[NoticeData]) -> list[bytes]:
    return [render_notice_pdf(item) for item in items]


def _publish_one(notice_id: int, content: bytes, data: NoticeData, actor: Any) -> tuple[bool, bool]:
    """Publish one rendered notice and queue its e-mail; (published, emailed). Idempotent."""
    with transaction.atomic():
        notice = (
            CallNotice.objects.select_for_update()
            .select_related("co_owner", "call__condominium__firm")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.document_id is not None:
            return False, False
        call = notice.call
        co_owner = notice.co_owner
        document = publish_document(
            condominium=call.condominium,
            category=DocumentCategory.CALL_FOR_FUNDS,
            audience=Audience.CO_OWNER,
            co_owner=co_owner,
            title=f"Avis d'appel de fonds — {call.label}",
            content=content,
            filename=f"appel-{call.period}-{call.number}-{co_owner.reference}.pdf",
            document_date=call.due_date,
            published_by=actor if getattr(actor, "pk", None) else None,
        )
        notice.document = document
        # By e-mail only with the consent (décret 1967 art. 35-2) and an extranet the co-owner can
        # open: the e-mail points there. The others are in the batch's letters to post.
        emailed = bool(co_owner.e_notification_consent and co_owner.email and data.can_sign_in)
        if emailed:
            queue_email(
                firm=call.condominium.firm,
                to=co_owner.email,
                template=NOTICE_TEMPLATE,
                language=data.email_language,
                context={
                    "name": co_owner.display_name,
                    "call_label": call.label,
                    "condominium": call.condominium.name,
                    "due_date": call.due_date,
                    "overdue": call.due_date < timezone.localdate(),
                    "amount": data.amount,
                    "total_due": data.total_due,
                    "reference": co_owner.reference_display,
                    "link": data.extranet_url,
                },
            )
            notice.emailed = True
        notice.save(update_fields=["document", "emailed"])
    return True, emailed


@dataclass
class PublishResult:
    published: int = 0
    emailed: int = 0


def pending_notices(call: Call) -> Iterable[int]:
    return list(CallNotice.objects.filter(call=call, document__isnull=True).order_by("pk").values_list("pk", flat=True))


def publish_notices(
    *,
    call: Call,
    actor: Any = None,
    render: Renderer = render_serially,
    on_chunk: Callable[[int, int], None] | None = None,
    chunk: int = NOTICE_CHUNK,
) -> PublishResult:
    """Render and publish every notice of `call` that has no document yet; `on_chunk(published, emailed)`."""
    result = PublishResult()
    ids = list(pending_notices(call))
    for start in range(0, len(ids), chunk):
        batch = list(
            CallNotice.objects.filter(pk__in=ids[start : start + chunk], document__isnull=True)
            .select_related("co_owner", "call__condominium__firm", "call__operation")
            .order_by("pk")
        )
        data = notice_data(batch)
        pdfs = render(data)
        published = emailed = 0
        for notice, item, content in zip(batch, data, pdfs, strict=True):
            done, mailed = _publish_one(notice.pk, content, item, actor)
            published += done
            emailed += mailed
        result.published += published
        result.emailed += emailed
        if on_chunk is not None:
            on_chunk(published, emailed)
    return result
