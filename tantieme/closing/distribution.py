"""The distribution of a year's current charges per key, lot and co-owner (spec §4.1, §11.5).

    net_charges[k] = class-6 charges booked on key k − other income assigned to k (711, 713, 714…)
    provisions[k]  = provisions called on key k (701)
    share[k, l]    = net_charges[k] split over the lots by their tantièmes (largest remainder)
    called[k, l]   = what the lot was called for key k by the year's budget calls
    regul[k, l]    = share[k, l] − called[k, l]   (> 0: the owner pays; < 0: the owner is credited)
    regul[o]       = Σ regul[k, l] over the lots o owns on the approval date (décret 1967 art. 6-2)

and Σ_l regul[k, l] = net_charges[k] − provisions[k] to the cent. Lines of a works operation (art.
14-2) are not part of it: they close with their operation (`tantieme.closing.works`).

Decisions a careful accountant would take where the spec is silent, written down here:
- Income other than provisions (713 insurance indemnities, 714 interest, 716 financial income)
  goes to the key its line names; a line that names none goes to the general charges key (the
  general meeting decides the assignment, arrêté du 14 mars 2005 art. 3; general charges is what
  it decides by default).
- Provisions posted without a call issued by Tantième (a history taken over with `import_entries`)
  are deemed called from the lots by their tantièmes, as the previous syndic called them.
- A charge line or a 701 line without key, or a lot without owner on the date, blocks the closing:
  the checklist names them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import AllocationKey, Condominium, LotShare, Ownership
from tantieme.core.money import allocate, format_amount
from tantieme.funds.actuals import PROVISION_ACCOUNTS, flow_sums
from tantieme.funds.enums import CallKind
from tantieme.funds.models import CallLine
from tantieme.ledger.models import ZERO, FiscalYear, cents


@dataclass(frozen=True)
class KeyResult:
    """One key's year: charges, other income, provisions called and what is left to distribute."""

    key_id: int
    code: str
    label: str
    total_shares: int
    charges: Decimal
    income: Decimal
    provisions: Decimal
    charges_by_account: dict[str, Decimal] = field(default_factory=dict, compare=False)

    @property
    def net_charges(self) -> Decimal:
        return self.charges - self.income

    @property
    def regularisation(self) -> Decimal:
        """> 0: the provisions fell short (insufficiency); < 0: they exceeded the charges."""
        return self.net_charges - self.provisions


@dataclass(frozen=True)
class LotLine:
    lot_id: int
    lot_number: int
    key_id: int
    co_owner_id: int
    shares: int
    key_total: int
    share: Decimal
    called: Decimal

    @property
    def regularisation(self) -> Decimal:
        return self.share - self.called


@dataclass
class Distribution:
    fiscal_year: FiscalYear
    owners_on: datetime.date
    keys: list[KeyResult]
    lines: list[LotLine]
    problems: list[str]

    @property
    def regularisation_total(self) -> Decimal:
        return sum((line.regularisation for line in self.lines), ZERO)

    def by_co_owner(self) -> dict[int, dict[int, Decimal]]:
        """{co-owner id: {key id: régularisation}}, keys with a zero sum left out."""
        result: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        for line in self.lines:
            result[line.co_owner_id][line.key_id] += line.regularisation
        return {
            owner: {key: amount for key, amount in keys.items() if amount}
            for owner, keys in result.items()
            if any(keys.values())
        }


def _sums_by_key(
    fiscal_year: FiscalYear, keys: dict[int, AllocationKey], general: AllocationKey | None, problems: list[str]
) -> tuple[dict[int, Decimal], dict[int, dict[str, Decimal]], dict[int, Decimal], dict[int, Decimal]]:
    # The year's actual as budget against actual reads it during the year (one definition).
    flows = flow_sums(condominium_id=fiscal_year.condominium_id, start=fiscal_year.start_date, end=fiscal_year.end_date)
    charges: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_account: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    income: dict[int, Decimal] = defaultdict(lambda: ZERO)
    provisions: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for flow in flows:
        number = flow.account
        amount = flow.balance
        key_id = flow.key_id
        if not amount:
            continue
        if number.startswith("6"):
            if key_id is None:
                problems.append(f"Charges sans clé de répartition au compte {number} : {format_amount(amount)}.")
                continue
            charges[key_id] += amount
            by_account[key_id][number] += amount
        elif number.startswith("701"):
            if key_id is None:
                problems.append(f"Provisions sans clé de répartition au compte {number} : {format_amount(-amount)}.")
                continue
            provisions[key_id] -= amount
        elif number.startswith(PROVISION_ACCOUNTS):
            problems.append(
                f"Produits du compte {number} ({format_amount(-amount)}) hors d'une opération de travaux : "
                "rattachez-les à leur opération."
            )
        else:
            target = key_id if key_id is not None else (general.pk if general is not None else None)
            if target is None:
                problems.append(f"Produits sans clé au compte {number} et pas de clé de charges générales.")
                continue
            income[target] -= amount
    unknown = (set(charges) | set(income) | set(provisions)) - set(keys)
    if unknown:
        problems.append("Des lignes portent une clé d'une autre copropriété.")
    return charges, by_account, income, provisions


