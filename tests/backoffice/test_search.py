"""The back office search (issue 13, item 5): every kind of text, one result opens its file, the
portfolio and firm walls, a bounded number of queries; the trigram indexes on PostgreSQL."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tantieme.banking.enums import ImportState, LineKind, LineStatus, StatementFormat
from tantieme.banking.models import StatementImport, StatementLine
from tantieme.condominiums.models import Condominium, CoOwner, Lot
from tantieme.search.queries import read_query, search
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import PortfolioCondominium, User
from tests.conftest import World, client_for
from tests.factories import CondominiumFactory, CoOwnerFactory, LotFactory, OwnershipFactory, StaffUserFactory

SEARCH = reverse("backoffice:search")
PAYER_IBAN = "FR1420041010050500013M02606"


def bank_line(condo: Condominium, amount: str, *, co_owner: CoOwner | None = None, n: int = 0, **fields: Any) -> None:
    statement_import, _created = StatementImport.all_firms.get_or_create(
        firm=condo.firm,
        condominium=condo,
        file_sha256=hashlib.sha256(f"{condo.pk}".encode()).hexdigest(),
        defaults={"account_iban": condo.iban, "format": StatementFormat.CAMT053, "state": ImportState.DONE},
    )
    StatementLine.all_firms.create(
        firm=condo.firm,
        condominium=condo,
        statement_import=statement_import,
        account_iban=condo.iban,
        entry_key=f"K-{n}",
        position=n,
        booking_date=datetime.date(2026, 3, 2),
        amount=Decimal(amount),
        label=f"VIR {n}",
        kind=LineKind.CO_OWNER_PAYMENT if co_owner else LineKind.UNIDENTIFIED,
        status=LineStatus.MATCHED if co_owner else LineStatus.SUSPENSE,
        co_owner=co_owner,
        **fields,
    )


@pytest.fixture
def town(world: World) -> World:
    """606 (Paris) with Alice TEST and Bob MARTIN; 607 « Les Glycines » in Lyon with Carole MARTIN;
    rivage's 149 with Charlie DURAND. Alice paid from her IBAN; bank lines of 1 210,77 €."""
    CoOwner.all_firms.filter(pk=world.alice.pk).update(email="alice.test@example.org", first_name="Alice")
    glycines = CondominiumFactory(
        firm=world.horizon, code="607", name="Les Glycines", city="Lyon", iban="FR7630006000011234567890189"
    )
    carole = CoOwnerFactory(condominium=glycines, reference="A6070001", last_name="MARTIN", first_name="Carole")
    OwnershipFactory(co_owner=carole, lot=LotFactory(condominium=glycines, number=12))
    Lot.all_firms.filter(ownerships__co_owner=world.alice).update(number=12)
    bank_line(world.condo, "1210.77", co_owner=world.alice, n=1, counterparty_iban=PAYER_IBAN)
    bank_line(world.condo, "-1210.77", n=2)
    bank_line(world.other_condo, "1210.77", n=3)  # rivage's
    bank_line(world.other_condo, "55.00", n=4, counterparty_iban=PAYER_IBAN)
    return world


def results_of(world: World, text: str, user: User | None = None) -> Any:
    with firm_scope(world.horizon):
        ids = list(Condominium.objects.values_list("pk", flat=True))
        if user is not None:
            from tantieme.backoffice.policy import portfolio_condominium_ids

            ids = portfolio_condominium_ids(user)
        return search(text, condominium_ids=ids, today=datetime.date(2026, 3, 16))


# --- Reading the text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a6060001", {"reference": "A6060001"}),
        ("A-606-0001", {"reference": "A6060001"}),
        ("A 606 0001", {"reference": "A6060001"}),
        ("606 0001", {"reference": "6060001"}),
        ("martin jean", {"words": ("martin", "jean")}),
        ("Alice.Test@Example.org", {"email": "alice.test@example.org"}),
        ("FR14 2004 1010 0505 0001 3M02 606", {"iban": PAYER_IBAN}),
        ("lot 12", {"lot_number": 12}),
        ("1210,77", {"amount": Decimal("1210.77")}),
        ("1 210,77 €", {"amount": Decimal("1210.77")}),
        ("1210.77", {"amount": Decimal("1210.77")}),
        ("606", {"condominium_code": "606", "lot_number": 606, "amount": Decimal("606.00")}),
    ],
)
def test_what_a_text_may_be(text: str, expected: dict[str, Any]) -> None:
    reading = read_query(text)
    for name, value in expected.items():
        assert getattr(reading, name) == value, name
    if ("amount" in expected and "," in text) or "." in text:
        assert reading.reference == ""
        assert reading.lot_number is None


