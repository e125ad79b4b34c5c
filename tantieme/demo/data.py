# The demo logins and their passwords are documented on purpose:
# ruff: noqa: S105, S106
"""The demo's fictional data, as plain Python structures: no database access here.

Two syndic firms (horizon, rivage), two condominiums each, their buildings, lots, allocation keys
with the tantièmes of every lot, co-owners with their lots (one past sale), the firms' contacts and
the demo logins. Everything is made up: firm names, SIRENs (Luhn-valid, built for the demo), card
numbers, guarantors, streets, bank accounts (IBANs built with valid check digits and RIB keys),
phone numbers in the ranges kept for fiction (01 99 00…, 05 36 49…, 06 39 98…), e-mail addresses on
reserved example domains (RFC 2606).

The bulk (names, surfaces, who owns which cellar) is drawn from a `random.Random` seeded per
condominium, so the demo is the same on every machine and adding a condominium changes no other.
The co-owners the syndic's letter shows (A 606 0001 "M. et Mme TEST", G 149 X369) and the demo
logins are written out explicitly.

To extend the demo (ledger history, calls for funds, payments), add structures here and a layer
in `tantieme.demo.seeding` that reads them.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tantieme.condominiums.enums import ContactRole, KeyKind, LotKind, PersonKind
from tantieme.tenancy.enums import StaffRole
from tantieme.users.enums import UserKind

PARIS = ZoneInfo("Europe/Paris")
OPENING_HOURS = "Du lundi au vendredi, 9 h – 12 h 30 et 14 h – 17 h 30"
GENERAL_KEY = "GEN"
ELEVATOR_KEY = "ASC"

# --- Structures --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FirmData:
    slug: str
    name: str
    legal_name: str
    address_line1: str
    address_line2: str = ""
    postal_code: str
    city: str
    phone: str
    contact_email: str
    siren: str
    professional_card: str
    financial_guarantor: str


@dataclass(frozen=True, kw_only=True)
class ContactData:
    name: str
    role: ContactRole
    email: str
    phone: str
    opening_hours: str = OPENING_HOURS
    position: int = 0
    condominium_code: str | None = None  # None: shown for every condominium of the firm


@dataclass(frozen=True, kw_only=True)
class BuildingData:
    code: str
    name: str


@dataclass(frozen=True, kw_only=True)
class LotData:
    number: int
    kind: LotKind
    building_code: str | None
    floor: int | None
    description: str
    staircase: str = ""


@dataclass(frozen=True, kw_only=True)
class KeyData:
    """An allocation key and the tantièmes of each lot in it, by lot number (they add up to `total`)."""

    code: str
    label: str
    total: int
    kind: KeyKind
    shares: tuple[tuple[int, int], ...]


@dataclass(frozen=True, kw_only=True)
class CoOwnerData:
    reference: str
    person_kind: PersonKind = PersonKind.NATURAL
    civility: str
    last_name: str
    first_name: str = ""
    address_line1: str
    address_line2: str = ""
    postal_code: str
    city: str
    country: str = "FR"
    email: str = ""
    phone: str = ""
    consent_at: datetime.datetime | None = None  # e-notification consent, when given


@dataclass(frozen=True, kw_only=True)
class OwnershipData:
    reference: str
    lot_number: int
    start_date: datetime.date
    end_date: datetime.date | None = None


@dataclass(frozen=True, kw_only=True)
class CondominiumData:
    code: str
    name: str
    address_line1: str
    postal_code: str
    city: str
    registry_number: str
    fiscal_year_start_month: int
    reference_letter: str
    bank_name: str
    iban: str
    bic: str
    buildings: tuple[BuildingData, ...]
    lots: tuple[LotData, ...]
    keys: tuple[KeyData, ...]
    co_owners: tuple[CoOwnerData, ...]
    ownerships: tuple[OwnershipData, ...]


@dataclass(frozen=True, kw_only=True)
class FirmDemo:
    firm: FirmData
    contacts: tuple[ContactData, ...]
    condominiums: tuple[CondominiumData, ...]


@dataclass(frozen=True, kw_only=True)
class DemoLogin:
    """A documented demo login: a co-owner (login = reference) or a staff member (login = e-mail)."""

    firm_slug: str
    login: str
    password: str
    kind: UserKind
    first_name: str
    last_name: str
    description: str
    role: StaffRole | None = None  # staff only
    job_title: str = ""  # staff only
    email: str = ""  # co-owners: their account's address
    temporary: bool = False  # must change the password at first sign-in (expires after 30 days)


# --- Tantièmes ---------------------------------------------------------------------------------


def split_shares(total: int, weights: list[int]) -> list[int]:
    """Integer parts of `total` in proportion to `weights`, adding up to exactly `total`.

    Largest remainder: everyone gets the floor of their quota, the units left go to the largest
    fractional parts (ties to the first). A zero weight always gets zero.
    """
    weight_sum = sum(weights)
    if total < 0 or weight_sum <= 0 or any(weight < 0 for weight in weights):
        raise ValueError("split_shares() needs a non-negative total and positive weights.")
    quotas = [total * weight for weight in weights]
    parts = [quota // weight_sum for quota in quotas]
    left = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(quotas[i] % weight_sum), i))
    for index in by_remainder[:left]:
        parts[index] += 1
    return parts


# --- Condominium plans -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _BuildingPlan:
    code: str
    name: str
    top_floor: int
    apartments_per_floor: int
    elevator: bool
    shops: int = 0  # on the ground floor, in place of apartments


@dataclass(frozen=True, kw_only=True)
class _OwnerPlan:
    """A co-owner written out explicitly, with the lots they hold (and since when, until when)."""

    co_owner: CoOwnerData
    lots: tuple[int, ...]
    since: datetime.date
    until: datetime.date | None = None


@dataclass(frozen=True, kw_only=True)
class _CondominiumPlan:
    code: str
    name: str
    address_line1: str
    postal_code: str
    city: str
    registry_number: str
    fiscal_year_start_month: int = 1
    reference_letter: str = "A"
    bank_name: str
    iban: str
    bic: str
    general_total: int
    buildings: tuple[_BuildingPlan, ...]
    cellars: int
    parkings: int
    building_keys: tuple[str, ...] = ()  # buildings with their own key ("Charges bâtiment B")
    investors: int = 0  # co-owners drawn to hold a second apartment
    parking_only: int = 0  # co-owners holding nothing but a parking space
    owners: tuple[_OwnerPlan, ...] = ()


# fmt: off
_SURFACES = (27, 31, 38, 42, 47, 52, 58, 63, 67, 72, 78, 86, 94, 108)
_MEN = (
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Christophe", "Laurent", "Frédéric",
    "Olivier", "Thierry", "Éric", "Julien", "Antoine", "Mathieu", "Vincent", "Bruno", "Hugo", "Karim",
    "Thomas", "Lucas", "Patrick", "Didier", "Yves",
)
_WOMEN = (
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Valérie", "Christine",
    "Céline", "Émilie", "Camille", "Julie", "Sophie", "Aurélie", "Chloé", "Léa", "Inès", "Manon",
    "Anne", "Hélène", "Martine", "Brigitte", "Yasmina", "Claire",
)
_SURNAMES = (
    "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "LEROY", "MOREAU", "SIMON",
    "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTIN", "ROUX", "VINCENT", "FOURNIER",
    "MOREAUX", "GIRARD", "ANDRÉ", "LEFÈVRE", "MERCIER", "DUPONT", "LAMBERT", "BONNET", "FRANÇOIS",
    "MARTINEZ", "LEGRAND", "GARNIÉ", "FAURE", "ROUSSEAU", "BLANC", "GUÉRIN", "MULLER", "HENRY",
    "ROUSSEL", "NICOLAS", "PERRIN", "MORIN", "MATHIEU", "CLÉMENT", "GAUTHIER", "DUMONT", "LOPEZ",
    "CHEVALIER", "ROBIN", "MASSON", "SANCHEZ", "NGUYEN", "BOYER", "DENIS", "LEMAIRE", "DUVAL",
    "JOLY", "GAUTIER", "ROGER", "ROCHE", "ROY", "NOËL", "MEYER", "LUCAS", "MEUNIER", "PEREZ",
    "DUFOUR", "BLANCHARD", "BARBIER", "BRUN", "DUMAS", "BRUNET", "SCHMITT", "LEROUX", "COLIN",
    "FERNANDEZ", "RENARD", "ARNAUD", "CARON", "HAMON", "KONATÉ", "LE GALL", "DA SILVA", "TRAN",
)
# fmt: on
_COMPANIES = ("SCI DU MARCHÉ", "SCI LES TROIS PINS", "SCI DU PORT", "SARL BOULANGERIE DES HALLES")
# Where co-owners who do not live in the building receive their mail (made-up streets).
_ELSEWHERE = (
    ("12 allée des Peupliers", "69003", "LYON", "FR"),
    ("5 impasse des Lilas", "44000", "NANTES", "FR"),
    ("3 chemin des Vignes", "84000", "AVIGNON", "FR"),
    ("21 rue du Vieux Moulin", "35000", "RENNES", "FR"),
    ("7 place de la Fontaine", "31000", "TOULOUSE", "FR"),
    ("9 rue des Jardins", "67000", "STRASBOURG", "FR"),
    ("16 cours des Marronniers", "33000", "BORDEAUX", "FR"),
    ("40 avenue des Cigales", "13008", "MARSEILLE", "FR"),
    ("Avenue des Érables 14", "1180", "UCCLE", "BE"),
)
_MAIL_DOMAINS = ("example.com", "example.net", "example.org")

_Weight = Callable[[LotData], int]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in folded.lower() if char.isalnum() or char in ".-")


def _floor_label(floor: int) -> str:
    if floor == 0:
        return "rez-de-chaussée"
    return "1er étage" if floor == 1 else f"{floor}e étage"


def _apartment_type(surface: int) -> str:
    for limit, label in ((33, "studio"), (45, "T2"), (65, "T3"), (85, "T4")):
        if surface < limit:
            return label
    return "T5"


def _paris_time(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


class _Builder:
    """Turns a plan into lots, keys, co-owners and ownerships, the same way every time."""

    def __init__(self, plan: _CondominiumPlan) -> None:
        self.plan = plan
        self.rng = random.Random(2026_000 + int(plan.code))  # noqa: S311 (made-up data, not secrets)
        self.lots: list[LotData] = []
        self.surface: dict[int, int] = {}  # apartments and shops
        self.served_by_elevator: set[int] = set()

    def build(self) -> CondominiumData:
        plan = self.plan
        self._build_lots()
        keys = self._build_keys()
        co_owners, ownerships = self._build_owners()
        return CondominiumData(
            code=plan.code,
            name=plan.name,
            address_line1=plan.address_line1,
            postal_code=plan.postal_code,
            city=plan.city,
            registry_number=plan.registry_number,
            fiscal_year_start_month=plan.fiscal_year_start_month,
            reference_letter=plan.reference_letter,
            bank_name=plan.bank_name,
            iban=plan.iban,
            bic=plan.bic,
            buildings=tuple(BuildingData(code=b.code, name=b.name) for b in plan.buildings),
            lots=tuple(self.lots),
            keys=tuple(keys),
            co_owners=tuple(sorted(co_owners, key=lambda co_owner: co_owner.reference)),
            ownerships=tuple(sorted(ownerships, key=lambda o: (o.lot_number, o.start_date))),
        )

    # Lots: apartments and shops building by building, floor by floor; cellars from 101, parkings from 201.
    def _build_lots(self) -> None:
        number = 0
        for building in self.plan.buildings:
            for floor in range(building.top_floor + 1):
                for unit in range(building.apartments_per_floor):
                    number += 1
                    if floor == 0 and unit < building.shops:
                        surface = self.rng.choice((64, 85, 120))
                        kind, description = LotKind.SHOP, f"Local commercial de {surface} m² sur rue"
                    else:
                        surface = self.rng.choice(_SURFACES)
                        kind = LotKind.APARTMENT
                        description = f"Appartement {_apartment_type(surface)} de {surface} m², {_floor_label(floor)}"
                        if building.elevator and floor > 0:
                            self.served_by_elevator.add(number)
                    self.surface[number] = surface
                    self.lots.append(
                        LotData(
                            number=number, kind=kind, building_code=building.code, floor=floor, description=description
                        )
                    )
        cellar_building = self.plan.buildings[0].code
        for index in range(1, self.plan.cellars + 1):
            self.lots.append(
                LotData(
                    number=100 + index,
                    kind=LotKind.CELLAR,
                    building_code=cellar_building,
                    floor=-1,
                    description=f"Cave n° {index}",
                )
            )
        for index in range(1, self.plan.parkings + 1):
            self.lots.append(
                LotData(
                    number=200 + index,
                    kind=LotKind.PARKING,
                    building_code=None,
                    floor=-1,
                    description=f"Emplacement de parking n° {index}, sous-sol",
                )
            )

    def _general_weight(self, lot: LotData) -> int:
        if lot.kind == LotKind.CELLAR:
            return 40
        if lot.kind == LotKind.PARKING:
            return 90
        return self.surface[lot.number] * (20 + (lot.floor or 0))

    def _elevator_weight(self, lot: LotData) -> int:
        # 0 on the ground floor, for cellars, parkings and buildings without one; more the higher up.
        return self.surface[lot.number] * (lot.floor or 0) if lot.number in self.served_by_elevator else 0

    def _build_keys(self) -> list[KeyData]:
        plan = self.plan
        keys = [
            _key(
                GENERAL_KEY,
                "Charges générales",
                plan.general_total,
                KeyKind.GENERAL,
                lots=self.lots,
                weight=self._general_weight,
            ),
            _key(ELEVATOR_KEY, "Ascenseur", 1000, KeyKind.SPECIAL, lots=self.lots, weight=self._elevator_weight),
        ]
        for code in plan.building_keys:
            # Only the building's own apartments and shops take part (no row for the other lots).
            own = [lot for lot in self.lots if lot.building_code == code and lot.number in self.surface]
            keys.append(
                _key(
                    f"BAT{code}",
                    f"Charges bâtiment {code}",
                    1000,
                    KeyKind.SPECIAL,
                    lots=own,
                    weight=self._surface_weight,
                )
            )
        return keys

    def _surface_weight(self, lot: LotData) -> int:
        return self.surface[lot.number]

    def _date(self, first_year: int, last_year: int) -> datetime.date:
        first = datetime.date(first_year, 1, 1).toordinal()
        last = datetime.date(last_year, 12, 31).toordinal()
        return datetime.date.fromordinal(self.rng.randint(first, last))

    def _contact_details(self, local_part: str) -> tuple[str, str, datetime.datetime | None]:
        """An e-mail for three in four, consent to e-notifications for most of them, a mobile for some."""
        email = phone = ""
        consent_at = None
        if self.rng.random() < 0.75:
            email = f"{local_part}@{self.rng.choice(_MAIL_DOMAINS)}"
            if self.rng.random() < 0.7:
                consent_at = _paris_time(self._date(2019, 2025), self.rng.randint(8, 21), self.rng.randint(0, 59))
        if self.rng.random() < 0.6:
            phone = f"06 39 98 {self.rng.randint(10, 99)} {self.rng.randint(10, 99)}"
        return email, phone, consent_at

    def _person(self, reference: str, surname: str, lot: LotData | None) -> CoOwnerData:
        civility = self.rng.choice(("M.", "Mme", "M. et Mme", "Mme", "M."))
        first_name = ""
        if civility == "M.":
            first_name = self.rng.choice(_MEN)
        elif civility == "Mme":
            first_name = self.rng.choice(_WOMEN)
        local_part = _ascii(f"{first_name}.{surname}" if first_name else f"famille.{surname}")
        email, phone, consent_at = self._contact_details(local_part)
        line2 = ""
        if lot is not None and lot.kind == LotKind.APARTMENT and self.rng.random() < 0.7:
            # Lives in the building.
            if len(self.plan.buildings) > 1:
                line2 = f"Bâtiment {lot.building_code}"
            line1, postal_code, city, country = (
                self.plan.address_line1,
                self.plan.postal_code,
                self.plan.city.upper(),
                "FR",
            )
        else:
            line1, postal_code, city, country = self.rng.choice(_ELSEWHERE)
        return CoOwnerData(
            reference=reference,
            civility=civility,
            last_name=surname,
            first_name=first_name,
            address_line1=line1,
            address_line2=line2,
            postal_code=postal_code,
            city=city,
            country=country,
            email=email,
            phone=phone,
            consent_at=consent_at,
        )

    def _company(self, reference: str, name: str) -> CoOwnerData:
        email, phone, consent_at = self._contact_details(_ascii(name.replace(" ", ".")))
        line1, postal_code, city, country = self.rng.choice(_ELSEWHERE)
        return CoOwnerData(
            reference=reference,
            person_kind=PersonKind.LEGAL,
            civility="",
            last_name=name,
            address_line1=line1,
            postal_code=postal_code,
            city=city,
            country=country,
            email=email,
            phone=phone,
            consent_at=consent_at,
        )

    def _build_owners(self) -> tuple[list[CoOwnerData], list[OwnershipData]]:
        plan = self.plan
        lot_numbers = {lot.number for lot in self.lots}
        co_owners: list[CoOwnerData] = []
        ownerships: list[OwnershipData] = []
        taken: set[int] = set()
        # The explicit co-owners first; a lot sold is listed by the seller (with `until`) and the buyer.
        for owner in plan.owners:
            co_owners.append(owner.co_owner)
            for number in owner.lots:
                if number not in lot_numbers:
                    raise ValueError(f"{plan.code}: there is no lot {number} for {owner.co_owner.reference}.")
                taken.add(number)
                ownerships.append(
                    OwnershipData(
                        reference=owner.co_owner.reference,
                        lot_number=number,
                        start_date=owner.since,
                        end_date=owner.until,
                    )
                )
        explicit_references = {owner.co_owner.reference for owner in plan.owners}
        explicit_names = {owner.co_owner.last_name for owner in plan.owners}
        pool = [name for name in _SURNAMES if name not in explicit_names]
        surnames = iter(self.rng.sample(pool, len(pool)))
        companies = iter(_COMPANIES)
        serials = (
            reference
            for serial in range(1, 10_000)
            if (reference := f"{plan.reference_letter}{plan.code}{serial:04d}") not in explicit_references
        )

        free = [lot for lot in self.lots if lot.number not in taken]
        apartments = [lot for lot in free if lot.kind == LotKind.APARTMENT]
        # The last free apartments go to co-owners who already hold one (landlords); the others, one each.
        second_apartments = apartments[len(apartments) - plan.investors :] if plan.investors else []
        holders: list[tuple[str, datetime.date]] = []  # (reference, purchase date) of each first holding
        residents: list[tuple[str, datetime.date]] = []  # the same, for apartments
        for lot in free:
            if lot.kind == LotKind.SHOP:
                co_owner = self._company(next(serials), next(companies))
            elif lot.kind == LotKind.APARTMENT and lot not in second_apartments:
                co_owner = self._person(next(serials), next(surnames), lot)
            else:
                continue
            since = self._date(1988, 2020)  # before the demo books open (no lot without an owner)
            co_owners.append(co_owner)
            holders.append((co_owner.reference, since))
            if lot.kind == LotKind.APARTMENT:
                residents.append((co_owner.reference, since))
            ownerships.append(OwnershipData(reference=co_owner.reference, lot_number=lot.number, start_date=since))
        landlords = self.rng.sample(residents, len(second_apartments))
        for lot, (reference, since) in zip(second_apartments, landlords, strict=True):
            bought = max(since, self._date(2005, 2020))
            ownerships.append(OwnershipData(reference=reference, lot_number=lot.number, start_date=bought))
        cellars = [lot for lot in free if lot.kind == LotKind.CELLAR]
        parkings = [lot for lot in free if lot.kind == LotKind.PARKING]
        for _ in range(plan.parking_only):
            lot = parkings.pop()
            co_owner = self._person(next(serials), next(surnames), None)
            co_owners.append(co_owner)
            start = self._date(1995, 2020)
            ownerships.append(OwnershipData(reference=co_owner.reference, lot_number=lot.number, start_date=start))
        # Cellars and parking spaces: bought with the first holding, by co-owners drawn at random.
        for annexes in (cellars, parkings):
            for lot, (reference, since) in zip(annexes, self.rng.sample(holders, len(annexes)), strict=True):
                ownerships.append(OwnershipData(reference=reference, lot_number=lot.number, start_date=since))
        return co_owners, ownerships


def _key(code: str, label: str, total: int, kind: KeyKind, *, lots: list[LotData], weight: _Weight) -> KeyData:
    parts = split_shares(total, [weight(lot) for lot in lots])
    shares = tuple((lot.number, part) for lot, part in zip(lots, parts, strict=True))
    if sum(part for _number, part in shares) != total:
        raise ValueError(f"Key {code}: the tantièmes add up to {sum(parts)}, not {total}.")
    return KeyData(code=code, label=label, total=total, kind=kind, shares=shares)


# --- The firms ---------------------------------------------------------------------------------

_SALE_606 = datetime.date(2024, 6, 14)

_PLANS: dict[str, tuple[_CondominiumPlan, ...]] = {
    "horizon": (
        _CondominiumPlan(
            code="606",
            name="Résidence Les Sources",
            address_line1="1 rue aux sources",
            postal_code="75000",
            city="Paris",
            registry_number="AH1000606",
            bank_name="BNP Paribas",
            iban="FR7630004006060006060010189",
            bic="BNPAFRPPXXX",
            general_total=10000,
            buildings=(
                _BuildingPlan(
                    code="A", name="Bâtiment A (sur rue)", top_floor=6, apartments_per_floor=3, elevator=True, shops=1
                ),
                _BuildingPlan(
                    code="B", name="Bâtiment B (sur cour)", top_floor=3, apartments_per_floor=2, elevator=False
                ),
            ),
            cellars=18,
            parkings=12,
            building_keys=("B",),
            investors=3,
            parking_only=1,
            owners=(
                # The co-owner of the syndic's letter: "M. et Mme TEST, 1 rue aux sources 75000 PARIS".
                _OwnerPlan(
                    co_owner=CoOwnerData(
                        reference="A6060001",
                        civility="M. et Mme",
                        last_name="TEST",
                        address_line1="1 rue aux sources",
                        postal_code="75000",
                        city="PARIS",
                        email="famille.test@example.com",
                        phone="06 39 98 06 06",
                        consent_at=_paris_time(datetime.date(2021, 2, 3), 18, 42),
                    ),
                    lots=(10, 103, 205),  # apartment (A, 3rd floor), cellar, parking space
                    since=datetime.date(2003, 4, 17),
                ),
                _OwnerPlan(
                    co_owner=CoOwnerData(
                        reference="A6060002",
                        civility="M.",
                        last_name="MARTIN",
                        first_name="Robert",
                        address_line1="1 rue aux sources",
                        postal_code="75000",
                        city="PARIS",
                        email="robert.martin@example.net",
                    ),
                    lots=(7, 201),
                    since=datetime.date(2011, 10, 5),
                ),
                # A sale: M. LEBRUN sold his apartment and cellar to Mme BENALI, who took over the next day.
                _OwnerPlan(
                    co_owner=CoOwnerData(
                        reference="A6060017",
                        civility="M.",
                        last_name="LEBRUN",
                        first_name="Gérard",
                        address_line1="22 avenue des Platanes",
                        postal_code="84000",
                        city="AVIGNON",
                    ),
                    lots=(24, 111),
                    since=datetime.date(1996, 9, 20),
                    until=_SALE_606 - datetime.timedelta(days=1),
                ),
                _OwnerPlan(
                    co_owner=CoOwnerData(
                        reference="A6060028",
                        civility="Mme",
                        last_name="BENALI",
                        first_name="Yasmina",
                        address_line1="1 rue aux sources",
                        address_line2="Bâtiment B",
                        postal_code="75000",
                        city="PARIS",
                        email="yasmina.benali@example.com",
                        phone="06 39 98 27 27",
                        consent_at=_paris_time(datetime.date(2024, 6, 20), 10, 5),
                    ),
                    lots=(24, 111),
                    since=_SALE_606,
                ),
            ),
        ),
        _CondominiumPlan(
            code="412",
            name="Le Clos des Tilleuls",
            address_line1="27 avenue des Tilleuls",
            postal_code="94300",
            city="Vincennes",
            registry_number="AH1000412",
            bank_name="Société Générale",
            iban="FR7630003041200004120010239",
            bic="SOGEFRPPXXX",
            general_total=1000,
            buildings=(
                _BuildingPlan(code="A", name="Bâtiment A", top_floor=4, apartments_per_floor=3, elevator=True),
                _BuildingPlan(code="B", name="Bâtiment B", top_floor=4, apartments_per_floor=2, elevator=True),
            ),
            cellars=20,
            parkings=15,
            investors=3,
            parking_only=2,
        ),
    ),
    "rivage": (
        _CondominiumPlan(
            code="149",
            name="Résidence Le Grand Large",
            address_line1="8 quai du Grand Large",
            postal_code="17000",
            city="La Rochelle",
            registry_number="AR1000149",
            reference_letter="G",
            bank_name="Caisse des dépôts et consignations",
            iban="FR2640031000010000149G01785",
            bic="CDCGFRPPXXX",
            general_total=10000,
            buildings=(
                _BuildingPlan(
                    code="A",
                    name="Bâtiment A – La Goélette",
                    top_floor=5,
                    apartments_per_floor=2,
                    elevator=True,
                    shops=1,
                ),
                _BuildingPlan(
                    code="B", name="Bâtiment B – Le Brigantin", top_floor=5, apartments_per_floor=2, elevator=True
                ),
                _BuildingPlan(
                    code="C", name="Bâtiment C – La Caravelle", top_floor=2, apartments_per_floor=2, elevator=False
                ),
            ),
            cellars=16,
            parkings=20,
            building_keys=("C",),
            investors=4,
            parking_only=1,
            owners=(
                # The other reference of the letter: an account number taken over from a former syndic.
                _OwnerPlan(
                    co_owner=CoOwnerData(
                        reference="G149X369",
                        civility="M.",
                        last_name="DURAND",
                        first_name="Charles",
                        address_line1="8 quai du Grand Large",
                        address_line2="Bâtiment B",
                        postal_code="17000",
                        city="LA ROCHELLE",
                        email="charles.durand@example.org",
                        phone="05 36 49 36 90",
                        consent_at=_paris_time(datetime.date(2022, 9, 12), 9, 31),
                    ),
                    lots=(19, 204),  # apartment (B, 3rd floor), parking space
                    since=datetime.date(2016, 3, 1),
                ),
            ),
        ),
        _CondominiumPlan(
            code="231",
            name="Les Terrasses du Port",
            address_line1="14 rue des Voiliers",
            postal_code="17000",
            city="La Rochelle",
            registry_number="AR1000231",
            fiscal_year_start_month=7,
            bank_name="LCL",
            iban="FR7730002023100000231R02088",
            bic="CRLYFRPPXXX",
            general_total=1000,
            buildings=(
                _BuildingPlan(code="A", name="Bâtiment A", top_floor=3, apartments_per_floor=3, elevator=True),
                _BuildingPlan(code="B", name="Bâtiment B", top_floor=3, apartments_per_floor=3, elevator=True),
            ),
            cellars=8,
            parkings=10,
            investors=2,
        ),
    ),
}

_FIRMS = (
    FirmData(
        slug="horizon",
        name="Horizon Syndic",
        legal_name="Horizon Syndic SAS",
        address_line1="18 avenue de l'Horizon",
        postal_code="75011",
        city="Paris",
        phone="01 99 00 40 00",
        contact_email="gestioncopropriete@horizon.example",
        siren="814606067",
        professional_card="CPI 7501 2018 000 012 345",
        financial_guarantor="Fonds mutuel de garantie des administrateurs de biens, 40 rue de la Caution, 75009 Paris",
    ),
    FirmData(
        slug="rivage",
        name="Rivage Gestion",
        legal_name="Rivage Gestion SARL",
        address_line1="5 quai des Rivages",
        address_line2="BP 149",
        postal_code="17000",
        city="La Rochelle",
        phone="05 36 49 10 20",
        contact_email="gestioncopropriete@rivage.example",
        siren="827171497",
        professional_card="CPI 1702 2019 000 041 149",
        financial_guarantor="Caisse atlantique de garantie immobilière, 2 place du Phare, 17000 La Rochelle",
    ),
)

_CONTACTS: dict[str, tuple[ContactData, ...]] = {
    "horizon": (
        ContactData(
            name="Claire Morel",
            role=ContactRole.MANAGER,
            email="gestion@horizon.example",
            phone="01 99 00 40 11",
            position=1,
        ),
        ContactData(
            name="Julien Garnier",
            role=ContactRole.ACCOUNTANT,
            email="compta@horizon.example",
            phone="01 99 00 40 12",
            position=2,
        ),
        ContactData(
            name="Léa Fontaine",
            role=ContactRole.ASSISTANT,
            email="lea.fontaine@horizon.example",
            phone="01 99 00 40 13",
            position=3,
            condominium_code="412",
        ),
    ),
    "rivage": (
        ContactData(
            name="Nadia Bertrand",
            role=ContactRole.MANAGER,
            email="gestion@rivage.example",
            phone="05 36 49 10 21",
            position=1,
        ),
        ContactData(
            name="Paul Renaud",
            role=ContactRole.ACCOUNTANT,
            email="compta@rivage.example",
            phone="05 36 49 10 22",
            position=2,
        ),
    ),
}


def build_demo() -> tuple[FirmDemo, ...]:
    """The whole demo, built afresh (the same every time)."""
    return tuple(
        FirmDemo(
            firm=firm,
            contacts=_CONTACTS[firm.slug],
            condominiums=tuple(_Builder(plan).build() for plan in _PLANS[firm.slug]),
        )
        for firm in _FIRMS
    )


DEMO: tuple[FirmDemo, ...] = build_demo()

# The documented demo logins: `seed_demo` creates them and prints this table (so does `make run`).
DEMO_PASSWORD_CO_OWNER = "Demo-Copro-2026!"
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        firm_slug="horizon",
        login="A6060001",
        password=DEMO_PASSWORD_CO_OWNER,
        kind=UserKind.CO_OWNER,
        first_name="Jean",
        last_name="TEST",
        description="copropriétaire A 606 0001, M. et Mme TEST (appartement, cave et parking)",
    ),
    DemoLogin(
        firm_slug="horizon",
        login="A6060002",
        password="Bienvenue-A6060002",
        kind=UserKind.CO_OWNER,
        first_name="Robert",
        last_name="MARTIN",
        description="copropriétaire A 606 0002, mot de passe provisoire à changer à la première connexion",
        temporary=True,
    ),
    DemoLogin(
        firm_slug="horizon",
        login="gestion@horizon.example",
        password="Demo-Gestion-2026!",
        kind=UserKind.STAFF,
        first_name="Claire",
        last_name="Morel",
        description="gestionnaire du cabinet",
        role=StaffRole.MANAGER,
        job_title="Gestionnaire de copropriété",
    ),
    DemoLogin(
        firm_slug="horizon",
        login="direction@horizon.example",
        password="Demo-Direction-2026!",
        kind=UserKind.STAFF,
        first_name="Hélène",
        last_name="Lambert",
        description="administratrice du cabinet (réglages du paiement par carte)",
        role=StaffRole.FIRM_ADMIN,
        job_title="Directrice",
    ),
    DemoLogin(
        firm_slug="horizon",
        login="assistance@horizon.example",
        password="Demo-Assistance-2026!",
        kind=UserKind.STAFF,
        first_name="Inès",
        last_name="Roux",
        description="assistante de copropriété du cabinet",
        role=StaffRole.ASSISTANT,
        job_title="Assistante de copropriété",
    ),
    DemoLogin(
        firm_slug="horizon",
        login="compta@horizon.example",
        password="Demo-Compta-2026!",
        kind=UserKind.STAFF,
        first_name="Julien",
        last_name="Garnier",
        description="comptable du cabinet",
        role=StaffRole.ACCOUNTANT,
        job_title="Comptable",
    ),
    DemoLogin(
        firm_slug="rivage",
        login="G149X369",
        password=DEMO_PASSWORD_CO_OWNER,
        kind=UserKind.CO_OWNER,
        first_name="Charles",
        last_name="DURAND",
        description="copropriétaire G 149 X369 (appartement et parking)",
    ),
    DemoLogin(
        firm_slug="rivage",
        login="gestion@rivage.example",
        password="Demo-Gestion-2026!",
        kind=UserKind.STAFF,
        first_name="Nadia",
        last_name="Bertrand",
        description="gestionnaire du cabinet",
        role=StaffRole.MANAGER,
        job_title="Gestionnaire de copropriété",
    ),
)
