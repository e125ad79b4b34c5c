"""`manage.py seed_demo`: the fictional firms, idempotent, coherent, and ready to sign in to."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone
from schwifty import BIC, IBAN

from tantieme.condominiums.enums import KeyKind, LotKind
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
from tantieme.condominiums.services import owner_on, validate_key_shares
from tantieme.condominiums.validators import normalize_iban
from tantieme.demo import data
from tantieme.demo.seeding import seed_demo
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import Firm, StaffMembership
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.enums import UserKind
from tantieme.users.models import User

pytestmark = pytest.mark.django_db

SCOPED_MODELS = (
    Condominium, Building, Lot, AllocationKey, LotShare, CoOwner, Ownership, SyndicContact, StaffMembership,
)  # fmt: skip


def run_seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    counts = {model.__name__: model.all_firms.count() for model in SCOPED_MODELS}
    counts["Firm"] = Firm.objects.count()
    counts["User"] = User.objects.count()
    counts["CoOwnerUsers"] = CoOwner.users.through.objects.count()
    return counts


@pytest.fixture
def seeded() -> str:
    # The base layer: the books, documents and conversations are checked once, below.
    return run_seed(base_only=True)


def firm(slug: str) -> Firm:
    return Firm.objects.get(slug=slug)


def sign_in(slug: str, username: str, password: str) -> User | None:
    request = SimpleNamespace(firm=firm(slug), META={}, session={})
    return authenticate(request=request, username=username, password=password)  # type: ignore[arg-type]


def test_seeding_twice_changes_nothing() -> None:
    seeded = run_seed()
    assert "Démo ajoutée — cabinets : 2, copropriétés : 4, bâtiments : 9" in seeded
    assert "appels de fonds et paiements comptabilisés" in seeded
    first = row_counts()
    second_output = run_seed()
    assert row_counts() == first
    assert "La démo existe déjà : rien à ajouter." in second_output


def test_a_missing_part_is_added_back(seeded: str) -> None:
    before = row_counts()
    horizon = firm("horizon")
    with firm_scope(horizon):
        CoOwner.objects.get(reference="A6060001").users.clear()
        LotShare.objects.filter(key__code="ASC", key__condominium__code="606").earliest("pk").delete()
    StaffMembership.all_firms.filter(user__login="compta@horizon.example").delete()
    output = run_seed(base_only=True)
    assert "ajoutée — tantièmes des lots : 1, accès extranet de copropriétaires : 1, membres du cabinet : 1." in output
    assert row_counts() == before


def test_the_command_prints_the_demo_logins_with_the_port() -> None:
    with override_settings(SITE_PORT="8123"):
        output = run_seed()
    assert "http://horizon.localhost:8123/" in output
    assert "http://rivage.localhost:8123/" in output
    for login in data.DEMO_LOGINS:
        assert login.login in output
        assert login.password in output


@override_settings(IS_PRODUCTION=True)
def test_the_command_refuses_production_unless_told() -> None:
    with pytest.raises(CommandError, match="production"):
        run_seed()
    assert not Firm.objects.exists()
    assert "Démo ajoutée" in run_seed(allow_production=True)


def test_the_firms_are_complete_and_valid(seeded: str) -> None:
    horizon, rivage = firm("horizon"), firm("rivage")
    assert (horizon.name, rivage.name) == ("Horizon Syndic", "Rivage Gestion")
    for each in (horizon, rivage):
        each.full_clean()  # SIREN (Luhn), e-mail
        assert all((each.address_line1, each.postal_code, each.city, each.phone))
        assert each.professional_card.startswith("CPI ")
        assert each.financial_guarantor
    assert horizon.contact_email == "gestioncopropriete@horizon.example"
    assert horizon.professional_card == "CPI 7501 2018 000 012 345"


def test_condominiums_codes_buildings_and_bank_accounts(seeded: str) -> None:
    for slug, code in (("horizon", "606"), ("rivage", "149")):
        with firm_scope(firm(slug)):
            condominiums = list(Condominium.objects.all())
            assert len(condominiums) >= 2
            assert code in {c.code for c in condominiums}
            for condominium in condominiums:
                condominium.full_clean()
                assert normalize_iban(condominium.iban) == condominium.iban
                iban = IBAN(condominium.iban, validate_bban=True)
                assert iban.country_code == "FR"
                assert iban.bank_code in BIC(condominium.bic).domestic_bank_codes
                assert Building.objects.filter(condominium=condominium).count() >= 2
                kinds = set(Lot.objects.filter(condominium=condominium).values_list("kind", flat=True))
                assert {LotKind.APARTMENT, LotKind.CELLAR, LotKind.PARKING} <= kinds
    with firm_scope(firm("rivage")):
        assert Condominium.objects.get(code="149").reference_letter == "G"
    with firm_scope(firm("horizon")):
        assert Lot.objects.filter(condominium__code="606", kind=LotKind.SHOP).exists()


def test_every_key_adds_up_to_its_total(seeded: str) -> None:
    for slug in ("horizon", "rivage"):
        with firm_scope(firm(slug)):
            for condominium in Condominium.objects.all():
                validate_key_shares(condominium)
                keys = {key.code: key for key in AllocationKey.objects.filter(condominium=condominium)}
                general, elevator = keys["GEN"], keys["ASC"]
                assert general.kind == KeyKind.GENERAL
                assert general.label == "Charges générales"
                assert general.total in {1000, 10000}
                lot_count = Lot.objects.filter(condominium=condominium).count()
                assert LotShare.objects.filter(key=general).count() == lot_count
                assert (elevator.label, elevator.kind) == ("Ascenseur", KeyKind.SPECIAL)
                elevator_shares = LotShare.objects.filter(key=elevator)
                for share in elevator_shares.filter(lot__kind__in=[LotKind.CELLAR, LotKind.PARKING]):
                    assert share.shares == 0
                assert not elevator_shares.filter(lot__floor=0, shares__gt=0).exists()
                assert elevator_shares.filter(shares__gt=0).exists()


def test_twenty_co_owners_and_more_per_condominium(seeded: str) -> None:
    today = timezone.localdate()
    for slug in ("horizon", "rivage"):
        with firm_scope(firm(slug)):
            for condominium in Condominium.objects.all():
                current = Ownership.objects.filter(lot__condominium=condominium, end_date__isnull=True)
                assert current.values("co_owner").distinct().count() >= 20
                lots = Lot.objects.filter(condominium=condominium)
                assert all(owner_on(lot, today) is not None for lot in lots)
                per_owner = Counter(current.values_list("co_owner__reference", flat=True))
                assert max(per_owner.values()) >= 3
                co_owners = CoOwner.objects.filter(condominium=condominium)
                for co_owner in co_owners:
                    co_owner.full_clean()
                assert co_owners.filter(e_notification_consent=True, e_notification_consent_at__isnull=False).exists()
                assert co_owners.filter(email="", e_notification_consent=False).exists()


def test_the_letters_co_owners(seeded: str) -> None:
    horizon = firm("horizon")
    with firm_scope(horizon):
        test = CoOwner.objects.get(reference="A6060001")
        assert test.condominium.code == "606"
        assert (test.civility, test.last_name, test.first_name) == ("M. et Mme", "TEST", "")
        assert (test.address_line1, test.postal_code, test.city) == ("1 rue aux sources", "75000", "PARIS")
        assert test.display_name == "M. et Mme TEST"
        kinds = set(Ownership.objects.filter(co_owner=test, end_date__isnull=True).values_list("lot__kind", flat=True))
        assert kinds == {LotKind.APARTMENT, LotKind.CELLAR, LotKind.PARKING}
    with firm_scope(firm("rivage")):
        durand = CoOwner.objects.get(reference="G149X369")
        assert durand.condominium.code == "149"
        assert durand.reference_display == "G 149 X369"


def test_a_past_sale_keeps_its_history(seeded: str) -> None:
    with firm_scope(firm("horizon")):
        ended = list(Ownership.objects.filter(end_date__isnull=False).select_related("lot", "co_owner"))
        assert {sale.lot.kind for sale in ended} == {LotKind.APARTMENT, LotKind.CELLAR}
        for sale in ended:
            assert sale.end_date is not None
            buyer = Ownership.objects.get(lot=sale.lot, start_date=sale.end_date + datetime.timedelta(days=1))
            assert owner_on(sale.lot, sale.end_date) == sale.co_owner
            assert owner_on(sale.lot, timezone.localdate()) == buyer.co_owner != sale.co_owner
        seller = ended[0].co_owner
        assert not Ownership.objects.filter(co_owner=seller, end_date__isnull=True).exists()


def test_the_syndic_contacts(seeded: str) -> None:
    for slug in ("horizon", "rivage"):
        with firm_scope(firm(slug)):
            roles = set(SyndicContact.objects.values_list("role", flat=True))
            assert {"manager", "accountant"} <= roles
            for contact in SyndicContact.objects.all():
                assert contact.email
                assert contact.phone
                assert contact.opening_hours == "Du lundi au vendredi, 9 h – 12 h 30 et 14 h – 17 h 30"


def test_every_demo_login_signs_in_at_its_firm(seeded: str) -> None:
    for login in data.DEMO_LOGINS:
        user = sign_in(login.firm_slug, login.login, login.password)
        assert user is not None, login.login
        assert user.firm is not None
        assert (user.firm.slug, user.kind) == (login.firm_slug, login.kind)


def test_a_login_is_worthless_at_the_other_firm(seeded: str) -> None:
    assert sign_in("horizon", "A6060001", "Demo-Copro-2026!") is not None
    assert sign_in("rivage", "A6060001", "Demo-Copro-2026!") is None
    assert sign_in("horizon", "G149X369", "Demo-Copro-2026!") is None
    assert sign_in("rivage", "gestion@horizon.example", "Demo-Gestion-2026!") is None


def test_staff_roles_and_co_owner_access(seeded: str) -> None:
    roles = {m.user.login: m.role for m in StaffMembership.all_firms.select_related("user")}
    assert roles == {
        "direction@horizon.example": StaffRole.FIRM_ADMIN,
        "gestion@horizon.example": StaffRole.MANAGER,
        "assistance@horizon.example": StaffRole.ASSISTANT,
        "compta@horizon.example": StaffRole.ACCOUNTANT,
        "gestion@rivage.example": StaffRole.MANAGER,
    }
    staff = User.objects.get(firm__slug="horizon", login="gestion@horizon.example")
    assert (staff.kind, staff.email, staff.is_staff) == (UserKind.STAFF, "gestion@horizon.example", False)
    with firm_scope(firm("horizon")):
        test_user = User.objects.get(firm__slug="horizon", login="A6060001")
        assert list(test_user.co_owner_accounts.values_list("reference", flat=True)) == ["A6060001"]


def test_the_temporary_password_must_be_changed(seeded: str) -> None:
    user = User.objects.get(firm__slug="horizon", login="A6060002")
    assert user.must_change_password
    assert user.temporary_password_expires_at is not None
    remaining = user.temporary_password_expires_at - timezone.now()
    assert datetime.timedelta(days=29) < remaining <= datetime.timedelta(days=30)
    assert sign_in("horizon", "A6060002", "Bienvenue-A6060002") == user


def test_the_data_is_the_same_every_time() -> None:
    assert data.build_demo() == data.DEMO


def test_seed_demo_reports_what_it_added() -> None:
    report = seed_demo(activity=False)
    assert report.added["copropriétés"] == 4
    assert seed_demo(activity=False).nothing_added


def test_split_shares_adds_up_exactly() -> None:
    assert data.split_shares(1000, [1, 1, 1]) == [334, 333, 333]
    assert data.split_shares(10, [0, 5, 5]) == [0, 5, 5]
    assert sum(data.split_shares(10000, [7, 13, 29, 31, 0, 2])) == 10000
    with pytest.raises(ValueError, match="positive weights"):
        data.split_shares(1000, [0, 0])


def test_signing_in_through_the_login_page(seeded: str) -> None:
    client = Client(HTTP_HOST="horizon.localhost")
    response = client.post("/compte/connexion/", {"username": "A6060001", "password": "Demo-Copro-2026!"})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "M. et Mme TEST" in content
    assert "1 rue aux sources" in content


def test_the_login_page_refuses_a_login_of_the_other_firm(seeded: str) -> None:
    client = Client(HTTP_HOST="rivage.localhost")
    response = client.post("/compte/connexion/", {"username": "A6060001", "password": "Demo-Copro-2026!"})
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()
