"""Write the demo (`tantieme.demo.data`) into the database, layer by layer, in one transaction.

Every layer looks its rows up by their natural key (firm slug, condominium code, building code,
lot number, key code and lot, co-owner reference, lot and start date, contact name, login) and
creates only what is missing: seeding twice changes nothing. Rows that exist are never modified,
so what was changed by hand in the demo (a password, an address) stays as it is.

    seed_firms                      the two firms
    then for each firm, inside its firm_scope:
    seed_condominiums               condominiums, buildings, lots, allocation keys, tantièmes
    seed_co_owners                  co-owners and who owns which lot since when
    seed_contacts                   the syndic's contacts
    seed_logins                     the demo logins (DEMO_LOGINS), staff roles, co-owner access

A later feature (ledger history, calls for funds, payments) adds its structures to `data` and
its layer here, after these: a layer receives the `SeededFirm` with the rows made so far.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from tantieme.condominiums.models import (
    AllocationKey,
    Building,
    Condominium,
    CoOwner,
    Lot,
    LotShare,
    Ownership,
    SyndicContact,
)
from tantieme.condominiums.services import key_share_problems
from tantieme.demo import data
from tantieme.search.balances import refresh_balances
from tantieme.tenancy.models import Firm, StaffMembership
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.enums import UserKind
from tantieme.users.models import User, normalize_login

CO_OWNER_ACCESS = "accès extranet de copropriétaires"
ENTRIES = "appels de fonds et paiements comptabilisés"
STATEMENT_LINES = "lignes de relevés bancaires"


class DemoSeedError(Exception):
    """The demo data contradicts itself or the database (nothing was written)."""


@dataclass
class SeedReport:
    """What a run added, by kind of row (nothing when the demo was already there)."""

    added: Counter[str] = field(default_factory=Counter)

    def add(self, kind: type[models.Model] | str, count: int = 1) -> None:
        if count:
            label = kind if isinstance(kind, str) else str(kind._meta.verbose_name_plural)
            self.added[label] += count

    @property
    def nothing_added(self) -> bool:
        return not self.added

    def summary(self) -> str:
        return ", ".join(f"{label} : {count}" for label, count in self.added.items())


@dataclass
class SeededFirm:
    """One firm's demo rows, for the layers that follow (by natural key)."""

    firm: Firm
    demo: data.FirmDemo
    condominiums: dict[str, Condominium] = field(default_factory=dict)
    lots: dict[tuple[str, int], Lot] = field(default_factory=dict)  # (condominium code, lot number)
    co_owners: dict[str, CoOwner] = field(default_factory=dict)  # by reference
    users: dict[str, User] = field(default_factory=dict)  # by login


_M = TypeVar("_M", bound=models.Model)


def _create(instance: _M, report: SeedReport) -> _M:
    """Validate (field validators, constraints) and save one new row."""
    instance.full_clean()
    instance.save()
    report.add(type(instance))
    return instance


def _create_all(model: type[_M], instances: list[_M], report: SeedReport) -> list[_M]:
    """Validate the fields of new rows and insert them at once (the database checks the constraints).

    Unique constraints hold by construction (only rows whose natural key was not found get here) and
    the related rows were just read or made: skip the checks that would cost a query per row.
    """
    relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
    for instance in instances:
        instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    created = model._default_manager.bulk_create(instances)
    report.add(model, len(created))
    return created


# --- Layers ------------------------------------------------------------------------------------


def seed_firms(report: SeedReport) -> dict[str, Firm]:
    firms = {}
    for demo in data.DEMO:
        firm = Firm.objects.filter(slug=demo.firm.slug).first()
        if firm is None:
            firm = Firm(**asdict(demo.firm))
            _create(firm, report)
        firms[firm.slug] = firm
    return firms


