"""After the approval: the individual statements in each co-owner's « Mes documents » (décret
2019-502 art. 2) and the annexes in the council's space, as a resumable task with progress.

`publish_closing_documents(closing_id=…)` skips the co-owners whose statement of the year is
already there (a run killed in the middle resumes where it stopped) and saves its progress on the
closing after every chunk, which the back office shows as a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from tantieme.closing.annexes import build_annexes
from tantieme.closing.models import Closing, ClosingState
from tantieme.closing.renderers import render_annexes_pdf, render_individual_statement_pdf
from tantieme.closing.statements import individual_statements
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.models import Document
from tantieme.documents.services import publish_document
from tantieme.tenancy.scoping import firm_scope

CHUNK = 200


def statement_title(year_label: str) -> str:
    return f"Répartition des charges {year_label} (compte individuel)"


def annexes_title(year_label: str) -> str:
    return f"Annexes aux comptes de l'exercice {year_label}"


Progress = Callable[[int, int], None]


def publish_closing_documents(*, closing_id: int, progress: Progress | None = None) -> Closing:
    """Publish the approved closing's statements and annexes; idempotent and resumable.

    `progress(done, total)` is called after each chunk (the command line draws its bar with it)."""
    closing = Closing.all_firms.select_related("fiscal_year", "condominium__firm").get(pk=closing_id)
    condominium: Condominium = closing.condominium
    if closing.state != ClosingState.APPROVED or closing.approval_date is None:
        return closing
    with firm_scope(condominium.firm):
        year = closing.fiscal_year
        on = closing.approval_date
        co_owners = {owner.reference: owner for owner in CoOwner.objects.filter(condominium=condominium)}
        published = set(
            Document.objects.filter(
                condominium=condominium,
                category=DocumentCategory.REGULARISATION,
                title=statement_title(year.label),
                archived_at__isnull=True,
            ).values_list("co_owner__reference", flat=True)
        )
        statements = individual_statements(closing)
        Closing.objects.filter(pk=closing.pk).update(documents_total=len(statements) + 1)
        done = len([statement for statement in statements if statement.reference in published])
        for start in range(0, len(statements), CHUNK):
            with transaction.atomic():
                for statement in statements[start : start + CHUNK]:
                    if statement.reference in published:
                        continue
                    publish_document(
                        condominium=condominium,
                        category=DocumentCategory.REGULARISATION,
                        audience=Audience.CO_OWNER,
                        co_owner=co_owners[statement.reference],
                        title=statement_title(year.label),
                        content=render_individual_statement_pdf(statement),
                        filename=f"repartition-{year.label}-{statement.reference}.pdf",
                        document_date=on,
                        year=on.year,
                    )
                    done += 1
                Closing.objects.filter(pk=closing.pk).update(documents_done=done)
            if progress is not None:
                progress(done, len(statements) + 1)
        annexes = build_annexes(fiscal_year=year, closing=closing)
        publish_document(
            condominium=condominium,
            category=DocumentCategory.COUNCIL,
            audience=Audience.COUNCIL,
            title=annexes_title(year.label),
            content=render_annexes_pdf(annexes),
            filename=f"annexes-{condominium.code}-{year.label}.pdf",
            document_date=on,
            year=on.year,
        )
        Closing.objects.filter(pk=closing.pk).update(documents_done=done + 1, documents_finished_at=timezone.now())
        if progress is not None:
            progress(done + 1, len(statements) + 1)
    closing.refresh_from_db()
    return closing


def approve_requested_closing(*, closing_id: int) -> Closing:
    """Run the approval asked for in the back office, then publish; a refusal is kept on the closing.

    Resumable: an approval that died rolled back and is still requested; a publication that died
    resumes where it stopped."""
    from tantieme.closing.services import approve_closing
    from tantieme.ledger.exceptions import LedgerError

    closing = Closing.all_firms.select_related("fiscal_year", "condominium__firm", "approval_requested_by").get(
        pk=closing_id
    )
    if closing.state == ClosingState.DRAFT:
        if closing.approval_requested_for is None:
            return closing
        with firm_scope(closing.condominium.firm):
            try:
                approve_closing(
                    fiscal_year=closing.fiscal_year,
                    approval_date=closing.approval_requested_for,
                    actor=closing.approval_requested_by,
                    publish=False,
                )
            except LedgerError as error:
                Closing.all_firms.filter(pk=closing.pk).update(approval_requested_for=None, approval_error=str(error))
                closing.refresh_from_db()
                return closing
    return publish_closing_documents(closing_id=closing.pk)
