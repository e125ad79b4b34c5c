"""Sending a stored document back: only after the caller checked who asks (FILE-02)."""

from __future__ import annotations

from typing import cast

from django.http import FileResponse, Http404, HttpResponse

from tantieme.documents.models import Document


def document_response(document: Document) -> FileResponse:
    """The file as an attachment, never cached by a shared cache, never sniffed into HTML."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_filename, content_type=document.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def as_page_response(response: FileResponse) -> HttpResponse:
    """The page decorators (`co_owner_required`, `staff_required`) are typed for HttpResponse; a
    FileResponse streams instead, and Django serves both alike."""
    return cast(HttpResponse, response)
