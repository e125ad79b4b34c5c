"""Reading an import file (CSV or XLSX) into tables of cells, one per section, with their row numbers."""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tantieme.condominiums.importing.issues import ImportIssue, Location
from tantieme.core.files import SpreadsheetTooLarge, check_spreadsheet_size, spreadsheet_rows_exceeded

# A cell as read from the file: text (stripped), a whole number or a date (XLSX cells only).
Cell = str | int | datetime.date

CONDOMINIUM = "copropriete"
BUILDING = "batiment"
KEY = "cle"
LOT = "lot"
CO_OWNER = "coproprietaire"
OWNERSHIP = "propriete"
SECTIONS = (CONDOMINIUM, BUILDING, KEY, LOT, CO_OWNER, OWNERSHIP)
# Sheet names of the XLSX workbook; either spelling is accepted for both formats.
SHEET_NAMES = {
    CONDOMINIUM: "copropriete",
    BUILDING: "batiments",
    KEY: "cles",
    LOT: "lots",
    CO_OWNER: "coproprietaires",
    OWNERSHIP: "proprietes",
}
SHARES_PREFIX = "tantiemes:"

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, no accents, runs of anything else than letters and digits as one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_ALNUM.sub(" ", bare.lower()).strip()


def canonical_column(text: str) -> str:
    """ "Complément adresse" -> "complement_adresse"; "Tantièmes : GEN" -> "tantiemes:GEN"."""
    prefix, colon, rest = text.partition(":")
    if colon and fold(prefix) == "tantiemes":
        return f"{SHARES_PREFIX}{rest.strip()}"
    return fold(text).replace(" ", "_")


_SECTION_NAMES = {fold(name): section for section in SECTIONS for name in (section, SHEET_NAMES[section])} | {
    "coproprietes": CONDOMINIUM,
    "cles de repartition": KEY,
}


def section_of(name: str) -> str | None:
    return _SECTION_NAMES.get(fold(name))


# --- Reading the file --------------------------------------------------------------------------


@dataclass
class SourceRow:
    number: int
    cells: list[Cell]


@dataclass
class SourceTable:
    """One section: its header (canonical column names, None for an empty header cell) and its rows."""

    section: str
    sheet: str  # the workbook's sheet title; "" for a CSV file, whose line numbers are enough
    header_row: int
    columns: list[str | None]
    headers: dict[str, str]
    rows: list[SourceRow] = field(default_factory=list)

    def at(self, row: int) -> Location:
        return Location(self.sheet, row, self.headers)


@dataclass
class SourceFile:
    kind: str  # "csv" or "xlsx"
    tables: dict[str, SourceTable]


def _is_blank(cells: Sequence[Cell]) -> bool:
    return all(cell == "" for cell in cells)


def _trim(cells: list[Cell]) -> list[Cell]:
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _new_table(section: str, sheet: str, number: int, header: Sequence[Cell]) -> SourceTable:
    columns: list[str | None] = []
    headers: dict[str, str] = {}
    for cell in header:
        text = str(cell).strip()
        if not text:
            columns.append(None)
            continue
        name = canonical_column(text)
        columns.append(name)
        headers.setdefault(name, text)
    return SourceTable(section, sheet, number, columns, headers)


def _repeats_header(table: SourceTable, cells: Sequence[Cell]) -> bool:
    names = [canonical_column(str(cell)) if cell != "" else None for cell in cells]
    return _trim_none(names) == _trim_none(list(table.columns))


def _trim_none(names: list[str | None]) -> list[str | None]:
    while names and names[-1] is None:
        names.pop()
    return names