def test_an_empty_or_blank_text_finds_nothing_and_asks_nothing(town: World) -> None:
    with firm_scope(town.horizon), CaptureQueriesContext(connection) as queries:
        assert search("   ", condominium_ids=[town.condo.pk], today=datetime.date(2026, 3, 16)).count == 0
        assert search("!!", condominium_ids=[town.condo.pk], today=datetime.date(2026, 3, 16)).count == 0
    assert len(queries) == 0


# --- Each kind -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["a6060001", "A-606-0001", "A 606 0001", "a.606.0001", " A6060001 "])
def test_a_reference_in_any_spacing_or_case(town: World, text: str) -> None:
    found = results_of(town, text)
    assert [hit.co_owner for hit in found.co_owners] == [town.alice]
    assert found.co_owners[0].reason == "référence"
    assert found.single() == town.alice


def test_a_piece_of_reference(town: World) -> None:
    found = results_of(town, "606 000")
    assert {hit.co_owner for hit in found.co_owners} == {town.alice, town.bob}


def test_a_name_every_word(town: World) -> None:
    assert {hit.co_owner for hit in results_of(town, "martin").co_owners} == {
        town.bob,
        CoOwner.all_firms.get(reference="A6070001"),
    }
    assert [hit.co_owner.first_name for hit in results_of(town, "Martin carole").co_owners] == ["Carole"]
    assert results_of(town, "durand").count == 0  # rivage's


def test_an_email(town: World) -> None:
    found = results_of(town, "ALICE.TEST@example.org")
    assert found.single() == town.alice
    assert found.co_owners[0].reason == "e-mail"
    assert results_of(town, "@example.org").co_owners[0].co_owner == town.alice


def test_an_iban_of_the_co_owners_transfers(town: World) -> None:
    found = results_of(town, "fr14 2004 1010 0505 0001 3m02 606")
    assert found.single() == town.alice
    assert found.co_owners[0].reason == "IBAN"


def test_the_condominium_iban(town: World) -> None:
    assert results_of(town, "fr76 3000 6000 0112 3456 7890 189").single() == Condominium.all_firms.get(code="607")


def test_a_lot_number(town: World) -> None:
    found = results_of(town, "lot 12")
    assert {(hit.co_owner.last_name, hit.reason) for hit in found.co_owners} == {
        ("TEST", "lot 12"),
        ("MARTIN", "lot 12"),
    }
    assert results_of(town, "12").co_owners  # digits alone are a lot number too


def test_a_condominium_by_name_code_or_town(town: World) -> None:
    glycines = Condominium.all_firms.get(code="607")
    assert results_of(town, "glycines").single() == glycines
    assert results_of(town, "lyon").single() == glycines
    assert glycines in results_of(town, "607").condominiums


@pytest.mark.parametrize("text", ["1210,77", "1 210,77 €", "1210.77", "1 210,77", "-1210,77"])
def test_a_bank_line_by_amount(town: World, text: str) -> None:
    found = results_of(town, text)
    assert sorted(line.amount for line in found.bank_lines) == [Decimal("-1210.77"), Decimal("1210.77")]
    assert {line.condominium for line in found.bank_lines} == {town.condo}  # not rivage's
    assert found.co_owners == []
    assert found.single() is None  # two lines, and a bank line has no file of its own


# --- Walls ----------------------------------------------------------------------------------------


def test_the_portfolio_wall(town: World) -> None:
    limited = StaffUserFactory(firm=town.horizon)
    glycines = Condominium.all_firms.get(code="607")
    PortfolioCondominium.objects.create(firm=town.horizon, user=limited, condominium=glycines)
    assert results_of(town, "a6060001", limited).count == 0
    assert results_of(town, "1210,77", limited).count == 0
    assert [hit.co_owner.first_name for hit in results_of(town, "martin", limited).co_owners] == ["Carole"]


def test_the_firm_wall(town: World) -> None:
    client = client_for(town.rivage, StaffUserFactory(firm=town.rivage))
    assert "TEST" not in client.get(SEARCH, {"q": "a6060001"}).content.decode()
    response = client.get(SEARCH, {"q": "G149X369"})
    assert response.status_code == 302
    assert response["Location"] == f"/gestion/coproprietaires/{town.charlie.pk}/"


# --- The page -------------------------------------------------------------------------------------


def test_one_result_opens_its_file(town: World) -> None:
    client = client_for(town.horizon, town.manager)
    response = client.get(SEARCH, {"q": "A-606-0001"})
    assert response.status_code == 302
    assert response["Location"] == f"/gestion/coproprietaires/{town.alice.pk}/"
    response = client.get(SEARCH, {"q": "Glycines"})
    assert response["Location"] == f"/gestion/coproprietes/{Condominium.all_firms.get(code='607').pk}/"


