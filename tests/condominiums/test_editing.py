"""Editing a condominium by hand (`condominiums.editing`): the import's rules, nothing written when refused, audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError

from tantieme.audit.models import AuditEvent
from tantieme.condominiums import editing
from tantieme.condominiums.enums import ContactRole, KeyKind, LotKind
from tantieme.condominiums.models import AllocationKey, Building, Condominium, Lot, LotShare, SyndicContact
from tantieme.funds.issuing import instalments_for_period, issue_call
from tantieme.funds.models import CallLine
from tantieme.tenancy.scoping import firm_scope
from tests.factories import BuildingFactory, FirmFactory, LotFactory, SyndicContactFactory
from tests.funds.helpers import Example, build_example, vote_example_budget


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        yield build_example(firm=firm)


def _shares(key: AllocationKey) -> dict[int, int]:
    return dict(LotShare.objects.filter(key=key).values_list("lot__number", "shares"))


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


# --- Identity ------------------------------------------------------------------------------------


def test_identity_is_normalised_validated_and_audited(example: Example) -> None:
    condo = editing.update_identity(
        condominium=example.condominium,
        values={
            "registry_number": "ab 123 4567",
            "iban": "fr76 3000 6000 0112 3456 7890 189",
            "bic": "agrifrpp",
            "construction_year": 1972,
            "name": "Les Tilleuls",
        },
    )
    condo.refresh_from_db()
    assert condo.registry_number == "AB1234567"
    assert condo.iban == "FR7630006000011234567890189"
    assert condo.bic == "AGRIFRPP"
    assert condo.construction_year == 1972
    (event,) = _events(editing.AUDIT_IDENTITY)
    assert event.data["condominium_id"] == condo.pk
    assert event.data["changes"]["construction_year"] == [None, 1972]
    assert event.data["changes"]["registry_number"] == ["", "AB1234567"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"iban": "FR7630006000011234567890188"}, "iban"),
        ({"bic": "NOTABIC"}, "bic"),
        ({"registry_number": "A12"}, "registry_number"),
        ({"construction_year": 3000}, "construction_year"),
        ({"reference_letter": "ab"}, "reference_letter"),
    ],
)
def test_bad_identity_is_refused_and_nothing_written(example: Example, values: dict[str, object], field: str) -> None:
    before = Condominium.objects.values().get(pk=example.condominium.pk)
    with pytest.raises(ValidationError) as error:
        editing.update_identity(condominium=example.condominium, values={"name": "Changé", **values})
    assert field in error.value.message_dict
    assert Condominium.objects.values().get(pk=example.condominium.pk) == before
    assert _events(editing.AUDIT_IDENTITY) == []


def test_the_fiscal_year_month_is_fixed_once_the_books_have_a_year(example: Example) -> None:
    with pytest.raises(ValidationError, match="début de l'exercice ne change plus"):
        editing.update_identity(condominium=example.condominium, values={"fiscal_year_start_month": 7})


# --- Buildings and lots --------------------------------------------------------------------------


def test_buildings_unique_and_not_deleted_while_lots_name_them(example: Example) -> None:
    building = editing.create_building(condominium=example.condominium, code="A", name="Bâtiment A")
    with pytest.raises(ValidationError, match="existe déjà"):
        editing.create_building(condominium=example.condominium, code="A", name="Autre")
    lot = example.lots[1]
    editing.update_lot(lot=lot, values={"building": building})
    with pytest.raises(ValidationError, match="a 1 lot"):
        editing.delete_building(building=building)
    assert Building.objects.filter(pk=building.pk).exists()
    editing.update_lot(lot=lot, values={"building": None})
    editing.delete_building(building=building)
    assert not Building.objects.filter(pk=building.pk).exists()
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="condominiums.").order_by("pk")] == [
        editing.AUDIT_BUILDING_ADDED,
        editing.AUDIT_LOT_CHANGED,
        editing.AUDIT_LOT_CHANGED,
        editing.AUDIT_BUILDING_DELETED,
    ]


def test_a_building_of_another_condominium_is_refused(example: Example) -> None:
    other = BuildingFactory(condominium__firm=example.firm, condominium__code="777")
    with pytest.raises(ValidationError, match="pas celui de la copropriété"):
        editing.update_lot(lot=example.lots[1], values={"building": other})


def test_lot_numbers_are_unique(example: Example) -> None:
    with pytest.raises(ValidationError, match="Le lot 2 existe déjà"):
        editing.create_lot(condominium=example.condominium, values={"number": 2, "kind": LotKind.CELLAR})
    with pytest.raises(ValidationError, match="Le lot 2 existe déjà"):
        editing.update_lot(lot=example.lots[1], values={"number": 2})
    assert Lot.objects.get(pk=example.lots[1].pk).number == 1
    lot = editing.create_lot(condominium=example.condominium, values={"number": 7, "kind": LotKind.CELLAR})
    (event,) = _events(editing.AUDIT_LOT_ADDED)
    assert event.data["after"]["number"] == 7
    editing.delete_lot(lot=lot)
    assert not Lot.objects.filter(pk=lot.pk).exists()
    assert _events(editing.AUDIT_LOT_DELETED)[0].data["before"]["number"] == 7


def test_a_lot_with_an_owner_or_tantiemes_is_not_deleted(example: Example) -> None:
    with pytest.raises(ValidationError, match="a un propriétaire"):
        editing.delete_lot(lot=example.lots[1])
    lot = LotFactory(condominium=example.condominium, number=8)
    LotShare.objects.create(lot=lot, key=example.cg, shares=5)
    with pytest.raises(ValidationError, match=r"a des tantièmes \(CG 5\)"):
        editing.delete_lot(lot=lot)
    assert Lot.objects.filter(pk__in=[lot.pk, example.lots[1].pk]).count() == 2
    assert _events(editing.AUDIT_LOT_DELETED) == []


# --- Keys and tantièmes --------------------------------------------------------------------------


def test_a_key_is_created_with_shares_adding_up_to_its_total(example: Example) -> None:
    lots = example.lots
    values = {"code": "EAU", "label": "Eau froide", "total": 100, "kind": KeyKind.SPECIAL}
    with pytest.raises(ValidationError, match="font 90 au lieu de 100"):
        editing.create_key(condominium=example.condominium, values=values, shares={lots[1].pk: 50, lots[2].pk: 40})
    assert not AllocationKey.objects.filter(code="EAU").exists()
    key = editing.create_key(
        condominium=example.condominium, values=values, shares={lots[1].pk: 60, lots[2].pk: 40, lots[3].pk: 0}
    )
    assert _shares(key) == {1: 60, 2: 40}
    (event,) = _events(editing.AUDIT_KEY_ADDED)
    assert event.data["after"]["total"] == 100
    assert {change["lot"] for change in event.data["shares"]} == {1, 2}


def test_key_codes_are_unique_and_one_key_is_general(example: Example) -> None:
    with pytest.raises(ValidationError, match="« ASC » existe déjà"):
        editing.create_key(
            condominium=example.condominium,
            values={"code": "ASC", "label": "x", "total": 1, "kind": KeyKind.SPECIAL},
            shares={example.lots[1].pk: 1},
        )
    with pytest.raises(ValidationError, match="Une seule clé générale"):
        editing.update_key(key=example.asc, values={"kind": KeyKind.GENERAL})
    assert AllocationKey.objects.get(pk=example.asc.pk).kind == KeyKind.SPECIAL


def test_a_new_total_needs_shares_that_add_up_to_it(example: Example) -> None:
    lots = example.lots
    with pytest.raises(ValidationError, match="font 1000 au lieu de 1100"):
        editing.update_key(key=example.asc, values={"total": 1100})
    assert AllocationKey.objects.get(pk=example.asc.pk).total == 1000
    editing.update_key(key=example.asc, values={"total": 1100, "label": "Ascenseurs"}, shares={lots[4].pk: 484})
    key = AllocationKey.objects.get(pk=example.asc.pk)
    assert (key.total, key.label) == (1100, "Ascenseurs")
    assert _shares(key)[4] == 484
    (event,) = _events(editing.AUDIT_KEY_CHANGED)
    assert event.data["changes"] == {"label": ["Ascenseur", "Ascenseurs"], "total": [1000, 1100]}
    assert event.data["shares"] == [{"lot": 4, "key": "ASC", "before": 384, "after": 484}]


def test_grid_changes_keep_every_key_at_its_total(example: Example) -> None:
    lots, cg, asc = example.lots, example.cg, example.asc
    before = (_shares(cg), _shares(asc))
    with pytest.raises(ValidationError) as error:
        editing.set_shares(
            condominium=example.condominium,
            shares={(lots[1].pk, cg.pk): 240, (lots[2].pk, asc.pk): 280, (lots[3].pk, asc.pk): 333},
        )
    assert error.value.messages == [
        "Clé ASC : les tantièmes des lots font 997 au lieu de 1000.",
        "Clé CG : les tantièmes des lots font 1007 au lieu de 1000.",
    ]
    assert (_shares(cg), _shares(asc)) == before
    changes = editing.set_shares(
        condominium=example.condominium,
        shares={(lots[1].pk, cg.pk): 240, (lots[5].pk, cg.pk): 58, (lots[2].pk, asc.pk): 283},
    )
    assert _shares(cg)[1] == 240
    assert _shares(cg)[5] == 58
    assert changes == [
        {"lot": 1, "key": "CG", "before": 233, "after": 240},
        {"lot": 5, "key": "CG", "before": 65, "after": 58},
    ]
    assert _events(editing.AUDIT_SHARES_CHANGED)[0].data["changes"] == changes


def test_shares_of_another_condominium_or_negative_are_refused(example: Example) -> None:
    other = LotFactory(condominium__firm=example.firm, condominium__code="778")
    with pytest.raises(ValidationError, match="Lot inconnu"):
        editing.set_shares(condominium=example.condominium, shares={(other.pk, example.cg.pk): 0})
    with pytest.raises(ValidationError, match="positifs ou nuls"):
        editing.set_shares(
            condominium=example.condominium,
            shares={(example.lots[1].pk, example.cg.pk): -1, (example.lots[2].pk, example.cg.pk): 431},
        )


def test_changed_tantiemes_leave_issued_calls_as_they_were(example: Example) -> None:
    vote_example_budget(example)
    (instalment,) = instalments_for_period(example.condominium, "2025-Q1")
    call, _created = issue_call(instalment=instalment)
    lines = list(CallLine.objects.filter(call=call).order_by("pk").values_list("shares", "key_total", "amount"))
    lots = example.lots
    editing.set_shares(
        condominium=example.condominium, shares={(lots[1].pk, example.cg.pk): 200, (lots[6].pk, example.cg.pk): 98}
    )
    assert list(CallLine.objects.filter(call=call).order_by("pk").values_list("shares", "key_total", "amount")) == lines


def test_a_key_in_use_or_the_general_key_is_not_deleted(example: Example) -> None:
    vote_example_budget(example)
    with pytest.raises(ValidationError, match="utilisée par des lignes de budget"):
        editing.delete_key(key=example.asc)
    with pytest.raises(ValidationError, match="porte le fonds de travaux"):
        editing.delete_key(key=example.cg)
    assert AllocationKey.objects.filter(pk__in=[example.cg.pk, example.asc.pk]).count() == 2
    assert LotShare.objects.filter(key=example.asc).count() == 6
    assert _events(editing.AUDIT_KEY_DELETED) == []


def test_an_unused_key_is_deleted_with_its_shares(example: Example) -> None:
    editing.delete_key(key=example.asc)
    assert not LotShare.objects.filter(key_id=example.asc.pk).exists()
    assert _events(editing.AUDIT_KEY_DELETED)[0].data["before"]["code"] == "ASC"


# --- Contacts ------------------------------------------------------------------------------------


def test_contacts_are_added_edited_reordered_and_deleted(example: Example) -> None:
    condo = example.condominium
    firm_wide = SyndicContactFactory(firm=example.firm, condominium=None)
    first = editing.create_contact(condominium=condo, values={"name": "Anne", "role": ContactRole.MANAGER})
    second = editing.create_contact(
        condominium=condo, values={"name": "Bruno", "role": ContactRole.ACCOUNTANT, "email": "b@example.com"}
    )
    assert (first.position, second.position) == (0, 1)
    editing.move_contact(contact=second, direction="up")
    assert list(
        SyndicContact.objects.filter(condominium=condo).order_by("position").values_list("name", flat=True)
    ) == [
        "Bruno",
        "Anne",
    ]
    editing.move_contact(contact=second, direction="up")  # already first: nothing
    with pytest.raises(ValidationError, match="courriel"):
        editing.update_contact(contact=first, values={"email": "pas une adresse"})
    editing.update_contact(contact=first, values={"phone": "01 02 03 04 05"})
    with pytest.raises(ValidationError, match="commun à toutes"):
        editing.delete_contact(contact=firm_wide)
    editing.delete_contact(contact=first)
    assert list(SyndicContact.objects.filter(condominium=condo).values_list("name", flat=True)) == ["Bruno"]
    assert [event.action for event in AuditEvent.objects.filter(action__startswith="condominiums.").order_by("pk")] == [
        editing.AUDIT_CONTACT_ADDED,
        editing.AUDIT_CONTACT_ADDED,
        editing.AUDIT_CONTACT_MOVED,
        editing.AUDIT_CONTACT_CHANGED,
        editing.AUDIT_CONTACT_DELETED,
    ]


def test_the_import_reads_the_construction_year_and_the_registry_number_alike(db: None) -> None:
    from tantieme.condominiums.importing import apply_import, prepare_import
    from tests.condominiums.import_samples import csv_text

    firm = FirmFactory(slug="horizon", name="Horizon Syndic")
    text = csv_text().replace(";immatriculation;", ";immatriculation;annee_construction;", 1)
    text = text.replace(";AB1234567;", ";ab 123 4567;1968;", 1)
    plan = prepare_import("import.csv", text.encode(), firm)
    assert plan.issues == []
    apply_import(plan, firm)
    with firm_scope(firm):
        condo = Condominium.objects.get(code="612")
    assert (condo.registry_number, condo.construction_year) == ("AB1234567", 1968)
    bad = prepare_import("import.csv", text.replace(";1968;", ";3000;", 1).encode(), firm)
    assert [issue.message for issue in bad.issues if issue.column == "annee_construction"] != []
    wrong = prepare_import("import.csv", text.replace(";ab 123 4567;", ";A12;", 1).encode(), firm)
    assert [issue.message for issue in wrong.issues if issue.column == "immatriculation"] == [
        "Le numéro d'immatriculation compte deux lettres et sept chiffres (AB1234567)."
    ]
