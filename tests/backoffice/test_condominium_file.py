"""The condominium file (issue 13, item 2): pages, permissions, portfolio and firm walls, edits through the
import's rules, audit and history, bounded queries on a big condominium."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from tantieme.audit.models import AuditEvent
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
from tantieme.documents.models import CouncilMembership
from tantieme.funds.issuing import instalments_for_period, issue_call
from tantieme.funds.services import LineData, save_budget
from tantieme.ledger import services as ledger
from tantieme.ledger.models import Line
from tantieme.search.balances import refresh_balances
from tantieme.search.models import CoOwnerBalance
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import PortfolioCondominium, User
from tests.conftest import client_for
from tests.factories import (
    AllocationKeyFactory,
    BuildingFactory,
    CondominiumFactory,
    FirmFactory,
    StaffUserFactory,
    SyndicContactFactory,
)
from tests.funds.helpers import Example, build_example, vote_example_budget

NOW = datetime.datetime(2025, 3, 10, 10, 0)


@dataclass
class Setup:
    example: Example
    firm: Firm
    condo: Condominium
    elsewhere: Condominium  # same firm, outside the limited manager's portfolio
    manager: User
    read_only: User
    assistant: User
    limited: User  # a manager whose portfolio holds `elsewhere` only
    other_firm_admin: User

    def base(self, condo: Condominium | None = None) -> str:
        return f"/gestion/coproprietes/{(condo or self.condo).pk}/"


@pytest.fixture
def setup(db: None) -> Iterator[Setup]:
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    rivage = FirmFactory(slug="rivage", name="Rivage")
    with time_machine.travel(NOW, tick=False), firm_scope(firm):
        example = build_example(firm=firm)
        vote_example_budget(example)
        (instalment,) = instalments_for_period(example.condominium, "2025-Q1")
        issue_call(instalment=instalment)
        elsewhere = CondominiumFactory(firm=firm, code="707", name="Les Pins")
        limited = StaffUserFactory(firm=firm, membership=StaffRole.MANAGER)
        PortfolioCondominium.objects.create(firm=firm, user=limited, condominium=elsewhere)
        yield Setup(
            example=example,
            firm=firm,
            condo=example.condominium,
            elsewhere=elsewhere,
            manager=StaffUserFactory(firm=firm, membership=StaffRole.MANAGER),
            read_only=StaffUserFactory(firm=firm, membership=StaffRole.READ_ONLY),
            assistant=StaffUserFactory(firm=firm, membership=StaffRole.ASSISTANT),
            limited=limited,
            other_firm_admin=StaffUserFactory(firm=rivage, membership=StaffRole.FIRM_ADMIN),
        )


SECTIONS = (
    "",
    "batiments/",
    "lots/",
    "cles/",
    "coproprietaires/",
    "banque/",
    "exercices/",
    "budgets/",
    "conseil/",
    "contacts/",
    "documents/",
    "historique/",
)


def _client(setup: Setup, user: User) -> Client:
    return client_for(setup.firm if user.firm_id == setup.firm.pk else user.firm, user)


def _edit_urls(setup: Setup) -> list[str]:
    base = setup.base()
    lot, key = setup.example.lots[1], setup.example.cg
    building = BuildingFactory(condominium=setup.condo, code="Z")
    contact = SyndicContactFactory(firm=setup.firm, condominium=setup.condo)
    return [
        f"{base}identite/",
        f"{base}batiments/{building.pk}/",
        f"{base}lots/nouveau/",
        f"{base}lots/tantiemes/",
        f"{base}lots/{lot.pk}/",
        f"{base}cles/nouvelle/",
        f"{base}cles/{key.pk}/",
        f"{base}contacts/{contact.pk}/",
    ]


def test_every_section_answers_a_manager_and_a_read_only_member(setup: Setup) -> None:
    for user in (setup.manager, setup.read_only):
        client = _client(setup, user)
        for suffix in SECTIONS:
            response = client.get(setup.base() + suffix)
            assert response.status_code == 200, (user.login, suffix)
            assert "606" in response.content.decode()
    page = _client(setup, setup.manager).get(setup.base() + "coproprietaires/").content.decode()
    assert "A 606 0001" in page
    assert "/gestion/coproprietaires/" in page  # the co-owner file


def test_the_portfolio_list_counts_lots_co_owners_and_debtors(setup: Setup) -> None:
    with time_machine.travel(NOW, tick=False):
        before = _client(setup, setup.manager).get("/gestion/coproprietes/").content.decode()
        # The debtors come from the index of balances: nothing before its first refresh.
        assert "recalculés toutes les quelques minutes" in before
        refresh_balances(firm=setup.firm)
        page = _client(setup, setup.manager).get("/gestion/coproprietes/").content.decode()
    assert "Débiteurs et total dû au 10/03/2025 à 11:00" in page
    assert f'href="{setup.base()}"' in page
    assert "Les Pins" in page
    # Q1 2025 called, nothing paid: the five co-owners owe the whole call.
    with firm_scope(setup.firm):
        owed = sum(
            line.debit - line.credit for line in Line.objects.filter(condominium=setup.condo, co_owner__isnull=False)
        )
    assert owed > 0
    assert f"{owed:.2f}".replace(".", ",")[-6:] in page.replace("\u202f", " ").replace(" ", "")
    limited = _client(setup, setup.limited).get("/gestion/coproprietes/").content.decode()
    assert "Les Pins" in limited
    assert setup.condo.name not in limited
    export = _client(setup, setup.manager).get("/gestion/coproprietes/?format=csv")
    content = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Débiteurs" in content
    assert "Les Pins" in content
    assert f"{owed:.2f}".replace(".", ",") in content.replace("\u202f", "").replace(" ", "")


def test_the_portfolio_list_reads_the_index_of_balances_not_the_books(setup: Setup) -> None:
    """A payment posted after the last refresh shows at the next one: the list never sums the lines."""
    with time_machine.travel(NOW, tick=False):
        refresh_balances(firm=setup.firm)
        with firm_scope(setup.firm):
            debtors = Line.objects.filter(condominium=setup.condo, co_owner__isnull=False).values("co_owner").distinct()
            count = debtors.count()
        # Stand-in for a later state of the index: the page shows it as is, whatever the lines say.
        CoOwnerBalance.all_firms.filter(condominium=setup.condo).update(balance=Decimal("1000.00"))
        client = _client(setup, setup.manager)
        page = client.get("/gestion/coproprietes/").content.decode()
    assert f'?debtors=on&amp;tri=balance&amp;ordre=desc">{count}</a>' in page
    assert f"{count}000,00" in page.replace("\u202f", "").replace("\xa0", "").replace(" ", "")


def test_co_owners_sorted_by_balance_and_filtered_on_debtors(setup: Setup) -> None:
    with firm_scope(setup.firm):
        CoOwner.objects.create(
            firm=setup.firm,
            condominium=setup.condo,
            reference="A6060009",
            last_name="ZÉRO",
            address_line1="1 rue",
            postal_code="75001",
            city="Paris",
        )
    client = _client(setup, setup.manager)
    page = client.get(setup.base() + "coproprietaires/?debtors=on&tri=balance&ordre=desc").content.decode()
    assert "ZÉRO" not in page
    assert page.index("A 606 0004") < page.index("A 606 0005")  # PETIT (384 ASC) owes more than ROUX
    everyone = client.get(setup.base() + "coproprietaires/").content.decode()
    assert "ZÉRO" in everyone
    export = client.get(setup.base() + "coproprietaires/?format=csv&debtors=on")
    assert "ZÉRO" not in b"".join(export.streaming_content).decode("utf-8-sig")


def test_read_only_is_refused_every_edit(setup: Setup) -> None:
    with firm_scope(setup.firm):
        urls = _edit_urls(setup)
    client = _client(setup, setup.read_only)
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x"}).status_code == 403, url
    base = setup.base()
    for url in (f"{base}batiments/", f"{base}contacts/", f"{base}conseil/"):
        assert client.post(url, {"code": "Q", "name": "x"}).status_code == 403, url
    assert client.post(f"{base}lots/{setup.example.lots[1].pk}/supprimer/").status_code == 403
    assert client.post(f"{base}cles/{setup.example.asc.pk}/supprimer/").status_code == 403
    with firm_scope(setup.firm):
        assert not Building.objects.filter(code="Q").exists()
        assert not AuditEvent.objects.filter(action__startswith="condominiums.").exists()


def test_the_assistant_edits_files_but_not_the_council(setup: Setup) -> None:
    client = _client(setup, setup.assistant)
    assert client.get(setup.base() + "identite/").status_code == 200
    response = client.post(setup.base() + "conseil/", {"reference": "A6060001", "start_date": "2025-03-01"})
    assert response.status_code == 403


def test_out_of_portfolio_and_another_firm_are_404(setup: Setup) -> None:
    with firm_scope(setup.firm):
        urls = [setup.base() + suffix for suffix in SECTIONS] + _edit_urls(setup)
    for user in (setup.limited, setup.other_firm_admin):
        client = _client(setup, user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.login, url)
        assert client.post(setup.base() + "batiments/", {"code": "Q", "name": "x"}).status_code == 404
    assert _client(setup, setup.limited).get(setup.base(setup.elsewhere)).status_code == 200


def test_identity_edit_normalises_and_is_audited_in_the_history(setup: Setup) -> None:
    client = _client(setup, setup.manager)
    form = client.get(setup.base() + "identite/").content.decode()
    assert 'name="construction_year"' in form
    data = {
        "name": "Résidence du Parc",
        "address_line1": "3 allée des Tilleuls",
        "address_line2": "",
        "postal_code": "69003",
        "city": "Lyon",
        "registry_number": "ab 123 4567",
        "construction_year": "1968",
        "fiscal_year_start_month": "1",
        "reference_letter": "A",
        "bank_name": "Banque",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "AGRIFRPP",
    }
    bad = client.post(setup.base() + "identite/", {**data, "iban": "FR76 3000 6000 0112 3456 7890 188"})
    assert bad.status_code == 200
    assert "IBAN" in bad.content.decode()
    with firm_scope(setup.firm):
        assert Condominium.objects.get(pk=setup.condo.pk).city == "Paris"
    response = client.post(setup.base() + "identite/", data)
    assert response.status_code == 302
    with firm_scope(setup.firm):
        condo = Condominium.objects.get(pk=setup.condo.pk)
        assert (condo.registry_number, condo.iban, condo.construction_year) == (
            "AB1234567",
            "FR7630006000011234567890189",
            1968,
        )
        event = AuditEvent.objects.get(action="condominiums.identity.changed")
    assert event.actor_id == setup.manager.pk
    assert event.data["changes"]["city"] == ["Paris", "Lyon"]
    history = client.get(setup.base() + "historique/").content.decode()
    assert "Identité modifiée" in history
    assert "Paris → Lyon" in history


def test_the_grid_refuses_a_key_that_would_not_add_up_and_writes_nothing(setup: Setup) -> None:
    client = _client(setup, setup.manager)
    lots, cg, asc = setup.example.lots, setup.example.cg, setup.example.asc
    url = setup.base() + "lots/tantiemes/"
    page = client.get(url).content.decode()
    assert f'name="s-{lots[1].pk}-{cg.pk}"' in page
    assert "appel déjà émis garde" in page
    with firm_scope(setup.firm):
        current = {
            f"s-{share.lot_id}-{share.key_id}": str(share.shares)
            for share in LotShare.objects.filter(key__in=[cg, asc])
        }
    posted = {
        f"s-{lot.pk}-{key.pk}": current.get(f"s-{lot.pk}-{key.pk}", "0") for lot in lots.values() for key in (cg, asc)
    }
    refused = client.post(url, {**posted, f"s-{lots[1].pk}-{cg.pk}": "300"})
    assert refused.status_code == 200
    assert "Clé CG : les tantièmes des lots font 1067 au lieu de 1000." in refused.content.decode()
    with firm_scope(setup.firm):
        assert LotShare.objects.get(lot=lots[1], key=cg).shares == 233
        assert not AuditEvent.objects.filter(action="condominiums.shares.changed").exists()
    moved = {**posted, f"s-{lots[1].pk}-{cg.pk}": "243", f"s-{lots[5].pk}-{cg.pk}": "55"}
    assert client.post(url, moved).status_code == 302
    with firm_scope(setup.firm):
        assert LotShare.objects.get(lot=lots[1], key=cg).shares == 243
    assert "CG lot 1 : 233 → 243" in client.get(setup.base() + "historique/").content.decode()


def test_keys_page_flags_a_key_that_does_not_add_up(setup: Setup) -> None:
    with firm_scope(setup.firm):
        LotShare.objects.filter(lot=setup.example.lots[2], key=setup.example.asc).update(shares=280)
    page = _client(setup, setup.manager).get(setup.base() + "cles/").content.decode()
    assert "à corriger : 997 au lieu de 1000" in page


def test_a_key_is_created_from_its_form_and_refused_when_it_does_not_add_up(setup: Setup) -> None:
    client = _client(setup, setup.manager)
    lots = setup.example.lots
    data = {"code": "EAU", "label": "Eau froide", "kind": KeyKind.SPECIAL, "total": "100"}
    shares = {f"lot-{lot.pk}": "0" for lot in lots.values()}
    refused = client.post(setup.base() + "cles/nouvelle/", {**data, **shares, f"lot-{lots[1].pk}": "90"})
    assert "font 90 au lieu de 100" in refused.content.decode()
    with firm_scope(setup.firm):
        assert not AllocationKey.objects.filter(code="EAU").exists()
    response = client.post(
        setup.base() + "cles/nouvelle/", {**data, **shares, f"lot-{lots[1].pk}": "60", f"lot-{lots[2].pk}": "40"}
    )
    assert response.status_code == 302
    with firm_scope(setup.firm):
        key = AllocationKey.objects.get(code="EAU")
        assert dict(LotShare.objects.filter(key=key).values_list("lot__number", "shares")) == {1: 60, 2: 40}


def test_deletions_refused_by_the_rules_change_nothing(setup: Setup) -> None:
    client = _client(setup, setup.manager)
    base = setup.base()
    response = client.post(f"{base}lots/{setup.example.lots[1].pk}/supprimer/", follow=True)
    assert "a un propriétaire" in response.content.decode()
    response = client.post(f"{base}cles/{setup.example.asc.pk}/supprimer/", follow=True)
    assert "utilisée par des lignes de budget" in response.content.decode()
    with firm_scope(setup.firm):
        assert Lot.objects.filter(pk=setup.example.lots[1].pk).exists()
        assert AllocationKey.objects.filter(pk=setup.example.asc.pk).exists()
        assert not AuditEvent.objects.filter(action__endswith=".deleted", action__startswith="condominiums.").exists()


def test_lots_buildings_and_contacts_edited_through_their_pages(setup: Setup) -> None:
    client = _client(setup, setup.manager)
    base = setup.base()
    assert client.post(f"{base}batiments/", {"code": "A", "name": "Bâtiment A"}).status_code == 302
    twice = client.post(f"{base}batiments/", {"code": "A", "name": "Encore"})
    assert "existe déjà" in twice.content.decode()
    with firm_scope(setup.firm):
        building = Building.objects.get(condominium=setup.condo, code="A")
    lot_data = {"number": "2", "kind": LotKind.CELLAR, "building": str(building.pk), "staircase": "", "floor": "-1"}
    duplicate = client.post(f"{base}lots/nouveau/", lot_data)
    assert "Le lot 2 existe déjà" in duplicate.content.decode()
    assert client.post(f"{base}lots/nouveau/", {**lot_data, "number": "40"}).status_code == 302
    lots_page = client.get(f"{base}lots/?building={building.pk}").content.decode()
    assert ">40<" in lots_page
    contact = {"name": "Anne Gestion", "role": "manager", "email": "anne@example.com", "phone": "", "opening_hours": ""}
    assert client.post(f"{base}contacts/", contact).status_code == 302
    assert client.post(f"{base}contacts/", {**contact, "name": "Bruno"}).status_code == 302
    with firm_scope(setup.firm):
        bruno = SyndicContact.objects.get(name="Bruno")
    assert client.post(f"{base}contacts/{bruno.pk}/deplacer/", {"direction": "up"}).status_code == 302
    with firm_scope(setup.firm):
        names = list(
            SyndicContact.objects.filter(condominium=setup.condo).order_by("position").values_list("name", flat=True)
        )
    assert names == ["Bruno", "Anne Gestion"]
    history = client.get(f"{base}historique/").content.decode()
    for label in ("Bâtiment ajouté", "Lot ajouté", "Contact syndic ajouté", "Contacts syndic réordonnés"):
        assert label in history


def test_council_seats_are_added_and_ended(setup: Setup) -> None:
    client = _client(setup, setup.manager)
    url = setup.base() + "conseil/"
    unknown = client.post(url, {"reference": "A6060099", "start_date": "2025-03-01"})
    assert "Aucun copropriétaire" in unknown.content.decode()
    assert client.post(url, {"reference": "a 606 0003", "start_date": "2025-03-01"}).status_code == 302
    with firm_scope(setup.firm):
        membership = CouncilMembership.objects.get(co_owner=setup.example.owners["C"])
    assert "BERNARD" in client.get(url).content.decode()
    assert client.post(f"{url}{membership.pk}/fin/").status_code == 302
    with firm_scope(setup.firm):
        membership.refresh_from_db()
        assert membership.end_date is not None or not CouncilMembership.objects.filter(pk=membership.pk).exists()
    assert "Membre du conseil syndical ajouté" in client.get(setup.base() + "historique/").content.decode()


# --- Bounded queries on a big condominium --------------------------------------------------------


def _big_condominium(firm: Firm, *, lots: int = 120) -> Condominium:
    """`lots` lots and co-owners, 3 keys, a building, a quarterly call (lines per co-owner)."""
    condo = CondominiumFactory(firm=firm, code="808", name="Grand Ensemble")
    BuildingFactory(condominium=condo, code="A")
    keys = [
        AllocationKeyFactory(condominium=condo, code="CG", kind=KeyKind.GENERAL, total=lots * 10),
        AllocationKeyFactory(condominium=condo, code="ASC", total=lots * 5),
        AllocationKeyFactory(condominium=condo, code="CH", total=lots * 2),
    ]
    lot_rows = Lot.objects.bulk_create(
        Lot(condominium=condo, number=number, kind=LotKind.APARTMENT) for number in range(1, lots + 1)
    )
    owners = CoOwner.objects.bulk_create(
        CoOwner(
            firm=firm,
            condominium=condo,
            reference=f"A808{number:04d}",
            last_name=f"NOM{number}",
            address_line1="1 rue",
            postal_code="75001",
            city="Paris",
        )
        for number in range(1, lots + 1)
    )
    LotShare.objects.bulk_create(
        LotShare(key=key, lot=lot, shares=key.total // lots) for key in keys for lot in lot_rows
    )
    Ownership.objects.bulk_create(
        Ownership(co_owner=owner, lot=lot, start_date=datetime.date(2010, 1, 1))
        for owner, lot in zip(owners, lot_rows, strict=True)
    )
    ledger.create_chart(condominium=condo)
    ledger.open_fiscal_year(condominium=condo, start_date=datetime.date(2025, 1, 1))
    save_budget(
        condominium=condo,
        start_date=datetime.date(2025, 1, 1),
        general_meeting_date=datetime.date(2024, 6, 1),
        lines=[
            LineData(key_code="CG", account="616", amount=Decimal("24000.00"), label="Assurance"),
            LineData(key_code="ASC", account="614", amount=Decimal("6000.00"), label="Ascenseur"),
        ],
        works_fund_amount=Decimal("1500.00"),
    )
    for period in ("2025-Q1",):
        for instalment in instalments_for_period(condo, period):
            issue_call(instalment=instalment)
    return condo


@pytest.mark.slow
def test_every_page_runs_a_bounded_number_of_queries(setup: Setup, django_assert_max_num_queries: Any) -> None:
    with time_machine.travel(NOW, tick=False), firm_scope(setup.firm):
        big = _big_condominium(setup.firm)
        owner = CoOwner.objects.get(reference="A8080001")
        CouncilMembership.objects.create(condominium=big, co_owner=owner, start_date=datetime.date(2024, 1, 1))
        SyndicContactFactory(firm=setup.firm, condominium=big)
        key = AllocationKey.objects.get(condominium=big, code="CG")
        lot = Lot.objects.get(condominium=big, number=1)
        assert Line.objects.filter(condominium=big, co_owner__isnull=False).count() >= 120
    client = _client(setup, setup.manager)
    client.get("/gestion/coproprietes/")  # sessions and caches warmed
    base = f"/gestion/coproprietes/{big.pk}/"
    urls = ["/gestion/coproprietes/", "/gestion/coproprietes/?tri=lots&ordre=desc"]
    urls += [base + suffix for suffix in SECTIONS]
    urls += [
        f"{base}coproprietaires/?tri=balance&ordre=desc&debtors=on",
        f"{base}lots/?page=3",
        f"{base}identite/",
        f"{base}lots/tantiemes/?page=2",
        f"{base}lots/{lot.pk}/",
        f"{base}lots/nouveau/",
        f"{base}cles/{key.pk}/",
        f"{base}cles/nouvelle/",
    ]
    with time_machine.travel(NOW, tick=False):
        for url in urls:
            with django_assert_max_num_queries(15):
                response = client.get(url)
            assert response.status_code == 200, url
        page = client.get(f"{base}lots/").content.decode()
    assert "A 808 0001" in page
    assert page.count("<tr>") == 51  # 50 lots a page, and the header


def test_the_lots_export_holds_every_lot_with_its_owners_and_tantiemes(setup: Setup) -> None:
    with time_machine.travel(NOW, tick=False):
        export = _client(setup, setup.manager).get(setup.base() + "lots/?format=csv")
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[0].split(";")[-2:] == ["ASC", "CG"]
    assert len(rows) == 7
    lot_4 = next(row for row in rows if row.startswith("4;"))
    assert "A 606 0004" in lot_4
    assert lot_4.endswith(";384;229")


def test_an_import_shows_in_the_history_of_its_condominium(setup: Setup) -> None:
    from tantieme.condominiums.importing import apply_import, prepare_import
    from tests.condominiums.import_samples import csv_text

    plan = prepare_import("tilleuls.csv", csv_text().encode(), setup.firm)
    assert plan.issues == []
    apply_import(plan, setup.firm, actor=setup.manager)
    with firm_scope(setup.firm):
        condo = Condominium.objects.get(code="612")
    history = _client(setup, setup.manager).get(setup.base(condo) + "historique/").content.decode()
    assert "Import d&#x27;un fichier" in history
    assert "tilleuls.csv" in history
    assert "6 créé(s), 0 modifié(s)" in history


def test_the_lot_page_shows_its_owners_and_tantiemes(setup: Setup) -> None:
    lot = setup.example.lots[2]
    page = _client(setup, setup.manager).get(f"{setup.base()}lots/{lot.pk}/").content.decode()
    assert "A 606 0002" in page
    assert "depuis le 01/01/2010" in page
    assert "ASC Ascenseur : 283 / 1000" in page
