"""The worked example of spec §11 as database rows: 6 lots, 5 co-owners, keys CG and ASC."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from tantieme.condominiums.enums import KeyKind, LotKind
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner, Lot
from tantieme.funds.models import Budget
from tantieme.funds.services import LineData, save_budget
from tantieme.ledger import services as ledger
from tantieme.tenancy.models import Firm
from tests.factories import (
    AllocationKeyFactory,
    CondominiumFactory,
    CoOwnerFactory,
    FirmFactory,
    LotFactory,
    LotShareFactory,
    OwnershipFactory,
)

LOTS = {1: ("A", 233, 0), 2: ("B", 197, 283), 3: ("C", 211, 333), 4: ("D", 229, 384), 5: ("B", 65, 0), 6: ("E", 65, 0)}
OWNERS = {
    "A": ("A6060001", "DUPONT", "Anne"),
    "B": ("A6060002", "MARTIN", "Bernard"),
    "C": ("A6060003", "BERNARD", "Claire"),
    "D": ("A6060004", "PETIT", "Denis"),
    "E": ("A6060005", "ROUX", "Émile"),
}
BUDGET_LINES = [
    LineData(key_code="CG", account="616", amount=Decimal("2800.00"), label="Assurance"),
    LineData(key_code="CG", account="6211", amount=Decimal("2400.00"), label="Syndic"),
    LineData(key_code="CG", account="611", amount=Decimal("2100.00"), label="Nettoyage"),
    LineData(key_code="CG", account="602", amount=Decimal("1150.00"), label="Électricité"),
    LineData(key_code="CG", account="601", amount=Decimal("800.00"), label="Eau"),
    LineData(key_code="ASC", account="614", amount=Decimal("2500.00"), label="Contrat ascenseur"),
    LineData(key_code="ASC", account="602", amount=Decimal("600.00"), label="Électricité ascenseur"),
]


@dataclass
class Example:
    firm: Firm
    condominium: Condominium
    owners: dict[str, CoOwner]
    lots: dict[int, Lot]
    cg: AllocationKey
    asc: AllocationKey


def build_example(*, firm: Firm | None = None, years: int = 1) -> Example:
    """The condominium of §11 with its books open for 2025 (call inside the firm scope)."""
    firm = firm or FirmFactory(slug="exemple", name="Cabinet Exemple")
    condominium = CondominiumFactory(firm=firm, code="606")
    owners = {
        key: CoOwnerFactory(condominium=condominium, reference=ref, last_name=last, first_name=first)
        for key, (ref, last, first) in OWNERS.items()
    }
    cg = AllocationKeyFactory(condominium=condominium, code="CG", label="Charges générales", kind=KeyKind.GENERAL)
    asc = AllocationKeyFactory(condominium=condominium, code="ASC", label="Ascenseur", kind=KeyKind.SPECIAL)
    lots = {}
    for number, (owner, cg_shares, asc_shares) in LOTS.items():
        lot = LotFactory(
            condominium=condominium, number=number, kind=LotKind.PARKING if number > 4 else LotKind.APARTMENT
        )
        lots[number] = lot
        LotShareFactory(key=cg, lot=lot, shares=cg_shares)
        LotShareFactory(key=asc, lot=lot, shares=asc_shares)
        OwnershipFactory(co_owner=owners[owner], lot=lot, start_date=datetime.date(2010, 1, 1))
    ledger.create_chart(condominium=condominium)
    ledger.open_fiscal_year(condominium=condominium, start_date=datetime.date(2025, 1, 1))
    for _ in range(years - 1):
        ledger.open_fiscal_year(condominium=condominium)
    return Example(firm=firm, condominium=condominium, owners=owners, lots=lots, cg=cg, asc=asc)


def vote_example_budget(example: Example, **overrides: object) -> Budget:
    options: dict[str, object] = {
        "condominium": example.condominium,
        "start_date": datetime.date(2025, 1, 1),
        "general_meeting_date": datetime.date(2024, 5, 15),
        "lines": BUDGET_LINES,
        "works_fund_amount": Decimal("620.00"),
    }
    options.update(overrides)
    return save_budget(**options)  # type: ignore[arg-type]
