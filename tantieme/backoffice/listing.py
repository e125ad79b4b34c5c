"""Back-office lists: one way to paginate, sort and export (CSV and XLSX) any table.

A view describes its columns once; `build_listing` sorts and paginates the query from the request
(`?tri=name&ordre=desc&page=3`), and `export_listing` writes the same rows, unpaginated, as the
file asked by `?format=csv|xlsx` (through `ledger.exports`: French CSV, exact Decimal in XLSX,
formula-like text neutralised). Filters stay with each view (its own form narrows the query);
the query string is kept in every sort, page and export link.

    COLUMNS = (
        Column("reference", _("Référence"), lambda c: c.reference_display, order_by="reference"),
        Column("name", _("Nom"), lambda c: c.display_name, order_by="last_name"),
        Column("balance", _("Solde"), lambda c: c.balance, order_by="balance"),
    )
    if wants_export(request):
        return export_listing(request, co_owners, COLUMNS, title="Copropriétaires", filename="coproprietaires")
    listing = build_listing(request, co_owners, COLUMNS, default_sort="reference")

Template: `{% include "backoffice/includes/listing_head.html" %}` inside `<thead>` (sortable
headers with aria-sort), `{% include "backoffice/includes/listing_pages.html" %}` after the
table, `{% include "backoffice/includes/listing_exports.html" %}` for the two links; rows are
`listing.page` (the objects of the page).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise

from tantieme.ledger.exports import Cell, Table, csv_chunks, xlsx_file

PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Column:
    key: str  # the sort parameter and a stable identifier
    label: str | Promise  # gettext_lazy at module level
    value: Callable[[Any], Any]  # the cell of one row, for the export (text, Decimal, date, None)
    order_by: str | None = None  # the ORM expression to sort on; None: not sortable
    numeric: bool = False  # amounts: right-aligned


@dataclass(frozen=True)
class HeaderCell:
    column: Column
    sorted: str  # "ascending", "descending" or "" (for aria-sort)
    link: str  # query string that sorts on this column (the other direction when already sorted)


@dataclass(frozen=True)
class Listing:
    page: Page[Any]
    headers: tuple[HeaderCell, ...]
    query: str  # the current query string without `page`, for page links
    export_query: str  # the current query string without `page` and `format`


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def build_listing(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    columns: Sequence[Column],
    *,
    default_sort: str,
    default_descending: bool = False,
    per_page: int = PAGE_SIZE,
    tiebreak: str = "pk",
) -> Listing:
    """The page of `rows` asked by the request, sorted on a known column (anything else: the default).

    `tiebreak` orders equal rows; rows grouped with `.values(...).annotate(...)` pass one of their
    grouping fields (sorting on "pk" would split the groups).
    """
    by_key = {column.key: column for column in columns if column.order_by}
    sort = request.GET.get("tri", default_sort)
    if sort not in by_key:
        sort = default_sort
    # Without `ordre`: the default direction for the default column, ascending for any other.
    descending = request.GET.get("ordre", "desc" if default_descending and sort == default_sort else "asc") == "desc"
    if isinstance(rows, QuerySet) and sort in by_key:
        order = by_key[sort].order_by
        assert order is not None
        rows = rows.order_by(f"-{order}" if descending else order, tiebreak)
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    headers = []
    for column in columns:
        query = request.GET.copy()
        for name in ("page", "format"):
            query.pop(name, None)
        is_sorted = column.key == sort
        query["tri"] = column.key
        query["ordre"] = "asc" if (is_sorted and descending) or not is_sorted else "desc"
        headers.append(
            HeaderCell(
                column=column,
                sorted=("descending" if descending else "ascending") if is_sorted else "",
                link=query.urlencode() if column.order_by else "",
            )
        )
    return Listing(
        page=page,
        headers=tuple(headers),
        query=_query_without(request, "page"),
        export_query=_query_without(request, "page", "format"),
    )


def wants_export(request: HttpRequest) -> bool:
    return request.GET.get("format", "") in EXPORT_FORMATS


def _cell(value: Any) -> Cell:
    if isinstance(value, datetime.datetime):  # a moment: local time, to the minute (XLSX has no time zones)
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{moment:%d/%m/%Y %H:%M}"
    if value is None or isinstance(value, str | Decimal | datetime.date):
        return value
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)  # a lot number or a count, not an amount
    return str(value)


def export_listing(
    request: HttpRequest,
    rows: Iterable[Any],
    columns: Sequence[Column],
    *,
    title: str | Promise,
    filename: str,
    fmt: str | None = None,
    tiebreak: str = "pk",
) -> HttpResponse:
    """`rows` (all of them, in the listing's order) as the CSV or XLSX file asked by `?format=`
    (or by `fmt`, for a URL of its own such as `…/export.csv`).

    Typed as an `HttpResponse` (it is a streaming one) so that views keep their usual signature.
    """
    sort = request.GET.get("tri")
    by_key = {column.key: column for column in columns if column.order_by}
    if isinstance(rows, QuerySet) and sort in by_key:
        order = by_key[sort].order_by
        assert order is not None
        rows = rows.order_by(f"-{order}" if request.GET.get("ordre") == "desc" else order, tiebreak)
    iterator = rows.iterator(chunk_size=2000) if isinstance(rows, QuerySet) else iter(rows)
    table = Table(
        title=str(title),
        header=tuple(str(column.label) for column in columns),
        rows=(tuple(_cell(column.value(row)) for column in columns) for row in iterator),
        widths=(),
        numeric_from=len(columns),
    )
    stamp = f"{filename}-{timezone.localdate():%Y%m%d}"
    if (fmt or request.GET.get("format")) == "xlsx":
        xlsx = FileResponse(
            xlsx_file(table),
            as_attachment=True,
            filename=f"{stamp}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        return cast(HttpResponse, xlsx)
    response = StreamingHttpResponse(csv_chunks(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stamp}.csv"'
    return cast(HttpResponse, response)