def read_source(filename: str, content: bytes) -> tuple[SourceFile | None, list[ImportIssue]]:
    """The file's tables. An XLSX workbook is recognised by its content, anything else is read as CSV."""
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return None, [
            ImportIssue(
                None, None, _("Le format .xls (Excel 97-2003) n'est pas lu : enregistrez le classeur en .xlsx.")
            )
        ]
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if not content.strip():
        return None, [ImportIssue(None, None, _("Le fichier « %(name)s » est vide.") % {"name": filename})]
    return _read_csv(content)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Not UTF-8: most likely a CSV saved by Excel for Windows.
        return content.decode("cp1252", errors="replace")


_DELIMITERS = (";", ",", "\t")


def _delimiter(text: str) -> str:
    """The delimiter that makes the first line (not a comment) start with a section name, else the commonest."""
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    for delimiter in _DELIMITERS:
        if section_of(first.split(delimiter, 1)[0].strip().strip('"')) is not None:
            return delimiter
    counts = {delimiter: first.count(delimiter) for delimiter in _DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ";"


def _read_csv(content: bytes) -> tuple[SourceFile | None, list[ImportIssue]]:
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    tables: dict[str, SourceTable] = {}
    issues: list[ImportIssue] = []
    last_line = 0
    try:
        for raw in reader:
            number, last_line = last_line + 1, reader.line_num
            cells = _trim([cell.strip() for cell in raw])
            if _is_blank(cells) or str(cells[0]).startswith("#"):
                continue
            section = section_of(str(cells[0]))
            if section is None:
                name = str(cells[0])
                issues.append(
                    ImportIssue(
                        number,
                        None,
                        _("Section « %(name)s » inconnue : la première colonne doit valoir %(sections)s.")
                        % {"name": name if len(name) <= 40 else f"{name[:40]}…", "sections": ", ".join(SECTIONS)},
                    )
                )
                continue
            table = tables.get(section)
            if table is None:
                tables[section] = _new_table(section, "", number, cells[1:])
            elif not _repeats_header(table, cells[1:]):
                table.rows.append(SourceRow(number, cells[1:]))
    except csv.Error as error:
        issues.append(ImportIssue(last_line + 1, None, _("Fichier CSV illisible : %(error)s") % {"error": error}))
        return None, issues
    return SourceFile("csv", tables), issues


def _xlsx_cell(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date | int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else repr(value)
    return str(value).strip()


def _read_xlsx(content: bytes) -> tuple[SourceFile | None, list[ImportIssue]]:
    import openpyxl

    try:
        check_spreadsheet_size(content)
    except SpreadsheetTooLarge as error:
        return None, [ImportIssue(None, None, str(error))]
    try:
        with warnings.catch_warnings():
            # Workbooks written by other software often lack styles openpyxl warns about.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 (a damaged workbook fails anywhere in openpyxl)
        return None, [ImportIssue(None, None, _("Classeur XLSX illisible : %(error)s") % {"error": error})]
    tables: dict[str, SourceTable] = {}
    issues: list[ImportIssue] = []
    try:
        for sheet in workbook.worksheets:
            title = str(sheet.title)
            sheet.reset_dimensions()
            section = section_of(title)
            table: SourceTable | None = None
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                too_many = spreadsheet_rows_exceeded(number)
                if too_many:
                    return None, [ImportIssue(None, None, too_many, title)]
                cells = _trim([_xlsx_cell(value) for value in values])
                if _is_blank(cells):
                    continue
                if section is None:
                    issues.append(
                        ImportIssue(
                            None,
                            None,
                            _("Feuille « %(sheet)s » inconnue : les feuilles attendues sont %(sheets)s.")
                            % {"sheet": title, "sheets": ", ".join(SHEET_NAMES.values())},
                        )
                    )
                    break
                if section in tables and table is None:
                    issues.append(
                        ImportIssue(None, None, _("Feuille « %(sheet)s » en double.") % {"sheet": title}, title)
                    )
                    break
                if table is None:
                    table = tables[section] = _new_table(section, title, number, cells)
                else:
                    table.rows.append(SourceRow(number, cells))
    finally:
        workbook.close()
    return SourceFile("xlsx", tables), issues
