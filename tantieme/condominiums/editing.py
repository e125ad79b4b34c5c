"""Editing a condominium's file by hand: identity, buildings, lots, keys and tantièmes, syndic contacts.

The same rules as the spreadsheet import (`importing/validation.py`), through the same validators
(`validators.py`): IBAN and BIC checked by schwifty, the registry number read alike, lot numbers and
codes unique, one general key, and every key whose tantièmes are touched adds up to its total.
Besides: a lot that has (or had) an owner is never deleted, nor one that still carries tantièmes;
a key used by budget lines, calls or entries is never deleted (the database protects them).

Each function is one transaction, raises `ValidationError` with a French message and writes nothing
when a rule is broken, and records an audit event whose `data` names the condominium and holds the
values before and after (the history of the condominium file reads them back).

Changing tantièmes is allowed at any time: an issued call keeps the shares it was computed with
(`funds.CallLine.shares`/`key_total`), so a change only applies to calls issued afterwards.

Call inside a firm scope.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from tantieme.audit.services import record
from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import (
    AllocationKey,
    Building,
    Condominium,
    Lot,
    LotShare,
    SyndicContact,
)
from tantieme.condominiums.validators import key_sum_problem, normalize_bic, normalize_iban, normalize_registry_number

if TYPE_CHECKING:
    from django.http import HttpRequest

IDENTITY_FIELDS = (
    "name",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "registry_number",
    "construction_year",
    "fiscal_year_start_month",
    "reference_letter",
    "bank_name",
    "iban",
    "bic",
)
BUILDING_FIELDS = ("code", "name")
LOT_FIELDS = ("number", "kind", "building", "staircase", "floor", "description")
KEY_FIELDS = ("code", "label", "kind", "total")
CONTACT_FIELDS = ("name", "role", "email", "phone", "opening_hours")

# Audit codes of the condominium file (the history page names them).
AUDIT_IDENTITY = "condominiums.identity.changed"
AUDIT_BUILDING_ADDED = "condominiums.building.added"
AUDIT_BUILDING_CHANGED = "condominiums.building.changed"
AUDIT_BUILDING_DELETED = "condominiums.building.deleted"
AUDIT_LOT_ADDED = "condominiums.lot.added"
AUDIT_LOT_CHANGED = "condominiums.lot.changed"
AUDIT_LOT_DELETED = "condominiums.lot.deleted"
AUDIT_KEY_ADDED = "condominiums.key.added"
AUDIT_KEY_CHANGED = "condominiums.key.changed"
AUDIT_KEY_DELETED = "condominiums.key.deleted"
AUDIT_SHARES_CHANGED = "condominiums.shares.changed"
AUDIT_CONTACT_ADDED = "condominiums.contact.added"
AUDIT_CONTACT_CHANGED = "condominiums.contact.changed"
AUDIT_CONTACT_DELETED = "condominiums.contact.deleted"
AUDIT_CONTACT_MOVED = "condominiums.contact.moved"


# --- Helpers -------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as JSON can keep it (the audit event's data)."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    return value


def _snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in fields}


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {name: [before[name], after[name]] for name in after if before.get(name) != after[name]}


def _audit(
    action: str,
    *,
    condominium: Condominium,
    target: models.Model | None,
    request: HttpRequest | None,
    **data: Any,
) -> None:
    record(
        action=action,
        request=request,
        firm=condominium.firm,
        target=target,
        data={"condominium_id": condominium.pk, **data},
    )


_M = TypeVar("_M", bound=models.Model)


def _fresh(instance: _M) -> _M:
    """The row as stored, locked: a refused change leaves the caller's object untouched."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def _full_clean(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """The model's field validators and constraints; a message per field, in French."""
    instance.full_clean(exclude=list(exclude))


def _save_or_explain(instance: models.Model, message: str) -> None:
    """Save; a race on a unique constraint (checked just before) is said as the check would have."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError(message) from None


def _refuse_if_protected(instance: models.Model, message: str) -> None:
    """Delete `instance`; when other records depend on it (PROTECT), refuse with `message`."""
    try:
        with transaction.atomic():
            instance.delete()
    except (models.ProtectedError, models.RestrictedError):
        raise ValidationError(message, code="protected") from None


