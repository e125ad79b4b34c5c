"""Cells into typed records: the column specs of each section, the cell parsers and the records they fill."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from tantieme.condominiums.enums import KeyKind, LotKind, PersonKind
from tantieme.condominiums.importing.issues import ImportIssue, Location
from tantieme.condominiums.importing.reading import (
    BUILDING,
    CO_OWNER,
    CONDOMINIUM,
    KEY,
    LOT,
    OWNERSHIP,
    SHARES_PREFIX,
    Cell,
    SourceFile,
    SourceRow,
    SourceTable,
    fold,
)
from tantieme.condominiums.models import AllocationKey, Building, Condominium, CoOwner, Lot, Ownership
from tantieme.condominiums.validators import normalize_bic, normalize_iban, normalize_registry_number
from tantieme.core.references import InvalidReferenceError, parse_reference

Value = str | int | datetime.date | None

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


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
    Column("immatriculation", "registry_number", _validated(normalize_registry_number)),
    Column("annee_construction", "construction_year", _positive, default=None),
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