def test_several_results_are_listed(town: World) -> None:
    client = client_for(town.horizon, town.manager)
    text = client.get(SEARCH, {"q": "martin"}).content.decode()
    assert "2 résultats pour « martin »." in text
    assert f'href="/gestion/coproprietaires/{town.bob.pk}/"' in text
    text = client.get(SEARCH, {"q": "1 210,77 €"}).content.decode()
    assert "Lignes bancaires" in text
    assert "1 210,77" in text
    line = StatementLine.all_firms.get(condominium=town.condo, amount=Decimal("1210.77"))
    assert reverse("backoffice:banking_import", args=[line.statement_import_id]) in text
    text = client.get(SEARCH, {"q": "zzz introuvable"}).content.decode()
    assert "Aucun résultat" in text
    assert client.get(SEARCH).status_code == 200


@pytest.mark.parametrize("role", list(StaffRole))
def test_every_role_may_search(town: World, role: str) -> None:
    client = client_for(town.horizon, StaffUserFactory(firm=town.horizon, membership=role))
    assert client.get(SEARCH, {"q": "martin"}).status_code == 200


def test_co_owners_do_not_search(town: World) -> None:
    assert client_for(town.horizon, town.alice_user).get(SEARCH, {"q": "martin"}).status_code == 404


def test_a_bounded_number_of_queries(town: World, django_assert_max_num_queries: Any) -> None:
    client = client_for(town.horizon, town.manager)
    client.get(SEARCH)
    for index in range(30):
        CoOwnerFactory(condominium=town.condo, last_name=f"MARTINEZ{index}", reference=f"A606{index + 100:04d}")
    for text in ("martin", "606", "1210,77", "lot 12", PAYER_IBAN, "a@b.c"):
        with django_assert_max_num_queries(12):
            assert client.get(SEARCH, {"q": text}).status_code in (200, 302)


def test_more_than_fifty_says_so(town: World) -> None:
    for index in range(55):
        CoOwnerFactory(condominium=town.condo, last_name=f"DUPONT{index}", reference=f"A606{index + 100:04d}")
    found = results_of(town, "dupont")
    assert len(found.co_owners) == 50
    assert "co_owners" in found.truncated
    assert found.single() is None


# --- PostgreSQL: the trigram indexes answer the searches ------------------------------------------


@pytest.mark.postgres
def test_the_trigram_indexes_exist_and_serve_the_searches(town: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'search_%%'")
        names = {row[0] for row in cursor.fetchall()}
    assert names >= {
        "search_coowner_last_name_fold",
        "search_coowner_first_name_fold",
        "search_coowner_email_trgm",
        "search_coowner_reference_trgm",
        "search_condominium_name_fold",
        "search_condominium_city_fold",
        "search_statementline_amount",
    }
    # The lookups the search uses, as Django writes them, can use the indexes (the planner would
    # scan tables this small: seq scans are switched off to show it; bench/search_bench.py times them).
    from tantieme.search.queries import Folded

    lookups = (
        (CoOwner.all_firms.alias(f=Folded("last_name")).filter(f__contains="MARTIN"), "search_coowner_last_name_fold"),
        (
            CoOwner.all_firms.alias(f=Folded("first_name")).filter(f__contains="CAROLE"),
            "search_coowner_first_name_fold",
        ),
        (CoOwner.all_firms.filter(email__icontains="alice.test@"), "search_coowner_email_trgm"),
        (CoOwner.all_firms.filter(reference__contains="6060001"), "search_coowner_reference_trgm"),
        (Condominium.all_firms.alias(f=Folded("name")).filter(f__contains="GLYCINES"), "search_condominium_name_fold"),
        (Condominium.all_firms.alias(f=Folded("city")).filter(f__contains="LYON"), "search_condominium_city_fold"),
        (StatementLine.all_firms.filter(amount__in=[Decimal("1210.77")]), "search_statementline_amount"),
    )
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for queryset, index in lookups:
                plan = queryset.only("pk").explain()
                assert index in plan, plan
        finally:
            cursor.execute("RESET enable_seqscan")
    found = results_of(town, "MaRtIn")
    assert {hit.co_owner for hit in found.co_owners} == {town.bob, CoOwner.all_firms.get(reference="A6070001")}


@pytest.mark.postgres
def test_names_are_found_without_their_accents(town: World) -> None:
    CoOwner.all_firms.filter(pk=town.bob.pk).update(last_name="LEFÈVRE", first_name="Hélène")
    Condominium.all_firms.filter(code="607").update(city="Besançon")
    for text in ("helene", "HÉLÈNE", "Lefevre hélène", "lefèvre"):
        assert results_of(town, text).single() == CoOwner.all_firms.get(pk=town.bob.pk), text
    assert results_of(town, "besancon").single() == Condominium.all_firms.get(code="607")


def test_fold_is_unaccent_upper() -> None:
    from tantieme.search.queries import fold

    assert fold("Hélène Œuvray-Müller ça") == "HELENE OEUVRAY-MULLER CA"
