"""Back office « Comptabilité » (issue 12): what every page of the books shares — the condominium
of the URL (from the staff member's portfolio, else a 404), its fiscal years and the one chosen with
`?exercice=<id>` (the current one by default), the roles that write, and the page layout.

The pages, by use case: `entries` (journals, search, detail, attachments, manual OD entries,
reversals), `reports` (trial balance, general ledger, exports), `lettering` (co-owner sub-accounts
and general accounts), `reconciliation` (the bank). Reads for every staff member; writes for firm
administrators and accountants, through `tantieme.ledger.services` only. Each page runs a fixed
number of queries, whatever the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tantieme.audit.services import record
from tantieme.backoffice.policy import Can, can, portfolio_condominium
from tantieme.condominiums.models import Condominium
from tantieme.ledger import exports, reports
from tantieme.ledger.models import Entry, FiscalYear

MENU = "accounting"
PAGE_SIZE = 50
LINES_SHOWN = 200
MANUAL_JOURNAL = "OD"
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
AUDIT_MANUAL = "ledger.manual_entry.posted"
AUDIT_REVERSAL = "ledger.entry.reversal_requested"
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


# --- Resolving the condominium and the fiscal year ------------------------------------------------


@dataclass
class Books:
    condominium: Condominium
    years: list[FiscalYear]
    year: FiscalYear | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def year_query(self) -> str:
        return f"exercice={self.year.pk}" if self.year else ""


def books_for(request: HttpRequest, pk: int) -> Books:
    condominium = portfolio_condominium(request, pk)
    years = reports.fiscal_years_of(condominium.pk)
    wanted = request.GET.get("exercice", "")
    year = next((year for year in years if str(year.pk) == wanted), None)
    if year is None:
        year = reports.current_fiscal_year(years, timezone.localdate())
    return Books(condominium=condominium, years=years, year=year)


def render_page(
    request: HttpRequest, template: str, books: Books, page_name: str, *, status: int = 200, **context: Any
) -> HttpResponse:
    return render(
        request,
        f"backoffice/accounting/{template}",
        {
            "condominium": books.condominium,
            "years": books.years,
            "year": books.year,
            "year_query": books.year_query,
            "page_name": page_name,
            "can_write": can(request, Can.POST_ENTRIES),
            "menu": MENU,
            **context,
        },
        status=status,
    )


def entry_for(books: Books, entry_pk: int) -> Entry:
    """The entry, in the condominium of the URL; the pages around it show its own fiscal year."""
    entry = get_object_or_404(
        Entry.objects.select_related("journal", "fiscal_year", "reverses"),
        pk=entry_pk,
        condominium=books.condominium,
    )
    books.year = next((year for year in books.years if year.pk == entry.fiscal_year_id), books.year)
    return entry


def year_or_404(books: Books) -> FiscalYear:
    if books.year is None:
        raise Http404
    return books.year


def export_response(
    request: HttpRequest, books: Books, table: exports.Table, fmt: str, filename: str, *, back: str
) -> HttpResponse:
    """The table as CSV (streamed), XLSX or PDF; the querysets are built already (firm scope)."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    response: HttpResponse
    if fmt == "csv":
        streamed = StreamingHttpResponse(exports.csv_chunks(table), content_type=EXPORT_FORMATS[fmt])
        response = cast(HttpResponse, streamed)
    elif fmt == "xlsx":
        response = cast(HttpResponse, FileResponse(exports.xlsx_file(table), content_type=EXPORT_FORMATS[fmt]))
    else:
        try:
            content = exports.pdf_bytes(
                table,
                firm=books.condominium.firm,
                reference=_("Copropriété %(code)s") % {"code": books.condominium.code},
            )
        except exports.ExportTooLarge:
            messages.error(
                request,
                _("Plus de %(count)s lignes : trop pour un PDF. Filtrez (compte, dates) ou exportez en CSV ou XLSX.")
                % {"count": exports.PDF_MAX_ROWS},
            )
            # Back to the report's own page (never to a Referer: no open redirect).
            page = reverse(back, args=[books.condominium.pk])
            return redirect(f"{page}?{request.GET.urlencode()}")
        response = HttpResponse(content, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    record(action="ledger.report.exported", request=request, target=books.condominium,
           data={"file": f"{filename}.{fmt}"})  # fmt: skip
    return response
