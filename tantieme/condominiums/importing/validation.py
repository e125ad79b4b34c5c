"""Checks across records and sections and against the database; the plan of an import, which writes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.importing.issues import ImportIssue
from tantieme.condominiums.importing.parsing import ImportData, KeyRecord, LotRecord, OwnershipRecord, Record, parse
from tantieme.condominiums.importing.reading import BUILDING, CO_OWNER, KEY, LOT, SHARES_PREFIX, read_source
from tantieme.condominiums.models import AllocationKey, Building, Condominium, CoOwner, Lot, LotShare, Ownership
from tantieme.condominiums.services import check_reference_for
from tantieme.condominiums.validators import key_sum_problem
from tantieme.core.references import format_reference
from tantieme.tenancy.scoping import firm_scope

if TYPE_CHECKING:
    from tantieme.tenancy.models import Firm

_K = TypeVar("_K", bound=Hashable)
_R = TypeVar("_R", bound=Record)


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
            if key_sum_problem(code, shares, total) is None:
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


# --- Plan --------------------------------------------------------------------------------------


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
