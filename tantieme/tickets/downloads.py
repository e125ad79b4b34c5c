"""Serving an attachment once the caller has checked who asks (FILE-01)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from tantieme.tickets.models import TicketAttachment


def attachment_response(attachment: TicketAttachment) -> HttpResponse:
    """The file as a download, never displayed inline nor kept by a shared cache.

    Attachments are 10 MB at most, so the bytes are read whole (a plain HttpResponse, as the page views).
    """
    with attachment.file.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=attachment.content_type)
    disposition = content_disposition_header(as_attachment=True, filename=attachment.filename)
    response["Content-Disposition"] = disposition or "attachment"
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