# --- Identity ------------------------------------------------------------------------------------


@transaction.atomic
def update_identity(
    *, condominium: Condominium, values: Mapping[str, Any], request: HttpRequest | None = None
) -> Condominium:
    """Change the identity and bank details (`IDENTITY_FIELDS`; the code stays: references carry it).

    The fiscal year's first month is fixed once the books have a fiscal year (they follow it)."""
    unknown = set(values) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValueError(f"not identity fields: {sorted(unknown)}")
    locked = Condominium.objects.select_for_update().get(pk=condominium.pk)
    before = _snapshot(locked, IDENTITY_FIELDS)
    cleaned = dict(values)
    errors: dict[str, list[str]] = {}
    for name, normalize in (
        ("iban", normalize_iban),
        ("bic", normalize_bic),
        ("registry_number", normalize_registry_number),
    ):
        if name in cleaned:
            try:
                cleaned[name] = normalize(str(cleaned[name] or ""))
            except ValidationError as error:
                errors[name] = error.messages
    month = cleaned.get("fiscal_year_start_month")
    if month is not None and month != locked.fiscal_year_start_month and locked.fiscal_years.exists():
        errors["fiscal_year_start_month"] = [
            _(
                "Le début de l'exercice ne change plus : la copropriété a déjà des exercices, qui suivent le mois "
                "%(month)s."
            )
            % {"month": locked.fiscal_year_start_month}
        ]
    if errors:
        raise ValidationError(errors)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    _full_clean(locked, exclude=["firm"])
    after = _snapshot(locked, IDENTITY_FIELDS)
    changes = _changes(before, after)
    if changes:
        locked.save(update_fields=list(changes))
        _audit(AUDIT_IDENTITY, condominium=locked, target=locked, request=request, changes=changes)
    return locked


# --- Buildings -----------------------------------------------------------------------------------


def _check_building_code(condominium: Condominium, code: str, *, exclude_pk: int | None = None) -> None:
    others = Building.objects.filter(condominium=condominium, code=code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"code": [_("Le bâtiment « %(code)s » existe déjà.") % {"code": code}]})


@transaction.atomic
def create_building(*, condominium: Condominium, code: str, name: str, request: HttpRequest | None = None) -> Building:
    code = code.strip()
    _check_building_code(condominium, code)
    building = Building(condominium=condominium, code=code, name=name.strip())
    _full_clean(building, exclude=["condominium"])
    _save_or_explain(building, _("Le bâtiment « %(code)s » existe déjà.") % {"code": code})
    _audit(
        AUDIT_BUILDING_ADDED,
        condominium=condominium,
        target=building,
        request=request,
        after=_snapshot(building, BUILDING_FIELDS),
    )
    return building


@transaction.atomic
def update_building(*, building: Building, code: str, name: str, request: HttpRequest | None = None) -> Building:
    building = _fresh(building)
    condominium = building.condominium
    before = _snapshot(building, BUILDING_FIELDS)
    code = code.strip()
    _check_building_code(condominium, code, exclude_pk=building.pk)
    building.code, building.name = code, name.strip()
    _full_clean(building, exclude=["condominium"])
    changes = _changes(before, _snapshot(building, BUILDING_FIELDS))
    if changes:
        _save_or_explain(building, _("Le bâtiment « %(code)s » existe déjà.") % {"code": code})
        _audit(AUDIT_BUILDING_CHANGED, condominium=condominium, target=building, request=request, changes=changes)
    return building


@transaction.atomic
def delete_building(*, building: Building, request: HttpRequest | None = None) -> None:
    """Delete a building that no lot names (change or delete its lots first)."""
    condominium = building.condominium
    count = Lot.objects.filter(building=building).count()
    if count:
        raise ValidationError(
            _("Le bâtiment « %(code)s » a %(count)s lot(s) : rattachez-les à un autre bâtiment d'abord.")
            % {"code": building.code, "count": count},
            code="building_has_lots",
        )
    before = _snapshot(building, BUILDING_FIELDS)
    pk = building.pk
    _refuse_if_protected(building, _("Le bâtiment « %(code)s » est utilisé ailleurs.") % {"code": building.code})
    building.pk = pk
    _audit(AUDIT_BUILDING_DELETED, condominium=condominium, target=building, request=request, before=before)


