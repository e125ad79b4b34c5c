"""Sample import files (tests/data) and a converter from the sectioned CSV to an XLSX workbook."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

import openpyxl

from tantieme.condominiums.importing import SHEET_NAMES, section_of
from tantieme.condominiums.models import AllocationKey, Building, Condominium, CoOwner, Lot, LotShare, Ownership
from tantieme.tenancy.scoping import all_firms_scope

DATA = Path(__file__).resolve().parent.parent / "data"
VALID_CSV = DATA / "import_valid.csv"
VALID_XLSX = DATA / "import_valid.xlsx"
IMPORTED = (Condominium, Building, AllocationKey, Lot, LotShare, CoOwner, Ownership)

_NUMERIC = {"total", "numero", "etage", "debut_exercice", "lot", "code_postal"}
_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def line_of(name: str, starts_with: str) -> int:
    """The line number (from 1) of the only line of tests/data/<name> starting with `starts_with`."""
    lines = (DATA / name).read_text(encoding="utf-8-sig").splitlines()
    numbers = [index for index, line in enumerate(lines, start=1) if line.startswith(starts_with)]
    assert len(numbers) == 1, numbers
    return numbers[0]


def csv_text(name: str = "import_valid.csv") -> str:
    return (DATA / name).read_text(encoding="utf-8-sig")


def _typed(column: str, value: str) -> object:
    """What a spreadsheet user would have typed: numbers as numbers, dates as dates."""
    if value == "":
        return None
    if (column in _NUMERIC or column.startswith("tantiemes:")) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if _DATE.match(value):
        day, month, year = (int(part) for part in value.split("/"))
        return datetime.date(year, month, day)
    return value


def xlsx_from_csv(text: str) -> bytes:
    """The workbook equivalent of a sectioned CSV: one sheet per section, with its header row."""
    sheets: dict[str, list[list[str]]] = {}
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if not row or not any(row) or row[0].startswith("#"):
            continue
        section = section_of(row[0])
        assert section is not None, row
        sheets.setdefault(section, []).append(row[1:])
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for section, rows in sheets.items():
        sheet = workbook.create_sheet(SHEET_NAMES[section])
        header = rows[0]
        sheet.append(header)
        for row in rows[1:]:
            sheet.append(
                [_typed(header[index] if index < len(header) else "", value) for index, value in enumerate(row)]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_counts() -> dict[str, int]:
    with all_firms_scope():
        return {model.__name__: model.all_firms.count() for model in IMPORTED}


def snapshot() -> dict[str, list[dict[str, object]]]:
    """Every imported row, every field: two equal snapshots mean the database did not change."""
    with all_firms_scope():
        return {model.__name__: list(model.all_firms.order_by("pk").values()) for model in IMPORTED}


if __name__ == "__main__":  # regenerate tests/data/import_valid.xlsx
    VALID_XLSX.write_bytes(xlsx_from_csv(csv_text()))