def seed_condominiums(seeded: SeededFirm, report: SeedReport) -> None:
    touched_keys: list[AllocationKey] = []
    for plan in seeded.demo.condominiums:
        condominium = Condominium.objects.filter(code=plan.code).first()
        if condominium is None:
            condominium = Condominium(
                firm=seeded.firm,
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
            )
            _create(condominium, report)
        seeded.condominiums[plan.code] = condominium

        buildings = {building.code: building for building in Building.objects.filter(condominium=condominium)}
        for building_data in plan.buildings:
            if building_data.code not in buildings:
                building = Building(condominium=condominium, code=building_data.code, name=building_data.name)
                _create(building, report)
                buildings[building.code] = building

        lots = {lot.number: lot for lot in Lot.objects.filter(condominium=condominium)}
        new_lots = [
            Lot(
                condominium=condominium,
                number=lot_data.number,
                kind=lot_data.kind,
                building=buildings[lot_data.building_code] if lot_data.building_code else None,
                staircase=lot_data.staircase,
                floor=lot_data.floor,
                description=lot_data.description,
            )
            for lot_data in plan.lots
            if lot_data.number not in lots
        ]
        lots.update((lot.number, lot) for lot in _create_all(Lot, new_lots, report))
        seeded.lots.update(((plan.code, number), lot) for number, lot in lots.items())

        keys = {key.code: key for key in AllocationKey.objects.filter(condominium=condominium)}
        existing_shares = set(LotShare.objects.filter(key__condominium=condominium).values_list("key_id", "lot_id"))
        for key_data in plan.keys:
            key = keys.get(key_data.code)
            if key is None:
                key = AllocationKey(
                    condominium=condominium,
                    code=key_data.code,
                    label=key_data.label,
                    total=key_data.total,
                    kind=key_data.kind,
                )
                _create(key, report)
            new_shares = [
                LotShare(key=key, lot=lots[number], shares=shares)
                for number, shares in key_data.shares
                if (key.pk, lots[number].pk) not in existing_shares
            ]
            if _create_all(LotShare, new_shares, report):
                touched_keys.append(key)
    # Keys the demo wrote to must add up (keys left alone may have been edited by hand: not ours to judge).
    _check_keys(touched_keys)


def _check_keys(keys: Iterable[AllocationKey]) -> None:
    problems = key_share_problems(keys)
    if problems:
        raise DemoSeedError(" ".join(problems))


def seed_co_owners(seeded: SeededFirm, report: SeedReport) -> None:
    for plan in seeded.demo.condominiums:
        condominium = seeded.condominiums[plan.code]
        co_owners = {
            co_owner.reference: co_owner
            for co_owner in CoOwner.objects.filter(reference__in=[c.reference for c in plan.co_owners])
        }
        new_co_owners = [
            _co_owner(seeded.firm, condominium, co_owner_data)
            for co_owner_data in plan.co_owners
            if co_owner_data.reference not in co_owners
        ]
        co_owners.update((co_owner.reference, co_owner) for co_owner in _create_all(CoOwner, new_co_owners, report))
        seeded.co_owners.update(co_owners)

        existing = set(Ownership.objects.filter(lot__condominium=condominium).values_list("lot_id", "start_date"))
        new_ownerships = [
            Ownership(
                co_owner=co_owners[ownership_data.reference],
                lot=seeded.lots[plan.code, ownership_data.lot_number],
                start_date=ownership_data.start_date,
                end_date=ownership_data.end_date,
            )
            for ownership_data in plan.ownerships
            if (seeded.lots[plan.code, ownership_data.lot_number].pk, ownership_data.start_date) not in existing
        ]
        _create_all(Ownership, new_ownerships, report)


def _co_owner(firm: Firm, condominium: Condominium, co_owner_data: data.CoOwnerData) -> CoOwner:
    fields = asdict(co_owner_data)
    consent_at = fields.pop("consent_at")
    return CoOwner(
        firm=firm,
        condominium=condominium,
        e_notification_consent=consent_at is not None,
        e_notification_consent_at=consent_at,
        **fields,
    )


def seed_contacts(seeded: SeededFirm, report: SeedReport) -> None:
    existing = set(SyndicContact.objects.values_list("condominium__code", "name"))
    for contact_data in seeded.demo.contacts:
        if (contact_data.condominium_code, contact_data.name) in existing:
            continue
        contact = SyndicContact(
            firm=seeded.firm,
            condominium=seeded.condominiums[contact_data.condominium_code] if contact_data.condominium_code else None,
            name=contact_data.name,
            role=contact_data.role,
            email=contact_data.email,
            phone=contact_data.phone,
            opening_hours=contact_data.opening_hours,
            position=contact_data.position,
        )
        _create(contact, report)


