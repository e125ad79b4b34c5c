"""Sending an invoice's PDF back: only after the caller checked who asks (portfolio, council seat)."""

from __future__ import annotations

from typing import cast

from django.http import FileResponse, Http404, HttpResponse

from tantieme.expenses.models import Invoice


def invoice_pdf_response(invoice: Invoice) -> HttpResponse:
    """The PDF inline (the browser's viewer), never cached by a shared cache, never sniffed."""
    if not invoice.file:
        raise Http404
    try:
        handle = invoice.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    name = f"{invoice.supplier.code}-{invoice.number}.pdf".replace("/", "-")
    response = FileResponse(handle, as_attachment=False, filename=name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)
