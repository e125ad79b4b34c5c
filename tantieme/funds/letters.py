"""The notices to post: one PDF per issue batch for the co-owners not reached by e-mail (issue 16).

A notice goes by e-mail only to a co-owner who consented to electronic notification and can sign
in to the extranet (`issuing._publish_one`); every other notice of the batch is printed and posted.
This module gathers them, sorted for the post (country, postal code, name), into one PDF: the
notices themselves, already laid out with the address in the envelope window, one after another.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from django.db.models import QuerySet
from pypdf import PdfReader, PdfWriter

from tantieme.funds.models import Call, CallBatch, CallNotice


def calls_of_batch(batch: CallBatch, condominium_ids: Sequence[int]) -> QuerySet[Call]:
    """The calls a batch issued (its condominium, or those of `condominium_ids` for a firm-wide batch)."""
    calls = Call.objects.filter(period=batch.period)
    if batch.condominium_id is not None:
        return calls.filter(condominium_id=batch.condominium_id)
    return calls.filter(condominium_id__in=condominium_ids)


def notices_to_post(calls: QuerySet[Call]) -> QuerySet[CallNotice]:
    """Published notices that were not e-mailed, in the order of the post."""
    return (
        CallNotice.objects.filter(call__in=calls, document__isnull=False, emailed=False)
        .select_related("document", "co_owner")
        .order_by("co_owner__country", "co_owner__postal_code", "co_owner__last_name", "co_owner__reference", "pk")
    )


def letters_pdf(notices: QuerySet[CallNotice]) -> bytes:
    """The notices, one after another, as one PDF to print (each starts on a new sheet)."""
    writer = PdfWriter()
    for notice in notices.iterator(chunk_size=200):
        assert notice.document is not None
        with notice.document.file.open("rb") as stored:
            reader = PdfReader(BytesIO(stored.read()))
        writer.append(reader)
        if len(reader.pages) % 2:  # recto-verso printing: the next notice starts on a new sheet
            last = reader.pages[-1]
            writer.add_blank_page(width=last.mediabox.width, height=last.mediabox.height)
    output = BytesIO()
    writer.write(output)
    return output.getvalue()
