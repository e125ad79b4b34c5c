"""Setting up a condominium from a spreadsheet: import_condominium and tantieme.condominiums.importing."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from tantieme.audit.models import AuditEvent
from tantieme.condominiums import importing
from tantieme.condominiums.enums import KeyKind, LotKind, PersonKind
from tantieme.condominiums.importing import ImportIssue, ImportRefusedError, apply_import, prepare_import
from tantieme.condominiums.models import AllocationKey, Building, Condominium, CoOwner, Lot, LotShare, Ownership
from tantieme.condominiums.services import owner_on, validate_key_shares
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import all_firms_scope, firm_scope
from tests.condominiums.import_samples import (
    DATA,
    VALID_CSV,
    VALID_XLSX,
    csv_text,
    line_of,
    read,
    row_counts,
    snapshot,
    xlsx_from_csv,
)
from tests.factories import CondominiumFactory, CoOwnerFactory, FirmFactory

EXPECTED_CREATED = {
    "condominium": 1,
    "building": 2,
    "key": 3,
    "lot": 6,
    "share": 10,
    "co_owner": 4,
    "ownership": 7,
}


@pytest.fixture
def firm(db: None) -> Firm:
    return FirmFactory(slug="horizon", name="Horizon Syndic")


def run(firm: Firm, content: bytes, name: str = "import.csv") -> importing.ImportSummary:
    plan = prepare_import(name, content, firm)
    assert plan.issues == []
    return apply_import(plan, firm)


def created(summary: importing.ImportSummary) -> dict[str, int]:
    return {kind: count.created for kind, count in summary.counts.items()}


def assert_imported_values(firm: Firm) -> None:
    """Spot checks of what the sample file says, field by field."""
    with firm_scope(firm):
        condo = Condominium.objects.get(code="612")
        assert condo.name == "Résidence Les Tilleuls"
        assert condo.address_line1 == "8 rue des Tilleuls"
        assert condo.postal_code == "69003"
        assert condo.registry_number == "AB1234567"
        assert condo.fiscal_year_start_month == 7
        assert condo.iban == "FR7630006000011234567890189"
        assert condo.bic == "AGRIFRPP"
        assert condo.bank_name == "Crédit Agricole Centre-Est"

        assert dict(Building.objects.filter(condominium=condo).values_list("code", "name")) == {
            "A": "Bâtiment A (rue)",
            "B": "Bâtiment B (cour)",
        }
        keys = {key.code: key for key in AllocationKey.objects.filter(condominium=condo)}
        assert {code: (key.total, key.kind) for code, key in keys.items()} == {
            "GEN": (10000, KeyKind.GENERAL),
            "ASC": (1000, KeyKind.SPECIAL),
            "BATB": (1000, KeyKind.SPECIAL),
        }
        shares = {
            (share.key.code, share.lot.number): share.shares
            for share in LotShare.objects.filter(key__condominium=condo).select_related("key", "lot")
        }
        assert shares == {
            ("GEN", 1): 2100,
            ("GEN", 2): 2400,
            ("GEN", 3): 2600,
            ("GEN", 4): 150,
            ("GEN", 5): 250,
            ("GEN", 6): 2500,
            ("ASC", 1): 400,
            ("ASC", 2): 600,
            ("BATB", 3): 500,
            ("BATB", 6): 500,
        }
        validate_key_shares(condo)

        lots = {lot.number: lot for lot in Lot.objects.filter(condominium=condo).select_related("building")}
        assert (lots[1].kind, lots[1].building.code, lots[1].staircase, lots[1].floor) == (
            LotKind.APARTMENT,
            "A",
            "1",
            0,
        )
        assert (lots[4].kind, lots[4].floor, lots[4].description) == (LotKind.CELLAR, -1, "Cave n° 4")
        assert (lots[5].kind, lots[5].building, lots[5].floor) == (LotKind.PARKING, None, None)
        assert lots[6].kind == LotKind.SHOP

        co_owners = {co_owner.reference: co_owner for co_owner in CoOwner.objects.filter(condominium=condo)}
        assert set(co_owners) == {"A6120001", "A6120002", "A6120003", "A6120004"}
        dupont = co_owners["A6120001"]
        assert (dupont.civility, dupont.last_name, dupont.first_name, dupont.address_line2) == (
            "M. et Mme",
            "DUPONT",
            "Jean",
            "Appartement 1",
        )
        assert dupont.email == "jean.dupont@example.com"
        assert co_owners["A6120003"].person_kind == PersonKind.LEGAL
        assert (co_owners["A6120004"].country, co_owners["A6120004"].postal_code) == ("CH", "1202")
        assert all(co_owner.firm_id == firm.pk for co_owner in co_owners.values())

        sold = list(Ownership.objects.filter(lot=lots[3]).order_by("start_date").select_related("co_owner"))
        assert [(o.co_owner.reference, o.start_date, o.end_date) for o in sold] == [
            ("A6120004", datetime.date(2010, 6, 1), datetime.date(2021, 6, 30)),
            ("A6120002", datetime.date(2021, 7, 1), None),
        ]
        assert owner_on(lots[3], datetime.date(2021, 6, 30)) == co_owners["A6120004"]
        assert owner_on(lots[3], datetime.date(2021, 7, 1)) == co_owners["A6120002"]


# --- Valid files -------------------------------------------------------------------------------


def test_csv_import_creates_the_condominium(firm: Firm) -> None:
    summary = run(firm, read("import_valid.csv"))

    assert created(summary) == EXPECTED_CREATED
    assert summary.condominium_created
    assert row_counts() == {
        "Condominium": 1,
        "Building": 2,
        "AllocationKey": 3,
        "Lot": 6,
        "LotShare": 10,
        "CoOwner": 4,
        "Ownership": 7,
    }
    assert_imported_values(firm)
    with firm_scope(firm):
        event = AuditEvent.objects.get(action="condominiums.import.applied")
    assert event.data["condominium"] == "612"
    assert event.data["counts"]["share"] == {"created": 10, "updated": 0, "unchanged": 0}
    assert event.object_type == "condominiums.condominium"


def test_xlsx_import_creates_the_same_condominium(firm: Firm) -> None:
    summary = run(firm, VALID_XLSX.read_bytes(), "import.xlsx")

    assert created(summary) == EXPECTED_CREATED
    assert_imported_values(firm)


def test_committed_xlsx_and_csv_say_the_same(firm: Firm) -> None:
    run(firm, VALID_XLSX.read_bytes(), "import.xlsx")
    before = snapshot()

    again = run(firm, VALID_CSV.read_bytes())
    regenerated = run(firm, xlsx_from_csv(csv_text()), "regenerated.xlsx")

    assert not again.has_changes
    assert not regenerated.has_changes
    assert snapshot() == before


@pytest.mark.parametrize("name", ["import_valid.csv", "import_valid.xlsx"])
def test_reimporting_the_same_file_changes_nothing(firm: Firm, name: str) -> None:
    run(firm, read(name), name)
    before = snapshot()

    summary = run(firm, read(name), name)

    assert not summary.has_changes
    assert summary.changes == []
    assert {kind: (c.created, c.updated, c.unchanged) for kind, c in summary.counts.items()} == {
        kind: (0, 0, number) for kind, number in EXPECTED_CREATED.items()
    }
    assert snapshot() == before


def test_changed_addresses_are_updated(firm: Firm) -> None:
    run(firm, read("import_valid.csv"))
    text = csv_text().replace("14 avenue Foch;;75116;Paris", "20 rue de Passy;;75016;Paris")
    text = text.replace("8 rue des Tilleuls;;69003;Lyon", "8 bis rue des Tilleuls;;69003;Lyon")

    summary = run(firm, text.encode())

    assert summary.counts["co_owner"].updated == 1
    assert summary.counts["co_owner"].unchanged == 3
    assert summary.counts["condominium"].updated == 1
    assert sum(count.created for count in summary.counts.values()) == 0
    changes = {(change.kind, change.label): change.fields for change in summary.changes}
    assert changes[("co_owner", "Copropriétaire A 612 0002 Mme LEROY Claire")] == ("adresse", "code postal")
    assert changes[("condominium", "Copropriété 612 Résidence Les Tilleuls")] == ("adresse",)
    with firm_scope(firm):
        leroy = CoOwner.objects.get(reference="A6120002")
        assert (leroy.address_line1, leroy.postal_code) == ("20 rue de Passy", "75016")
        assert Condominium.objects.get(code="612").address_line1 == "8 bis rue des Tilleuls"


def test_a_sale_and_new_tantiemes_are_applied_to_an_existing_condominium(firm: Firm) -> None:
    run(firm, read("import_valid.csv"))
    text = csv_text().replace(
        "propriete;5;A 612 0003;01/01/2015;",
        "propriete;5;A 612 0003;01/01/2015;31/12/2024\npropriete;5;A 612 0001;01/01/2025;",
    )
    text = text.replace("lot;4;cave;A;;-1;Cave n° 4;150;0;", "lot;4;cave;A;;-1;Cave n° 4;100;0;")
    text = text.replace("lot;5;parking;;;;Place extérieure n° 5;250;;", "lot;5;parking;;;;Place extérieure n° 5;300;;")

    summary = run(firm, text.encode())

    assert (summary.counts["ownership"].created, summary.counts["ownership"].updated) == (1, 1)
    assert summary.counts["share"].updated == 2
    with firm_scope(firm):
        lot = Lot.objects.get(number=5)
        assert owner_on(lot, datetime.date(2025, 1, 1)).reference == "A6120001"
        assert LotShare.objects.get(lot=lot, key__code="GEN").shares == 300


def test_columns_left_out_leave_fields_alone(firm: Firm) -> None:
    run(firm, read("import_valid.csv"))
    text = "\n".join(
        [
            "copropriete,code,nom,adresse,code_postal,ville,iban,bic",
            "copropriete,612,Résidence Les Tilleuls,8 rue des Tilleuls,69003,Lyon,FR7630006000011234567890189,AGRIFRPP",
            "coproprietaire,reference,nom,adresse,code_postal,ville",
            "coproprietaire,A6120002,LEROY,14 avenue Foch,75116,Paris",
        ]
    )
    before = snapshot()

    summary = run(firm, text.encode())

    assert not summary.has_changes
    assert snapshot() == before  # bank name, registry number, e-mail... kept


def test_preview_writes_nothing(firm: Firm) -> None:
    plan = prepare_import("import.csv", read("import_valid.csv"), firm)

    summary = apply_import(plan, firm, dry_run=True)

    assert created(summary) == EXPECTED_CREATED
    assert summary.dry_run
    assert sum(row_counts().values()) == 0
    with all_firms_scope():
        assert not AuditEvent.objects.exists()


# --- Refused files -----------------------------------------------------------------------------

CASES = [
    pytest.param(
        "import_unknown_lot.csv",
        "propriete;9;",
        "lot",
        "Lot 9 inconnu",
        id="unknown-lot",
    ),
    pytest.param(
        "import_bad_shares.csv",
        "cle;GEN;",
        "total",
        "Clé GEN : les tantièmes des lots (colonne tantiemes:GEN) font 9990 au lieu du total 10000.",
        id="shares-not-adding-up",
    ),
    pytest.param("import_bad_iban.csv", "copropriete;612;", "iban", "IBAN « FR76 3000", id="bad-iban"),
    pytest.param(
        "import_duplicate_reference.csv",
        "coproprietaire;A6120002;",
        "reference",
        "Référence A 612 0002 en double",
        id="duplicate-reference",
    ),
    pytest.param(
        "import_bad_date.csv",
        "propriete;2;",
        "debut",
        "« 2018-03-15 » n'est pas une date au format JJ/MM/AAAA.",
        id="bad-date",
    ),
    pytest.param(
        "import_missing_column.csv",
        "coproprietaire;reference;",
        "nom",
        "Colonne obligatoire absente de la section coproprietaire.",
        id="missing-column",
    ),
    pytest.param(
        "import_overlap.csv",
        "propriete;3;A 612 0002;",
        "debut",
        "Le lot 3 aurait deux propriétaires à la fois",
        id="ownership-overlap",
    ),
]


@pytest.mark.parametrize(("name", "line_start", "column", "message"), CASES)
def test_a_refused_file_reports_row_and_column_and_writes_nothing(
    firm: Firm, name: str, line_start: str, column: str, message: str
) -> None:
    before = row_counts()

    plan = prepare_import(name, read(name), firm)

    assert len(plan.issues) == 1, [str(issue) for issue in plan.issues]
    issue = plan.issues[0]
    assert (issue.row, issue.column, issue.sheet) == (line_of(name, line_start), column, "")
    assert message in issue.message
    assert str(issue).startswith(f"Ligne {issue.row}, colonne « {column} » : ")
    with pytest.raises(ImportRefusedError):
        apply_import(plan, firm)
    assert row_counts() == before
    with all_firms_scope():
        assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("name", "line_start", "column", "message"), CASES)
def test_a_refused_file_leaves_an_existing_condominium_as_it_was(
    firm: Firm, name: str, line_start: str, column: str, message: str
) -> None:
    run(firm, read("import_valid.csv"))
    before = snapshot()

    plan = prepare_import(name, read(name), firm)

    assert [issue.column for issue in plan.issues] == [column]
    with pytest.raises(ImportRefusedError):
        apply_import(plan, firm)
    assert snapshot() == before


def test_errors_in_a_workbook_name_the_sheet(firm: Firm) -> None:
    content = xlsx_from_csv(csv_text("import_bad_date.csv"))

    plan = prepare_import("import.xlsx", content, firm)

    assert plan.issues == [
        ImportIssue(4, "debut", "« 2018-03-15 » n'est pas une date au format JJ/MM/AAAA.", sheet="proprietes")
    ]
    assert str(plan.issues[0]).startswith("Feuille « proprietes », ligne 4, colonne « debut » : ")


def test_every_error_is_reported_at_once(firm: Firm) -> None:
    text = csv_text().replace("jean.dupont@example.com", "pas-une-adresse").replace(";RDC;", ";haut;")
    text = text.replace("cle;ASC;Ascenseur bâtiment A;1000;spéciale", "cle;ASC;Ascenseur bâtiment A;1000;générale")

    plan = prepare_import("import.csv", text.encode(), firm)

    assert {(issue.row, issue.column) for issue in plan.issues} == {
        (line_of("import_valid.csv", "coproprietaire;A 612 0001;"), "email"),
        (line_of("import_valid.csv", "lot;1;"), "etage"),
        (line_of("import_valid.csv", "cle;GEN;"), "type"),
    }
    assert not plan.ok


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "est vide"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Le format .xls (Excel 97-2003) n'est pas lu"),
        (b"PK\x03\x04damaged", "Classeur XLSX illisible"),
        (b"lot;numero;nature\nlot;1;cave\n", "Il manque la copropriété"),
    ],
)
def test_unreadable_files_are_refused(firm: Firm, content: bytes, expected: str) -> None:
    plan = prepare_import("import.csv", content, firm)

    assert not plan.ok
    assert any(expected in issue.message for issue in plan.issues), [str(issue) for issue in plan.issues]


def test_an_unknown_column_is_refused(firm: Firm) -> None:
    text = (
        csv_text()
        .replace("coproprietaire;reference;", "coproprietaire;reference;portable;")
        .replace("coproprietaire;A 612 0001;", "coproprietaire;A 612 0001;06 00 00 00 00;")
    )
    text = "\n".join(line for line in text.splitlines() if not line.startswith("coproprietaire;A") or "0001" in line)
    text = "\n".join(
        line
        for line in text.splitlines()
        if not line.startswith("propriete;") or "0001" in line or "lot;reference" in line
    )

    plan = prepare_import("import.csv", text.encode(), firm)

    assert [(issue.column, issue.message.split(" ;")[0]) for issue in plan.issues] == [
        ("portable", "Colonne inconnue dans la section coproprietaire")
    ]


def test_a_reference_of_another_condominium_is_refused(firm: Firm) -> None:
    other = CondominiumFactory(firm=firm, code="606")
    CoOwnerFactory(condominium=other, reference="A6060001")
    text = (
        csv_text()
        .replace("coproprietaire;A 612 0004;", "coproprietaire;A 606 0001;")
        .replace("propriete;3;A 612 0004;", "propriete;3;A 606 0001;")
    )

    plan = prepare_import("import.csv", text.encode(), firm)

    assert [(issue.row, issue.column) for issue in plan.issues] == [
        (line_of("import_valid.csv", "coproprietaire;A 612 0004;"), "reference")
    ]
    assert "ne porte pas le code de la copropriété 612" in plan.issues[0].message


def test_a_second_general_key_is_refused(firm: Firm) -> None:
    run(firm, read("import_valid.csv"))
    text = csv_text().replace("cle;GEN;Charges générales;10000;générale", "cle;GEN;Charges générales;10000;spéciale")
    text = text.replace("cle;ASC;Ascenseur bâtiment A;1000;spéciale", "cle;ASC;Ascenseur bâtiment A;1000;générale")
    # Swapping the general key is fine...
    assert prepare_import("import.csv", text.encode(), firm).issues == []
    # ...having two is not, counting the one already in the database.
    lines = [line for line in csv_text().splitlines() if not line.startswith("cle;GEN")]
    text = "\n".join(lines).replace(
        "cle;ASC;Ascenseur bâtiment A;1000;spéciale", "cle;ASC;Ascenseur bâtiment A;1000;générale"
    )

    plan = prepare_import("import.csv", text.encode(), firm)

    assert [issue.column for issue in plan.issues] == ["type"]
    assert "les clés ASC, GEN le seraient" in plan.issues[0].message


def test_the_general_key_can_move_to_another_key(firm: Firm) -> None:
    run(firm, read("import_valid.csv"))
    text = csv_text().replace("cle;GEN;Charges générales;10000;générale", "cle;GEN;Charges générales;10000;spéciale")
    text = text.replace("cle;ASC;Ascenseur bâtiment A;1000;spéciale", "cle;ASC;Ascenseur bâtiment A;1000;générale")

    summary = run(firm, text.encode())

    assert summary.counts["key"].updated == 2
    with firm_scope(firm):
        assert AllocationKey.objects.get(kind=KeyKind.GENERAL).code == "ASC"


def test_the_database_is_checked_again_when_applying(firm: Firm) -> None:
    plan = prepare_import("import.csv", read("import_valid.csv"), firm)
    assert plan.ok
    # Meanwhile someone gives reference A 612 0004 to a co-owner of another condominium.
    other = CondominiumFactory(firm=firm, code="613")
    CoOwnerFactory(condominium=other, reference="A6120004")
    before = row_counts()

    with pytest.raises(ImportRefusedError) as refused:
        apply_import(plan, firm)

    assert [issue.column for issue in refused.value.issues] == ["reference"]
    assert row_counts() == before


def test_a_failure_halfway_rolls_everything_back(firm: Firm, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = prepare_import("import.csv", read("import_valid.csv"), firm)
    real_save = Ownership.save
    saved: list[Ownership] = []

    def failing_save(self: Ownership, *args: object, **kwargs: object) -> None:
        if len(saved) == 3:
            raise IntegrityError("simulated")
        saved.append(self)
        real_save(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Ownership, "save", failing_save)

    with pytest.raises(ImportRefusedError, match="La base de données a refusé l'import"):
        apply_import(plan, firm)

    assert len(saved) == 3
    assert sum(row_counts().values()) == 0
    with all_firms_scope():
        assert not AuditEvent.objects.exists()


def test_an_import_touches_only_its_firm(firm: Firm) -> None:
    rivage = FirmFactory(slug="rivage")
    run(rivage, read("import_valid.csv"))

    summary = run(firm, read("import_valid.csv"))

    assert created(summary) == EXPECTED_CREATED
    with all_firms_scope():
        assert Condominium.all_firms.filter(code="612").count() == 2
        assert CoOwner.all_firms.filter(reference="A6120001").count() == 2


# --- The command -------------------------------------------------------------------------------


def call(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_condominium", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_prints_what_it_did(firm: Firm) -> None:
    out, _err = call(str(VALID_CSV), "--firm", "horizon")

    assert "Copropriété 612 Résidence Les Tilleuls (horizon) créée." in out
    assert "Lots                : 6 créé(s), 0 modifié(s), 0 inchangé(s)" in out
    assert "Tantièmes           : 10 créé(s), 0 modifié(s), 0 inchangé(s)" in out
    assert "Import terminé." in out
    assert row_counts()["Lot"] == 6


def test_command_reimport_says_nothing_changed(firm: Firm) -> None:
    call(str(VALID_XLSX), "--firm", "horizon")

    out, _err = call(str(VALID_CSV), "--firm", "horizon", "-v", "2")

    assert "aucun changement, tout était déjà à jour" in out
    assert "Copropriétaires     : 0 créé(s), 0 modifié(s), 4 inchangé(s)" in out


def test_command_firm_may_be_left_out_when_there_is_only_one(firm: Firm) -> None:
    out, _err = call(str(VALID_CSV))

    assert "(horizon) créée" in out


def test_command_dry_run_writes_nothing(firm: Firm) -> None:
    out, _err = call(str(VALID_CSV), "--dry-run")

    assert "Simulation (--dry-run) : rien n'a été enregistré." in out
    assert "serait créée" in out
    assert sum(row_counts().values()) == 0


def test_command_refuses_a_bad_file_with_its_errors(firm: Firm) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"Import refusé : 1 erreur\(s\) dans import_bad_iban.csv ; rien n'a été"):
        call_command("import_condominium", str(DATA / "import_bad_iban.csv"), "--firm", "horizon", stderr=err)

    assert f"Ligne {line_of('import_bad_iban.csv', 'copropriete;612;')}, colonne « iban » : IBAN" in err.getvalue()
    assert sum(row_counts().values()) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--firm", "inconnu"], "Cabinet « inconnu » inconnu (cabinets : horizon, rivage)."),
        ([], "Plusieurs cabinets existent : précisez lequel avec --firm SLUG."),
    ],
)
def test_command_needs_a_known_firm(firm: Firm, args: list[str], message: str) -> None:
    FirmFactory(slug="rivage")

    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(str(VALID_CSV), *args)


def test_command_without_any_firm(db: None) -> None:
    with pytest.raises(CommandError, match="Aucun cabinet n'existe encore"):
        call(str(VALID_CSV))


def test_command_missing_file(firm: Firm, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Impossible de lire le fichier"):
        call(str(tmp_path / "absent.csv"), "--firm", "horizon")


def test_command_exit_status_is_not_zero_when_refused(
    firm: Firm, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    utility = ManagementUtility(["manage.py", "import_condominium", str(DATA / "import_unknown_lot.csv")])
    # run_from_argv() closes every connection when the command ends, the test's own included.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)

    with pytest.raises(SystemExit) as exit_:
        utility.execute()

    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "colonne « lot » : Lot 9 inconnu" in err
    assert "CommandError: Import refusé : 1 erreur(s)" in err
    assert sum(row_counts().values()) == 0
