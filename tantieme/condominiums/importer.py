"""Set up or update a condominium from a spreadsheet (CSV or XLSX); the format is in docs/import-format.md.

Nothing is written unless the whole file is right:

1. `read_source()` turns the file into tables of cells, one per section, with their row numbers;
2. `parse()` turns the cells into typed records and `validate()` checks them against each other and
   against the database; `prepare_import()` does both and returns an `ImportPlan` listing every
   `ImportIssue` (row, column, French message);
3. `apply_import()` creates or updates everything in one transaction, or writes nothing. It never
   deletes: what the database holds and the file does not mention is left as it is.

Records are matched on their natural keys (condominium code in the firm, building and key codes,
lot number, co-owner reference, lot and start date of an ownership), so importing the same file
twice changes nothing the second time. A column left out of the file leaves that field untouched on
existing rows (and takes the model's default on new ones); a column present with an empty cell sets
the field to its empty value.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tantieme.audit.services import record
from tantieme.condominiums.enums import KeyKind, LotKind, PersonKind
from tantieme.condominiums.models import AllocationKey, Building, Condominium, CoOwner, Lot, LotShare, Ownership
from tantieme.condominiums.services import check_reference_for
from tantieme.condominiums.validators import normalize_bic, normalize_iban
from tantieme.core.references import InvalidReferenceError, format_reference, parse_reference
from tantieme.tenancy.scoping import firm_scope

if TYPE_CHECKING:
    from django.http import HttpRequest

    from tantieme.tenancy.models import Firm

_M = TypeVar("_M", bound=models.Model)
_K = TypeVar("_K", bound=Hashable)

# A cell as read from the file: text (stripped), a whole number or a date (XLSX cells only).
Cell = str | int | datetime.date
Value = str | int | datetime.date | None

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
MAX_REPORTED_ISSUES = 500

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


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


# --- Issues ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportIssue:
    """One thing wrong with the file: where (sheet of a workbook, row, column) and what, in French."""

    row: int | None
    column: str | None
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("feuille « %(sheet)s »") % {"sheet": self.sheet})
        if self.row is not None:
            parts.append(_("ligne %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("colonne « %(column)s »") % {"column": self.column})
        if not parts:
            return self.message
        where = ", ".join(parts)
        return f"{where[0].upper()}{where[1:]} : {self.message}"


class ImportRefusedError(Exception):
    """The import was refused; `issues` say why. Nothing was written."""

    def __init__(self, issues: Sequence[ImportIssue]) -> None:
        super().__init__("; ".join(str(issue) for issue in issues[:5]))
        self.issues = list(issues)


@dataclass(frozen=True)
class Location:
    """Where a record comes from; `headers` maps canonical column names to the file's own spelling."""

    sheet: str
    row: int
    headers: Mapping[str, str] = field(default_factory=dict, compare=False)

    def issue(self, column: str | None, message: str) -> ImportIssue:
        shown = self.headers.get(column, column) if column else None
        return ImportIssue(self.row, shown, message, self.sheet)


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


# --- Cell parsers ------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in French."""


def _text(cell: Cell) -> str:
    if isinstance(cell, datetime.date):
        return cell.strftime("%d/%m/%Y")
    return str(cell).strip()


def _upper(cell: Cell) -> str:
    return _text(cell).upper()


def _compact_upper(cell: Cell) -> str:
    return _SPACES.sub("", _text(cell)).upper()


def _postal_code(cell: Cell) -> str | int:
    # A number stays a number until the country is known: see _fix_postal_code().
    return cell if isinstance(cell, int) else _text(cell)


def _fix_postal_code(values: dict[str, Value], country: str = "FR") -> None:
    """A spreadsheet that took the French code "01000" for a number has dropped its leading zero."""
    code = values.get("postal_code")
    if isinstance(code, int):
        values["postal_code"] = f"{code:05d}" if country == "FR" and 0 <= code < 100_000 else str(code)


def _country(cell: Cell) -> str:
    return "FR" if fold(_text(cell)) == "france" else _compact_upper(cell)


def _integer(cell: Cell) -> int:
    if isinstance(cell, int):
        return cell
    text = _SPACES.sub("", _text(cell))
    if not _INTEGER.match(text):
        raise CellError(_("« %(value)s » n'est pas un nombre entier.") % {"value": _text(cell)})
    return int(text)


def _positive(cell: Cell) -> int:
    number = _integer(cell)
    if number < 1:
        raise CellError(_("Un nombre entier supérieur à zéro est attendu (pas %(value)s).") % {"value": number})
    return number


def _not_negative(cell: Cell) -> int:
    number = _integer(cell)
    if number < 0:
        raise CellError(_("Un nombre entier positif ou nul est attendu (pas %(value)s).") % {"value": number})
    return number


def _month(cell: Cell) -> int:
    number = _integer(cell)
    if not 1 <= number <= 12:
        raise CellError(_("Un numéro de mois de 1 à 12 est attendu (pas %(value)s).") % {"value": number})
    return number


def _floor(cell: Cell) -> int:
    folded = fold(_text(cell))
    if folded in {"rdc", "rez de chaussee"}:
        return 0
    if folded in {"ss", "sous sol"}:
        return -1
    return _integer(cell)


def _date(cell: Cell) -> datetime.date:
    if isinstance(cell, datetime.date):
        return cell
    match = _DATE.match(_text(cell))
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            pass
    raise CellError(_("« %(value)s » n'est pas une date au format JJ/MM/AAAA.") % {"value": _text(cell)})