def seed_logins(seeded: SeededFirm, report: SeedReport, *, now: datetime.datetime) -> None:
    """The firm's demo logins: staff with their role, co-owners with access to their account."""
    firm = seeded.firm
    for login in data.DEMO_LOGINS:
        if login.firm_slug != firm.slug:
            continue
        co_owner = seeded.co_owners.get(login.login) if login.kind == UserKind.CO_OWNER else None
        if login.kind == UserKind.CO_OWNER and co_owner is None:
            raise DemoSeedError(f"The demo login {login.login} names no co-owner of {firm.slug}.")
        user = User.objects.filter(firm=firm, login=normalize_login(login.login)).first()
        if user is None:
            extra: dict[str, object] = {}
            if login.temporary:
                lifetime = datetime.timedelta(days=getattr(settings, "TEMPORARY_PASSWORD_LIFETIME_DAYS", 30))
                extra.update(must_change_password=True, temporary_password_expires_at=now + lifetime)
            user = User.objects.create_user(
                login.login,
                login.password,
                firm=firm,
                kind=login.kind,
                first_name=login.first_name,
                last_name=login.last_name,
                email=co_owner.email if co_owner is not None else login.login,
                **extra,
            )
            report.add(User)
        seeded.users[user.login] = user
        if login.kind == UserKind.STAFF and login.role is not None:
            if not StaffMembership.objects.filter(user=user).exists():
                membership = StaffMembership(firm=firm, user=user, role=login.role, job_title=login.job_title)
                _create(membership, report)
        elif co_owner is not None and not co_owner.users.filter(pk=user.pk).exists():
            co_owner.users.add(user)
            report.add(CO_OWNER_ACCESS)


# --- A few years of activity ------------------------------------------------------------------


def seed_activity(seeded: SeededFirm, report: SeedReport, *, today: datetime.date) -> None:
    """Card payments through the test bank; per condominium: books with four years of calls for
    funds and payments (A 606 0001 owes 1 210,77 €), bank statements to reconcile, documents,
    announcements and a request.

    Each layer is idempotent on its own, so a demo seeded before a layer existed gets it later.
    """
    from tantieme.demo.conversations import seed_conversations
    from tantieme.demo.documents import seed_documents
    from tantieme.demo.history import seed_ledger_history
    from tantieme.demo.payments import seed_payment_settings
    from tantieme.demo.statements import seed_statements

    seed_payment_settings(seeded.firm)
    for condominium in Condominium.objects.filter(firm=seeded.firm).order_by("code"):
        report.add(ENTRIES, seed_ledger_history(condominium, today=today))
        report.add(STATEMENT_LINES, seed_statements(condominium, today=today))
        seed_documents(condominium, today=today)
        seed_conversations(condominium, today=today)


# --- The whole demo ----------------------------------------------------------------------------


def seed_demo(*, now: datetime.datetime | None = None, activity: bool = True) -> SeedReport:
    """Create whatever part of the demo is missing, in one transaction; report what was added."""
    now = now or timezone.now()
    report = SeedReport()
    with transaction.atomic():
        firms = seed_firms(report)
        for demo in data.DEMO:
            seeded = SeededFirm(firm=firms[demo.firm.slug], demo=demo)
            with firm_scope(seeded.firm):
                seed_condominiums(seeded, report)
                seed_co_owners(seeded, report)
                seed_contacts(seeded, report)
                seed_logins(seeded, report, now=now)
                if activity:
                    seed_activity(seeded, report, today=timezone.localdate(now))
                    # « À traiter » reads arrears from the balance index: fill it now rather than
                    # at the first periodic run, so the demo shows who owes from the start.
                    refresh_balances(firm=seeded.firm, today=timezone.localdate(now))
    return report


def firm_url(slug: str) -> str:
    """The firm's extranet address (SITE_SCHEME, BASE_DOMAIN and SITE_PORT, itself PORT by default)."""
    return f"{Firm(slug=slug).base_url}/"


def demo_logins_table() -> str:
    """The demo logins, firm by firm, as `seed_demo` (and `make run`) print them."""
    names = {demo.firm.slug: demo.firm.name for demo in data.DEMO}
    width_login = max(len(login.login) for login in data.DEMO_LOGINS)
    width_password = max(len(login.password) for login in data.DEMO_LOGINS)
    lines = ["Connexions de démonstration (mots de passe publics : pour la démo seulement) :"]
    for slug, name in names.items():
        lines.append("")
        lines.append(f"  {name} — {firm_url(slug)}")
        lines.extend(
            f"    {login.login:<{width_login}}  {login.password:<{width_password}}  {login.description}"
            for login in data.DEMO_LOGINS
            if login.firm_slug == slug
        )
    return "\n".join(lines)
