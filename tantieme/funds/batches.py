"""Call batches: the visible job that issues a period's calls and their notices.

`start_batch(...)` records a pending `CallBatch` (or returns the unfinished one of the same firm,
condominium and period: a batch killed in the middle is resumed, not duplicated). `run_batch(...)`
does the work in idempotent steps (`issuing.issue_call`, then `issuing.publish_notices`), saving
its progress, counts and errors on the row as it goes; the back office shows them.

It ends FAILED when errors left it with no call at all (e.g. « Aucun exercice ouvert ne contient le
01/01/2027 »: open the year, then issue again, which starts a new batch), DONE otherwise, errors
included when some calls were issued; DONE with no step when nothing fell due in the period.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tantieme.audit.services import record
from tantieme.condominiums.models import Condominium
from tantieme.core.money import ZERO
from tantieme.funds.computation import normalize_period
from tantieme.funds.enums import BatchState
from tantieme.funds.exceptions import FundsError
from tantieme.funds.issuing import Renderer, instalments_for_period, issue_call, publish_notices, render_serially
from tantieme.funds.models import Call, CallBatch, CallNotice
from tantieme.ledger.exceptions import LedgerError
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope

STALE_AFTER = datetime.timedelta(minutes=5)
MAX_ERRORS = 200

Progress = Callable[[CallBatch], None]


def start_batch(
    *, firm: Firm, period: str, condominium: Condominium | None = None, actor: Any = None, resume: bool = True
) -> CallBatch:
    """A pending batch for `period`, or the unfinished one already there for the same target."""
    period = normalize_period(period)
    with transaction.atomic():
        unfinished = (
            CallBatch.all_firms.select_for_update()
            .filter(firm=firm, condominium=condominium, period=period)
            .exclude(state__in=[BatchState.DONE, BatchState.FAILED])
            .order_by("-pk")
            .first()
        )
        if unfinished is not None and resume:
            return unfinished
        batch = CallBatch.all_firms.create(
            firm=firm,
            condominium=condominium,
            period=period,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        record(
            action="funds.batch.created",
            firm=firm,
            actor=actor,
            target=batch,
            data={"period": period, "condominium": condominium.code if condominium else None},
        )
    return batch


def _update(batch: CallBatch, **changes: Any) -> None:
    changes["heartbeat_at"] = timezone.now()
    CallBatch.all_firms.filter(pk=batch.pk).update(**changes)
    batch.refresh_from_db()


def _add_error(batch: CallBatch, where: str, message: str) -> None:
    errors = list(batch.errors)
    if len(errors) < MAX_ERRORS:
        errors.append({"where": where, "message": message})
    _update(batch, errors=errors)


def is_stale(batch: CallBatch, *, now: datetime.datetime | None = None) -> bool:
    """Running but silent for a while: its process died (it can be restarted, it resumes)."""
    if batch.state != BatchState.RUNNING or batch.heartbeat_at is None:
        return False
    return (now or timezone.now()) - batch.heartbeat_at > STALE_AFTER


def run_batch(
    *, batch_id: int, render: Renderer = render_serially, progress: Progress | None = None, actor: Any = None
) -> CallBatch:
    """Issue every call due in the batch's period, then publish their notices (resumable)."""
    batch = CallBatch.all_firms.select_related("firm", "condominium").get(pk=batch_id)
    if batch.state == BatchState.DONE:
        return batch
    with firm_scope(batch.firm):
        try:
            return _run(batch, render=render, progress=progress, actor=actor)
        except Exception as error:
            _add_error(batch, "lot", f"{type(error).__name__}: {error}")
            _update(batch, state=BatchState.FAILED, finished_at=timezone.now())
            raise


def _run(batch: CallBatch, *, render: Renderer, progress: Progress | None, actor: Any) -> CallBatch:
    _update(batch, state=BatchState.RUNNING, started_at=batch.started_at or timezone.now(), errors=[])
    condominiums = (
        [batch.condominium]
        if batch.condominium is not None
        else list(Condominium.objects.filter(firm=batch.firm).order_by("code"))
    )
    instalments = []
    for condominium in condominiums:
        try:
            instalments += instalments_for_period(condominium, batch.period)
        except FundsError as error:
            _add_error(batch, condominium.code, str(error))
    _update(batch, steps_total=len(instalments), steps_done=0, calls_created=0, calls_existing=0)
    if progress:
        progress(batch)
    calls: list[Call] = []
    created = existing = 0
    for instalment in instalments:
        where = f"{instalment.source.condominium.code} {instalment.label}"
        try:
            call, is_new = issue_call(instalment=instalment, actor=actor)
        except (FundsError, LedgerError) as error:
            _add_error(batch, where, str(error))
        else:
            calls.append(call)
            created += is_new
            existing += not is_new
        _update(batch, steps_done=F("steps_done") + 1, calls_created=created, calls_existing=existing)
        if progress:
            progress(batch)
    notice_count = CallNotice.objects.filter(call__in=calls).count()
    already = CallNotice.objects.filter(call__in=calls, document__isnull=False).count()
    _update(
        batch,
        steps_total=len(instalments) + notice_count,
        steps_done=len(instalments) + already,
        total_amount=sum((call.total for call in calls), ZERO),
        notices_published=0,
        emails_queued=0,
    )
    if progress:
        progress(batch)

    def on_chunk(published: int, emailed: int) -> None:
        _update(
            batch,
            steps_done=F("steps_done") + published,
            notices_published=F("notices_published") + published,
            emails_queued=F("emails_queued") + emailed,
        )
        if progress:
            progress(batch)

    for call in calls:
        try:
            publish_notices(call=call, actor=actor, render=render, on_chunk=on_chunk)
        except FundsError as error:
            _add_error(batch, call.label, str(error))
    # Errors and not one call issued (nor found already issued): the batch failed, it did not « finish ».
    # A batch with nothing due at all (no budget for the period) ends DONE with 0 steps: the page says so.
    failed = bool(batch.errors) and not calls
    _update(
        batch,
        state=BatchState.FAILED if failed else BatchState.DONE,
        finished_at=timezone.now(),
        steps_done=F("steps_total"),
    )
    record(
        action="funds.batch.failed" if failed else "funds.batch.finished",
        firm=batch.firm,
        actor=actor,
        target=batch,
        data={
            "period": batch.period,
            "state": batch.state,
            "calls_created": batch.calls_created,
            "calls_existing": batch.calls_existing,
            "notices": batch.notices_published,
            "total": str(batch.total_amount),
            "errors": len(batch.errors),
        },
    )
    if progress:
        progress(batch)
    return batch