def _validated(normalize: Callable[[str], str]) -> Callable[[Cell], str]:
    def parse(cell: Cell) -> str:
        try:
            return normalize(_text(cell))
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from None

    return parse


def _reference(cell: Cell) -> str:
    try:
        return parse_reference(_text(cell))
    except InvalidReferenceError as error:
        raise CellError(str(error)) from None


def _choice(choices: Mapping[str, str], expected: str) -> Callable[[Cell], str]:
    def parse(cell: Cell) -> str:
        try:
            return choices[fold(_text(cell))]
        except KeyError:
            raise CellError(
                _("« %(value)s » n'est pas une valeur permise : %(expected)s.")
                % {"value": _text(cell), "expected": expected}
            ) from None

    return parse


_LOT_KINDS = {
    "appartement": LotKind.APARTMENT,
    "appt": LotKind.APARTMENT,
    "studio": LotKind.APARTMENT,
    "maison": LotKind.HOUSE,
    "cave": LotKind.CELLAR,
    "parking": LotKind.PARKING,
    "stationnement": LotKind.PARKING,
    "garage": LotKind.GARAGE,
    "box": LotKind.GARAGE,
    "garage box": LotKind.GARAGE,
    "commerce": LotKind.SHOP,
    "local commercial": LotKind.SHOP,
    "bureau": LotKind.OFFICE,
    "debarras": LotKind.STORAGE,
    "local": LotKind.STORAGE,
    "debarras local": LotKind.STORAGE,
    "autre": LotKind.OTHER,
} | {str(kind.value): kind for kind in LotKind}
_KEY_KINDS = {
    "generale": KeyKind.GENERAL,
    "general": KeyKind.GENERAL,
    "charges generales": KeyKind.GENERAL,
    "speciale": KeyKind.SPECIAL,
    "special": KeyKind.SPECIAL,
    "charges speciales": KeyKind.SPECIAL,
}
_PERSON_KINDS = {
    "physique": PersonKind.NATURAL,
    "personne physique": PersonKind.NATURAL,
    "natural": PersonKind.NATURAL,
    "morale": PersonKind.LEGAL,
    "personne morale": PersonKind.LEGAL,
    "legal": PersonKind.LEGAL,
}


@dataclass(frozen=True)
class Column:
    """A column of a section: its header, the model field it fills and how its cells are read."""

    name: str
    field: str
    parse: Callable[[Cell], Value]
    required: bool = False
    default: Value = ""


CONDOMINIUM_COLUMNS = (
    Column("code", "code", _text, required=True),
    Column("nom", "name", _text, required=True),
    Column("adresse", "address_line1", _text, required=True),
    Column("complement_adresse", "address_line2", _text),
    Column("code_postal", "postal_code", _postal_code, required=True),
    Column("ville", "city", _text, required=True),
    Column("immatriculation", "registry_number", _compact_upper),
    Column("debut_exercice", "fiscal_year_start_month", _month, default=1),
    Column("lettre_references", "reference_letter", _upper, default="A"),
    Column("banque", "bank_name", _text),
    Column("iban", "iban", _validated(normalize_iban), required=True),
    Column("bic", "bic", _validated(normalize_bic), required=True),
)
BUILDING_COLUMNS = (
    Column("code", "code", _text, required=True),
    Column("nom", "name", _text, required=True),
)
KEY_COLUMNS = (
    Column("code", "code", _text, required=True),
    Column("libelle", "label", _text, required=True),
    Column("total", "total", _positive, required=True),
    Column("type", "kind", _choice(_KEY_KINDS, "générale, spéciale"), default=KeyKind.SPECIAL),
)
LOT_COLUMNS = (
    Column("numero", "number", _positive, required=True),
    Column(
        "nature",
        "kind",
        _choice(_LOT_KINDS, "appartement, maison, cave, parking, garage, commerce, bureau, débarras, autre"),
        required=True,
    ),
    Column("batiment", "building", _text),
    Column("escalier", "staircase", _text),
    Column("etage", "floor", _floor, default=None),
    Column("designation", "description", _text),
)
CO_OWNER_COLUMNS = (
    Column("reference", "reference", _reference, required=True),
    Column("personnalite", "person_kind", _choice(_PERSON_KINDS, "physique, morale"), default=PersonKind.NATURAL),
    Column("civilite", "civility", _text),
    Column("nom", "last_name", _text, required=True),
    Column("prenom", "first_name", _text),
    Column("adresse", "address_line1", _text, required=True),
    Column("complement_adresse", "address_line2", _text),
    Column("code_postal", "postal_code", _postal_code, required=True),
    Column("ville", "city", _text, required=True),
    Column("pays", "country", _country, default="FR"),
    Column("email", "email", _text),
    Column("telephone", "phone", _text),
)
OWNERSHIP_COLUMNS = (
    Column("lot", "lot", _positive, required=True),
    Column("reference", "co_owner", _reference, required=True),
    Column("debut", "start_date", _date, required=True),
    Column("fin", "end_date", _date, default=None),
)
COLUMNS = {
    CONDOMINIUM: CONDOMINIUM_COLUMNS,
    BUILDING: BUILDING_COLUMNS,
    KEY: KEY_COLUMNS,
    LOT: LOT_COLUMNS,
    CO_OWNER: CO_OWNER_COLUMNS,
    OWNERSHIP: OWNERSHIP_COLUMNS,
}


