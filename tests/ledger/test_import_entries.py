"""import_entries: FEC and CSV files into a condominium's books, all or nothing, idempotent."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tantieme.audit.models import AuditEvent
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner
from tantieme.funds.models import WorksOperation
from tantieme.ledger import services
from tantieme.ledger.checks import check_books
from tantieme.ledger.entries_import import (
    IMPORTED_VOUCHER_PREFIX,
    EntriesImportError,
    ImportReport,
    decode,
    import_entries,
)
from tantieme.ledger.enums import LineNature
from tantieme.ledger.fec import render_fec
from tantieme.ledger.models import Account, Entry, FiscalYear, Line
from tantieme.ledger.reports import trial_balance
from tantieme.ledger.services import LineDraft
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.factories import AllocationKeyFactory, CondominiumFactory, CoOwnerFactory, FirmFactory
from tests.ledger.factories import D, open_books, post_call

DATA = Path(__file__).resolve().parent.parent / "data" / "entries"


@dataclass
class Books:
    firm: Firm
    condo: Condominium
    alice: CoOwner
    bob: CoOwner
    years: list[FiscalYear]
    key: AllocationKey
    lift: AllocationKey
    operation: WorksOperation


@pytest.fixture
def books(world: World) -> Iterator[Books]:
    """Condominium 606: 2024 closed, 2025 open; keys CG and ASC, works operation RAV2025."""
    key = AllocationKeyFactory(condominium=world.condo, code="CG", label="Charges générales")
    lift = AllocationKeyFactory(condominium=world.condo, code="ASC", label="Ascenseur")
    operation = WorksOperation.all_firms.create(
        condominium=world.condo, code="RAV2025", label="Ravalement", general_meeting_date=datetime.date(2024, 6, 1)
    )
    with firm_scope(world.horizon):
        years = open_books(world.condo, first_year=2024, years=2)
        services.close_fiscal_year(fiscal_year=years[0], require_distribution=False)
        yield Books(world.horizon, world.condo, world.alice, world.bob, years, key, lift, operation)


def run(books: Books, name: str, **kwargs: bool) -> ImportReport:
    content = (DATA / name).read_bytes()
    return import_entries(condominium=books.condo, content=content, filename=name, **kwargs)


def entries_count(condo: Condominium) -> int:
    return Entry.objects.filter(condominium=condo).count()


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_posts_entries_with_co_owners_keys_and_operations(books: Books) -> None:
    report = run(books, "entries_valid.csv")

    assert report.format == "CSV"
    assert report.summary() == "5 écritures importées, 0 déjà présentes ; comptes créés : 4011, 6141."
    assert report.imported == ["AF2025-0001", "AC2025-0001", "AF2025-0002", "BQ12025-0001", "OD2025-0001"]
    call = Entry.objects.get(code="AF2025-0001")
    assert (call.voucher, call.date, call.validation_date) == ("AF-2025-T1", datetime.date(2025, 1, 1), call.date)
    lines = list(call.lines.order_by("position").select_related("account", "co_owner"))
    assert [(line.account.number, line.co_owner, line.debit, line.credit) for line in lines] == [
        ("4501", books.alice, D("1210.77"), D("0.00")),
        ("4501", books.bob, D("789.23"), D("0.00")),
        ("701", None, D("0.00"), D("2000.00")),
    ]
    assert lines[2].key_id == books.key.pk
    assert Line.objects.get(account__number="6141").key_id == books.lift.pk
    works = Entry.objects.get(code="AF2025-0002")
    by_account = {line.account.number: line for line in works.lines.select_related("account")}
    assert by_account["102"].operation_id == books.operation.pk
    assert by_account["102"].key_id is None
    assert by_account["4502"].nature == LineNature.WORKS
    assert Line.objects.get(account__number="671").operation_id == books.operation.pk
    assert Account.objects.get(condominium=books.condo, number="6141").label == "Contrats de maintenance"
    assert Entry.objects.get(code="BQ12025-0001").voucher == "RLV-03"  # BQ is read BQ1
    assert Entry.objects.get(code="OD2025-0001").voucher.startswith(IMPORTED_VOUCHER_PREFIX)
    assert check_books(books.condo) == []
    event = AuditEvent.objects.get(action="ledger.entries.imported")
    assert event.data["entries"] == 5
    assert event.data["filename"] == "entries_valid.csv"


def test_second_import_posts_nothing(books: Books) -> None:
    run(books, "entries_valid.csv")
    before = entries_count(books.condo)

    again = run(books, "entries_valid.csv")

    assert (again.imported, again.already_there, again.accounts_created) == ([], 5, [])
    assert again.summary() == "0 écritures importées, 5 déjà présentes."
    assert entries_count(books.condo) == before
    assert AuditEvent.objects.filter(action="ledger.entries.imported").count() == 1


def test_a_changed_re_import_is_refused_and_a_reversed_entry_may_come_again(books: Books) -> None:
    run(books, "entries_valid.csv")
    before = entries_count(books.condo)
    changed = (DATA / "entries_valid.csv").read_text(encoding="utf-8").replace("450.00", "460.00")

    with pytest.raises(EntriesImportError) as refused:
        import_entries(condominium=books.condo, content=changed.encode(), filename="changed.csv")

    (problem,) = refused.value.problems
    assert problem.startswith("écriture AC du 10/02/2025, pièce F-1024 (lignes 5 à 6) : le journal AC contient déjà")
    assert "(AC2025-0001)" in problem
    assert "contre-passez" in problem
    assert entries_count(books.condo) == before

    services.reverse_entry(entry=Entry.objects.get(code="AC2025-0001"))
    report = import_entries(condominium=books.condo, content=changed.encode(), filename="changed.csv")
    assert (report.imported, report.already_there) == (["AC2025-0003"], 4)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "unbalanced.csv",
            (
                "écriture OD du 31/03/2025, pièce OD-17 (lignes 2 à 3) déséquilibrée : "
                "débits 100,00\u00a0€, crédits 90,00\u00a0€."
            ),
        ),
        ("unknown_account.csv", "ligne 3 : compte 999 inconnu : il n'est pas au plan comptable"),
        ("unknown_co_owner.csv", "ligne 3 : pas de copropriétaire A6069999 dans la copropriété 606."),
        ("closed_year.csv", "ligne 2 : le 15/03/2024 n'est dans aucun exercice ouvert (l'exercice 01/01/2024"),
        ("unknown_key.csv", "ligne 2 : clé « XX » inconnue : ni clé de répartition ni opération de travaux"),
    ],
)
def test_refused_files_write_nothing(books: Books, name: str, message: str) -> None:
    accounts = Account.objects.filter(condominium=books.condo).count()
    events = AuditEvent.objects.count()

    with pytest.raises(EntriesImportError) as refused:
        run(books, name)

    (problem,) = refused.value.problems
    assert problem.startswith(message)
    assert entries_count(books.condo) == 0
    assert Account.objects.filter(condominium=books.condo).count() == accounts
    assert AuditEvent.objects.count() == events


def test_every_problem_is_reported_with_its_line(books: Books) -> None:
    with pytest.raises(EntriesImportError) as refused:
        run(books, "many_problems.csv")

    problems = refused.value.problems
    assert [problem.split(" ")[0:2] for problem in problems] == [
        ["écriture", "OD"],
        ["ligne", "4"],
        ["ligne", "7"],
        ["ligne", "8"],
        ["ligne", "10"],
        ["journal", "HA"],
    ]
    assert "déséquilibrée : débits 100,00\u00a0€, crédits 90,00\u00a0€" in problems[0]
    assert problems[3] == "ligne 8 : le 15/03/2019 n'est dans aucun exercice ouvert."
    assert problems[5].startswith("journal HA inconnu (lignes 12, 13) : journaux du fichier BQ1, HA, OD ;")
    assert "AC, AF, AN, BQ1, CB, OD, RE" in problems[5]
    assert entries_count(books.condo) == 0


def test_unreadable_lines_and_headers(books: Books) -> None:
    header = "journal;date;piece;compte;compte_aux;libelle;debit;credit;cle\n"
    cases = {
        header + "OD;32/13/2025;X;615;;L;10,00;;\n": "ligne 2 : date « 32/13/2025 » illisible",
        header + "OD;31/03/2025;X;615;;L;10,001;;\n": "ligne 2 : « 10,001 » n'est pas un montant",
        header + "OD;31/03/2025;X;615;;L;10,00;10,00;\n": "ligne 2 : un débit (10,00) et un crédit (10,00)",
        "journal;date;compte;debit;montant\n": "ligne 1 : colonnes credit absentes ; colonnes montant inconnues",
        "bonjour\n": "ligne 1 : format non reconnu",
        "": "Le fichier est vide.",
        header: "Le fichier ne contient aucune écriture.",
    }
    for text, message in cases.items():
        with pytest.raises(EntriesImportError) as refused:
            import_entries(condominium=books.condo, content=text.encode(), filename="x.csv")
        assert refused.value.problems[0].startswith(message), (text, refused.value.problems)


def test_dry_run_checks_and_writes_nothing(books: Books) -> None:
    report = run(books, "entries_valid.csv", dry_run=True)

    assert report.imported[0] == "AF2025-0001"
    assert report.summary() == (
        "5 écritures à importer, 0 déjà présentes ; comptes à créer : 4011, 6141"
        " (simulation : rien n'a été enregistré)."
    )
    assert entries_count(books.condo) == 0
    assert not Account.objects.filter(condominium=books.condo, number="6141").exists()
    assert not AuditEvent.objects.filter(action__startswith="ledger.entries").exists()
    assert run(books, "entries_valid.csv").imported[0] == "AF2025-0001"  # numbers given back


# --- FEC ----------------------------------------------------------------------------------------


def test_fec_of_other_software_tab_and_iso_8859_15(books: Books) -> None:
    report = run(books, "fec_other_software_tab_iso.txt")

    assert (report.format, report.encoding, report.separator) == ("FEC", "iso-8859-15", "tabulation")
    assert report.imported == ["AN2025-0001", "AC2025-0001", "BQ12025-0001"]
    assert report.zero_lines == 1
    assert report.accounts_created == ["4011", "6021"]
    assert Account.objects.get(condominium=books.condo, number="6021").label == "Électricité parties communes"
    purchase = Entry.objects.get(code="AC2025-0001")
    assert (purchase.voucher, purchase.voucher_date, purchase.validation_date) == (
        "EDF-0115",
        datetime.date(2025, 1, 12),
        datetime.date(2025, 1, 16),
    )
    assert purchase.label == "Facture d'électricité - janvier"
    assert Entry.objects.get(code="BQ12025-0001").voucher == "IMP:BQ-000031"  # no PieceRef
    opening = Entry.objects.get(code="AN2025-0001")
    owners = {line.co_owner: line.amount for line in opening.lines.filter(co_owner__isnull=False)}
    assert owners == {books.alice: D("120.50"), books.bob: D("-80.00")}
    assert set(opening.lines.filter(co_owner__isnull=False).values_list("nature", flat=True)) == {"opening"}
    assert not Line.objects.filter(account__number="4011", co_owner__isnull=False).exists()  # supplier aux ignored
    assert check_books(books.condo) == []

    again = run(books, "fec_other_software_tab_iso.txt")
    assert (again.imported, again.already_there) == ([], 3)


def test_fec_unknown_journal_lists_the_codes(books: Books) -> None:
    content = (DATA / "fec_other_software_tab_iso.txt").read_bytes().replace(b"\r\nAC\tAchats", b"\r\nHA\tAchats")

    with pytest.raises(EntriesImportError) as refused:
        import_entries(condominium=books.condo, content=content, filename="fec.txt")

    (problem,) = refused.value.problems
    assert problem.startswith("journal HA inconnu (lignes 6, 7) : journaux du fichier AN, BQ, HA ;")


def _source_books(world: World) -> tuple[FiscalYear, FiscalYear]:
    """Two years of history in 606: calls, a payment lettered, card receipts, a subdivision, a reversal."""
    condo = world.condo
    years = open_books(condo, first_year=2025, years=2)
    services.add_account(condominium=condo, number="5121", label="Banque - livret fonds de travaux")
    for day in (datetime.date(2025, 1, 1), datetime.date(2025, 4, 1), datetime.date(2026, 1, 1)):
        post_call(condo, world.alice, D("538.82"), date=day)
        post_call(condo, world.bob, D("1210.77"), date=day, label="Appel de fonds – « T »")
        post_call(
            condo, world.alice, D("36.12"), date=day, account="4505", counterpart="105", nature=LineNature.WORKS_FUND
        )
    services.post_co_owner_payment(
        co_owner=world.alice,
        amount=D("574.94"),
        date=datetime.date(2025, 1, 2),
        journal="CB",
        label="Paiement CB",
        voucher="CB-20250102-0001",
        validation_date=datetime.date(2025, 1, 3),
    )
    services.post_entry(
        condominium=condo,
        journal="BQ1",
        date=datetime.date(2025, 1, 3),
        label="Remise CB",
        validation_date=datetime.date(2025, 1, 3),
        lines=[LineDraft(account="512", debit=D("574.94")), LineDraft(account="5128", credit=D("574.94"))],
    )
    wrong = services.post_entry(
        condominium=condo,
        journal="OD",
        date=datetime.date(2025, 5, 2),
        label="Virement vers le livret",
        lines=[LineDraft(account="5121", debit=D("500.00")), LineDraft(account="512", credit=D("500.00"))],
    )
    services.reverse_entry(entry=wrong, date=datetime.date(2025, 5, 3))
    # The year's charges and provisions are distributed (classes 6 and 7 net to zero), so that
    # the next year's FEC carries forward balanced à-nouveaux (balance-sheet accounts only).
    services.post_entry(
        condominium=condo,
        journal="AC",
        date=datetime.date(2025, 6, 1),
        label="Facture d'entretien",
        voucher="ENT-2025",
        lines=[LineDraft(account="615", debit=D("3000.00")), LineDraft(account="401", credit=D("3000.00"))],
    )
    services.post_entry(
        condominium=condo,
        journal="RE",
        date=datetime.date(2025, 12, 31),
        label="Répartition 2025",
        lines=[
            LineDraft(account="701", debit=D("3499.18")),
            LineDraft(account="615", credit=D("3000.00")),
            LineDraft(account="4501", credit=D("249.59"), co_owner=world.alice, nature=LineNature.REGULARISATION),
            LineDraft(account="4501", credit=D("249.59"), co_owner=world.bob, nature=LineNature.REGULARISATION),
        ],
    )
    services.post_entry(
        condominium=condo,
        journal="AC",
        date=datetime.date(2026, 2, 1),
        label="Facture EDF",
        voucher="EDF-2026-02",
        lines=[LineDraft(account="602", debit=D("184.20")), LineDraft(account="401", credit=D("184.20"))],
    )
    return years[0], years[1]


def closing_balances(year: FiscalYear) -> dict[str, Decimal]:
    rows = ((row.account, row.opening + row.debit - row.credit) for row in trial_balance(year))
    return {account: balance for account, balance in rows if balance}


def _fresh_606(firm: Firm, first_year: int) -> Condominium:
    """Condominium 606 taken over by another firm: same co-owner references, empty books."""
    condo = CondominiumFactory(firm=firm, code="606")
    CoOwnerFactory(condominium=condo, reference="A6060001", last_name="TEST")
    CoOwnerFactory(condominium=condo, reference="A6060002", last_name="MARTIN")
    with firm_scope(firm):
        open_books(condo, first_year=first_year)
    return condo


@pytest.mark.parametrize(("separator", "encoding"), [("|", "iso-8859-15"), ("\t", "utf-8")])
def test_our_own_fec_re_imported_gives_the_same_trial_balance(world: World, separator: str, encoding: str) -> None:
    with firm_scope(world.horizon):
        first, second = _source_books(world)
        fec_2025 = render_fec(first, separator=separator, encoding=encoding)
        fec_2026 = render_fec(second, separator=separator, encoding=encoding)
        source_2025 = trial_balance(first)
        closing_2026 = closing_balances(second)
    target = _fresh_606(world.rivage, 2025)
    other = CondominiumFactory(firm=world.rivage, code="607")
    with firm_scope(world.rivage):
        report = import_entries(condominium=target, content=fec_2025, filename="FEC2025.txt")
        assert report.encoding == encoding
        assert report.already_there == 0
        assert trial_balance(FiscalYear.objects.get(condominium=target)) == source_2025
        assert check_books(target) == []
        assert import_entries(condominium=target, content=fec_2025, filename="FEC2025.txt").imported == []

    # The next year's FEC starts with the computed à-nouveaux (AN2026-0000): the balances carry over.
    relais = FirmFactory(slug="relais")
    target_2026 = _fresh_606(relais, 2026)
    with firm_scope(relais):
        report = import_entries(condominium=target_2026, content=fec_2026, filename="FEC2026.txt")
        year = FiscalYear.objects.get(condominium=target_2026)
        assert closing_balances(year) == closing_2026
        assert Entry.objects.get(condominium=target_2026, code=report.imported[0]).voucher == "AN"
    with firm_scope(world.rivage):
        assert not Entry.objects.filter(condominium=other).exists()  # another condominium is untouched


def test_fec_with_a_different_amount_for_an_imported_entry_is_refused(world: World) -> None:
    with firm_scope(world.horizon):
        first, _second = _source_books(world)
        fec = render_fec(first)
    target = _fresh_606(world.rivage, 2025)
    with firm_scope(world.rivage):
        import_entries(condominium=target, content=fec, filename="FEC.txt")
        count = entries_count(target)
        records = fec.decode("iso-8859-15").split("\r\n")
        bank = next(record.split("|")[2] for record in records if record.startswith("BQ1|"))
        changed = "\r\n".join(
            record.replace("574,94", "575,94") if record.split("|")[2:3] == [bank] else record for record in records
        ).encode("iso-8859-15")
        with pytest.raises(EntriesImportError) as refused:
            import_entries(condominium=target, content=changed, filename="FEC.txt")
        (problem,) = refused.value.problems
        assert problem.startswith(f"écriture {bank} (lignes ")
        assert "le journal BQ1 contient déjà au 03/01/2025" in problem
        assert entries_count(target) == count


def test_amounts_with_decimal_point_utf8_bom_and_negative_amounts(books: Books) -> None:
    text = (
        "\ufeffjournal;date;piece;compte;compte_aux;libelle;debit;credit;cle\n"
        "OD;2025-03-31;OD-1;615;;Réparation;1210.77;;CG\n"
        "OD;2025-03-31;OD-1;401;;Réparation;-1210.77;;\n"
    )
    report = import_entries(condominium=books.condo, content=text.encode(), filename="bom.csv")
    (entry,) = Entry.objects.filter(code__in=report.imported)
    assert [(line.debit, line.credit) for line in entry.lines.order_by("position")] == [
        (D("1210.77"), D("0.00")),
        (D("0.00"), D("1210.77")),
    ]
    assert report.encoding == "utf-8"
    assert sum((line.amount for line in Line.objects.filter(entry=entry)), Decimal(0)) == 0


# --- Command ------------------------------------------------------------------------------------


def test_command_exit_codes(books: Books) -> None:
    out = StringIO()
    path = str(DATA / "entries_valid.csv")

    call_command("import_entries", path, "--firm", "horizon", "--condominium", "606", "--dry-run", stdout=out)
    assert "5 écritures à importer, 0 déjà présentes" in out.getvalue()
    assert entries_count(books.condo) == 0

    call_command("import_entries", path, "--firm", "horizon", "--condominium", "606", stdout=out)
    assert "5 écritures importées, 0 déjà présentes ; comptes créés : 4011, 6141." in out.getvalue()
    assert "Écritures numérotées AF2025-0001 à OD2025-0001." in out.getvalue()

    with pytest.raises(CommandError) as refused:
        call_command("import_entries", str(DATA / "many_problems.csv"), "--firm", "horizon", "--condominium", "606")
    assert refused.value.returncode == 1
    text = str(refused.value)
    assert text.startswith("Rien n'a été importé (6 problème(s)) :\n  - écriture OD du 31/03/2025")
    assert "  - ligne 4 : compte 999 inconnu" in text

    with pytest.raises(CommandError, match="Lecture de"):
        call_command("import_entries", str(DATA / "absent.csv"), "--firm", "horizon", "--condominium", "606")


def test_encodings_are_detected() -> None:
    assert decode("Électricité".encode()) == ("Électricité", "utf-8")
    assert decode("\ufeffÉlectricité".encode()) == ("Électricité", "utf-8")
    assert decode("Électricité 10 €".encode("iso-8859-15")) == ("Électricité 10 €", "iso-8859-15")
    assert decode("Facture d’eau 10 €".encode("cp1252")) == ("Facture d’eau 10 €", "windows-1252")