def _called(fiscal_year: FiscalYear) -> dict[tuple[int, int], Decimal]:
    """What each lot was called per key by the year's budget calls (works fund apart)."""
    rows = (
        CallLine.objects.filter(
            call__condominium_id=fiscal_year.condominium_id,
            call__kind=CallKind.BUDGET,
            call__entry__fiscal_year=fiscal_year,
            is_works_fund=False,
        )
        .values("lot_id", "key_id")
        .annotate(total=Sum("amount"))
        .order_by("lot_id", "key_id")
    )
    return {(row["lot_id"], row["key_id"]): cents(row["total"]) for row in rows}


def owners_on(condominium_id: int, day: datetime.date) -> dict[int, int]:
    """{lot id: co-owner id} of the owners on `day`."""
    return dict(
        Ownership.objects.filter(lot__condominium_id=condominium_id, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .values_list("lot_id", "co_owner_id")
    )


def compute_distribution(fiscal_year: FiscalYear, *, owners_date: datetime.date) -> Distribution:
    """The distribution of `fiscal_year` to the owners on `owners_date` (call inside a firm scope)."""
    condominium = Condominium.objects.get(pk=fiscal_year.condominium_id)
    keys = {key.pk: key for key in AllocationKey.objects.filter(condominium=condominium)}
    general = next((key for key in keys.values() if key.kind == KeyKind.GENERAL), None)
    problems: list[str] = []
    charges, by_account, income, provisions = _sums_by_key(fiscal_year, keys, general, problems)
    called = _called(fiscal_year)
    owners = owners_on(condominium.pk, owners_date)
    lot_shares: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for key_id, lot_id, lot_number, shares in (
        LotShare.objects.filter(key__condominium=condominium)
        .values_list("key_id", "lot_id", "lot__number", "shares")
        .order_by("key_id", "lot__number")
    ):
        lot_shares[key_id].append((lot_id, lot_number, shares))

    results: list[KeyResult] = []
    lines: list[LotLine] = []
    for key_id in sorted(set(charges) | set(income) | set(provisions), key=lambda pk: keys[pk].code):
        key = keys[key_id]
        result = KeyResult(
            key_id=key_id,
            code=key.code,
            label=key.label,
            total_shares=key.total,
            charges=charges[key_id],
            income=income[key_id],
            provisions=provisions[key_id],
            charges_by_account=dict(sorted(by_account[key_id].items())),
        )
        results.append(result)
        members = lot_shares[key_id]
        weights = [shares for _lot, _number, shares in members]
        if not any(weights):
            problems.append(f"La clé {key.code} n'a aucun tantième : ses charges ne peuvent être réparties.")
            continue
        parts = allocate(result.net_charges, weights)
        called_parts = [called.get((lot_id, key_id), ZERO) for lot_id, _number, _shares in members]
        untracked = result.provisions - sum(called_parts, ZERO)
        if untracked:
            # Provisions without a call of ours (history taken over): deemed called by tantièmes.
            called_parts = [
                part + extra for part, extra in zip(called_parts, allocate(untracked, weights), strict=True)
            ]
        for (lot_id, lot_number, shares), share, lot_called in zip(members, parts, called_parts, strict=True):
            if not shares and not lot_called:
                continue
            owner = owners.get(lot_id)
            if owner is None:
                problems.append(f"Le lot {lot_number} n'a pas de propriétaire au {owners_date:%d/%m/%Y}.")
                continue
            lines.append(
                LotLine(
                    lot_id=lot_id,
                    lot_number=lot_number,
                    key_id=key_id,
                    co_owner_id=owner,
                    shares=shares,
                    key_total=key.total,
                    share=share,
                    called=lot_called,
                )
            )
    return Distribution(fiscal_year=fiscal_year, owners_on=owners_date, keys=results, lines=lines, problems=problems)