# --- Lots ----------------------------------------------------------------------------------------


def _lot_values(condominium: Condominium, values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(LOT_FIELDS)
    if unknown:
        raise ValueError(f"not lot fields: {sorted(unknown)}")
    building = values.get("building")
    if building is not None and building.condominium_id != condominium.pk:
        raise ValidationError({"building": [_("Ce bâtiment n'est pas celui de la copropriété.")]})
    return dict(values)


def _check_lot_number(condominium: Condominium, number: int, *, exclude_pk: int | None = None) -> None:
    others = Lot.objects.filter(condominium=condominium, number=number)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError(
            {"number": [_("Le lot %(number)s existe déjà dans la copropriété.") % {"number": number}]}
        )


@transaction.atomic
def create_lot(*, condominium: Condominium, values: Mapping[str, Any], request: HttpRequest | None = None) -> Lot:
    """A new lot, with no tantièmes yet (0 in every key: the keys still add up)."""
    cleaned = _lot_values(condominium, values)
    lot = Lot(condominium=condominium, **cleaned)
    _check_lot_number(condominium, lot.number)
    _full_clean(lot, exclude=["condominium"])
    _save_or_explain(lot, _("Le lot %(number)s existe déjà dans la copropriété.") % {"number": lot.number})
    _audit(AUDIT_LOT_ADDED, condominium=condominium, target=lot, request=request, after=_snapshot(lot, LOT_FIELDS))
    return lot


@transaction.atomic
def update_lot(*, lot: Lot, values: Mapping[str, Any], request: HttpRequest | None = None) -> Lot:
    lot = _fresh(lot)
    condominium = lot.condominium
    cleaned = _lot_values(condominium, values)
    before = _snapshot(lot, LOT_FIELDS)
    for name, value in cleaned.items():
        setattr(lot, name, value)
    _check_lot_number(condominium, lot.number, exclude_pk=lot.pk)
    _full_clean(lot, exclude=["condominium"])
    changes = _changes(before, _snapshot(lot, LOT_FIELDS))
    if changes:
        _save_or_explain(lot, _("Le lot %(number)s existe déjà dans la copropriété.") % {"number": lot.number})
        _audit(AUDIT_LOT_CHANGED, condominium=condominium, target=lot, request=request, changes=changes)
    return lot


@transaction.atomic
def delete_lot(*, lot: Lot, request: HttpRequest | None = None) -> None:
    """Delete a lot entered by mistake: never one that has or had an owner, nor one with tantièmes."""
    condominium = lot.condominium
    if lot.ownerships.exists():
        raise ValidationError(
            _("Le lot %(number)s a un propriétaire (ou en a eu) : il ne peut pas être supprimé.")
            % {"number": lot.number},
            code="lot_has_ownership",
        )
    carried = list(LotShare.objects.filter(lot=lot, shares__gt=0).select_related("key").order_by("key__code"))
    if carried:
        raise ValidationError(
            _(
                "Le lot %(number)s a des tantièmes (%(keys)s) : reportez-les sur d'autres lots avant de le "
                "supprimer, pour que chaque clé garde son total."
            )
            % {"number": lot.number, "keys": ", ".join(f"{share.key.code} {share.shares}" for share in carried)},
            code="lot_has_shares",
        )
    before = _snapshot(lot, LOT_FIELDS)
    pk = lot.pk
    _refuse_if_protected(
        lot,
        _("Le lot %(number)s figure dans des appels de fonds ou une clôture : il ne peut pas être supprimé.")
        % {"number": lot.number},
    )
    lot.pk = pk
    _audit(AUDIT_LOT_DELETED, condominium=condominium, target=lot, request=request, before=before)


# --- Keys and tantièmes --------------------------------------------------------------------------


def _check_key(condominium: Condominium, key: AllocationKey) -> None:
    """Unique code, one general key per condominium (as the import checks)."""
    others = AllocationKey.objects.filter(condominium=condominium).exclude(pk=key.pk)
    if others.filter(code=key.code).exists():
        raise ValidationError({"code": [_("La clé « %(code)s » existe déjà.") % {"code": key.code}]})
    if key.kind == KeyKind.GENERAL:
        general = others.filter(kind=KeyKind.GENERAL).first()
        if general is not None:
            raise ValidationError(
                {
                    "kind": [
                        _("Une seule clé générale par copropriété : la clé %(code)s l'est déjà.")
                        % {"code": general.code}
                    ]
                }
            )


def _lock_keys_and_lots(
    condominium: Condominium, shares: Mapping[tuple[int, int], int], totals: Mapping[int, int]
) -> tuple[dict[int, AllocationKey], dict[int, int]]:
    """The keys touched (locked: two people changing one key at once cannot both pass the check) and
    the lot numbers {lot id: number}; refused when one is not the condominium's or a number is negative."""
    key_ids = {key_id for _lot, key_id in shares} | set(totals)
    keys = {
        key.pk: key for key in AllocationKey.objects.select_for_update().filter(condominium=condominium, pk__in=key_ids)
    }
    if set(keys) != key_ids:
        raise ValidationError(_("Clé inconnue dans cette copropriété."))
    lot_ids = {lot_id for lot_id, _key in shares}
    numbers = dict(Lot.objects.filter(condominium=condominium, pk__in=lot_ids).values_list("pk", "number"))
    if set(numbers) != lot_ids:
        raise ValidationError(_("Lot inconnu dans cette copropriété."))
    negative = sorted(numbers[lot_id] for (lot_id, _key), value in shares.items() if value < 0)
    if negative:
        raise ValidationError(
            _("Les tantièmes sont des nombres positifs ou nuls (lot %(number)s).") % {"number": negative[0]}
        )
    zero_total = sorted(keys[key_id].code for key_id, total in totals.items() if total < 1)
    if zero_total:
        raise ValidationError(_("Le total de la clé %(code)s doit être supérieur à zéro.") % {"code": zero_total[0]})
    return keys, numbers


def _check_sums(
    keys: Mapping[int, AllocationKey],
    shares: Mapping[tuple[int, int], int],
    totals: Mapping[int, int],
    existing: Mapping[tuple[int, int], LotShare],
) -> None:
    """Every key touched adds up to its (new) total, the lots not in `shares` counted as they are."""
    lot_ids = {lot_id for lot_id, _key in shares}
    others = dict(
        LotShare.objects.filter(key_id__in=list(keys))
        .exclude(lot_id__in=lot_ids)
        .values("key_id")
        .annotate(total=Sum("shares"))
        .order_by("key_id")
        .values_list("key_id", "total")
    )
    new_sums = {key_id: others.get(key_id) or 0 for key_id in keys}
    for pair, share in existing.items():
        if pair not in shares:
            new_sums[pair[1]] += share.shares
    for (_lot, key_id), value in shares.items():
        new_sums[key_id] += value
    problems = [
        problem
        for key in sorted(keys.values(), key=lambda key: key.code)
        if (problem := key_sum_problem(key.code, new_sums[key.pk], totals.get(key.pk, key.total)))
    ]
    if problems:
        raise ValidationError(problems, code="key_sum")


def _apply_shares(
    condominium: Condominium,
    shares: Mapping[tuple[int, int], int],
    *,
    totals: Mapping[int, int] | None = None,
) -> list[dict[str, Any]]:
    """Write the tantièmes {(lot id, key id): shares} (and new key totals {key id: total}).

    Refused, writing nothing, unless every key touched adds up to its total afterwards, counting
    the lots not in `shares` as they are. Returns the changes for the audit trail."""
    totals = dict(totals or {})
    keys, numbers = _lock_keys_and_lots(condominium, shares, totals)
    existing = {
        (share.lot_id, share.key_id): share
        for share in LotShare.objects.filter(key_id__in=list(keys), lot_id__in=list(numbers))
    }
    _check_sums(keys, shares, totals, existing)
    changes: list[dict[str, Any]] = []
    to_update: list[LotShare] = []
    to_create: list[LotShare] = []
    for (lot_id, key_id), value in sorted(
        shares.items(), key=lambda item: (keys[item[0][1]].code, numbers[item[0][0]])
    ):
        current = existing.get((lot_id, key_id))
        before = current.shares if current is not None else 0
        if before == value:
            continue
        if current is not None:
            current.shares = value
            to_update.append(current)
        else:
            to_create.append(LotShare(lot_id=lot_id, key_id=key_id, shares=value))
        changes.append({"lot": numbers[lot_id], "key": keys[key_id].code, "before": before, "after": value})
    LotShare.objects.bulk_update(to_update, ["shares"], batch_size=1000)
    LotShare.objects.bulk_create(to_create, batch_size=1000)
    for key_id, total in totals.items():
        key = keys[key_id]
        if key.total != total:
            changes.append({"key": key.code, "total": [key.total, total]})
            key.total = total
            key.save(update_fields=["total"])
    return changes


@transaction.atomic
def set_shares(
    *,
    condominium: Condominium,
    shares: Mapping[tuple[int, int], int],
    request: HttpRequest | None = None,
) -> list[dict[str, Any]]:
    """Change tantièmes of several lots in several keys (a page of the grid); each key keeps its total.

    Applies to the calls issued afterwards: an issued call keeps the tantièmes it was computed on."""
    changes = _apply_shares(condominium, shares)
    if changes:
        _audit(AUDIT_SHARES_CHANGED, condominium=condominium, target=None, request=request, changes=changes)
    return changes


@transaction.atomic
def create_key(
    *,
    condominium: Condominium,
    values: Mapping[str, Any],
    shares: Mapping[int, int],
    request: HttpRequest | None = None,
) -> AllocationKey:
    """A new key with its tantièmes {lot id: shares}, which add up to its total."""
    unknown = set(values) - set(KEY_FIELDS)
    if unknown:
        raise ValueError(f"not key fields: {sorted(unknown)}")
    key = AllocationKey(condominium=condominium, **values)
    key.code = key.code.strip()
    _check_key(condominium, key)
    _full_clean(key, exclude=["condominium"])
    total = key.total
    problem = key_sum_problem(key.code, sum(shares.values()), total)
    if problem:
        raise ValidationError(problem, code="key_sum")
    _save_or_explain(key, _("La clé « %(code)s » existe déjà.") % {"code": key.code})
    changes = _apply_shares(condominium, {(lot_id, key.pk): value for lot_id, value in shares.items() if value})
    _audit(
        AUDIT_KEY_ADDED,
        condominium=condominium,
        target=key,
        request=request,
        after=_snapshot(key, KEY_FIELDS),
        shares=changes,
    )
    return key


@transaction.atomic
def update_key(
    *,
    key: AllocationKey,
    values: Mapping[str, Any],
    shares: Mapping[int, int] | None = None,
    request: HttpRequest | None = None,
) -> AllocationKey:
    """Change a key (code, label, kind, total) and, with `shares` {lot id: shares}, its tantièmes.

    A new total is accepted only if the tantièmes (as changed) add up to it."""
    unknown = set(values) - set(KEY_FIELDS)
    if unknown:
        raise ValueError(f"not key fields: {sorted(unknown)}")
    key = _fresh(key)
    condominium = key.condominium
    before = _snapshot(key, KEY_FIELDS)
    new_total = int(values.get("total", key.total))
    for name, value in values.items():
        if name != "total":
            setattr(key, name, value)
    key.code = key.code.strip()
    _check_key(condominium, key)
    _full_clean(key, exclude=["condominium", "total"])
    share_changes: list[dict[str, Any]] = []
    if shares or new_total != key.total:
        share_changes = _apply_shares(
            condominium,
            {(lot_id, key.pk): value for lot_id, value in (shares or {}).items()},
            totals={key.pk: new_total},
        )
    key.total = new_total
    after = _snapshot(key, KEY_FIELDS)
    changes = _changes(before, after)
    if {"code", "label", "kind"} & set(changes):
        _save_or_explain(key, _("La clé « %(code)s » existe déjà.") % {"code": key.code})
    if changes or share_changes:
        _audit(
            AUDIT_KEY_CHANGED,
            condominium=condominium,
            target=key,
            request=request,
            changes=changes,
            shares=[change for change in share_changes if "lot" in change],
        )
    return key


@transaction.atomic
def delete_key(*, key: AllocationKey, request: HttpRequest | None = None) -> None:
    """Delete a key no budget, call, closing or entry uses; the general key only when it is the last."""
    condominium = key.condominium
    if (
        key.kind == KeyKind.GENERAL
        and AllocationKey.objects.filter(condominium=condominium).exclude(pk=key.pk).exists()
    ):
        raise ValidationError(
            _("La clé générale %(code)s porte le fonds de travaux : elle ne peut pas être supprimée.")
            % {"code": key.code},
            code="general_key",
        )
    before = _snapshot(key, KEY_FIELDS)
    pk = key.pk
    _refuse_if_protected(
        key,
        _(
            "La clé %(code)s est utilisée par des lignes de budget, des appels de fonds ou des écritures : elle ne "
            "peut pas être supprimée."
        )
        % {"code": key.code},
    )
    key.pk = pk
    _audit(AUDIT_KEY_DELETED, condominium=condominium, target=key, request=request, before=before)


# --- Syndic contacts -----------------------------------------------------------------------------


def _contact_values(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"not contact fields: {sorted(unknown)}")
    return dict(values)


@transaction.atomic
def create_contact(
    *, condominium: Condominium, values: Mapping[str, Any], request: HttpRequest | None = None
) -> SyndicContact:
    """A contact shown to this condominium's co-owners (« Contacts syndic »), last in the list."""
    last = SyndicContact.objects.filter(condominium=condominium).aggregate(last=Max("position"))["last"]
    contact = SyndicContact(
        firm_id=condominium.firm_id,
        condominium=condominium,
        position=(last + 1) if last is not None else 0,
        **_contact_values(values),
    )
    _full_clean(contact, exclude=["firm", "condominium"])
    contact.save()
    _audit(
        AUDIT_CONTACT_ADDED,
        condominium=condominium,
        target=contact,
        request=request,
        after=_snapshot(contact, CONTACT_FIELDS),
    )
    return contact


def _own_contact(contact: SyndicContact) -> Condominium:
    if contact.condominium is None:
        # The firm-wide contacts belong to every condominium: not edited from one condominium's file.
        raise ValidationError(_("Ce contact est commun à toutes les copropriétés du cabinet."))
    return contact.condominium


@transaction.atomic
def update_contact(
    *, contact: SyndicContact, values: Mapping[str, Any], request: HttpRequest | None = None
) -> SyndicContact:
    contact = _fresh(contact)
    condominium = _own_contact(contact)
    before = _snapshot(contact, CONTACT_FIELDS)
    for name, value in _contact_values(values).items():
        setattr(contact, name, value)
    _full_clean(contact, exclude=["firm", "condominium"])
    changes = _changes(before, _snapshot(contact, CONTACT_FIELDS))
    if changes:
        contact.save()
        _audit(AUDIT_CONTACT_CHANGED, condominium=condominium, target=contact, request=request, changes=changes)
    return contact


@transaction.atomic
def delete_contact(*, contact: SyndicContact, request: HttpRequest | None = None) -> None:
    condominium = _own_contact(contact)
    before = _snapshot(contact, CONTACT_FIELDS)
    pk = contact.pk
    contact.delete()
    contact.pk = pk
    _audit(AUDIT_CONTACT_DELETED, condominium=condominium, target=contact, request=request, before=before)


@transaction.atomic
def move_contact(
    *, contact: SyndicContact, direction: Literal["up", "down"], request: HttpRequest | None = None
) -> None:
    """Move a contact one place up or down among the condominium's own contacts (positions renumbered 0…n)."""
    condominium = _own_contact(contact)
    ordered = list(
        SyndicContact.objects.select_for_update().filter(condominium=condominium).order_by("position", "name", "pk")
    )
    index = next(i for i, other in enumerate(ordered) if other.pk == contact.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        return
    before = [other.name for other in ordered]
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, other in enumerate(ordered):
        other.position = position
    SyndicContact.objects.bulk_update(ordered, ["position"])
    _audit(
        AUDIT_CONTACT_MOVED,
        condominium=condominium,
        target=contact,
        request=request,
        changes={"ordre": [before, [other.name for other in ordered]]},
    )