# --- Records -----------------------------------------------------------------------------------


@dataclass
class Record:
    """A data row: `values` holds the model fields of the columns present in the file."""

    at: Location
    values: dict[str, Value]

    def text(self, name: str) -> str:
        value = self.values.get(name)
        return value if isinstance(value, str) else ""


@dataclass
class CondominiumRecord(Record):
    code: str


@dataclass
class BuildingRecord(Record):
    code: str


@dataclass
class KeyRecord(Record):
    code: str
    total: int | None
    kind: str | None  # None when the column is left out


@dataclass
class LotRecord(Record):
    number: int
    building_code: str | None  # None when the column is left out; "" for no building
    shares: dict[str, int]  # key code -> tantièmes, for each tantiemes:<code> column
    unreadable: frozenset[str] = frozenset()  # key codes whose cell could not be read


@dataclass
class CoOwnerRecord(Record):
    reference: str


@dataclass
class OwnershipRecord(Record):
    lot_number: int
    reference: str
    start_date: datetime.date
    end_date: datetime.date | None  # None also when the column is left out
    valid: bool = True


_R = TypeVar("_R", bound=Record)


@dataclass
class ImportData:
    condominium: CondominiumRecord | None = None
    buildings: list[BuildingRecord] = field(default_factory=list)
    keys: list[KeyRecord] = field(default_factory=list)
    lots: list[LotRecord] = field(default_factory=list)
    co_owners: list[CoOwnerRecord] = field(default_factory=list)
    ownerships: list[OwnershipRecord] = field(default_factory=list)
    # Key code -> where its tantiemes:<code> column is (header row of the lots).
    share_columns: dict[str, Location] = field(default_factory=dict)
    # Section -> its header row.
    headers: dict[str, Location] = field(default_factory=dict)
    # Sections whose rows could not be read (a required column is missing): checks against them are moot.
    unreadable: set[str] = field(default_factory=set)


@dataclass
class _Row:
    at: Location
    values: dict[str, Value]
    failed: set[str]
    shares: dict[str, int]


@dataclass
class _Header:
    """Where each known column of a table is, and the tantiemes:<code> columns of the lots."""

    columns: list[tuple[int, Column]]
    shares: list[tuple[int, str]]
    complete: bool  # every required column is there
    refused: set[int] = field(default_factory=set)  # unknown or repeated columns, reported once in the header

    @property
    def positions(self) -> set[int]:
        known = {position for position, _column in self.columns} | {position for position, _code in self.shares}
        return known | self.refused


def _header(table: SourceTable, spec: Sequence[Column], issues: list[ImportIssue], *, shares: bool) -> _Header:
    by_name = {column.name: column for column in spec}
    at = table.at(table.header_row)
    header = _Header([], [], complete=True)
    seen: set[str] = set()
    for position, name in enumerate(table.columns):
        if name is None:
            continue
        if name in seen:
            header.refused.add(position)
            issues.append(at.issue(name, _("Colonne en double.")))
            continue
        seen.add(name)
        if name in by_name:
            header.columns.append((position, by_name[name]))
        elif shares and name.startswith(SHARES_PREFIX) and name != SHARES_PREFIX:
            header.shares.append((position, name.removeprefix(SHARES_PREFIX)))
        else:
            header.refused.add(position)
            expected = ", ".join(column.name for column in spec) + (", tantiemes:<code>" if shares else "")
            issues.append(
                at.issue(
                    name,
                    _("Colonne inconnue dans la section %(section)s ; colonnes possibles : %(expected)s.")
                    % {"section": table.section, "expected": expected},
                )
            )
    for column in spec:
        if column.required and column.name not in seen:
            header.complete = False
            issues.append(
                at.issue(
                    column.name,
                    _("Colonne obligatoire absente de la section %(section)s.") % {"section": table.section},
                )
            )
    return header


def _column_label(table: SourceTable, position: int) -> str:
    """How the user finds a column with no header: its letter in a sheet, its rank in a CSV line."""
    if not table.sheet:
        return _("n° %(rank)s") % {"rank": position + 2}  # after the section column
    letters, number = "", position + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _read_row(table: SourceTable, header: _Header, source: SourceRow, issues: list[ImportIssue]) -> _Row:
    at = table.at(source.number)
    row = _Row(at, {}, set(), {})
    positions = header.positions
    for position, cell in enumerate(source.cells):
        if cell != "" and position not in positions:
            row.failed.add("")
            issues.append(
                ImportIssue(
                    source.number,
                    _column_label(table, position),
                    _("Valeur « %(value)s » dans une colonne sans en-tête.") % {"value": _text(cell)},
                    table.sheet,
                )
            )
    for position, column in header.columns:
        cell = source.cells[position] if position < len(source.cells) else ""
        if cell == "":
            if column.required:
                row.failed.add(column.field)
                issues.append(at.issue(column.name, _("Valeur obligatoire.")))
            row.values[column.field] = column.default
            continue
        try:
            row.values[column.field] = column.parse(cell)
        except CellError as error:
            row.failed.add(column.field)
            issues.append(at.issue(column.name, str(error)))
    for position, code in header.shares:
        cell = source.cells[position] if position < len(source.cells) else ""
        try:
            row.shares[code] = _not_negative(cell) if cell != "" else 0
        except CellError as error:
            row.failed.add(SHARES_PREFIX + code)
            issues.append(at.issue(SHARES_PREFIX + code, str(error)))
    return row


