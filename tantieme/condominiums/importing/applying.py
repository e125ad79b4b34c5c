"""Applying a plan: the one transaction that creates or updates everything, and its summary."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tantieme.audit.services import record
from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.importing.issues import ImportIssue, ImportRefusedError
from tantieme.condominiums.importing.parsing import ImportData, Record
from tantieme.condominiums.importing.validation import ImportPlan, _day, _Existing, _validate
from tantieme.condominiums.models import AllocationKey, Building, Condominium, CoOwner, Lot, LotShare, Ownership
from tantieme.tenancy.scoping import firm_scope

if TYPE_CHECKING:
    from django.http import HttpRequest

    from tantieme.tenancy.models import Firm

_M = TypeVar("_M", bound=models.Model)
_R = TypeVar("_R", bound=Record)


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
    # What the books set-up hook did (chart, journals, first fiscal year), in French; empty if nothing.
    books: str = ""

    @property
    def has_changes(self) -> bool:
        return bool(self.books) or any(count.created or count.updated for count in self.counts.values())

    def as_data(self) -> dict[str, Any]:
        """The counts, for the audit trail."""
        return {
            "condominium": self.condominium_code,
            "books": self.books,
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
        ] + ([self.books] if self.books else [])


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


BooksSetUp = Callable[[Condominium], str]


def apply_import(
    plan: ImportPlan,
    firm: Firm,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    dry_run: bool = False,
    set_up_books: BooksSetUp | None = None,
) -> ImportSummary:
    """Create or update the condominium from a plan without issues, all in one transaction.

    The file is checked again inside the transaction: what the database holds may have changed
    since the plan was made. With `dry_run`, everything is done then rolled back (the preview).
    Raises ImportRefusedError, having written nothing, when anything is wrong.

    `set_up_books(condominium)` runs in the same transaction, after the condominium is saved: the
    callers (the command, the back office) pass the ledger's `set_up_books`, which creates the chart,
    the journals and the first fiscal year of a condominium that has none, and returns what it did
    (condominiums sit below the ledger and do not import it). It may raise ImportRefusedError.
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
            if set_up_books is not None:
                summary.books = set_up_books(condominium)
            summary.dry_run = dry_run
            if dry_run:
                transaction.set_rollback(True)
            else:
                # condominium_id: the history of the condominium file lists imports too.
                data = summary.as_data() | {"file": plan.filename, "condominium_id": condominium.pk}
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
