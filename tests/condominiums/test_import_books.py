"""A condominium set up by the spreadsheet import gets its chart, journals and first fiscal year in
the same transaction, so that its first call can be issued right away."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tantieme.condominiums.importing import ImportRefusedError, apply_import, prepare_import
from tantieme.condominiums.models import Condominium
from tantieme.funds.models import Call
from tantieme.funds.services import LineData, save_budget
from tantieme.ledger.enums import FiscalYearState
from tantieme.ledger.models import Account, FiscalYear, Journal
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import all_firms_scope, firm_scope
from tests.condominiums.import_samples import VALID_CSV, read
from tests.conftest import client_for
from tests.factories import FirmFactory, StaffUserFactory

TODAY = datetime.datetime(2026, 12, 4, 12, 0)  # the sample's fiscal year starts in July: 01/07/2026


@pytest.fixture
def firm(db: None) -> Firm:
    return FirmFactory(slug="tilleuls", name="Cabinet des Tilleuls")


def books_of(firm: Firm) -> tuple[Condominium, list[tuple[datetime.date, datetime.date, str]], set[str], int]:
    with firm_scope(firm):
        condominium = Condominium.objects.get(code="612")
        years = [
            (year.start_date, year.end_date, year.state)
            for year in FiscalYear.objects.filter(condominium=condominium).order_by("start_date")
        ]
        journals = set(Journal.objects.filter(condominium=condominium).values_list("code", flat=True))
        accounts = Account.objects.filter(condominium=condominium).count()
    return condominium, years, journals, accounts


FIRST_YEAR = [(datetime.date(2026, 7, 1), datetime.date(2027, 6, 30), FiscalYearState.OPEN)]


def test_the_command_sets_up_the_books_and_the_first_call_can_be_issued(firm: Firm) -> None:
    out = io.StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("import_condominium", str(VALID_CSV), "--firm", "tilleuls", stdout=out)
    assert "Comptabilité : plan comptable, journaux et exercice du 01/07/2026 – 30/06/2027 ouverts." in out.getvalue()
    condominium, years, journals, accounts = books_of(firm)
    assert years == FIRST_YEAR
    assert {"AF", "AN", "BQ1", "OD"} <= journals
    assert accounts > 30
    # The budget of the year, then its first call, straight away.
    with firm_scope(firm):
        save_budget(
            condominium=condominium,
            start_date=datetime.date(2026, 7, 1),
            general_meeting_date=datetime.date(2026, 6, 15),
            lines=[LineData(key_code="GEN", account="616", amount=Decimal("4000.00"), label="Assurance")],
            works_fund_amount=Decimal("200.00"),
        )
    out = io.StringIO()
    call_command(
        "issue_calls", "--firm", "tilleuls", "--condominium", "612", "--period", "2026-Q3", "--no-progress", stdout=out
    )
    assert "1 appel(s) émis" in out.getvalue()
    with all_firms_scope():
        call = Call.objects.get()
    assert call.total == Decimal("1050.00")  # a quarter of 4 000 € and of the 200 € works fund
    assert call.entry is not None
    assert call.entry.code == "AF2027-0001"


def test_importing_again_opens_no_other_year_and_a_dry_run_writes_nothing(firm: Firm) -> None:
    with time_machine.travel(TODAY, tick=False):
        out = io.StringIO()
        call_command("import_condominium", str(VALID_CSV), "--firm", "tilleuls", "--dry-run", stdout=out)
        assert "serait créée" in out.getvalue()
        with all_firms_scope():
            assert not Condominium.objects.exists()
            assert not FiscalYear.objects.exists()
            assert not Account.objects.exists()
        call_command("import_condominium", str(VALID_CSV), "--firm", "tilleuls", stdout=io.StringIO())
        out = io.StringIO()
        call_command("import_condominium", str(VALID_CSV), "--firm", "tilleuls", stdout=out)
    assert "aucun changement" in out.getvalue()
    assert books_of(firm)[1] == FIRST_YEAR


def test_a_condominium_imported_without_books_gets_them_on_the_next_import(firm: Firm) -> None:
    """Imported before the books came with it: importing the file again repairs it."""
    plan = prepare_import(VALID_CSV.name, read(VALID_CSV.name), firm)
    apply_import(plan, firm)  # no set-up hook: the condominium alone
    assert books_of(firm)[1:] == ([], set(), 0)
    with time_machine.travel(TODAY, tick=False):
        out = io.StringIO()
        call_command("import_condominium", str(VALID_CSV), "--firm", "tilleuls", stdout=out)
    assert "Comptabilité : plan comptable, journaux et exercice du 01/07/2026 – 30/06/2027 ouverts." in out.getvalue()
    assert books_of(firm)[1] == FIRST_YEAR


def test_the_books_and_the_condominium_are_one_transaction(firm: Firm) -> None:
    def fails(condominium: Condominium) -> str:
        raise ImportRefusedError([])

    plan = prepare_import(VALID_CSV.name, read(VALID_CSV.name), firm)
    with pytest.raises(ImportRefusedError):
        apply_import(plan, firm, set_up_books=fails)
    with all_firms_scope():
        assert not Condominium.objects.exists()


def test_the_back_office_import_sets_up_the_books(firm: Firm, settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    client = client_for(firm, StaffUserFactory(firm=firm, membership=StaffRole.ACCOUNTANT))
    response = client.post(
        reverse("backoffice:import_upload"), {"file": SimpleUploadedFile(VALID_CSV.name, read(VALID_CSV.name))}
    )
    token = response["Location"].split("jeton=")[1]
    with time_machine.travel(TODAY, tick=False):
        # The preview runs it all and rolls back.
        assert client.get(reverse("backoffice:import_preview"), {"jeton": token}).status_code == 200
        with all_firms_scope():
            assert not FiscalYear.objects.exists()
        done = client.post(reverse("backoffice:import_preview"), {"jeton": token}, follow=True)
    text = done.content.decode()
    assert "Import de la copropriété 612 Résidence Les Tilleuls terminé." in text
    assert "exercice du 01/07/2026 – 30/06/2027 ouverts" in text
    assert books_of(firm)[1] == FIRST_YEAR