def _rows(
    table: SourceTable, spec: Sequence[Column], issues: list[ImportIssue], *, shares: bool = False
) -> list[_Row] | None:
    """Read a table's rows against its columns; None when a missing required column makes them unreadable."""
    header = _header(table, spec, issues, shares=shares)
    if not header.complete:
        return None
    return [_read_row(table, header, source, issues) for source in table.rows]


def _check_fields(model: type[models.Model], row: _Row, spec: Sequence[Column], issues: list[ImportIssue]) -> None:
    """The model's own field validation (lengths, e-mail, formats) on the values read."""
    names = {column.field: column.name for column in spec}
    concrete = {model_field.name for model_field in model._meta.concrete_fields if not model_field.is_relation}
    values = {name: value for name, value in row.values.items() if name in concrete and name not in row.failed}
    instance = model(**values)
    try:
        instance.clean_fields(
            exclude=[model_field.name for model_field in model._meta.fields if model_field.name not in values]
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            row.failed.add(name)
            issues.append(row.at.issue(names.get(name, name), " ".join(messages)))


def parse(source: SourceFile) -> tuple[ImportData, list[ImportIssue]]:
    """Typed records from the file's tables, and what is wrong cell by cell."""
    parser = _Parser(source)
    parser.condominium()
    parser.buildings()
    parser.keys()
    parser.lots()
    parser.co_owners()
    parser.ownerships()
    return parser.data, parser.issues


class _Parser:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.issues: list[ImportIssue] = []
        self.data = ImportData(
            headers={section: table.at(table.header_row) for section, table in source.tables.items()}
        )

    def rows(self, section: str, model: type[models.Model], *, shares: bool = False) -> list[_Row]:
        table = self.source.tables.get(section)
        if table is None:
            return []
        read = _rows(table, COLUMNS[section], self.issues, shares=shares)
        if read is None:
            self.data.unreadable.add(section)
            return []
        for row in read:
            _check_fields(model, row, COLUMNS[section], self.issues)
        return read

    def condominium(self) -> None:
        table = self.source.tables.get(CONDOMINIUM)
        if table is None:
            where = _("la feuille « copropriete »") if self.source.kind == "xlsx" else _("les lignes « copropriete »")
            self.issues.append(
                ImportIssue(None, None, _("Il manque la copropriété : ajoutez %(where)s.") % {"where": where})
            )
            return
        rows = self.rows(CONDOMINIUM, Condominium)
        if not table.rows:
            self.issues.append(table.at(table.header_row).issue(None, _("La copropriété n'a pas de ligne de données.")))
        for extra in rows[1:]:
            self.issues.append(extra.at.issue(None, _("Une seule copropriété par fichier.")))
        if rows:
            _fix_postal_code(rows[0].values)
        if rows and "code" not in rows[0].failed:
            self.data.condominium = CondominiumRecord(rows[0].at, rows[0].values, code=str(rows[0].values["code"]))

    def buildings(self) -> None:
        for row in self.rows(BUILDING, Building):
            if "code" not in row.failed:
                self.data.buildings.append(BuildingRecord(row.at, row.values, code=str(row.values["code"])))

    def keys(self) -> None:
        for row in self.rows(KEY, AllocationKey):
            if "code" in row.failed:
                continue
            total, kind = row.values.get("total"), row.values.get("kind")
            self.data.keys.append(
                KeyRecord(
                    row.at,
                    row.values,
                    code=str(row.values["code"]),
                    total=total if isinstance(total, int) and "total" not in row.failed else None,
                    kind=kind if isinstance(kind, str) and "kind" not in row.failed else None,
                )
            )

    def lots(self) -> None:
        table = self.source.tables.get(LOT)
        if table is not None:
            header = table.at(table.header_row)
            for name in table.columns:
                if name and name.startswith(SHARES_PREFIX) and name != SHARES_PREFIX:
                    self.data.share_columns.setdefault(name.removeprefix(SHARES_PREFIX), header)
        for row in self.rows(LOT, Lot, shares=True):
            number = row.values.get("number")
            if "number" in row.failed or not isinstance(number, int):
                continue
            building = row.values.pop("building", None)
            self.data.lots.append(
                LotRecord(
                    row.at,
                    row.values,
                    number=number,
                    building_code=building if isinstance(building, str) and "building" not in row.failed else None,
                    shares=row.shares,
                    unreadable=frozenset(
                        name.removeprefix(SHARES_PREFIX) for name in row.failed if name.startswith(SHARES_PREFIX)
                    ),
                )
            )

    def co_owners(self) -> None:
        for row in self.rows(CO_OWNER, CoOwner):
            _fix_postal_code(row.values, str(row.values.get("country") or "FR"))
            if "reference" not in row.failed:
                self.data.co_owners.append(CoOwnerRecord(row.at, row.values, reference=str(row.values["reference"])))

    def ownerships(self) -> None:
        for row in self.rows(OWNERSHIP, Ownership):
            lot_number, start, end = row.values.get("lot"), row.values.get("start_date"), row.values.get("end_date")
            if {"lot", "co_owner", "start_date"} & row.failed:
                continue
            if not isinstance(lot_number, int) or not isinstance(start, datetime.date):
                continue
            self.data.ownerships.append(
                OwnershipRecord(
                    row.at,
                    # Only the end date is a plain field; an absent "fin" column leaves it as it is.
                    {name: row.values[name] for name in ("end_date",) if name in row.values},
                    lot_number=lot_number,
                    reference=str(row.values["co_owner"]),
                    start_date=start,
                    end_date=end if isinstance(end, datetime.date) else None,
                    valid="end_date" not in row.failed,
                )
            )


# --- Validation against the file itself and the database ---------------------------------------


@dataclass
class _Existing:
    """What the database holds for the condominium (nothing when it is new). Read inside a firm scope."""

    condominium: Condominium | None = None
    buildings: dict[str, Building] = field(default_factory=dict)
    keys: dict[str, AllocationKey] = field(default_factory=dict)
    lots: dict[int, Lot] = field(default_factory=dict)
    shares: dict[tuple[int, int], LotShare] = field(default_factory=dict)
    co_owners: dict[str, CoOwner] = field(default_factory=dict)
    ownerships: dict[tuple[int, datetime.date], Ownership] = field(default_factory=dict)

    @classmethod
    def load(cls, code: str | None) -> _Existing:
        condominium = Condominium.objects.filter(code=code).first() if code else None
        if condominium is None:
            return cls()
        return cls(
            condominium=condominium,
            buildings={building.code: building for building in Building.objects.filter(condominium=condominium)},
            keys={key.code: key for key in AllocationKey.objects.filter(condominium=condominium)},
            lots={lot.number: lot for lot in Lot.objects.filter(condominium=condominium)},
            shares={
                (share.key_id, share.lot_id): share
                for share in LotShare.objects.filter(key__condominium=condominium).select_related("lot")
            },
            co_owners={co_owner.reference: co_owner for co_owner in CoOwner.objects.filter(condominium=condominium)},
            ownerships={
                (ownership.lot_id, ownership.start_date): ownership
                for ownership in Ownership.objects.filter(lot__condominium=condominium).select_related(
                    "co_owner", "lot"
                )
            },
        )


def _day(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…"


def _first_seen(
    records: Iterable[_R],
    key: Callable[[_R], _K],
    column: str,
    issues: list[ImportIssue],
    message: str,
    *,
    show: Callable[[_K], str] = str,
) -> dict[_K, _R]:
    """The records by `key`, reporting every repeat with the row of the first one."""
    seen: dict[_K, _R] = {}
    for item in records:
        identity = key(item)
        if identity in seen:
            issues.append(item.at.issue(column, message % {"value": show(identity), "row": seen[identity].at.row}))
        else:
            seen[identity] = item
    return seen


def validate(data: ImportData, firm: Firm) -> list[ImportIssue]:
    """What is wrong across rows and sections, and against the firm's database."""
    with firm_scope(firm):
        existing = _Existing.load(data.condominium.code if data.condominium else None)
        return _validate(data, existing)


def _validate(data: ImportData, existing: _Existing) -> list[ImportIssue]:
    checker = _Checker(data, existing)
    checker.check_buildings()
    checker.check_keys()
    checker.check_lots()
    checker.check_key_sums()
    checker.check_co_owners()
    checker.check_ownerships()
    return checker.issues


class _Checker:
    """The checks that span rows, sections and the database; each adds to `issues`."""

    def __init__(self, data: ImportData, existing: _Existing) -> None:
        self.data = data
        self.existing = existing
        self.issues: list[ImportIssue] = []
        self.building_codes: set[str] = set(existing.buildings)
        self.keys: dict[str, KeyRecord] = {}
        self.key_totals: dict[str, int | None] = {code: key.total for code, key in existing.keys.items()}
        self.lots: dict[int, LotRecord] = {}
        self.references: set[str] = set(existing.co_owners)

    def check_buildings(self) -> None:
        buildings = _first_seen(
            self.data.buildings,
            lambda item: item.code,
            "code",
            self.issues,
            _("Bâtiment « %(value)s » en double (déjà ligne %(row)s)."),
        )
        self.building_codes |= set(buildings)

    def check_keys(self) -> None:
        """Unique codes, and exactly one general key once the file is applied."""
        self.keys = _first_seen(
            self.data.keys,
            lambda item: item.code,
            "code",
            self.issues,
            _("Clé « %(value)s » en double (déjà ligne %(row)s)."),
        )
        final_kinds = {code: key.kind for code, key in self.existing.keys.items()}
        for code, key in self.keys.items():
            self.key_totals[code] = key.total
            if key.kind is not None:
                final_kinds[code] = key.kind
            else:
                final_kinds.setdefault(code, KeyKind.SPECIAL)
        general = sorted(code for code, kind in final_kinds.items() if kind == KeyKind.GENERAL)
        in_file = [code for code in general if code in self.keys]
        if len(general) > 1 and in_file:
            self.issues.append(
                self.keys[in_file[-1]].at.issue(
                    "type",
                    _("Une seule clé générale par copropriété : les clés %(codes)s le seraient.")
                    % {"codes": ", ".join(general)},
                )
            )
        if self.keys and not general:
            self.issues.append(
                self.data.headers[KEY].issue(
                    "type",
                    _(
                        "Aucune clé générale : indiquez « générale » dans la colonne type de la clé des charges "
                        "générales."
                    ),
                )
            )

    def check_lots(self) -> None:
        self.lots = _first_seen(
            self.data.lots,
            lambda item: item.number,
            "numero",
            self.issues,
            _("Lot %(value)s en double (déjà ligne %(row)s)."),
        )
        for lot in self.lots.values():
            if BUILDING in self.data.unreadable:
                break
            if lot.building_code and lot.building_code not in self.building_codes:
                self.issues.append(
                    lot.at.issue(
                        "batiment",
                        _("Bâtiment « %(code)s » inconnu : ajoutez-le à la section batiment.")
                        % {"code": lot.building_code},
                    )
                )
        for code, at in self.data.share_columns.items():
            if code not in self.key_totals and KEY not in self.data.unreadable:
                self.issues.append(
                    at.issue(
                        SHARES_PREFIX + code,
                        _("Clé « %(code)s » inconnue : ajoutez-la à la section cle.") % {"code": code},
                    )
                )

    def check_key_sums(self) -> None:
        """The tantièmes of each key the file touches add up to its total, counting the lots left out."""
        columns = self.data.share_columns
        if {KEY, LOT} & self.data.unreadable:
            return
        for code, total in self.key_totals.items():
            if total is None or (code not in self.keys and code not in columns):
                continue
            if any(code in lot.unreadable for lot in self.lots.values()):
                continue  # already reported cell by cell
            shares = sum(lot.shares.get(code, 0) for lot in self.lots.values())
            db_key = self.existing.keys.get(code)
            if db_key is not None:
                shares += sum(
                    share.shares
                    for (key_id, _lot_id), share in self.existing.shares.items()
                    if key_id == db_key.pk and (code not in columns or share.lot.number not in self.lots)
                )
            if shares == total:
                continue
            message = _(
                "Clé %(code)s : les tantièmes des lots (colonne tantiemes:%(code)s) font %(sum)s au lieu du total "
                "%(total)s."
            ) % {"code": code, "sum": shares, "total": total}
            if code in self.keys:
                self.issues.append(self.keys[code].at.issue("total", message))
            else:
                self.issues.append(columns[code].issue(SHARES_PREFIX + code, message))

    def check_co_owners(self) -> None:
        """References unique in the file, carrying the condominium's code, not used in another one."""
        co_owners = _first_seen(
            self.data.co_owners,
            lambda item: item.reference,
            "reference",
            self.issues,
            _("Référence %(value)s en double (déjà ligne %(row)s)."),
            show=format_reference,
        )
        if self.data.condominium is None or not co_owners:
            return
        condominium = self.existing.condominium or Condominium(code=self.data.condominium.code)
        wrong: set[str] = set()  # already reported
        for reference, co_owner in co_owners.items():
            try:
                check_reference_for(condominium, reference)
            except ValidationError as error:
                wrong.add(reference)
                self.issues.append(co_owner.at.issue("reference", " ".join(error.messages)))
        elsewhere = CoOwner.objects.filter(reference__in=list(co_owners)).select_related("condominium")
        if self.existing.condominium is not None:
            elsewhere = elsewhere.exclude(condominium=self.existing.condominium)
        for other in elsewhere:
            if other.reference in wrong:
                continue
            self.issues.append(
                co_owners[other.reference].at.issue(
                    "reference",
                    _("La référence %(reference)s est déjà celle d'un copropriétaire de la copropriété %(other)s.")
                    % {"reference": other.reference_display, "other": other.condominium},
                )
            )
        # Ownerships may name them all the same: what is wrong is said once, on the co-owner's row.
        self.references |= set(co_owners)

    def check_ownerships(self) -> None:
        """A known lot and co-owner, dates in order, never two owners of a lot at once."""
        known_lots = set(self.lots) | set(self.existing.lots)
        valid: list[OwnershipRecord] = []
        starts: dict[tuple[int, datetime.date], OwnershipRecord] = {}
        for ownership in self.data.ownerships:
            problems = []
            if ownership.lot_number not in known_lots and LOT not in self.data.unreadable:
                problems.append(
                    (
                        "lot",
                        _("Lot %(number)s inconnu : il n'est ni dans la section lot ni dans la copropriété.")
                        % {"number": ownership.lot_number},
                    )
                )
            if ownership.reference not in self.references and CO_OWNER not in self.data.unreadable:
                problems.append(
                    (
                        "reference",
                        _("Copropriétaire %(reference)s inconnu : ajoutez-le à la section coproprietaire.")
                        % {"reference": format_reference(ownership.reference)},
                    )
                )
            if ownership.end_date is not None and ownership.end_date < ownership.start_date:
                problems.append(
                    (
                        "fin",
                        _("La fin (%(end)s) précède le début (%(start)s).")
                        % {"end": _day(ownership.end_date), "start": _day(ownership.start_date)},
                    )
                )
            first = starts.setdefault((ownership.lot_number, ownership.start_date), ownership)
            if first is not ownership:
                problems.append(
                    (
                        "debut",
                        _("Le lot %(number)s a déjà une propriété commençant le %(start)s (ligne %(row)s).")
                        % {"number": ownership.lot_number, "start": _day(ownership.start_date), "row": first.at.row},
                    )
                )
            self.issues.extend(ownership.at.issue(column, message) for column, message in problems)
            if ownership.valid and not problems:
                valid.append(ownership)
        self.issues.extend(_overlaps(valid, self.existing))


@dataclass(frozen=True)
class _Span:
    start: datetime.date
    end: datetime.date | None
    reference: str
    source: OwnershipRecord | None


def _overlaps(ownerships: list[OwnershipRecord], existing: _Existing) -> list[ImportIssue]:
    """Two ownerships of one lot at once, in the state the import would leave."""
    spans: dict[int, dict[datetime.date, _Span]] = {}
    for ownership in existing.ownerships.values():
        spans.setdefault(ownership.lot.number, {})[ownership.start_date] = _Span(
            ownership.start_date, ownership.end_date, ownership.co_owner.reference, None
        )
    for item in ownerships:
        lot_spans = spans.setdefault(item.lot_number, {})
        current = lot_spans.get(item.start_date)
        end = item.end_date if "end_date" in item.values else (current.end if current else None)
        lot_spans[item.start_date] = _Span(item.start_date, end, item.reference, item)
    issues = []
    reported: set[int] = set()
    for number, by_start in sorted(spans.items()):
        ordered = sorted(by_start.values(), key=lambda span: span.start)
        for index, earlier in enumerate(ordered):
            for later in ordered[index + 1 :]:
                if earlier.end is not None and earlier.end < later.start:
                    continue
                source = later.source or earlier.source
                if source is None or id(source) in reported:
                    continue  # both already in the database (not this import's doing), or said once already
                reported.add(id(source))
                other = earlier if source is later.source else later
                period = (
                    _("du %(start)s au %(end)s") % {"start": _day(other.start), "end": _day(other.end)}
                    if other.end
                    else _("depuis le %(start)s") % {"start": _day(other.start)}
                )
                issues.append(
                    source.at.issue(
                        "debut",
                        _(
                            "Le lot %(number)s aurait deux propriétaires à la fois : cette propriété chevauche celle "
                            "de %(reference)s (%(period)s)."
                        )
                        % {"number": number, "reference": format_reference(other.reference), "period": period},
                    )
                )
    return issues


# --- Plan and application ----------------------------------------------------------------------


@dataclass
class ImportPlan:
    """A parsed and checked file: it may be applied only when it has no issue."""

    filename: str
    data: ImportData | None
    issues: list[ImportIssue]

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.issues

    @property
    def condominium_code(self) -> str:
        return self.data.condominium.code if self.data and self.data.condominium else ""


def prepare_import(filename: str, content: bytes, firm: Firm) -> ImportPlan:
    """Read, parse and validate a file for `firm`; writes nothing."""
    source, issues = read_source(filename, content)
    if source is None:
        return ImportPlan(filename, None, issues)
    data, parse_issues = parse(source)
    issues += parse_issues
    issues += validate(data, firm)
    return ImportPlan(filename, data, issues)


KINDS = {
    "condominium": gettext_lazy("Copropriété"),
    "building": gettext_lazy("Bâtiments"),
    "key": gettext_lazy("Clés de répartition"),
    "lot": gettext_lazy("Lots"),
    "share": gettext_lazy("Tantièmes"),
    "co_owner": gettext_lazy("Copropriétaires"),
    "ownership": gettext_lazy("Propriétés"),
}


@dataclass
class KindCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class Change:
    kind: str
    label: str
    created: bool
    fields: tuple[str, ...] = ()


@dataclass
class ImportSummary:
    condominium_code: str
    condominium_name: str
    condominium_created: bool = False
    dry_run: bool = False
    counts: dict[str, KindCount] = field(default_factory=lambda: {kind: KindCount() for kind in KINDS})
    changes: list[Change] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return any(count.created or count.updated for count in self.counts.values())

    def as_data(self) -> dict[str, Any]:
        """The counts, for the audit trail."""
        return {
            "condominium": self.condominium_code,
            "counts": {
                kind: {"created": count.created, "updated": count.updated, "unchanged": count.unchanged}
                for kind, count in self.counts.items()
            },
        }

    def rows(self) -> list[tuple[str, KindCount]]:
        return [(str(KINDS[kind]), count) for kind, count in self.counts.items()]

    def lines(self) -> list[str]:
        """The counts, one kind a line, in French."""
        width = max(len(label) for label, _count in self.rows())
        return [
            _("%(kind)s : %(created)s créé(s), %(updated)s modifié(s), %(unchanged)s inchangé(s)")
            % {
                "kind": label.ljust(width),
                "created": count.created,
                "updated": count.updated,
                "unchanged": count.unchanged,
            }
            for label, count in self.rows()
        ]


class _Applier:
    def __init__(self, data: ImportData, firm: Firm, existing: _Existing) -> None:
        assert data.condominium is not None
        self.data = data
        self.firm = firm
        self.existing = existing
        self.summary = ImportSummary(
            condominium_code=data.condominium.code,
            condominium_name=data.condominium.text("name"),
            condominium_created=existing.condominium is None,
        )

    def _save(
        self,
        kind: str,
        instance: _M | None,
        new: Callable[[], _M],
        values: Mapping[str, object],
        label: Callable[[_M], str],
    ) -> _M:
        count = self.summary.counts[kind]
        if instance is None:
            created = new()
            for name, value in values.items():
                setattr(created, name, value)
            created.save()
            count.created += 1
            self.summary.changes.append(Change(kind, label(created), created=True))
            return created
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        if not changed:
            count.unchanged += 1
            return instance
        for name in changed:
            setattr(instance, name, values[name])
        instance.save(update_fields=changed)
        count.updated += 1
        fields = tuple(
            str(getattr(instance._meta.get_field(name.removesuffix("_id")), "verbose_name", name)) for name in changed
        )
        self.summary.changes.append(Change(kind, label(instance), created=False, fields=fields))
        return instance

    def run(self) -> tuple[Condominium, ImportSummary]:
        data, existing = self.data, self.existing
        assert data.condominium is not None
        condominium = self._save(
            "condominium",
            existing.condominium,
            partial(Condominium, firm=self.firm),
            data.condominium.values,
            lambda item: _("Copropriété %(name)s") % {"name": item},
        )

        buildings = dict(existing.buildings)
        for building in _unique(data.buildings, lambda item: item.code):
            buildings[building.code] = self._save(
                "building",
                existing.buildings.get(building.code),
                partial(Building, condominium=condominium),
                building.values,
                lambda item: _("Bâtiment %(code)s : %(name)s") % {"code": item.code, "name": item.name},
            )

        keys = dict(existing.keys)
        # Keys that stop being the general one first: there is never two general keys at once.
        ordered = sorted(_unique(data.keys, lambda item: item.code), key=lambda item: item.kind == KeyKind.GENERAL)
        for key in ordered:
            keys[key.code] = self._save(
                "key",
                existing.keys.get(key.code),
                partial(AllocationKey, condominium=condominium),
                key.values,
                lambda item: _("Clé %(code)s : %(label)s") % {"code": item.code, "label": item.label},
            )

        lots = dict(existing.lots)
        for lot in _unique(data.lots, lambda item: item.number):
            values = dict(lot.values)
            if lot.building_code is not None:
                values["building_id"] = buildings[lot.building_code].pk if lot.building_code else None
            lots[lot.number] = self._save(
                "lot",
                existing.lots.get(lot.number),
                partial(Lot, condominium=condominium),
                values,
                lambda item: _("Lot %(number)s") % {"number": item.number},
            )
            for code, shares in lot.shares.items():
                key_obj, lot_obj = keys[code], lots[lot.number]
                share = existing.shares.get((key_obj.pk, lot_obj.pk))
                if share is None and shares == 0:
                    continue
                self._save(
                    "share",
                    share,
                    partial(LotShare, key=key_obj, lot=lot_obj),
                    {"shares": shares},
                    partial(_share_label, key_obj, lot.number),
                )

        co_owners = dict(existing.co_owners)
        for co_owner in _unique(data.co_owners, lambda item: item.reference):
            co_owners[co_owner.reference] = self._save(
                "co_owner",
                existing.co_owners.get(co_owner.reference),
                partial(CoOwner, firm=self.firm, condominium=condominium),
                co_owner.values,
                lambda item: _("Copropriétaire %(name)s") % {"name": item},
            )

        for ownership in _unique(data.ownerships, lambda item: (item.lot_number, item.start_date)):
            lot_obj = lots[ownership.lot_number]
            holder = co_owners[ownership.reference]
            self._save(
                "ownership",
                existing.ownerships.get((lot_obj.pk, ownership.start_date)),
                partial(Ownership, lot=lot_obj, start_date=ownership.start_date),
                {"co_owner_id": holder.pk, **ownership.values},
                partial(_ownership_label, holder, lot_obj.number),
            )
        self.summary.condominium_name = condominium.name
        return condominium, self.summary


def _share_label(key: AllocationKey, number: int, share: LotShare) -> str:
    return _("Lot %(number)s, clé %(code)s : %(shares)s/%(total)s") % {
        "number": number,
        "code": key.code,
        "shares": share.shares,
        "total": key.total,
    }


def _ownership_label(holder: CoOwner, number: int, ownership: Ownership) -> str:
    return _("Lot %(number)s : %(owner)s depuis le %(start)s") % {
        "number": number,
        "owner": holder,
        "start": _day(ownership.start_date),
    }


def _unique(records: Iterable[_R], key: Callable[[_R], object]) -> list[_R]:
    seen: set[object] = set()
    kept = []
    for item in records:
        identity = key(item)
        if identity not in seen:
            seen.add(identity)
            kept.append(item)
    return kept


def apply_import(
    plan: ImportPlan,
    firm: Firm,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Create or update the condominium from a plan without issues, all in one transaction.

    The file is checked again inside the transaction: what the database holds may have changed
    since the plan was made. With `dry_run`, everything is done then rolled back (the preview).
    Raises ImportRefusedError, having written nothing, when anything is wrong.
    """
    if not plan.ok or plan.data is None:
        raise ImportRefusedError(plan.issues or [ImportIssue(None, None, _("Le fichier n'a pas été lu."))])
    try:
        with firm_scope(firm), transaction.atomic():
            existing = _Existing.load(plan.condominium_code)
            issues = _validate(plan.data, existing)
            if issues:
                raise ImportRefusedError(issues)
            condominium, summary = _Applier(plan.data, firm, existing).run()
            summary.dry_run = dry_run
            if dry_run:
                transaction.set_rollback(True)
            else:
                data = summary.as_data() | {"file": plan.filename}
                record(
                    action="condominiums.import.applied",
                    request=request,
                    firm=firm,
                    actor=actor,
                    target=condominium,
                    data=data,
                )
    except IntegrityError as error:
        raise ImportRefusedError(
            [ImportIssue(None, None, _("La base de données a refusé l'import (%(error)s).") % {"error": error})]
        ) from error
    return summary
