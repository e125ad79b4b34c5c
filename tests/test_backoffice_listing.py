"""The shared back-office list: sort from the query string, pages, CSV and XLSX exports."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from django.test import RequestFactory

from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export

ROWS = [{"name": f"Nom {index:03d}", "amount": Decimal(index) / 4, "code": "=HYPERLINK()"} for index in range(120)]
COLUMNS = (
    Column("name", "Nom", lambda row: row["name"], order_by="name"),
    Column("amount", "Montant", lambda row: row["amount"], numeric=True),
    Column("code", "Code", lambda row: row["code"]),
)


def test_listing_pages_and_sort_links_keep_the_filters() -> None:
    request = RequestFactory().get("/", {"q": "x", "page": "2", "tri": "name", "ordre": "asc"})
    listing = build_listing(request, ROWS, COLUMNS, default_sort="name", per_page=50)
    assert listing.page.number == 2
    assert len(listing.page.object_list) == 50
    assert listing.query == "q=x&tri=name&ordre=asc"
    name, amount, _code = listing.headers
    assert name.sorted == "ascending"
    assert "ordre=desc" in name.link
    assert "q=x" in name.link
    assert "page" not in name.link
    assert amount.link == ""  # not sortable


def test_unknown_sort_falls_back_to_the_default() -> None:
    request = RequestFactory().get("/", {"tri": "password"})
    listing = build_listing(request, ROWS, COLUMNS, default_sort="name")
    assert listing.headers[0].sorted == "ascending"


def test_csv_export_is_french_and_neutralises_formulas() -> None:
    request = RequestFactory().get("/", {"format": "csv"})
    assert wants_export(request)
    response = export_listing(request, ROWS[:2], COLUMNS, title="Essai", filename="essai")
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeffNom;Montant;Code\r\n")
    assert "Nom 001;0,25;'=HYPERLINK()" in body
    assert 'filename="essai-' in response["Content-Disposition"]


def test_xlsx_export_keeps_amounts_as_numbers(db: None) -> None:  # closing the response touches the connection
    request = RequestFactory().get("/", {"format": "xlsx"})
    response = export_listing(request, ROWS[:3], COLUMNS, title="Essai", filename="essai")
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    response.close()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Nom", "Montant", "Code")
    assert rows[3][1] == 0.5
