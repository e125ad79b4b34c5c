"""Fiscal years: `open_fiscal_year` (command and service), the « Exercices » page, and the database
refusing an entry in a closed year."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from tantieme.audit.models import AuditEvent
from tantieme.ledger import services
from tantieme.ledger.enums import FiscalYearState
from tantieme.ledger.exceptions import ClosedFiscalYearError, LedgerError
from tantieme.ledger.management.commands.open_fiscal_year import Command
from tantieme.ledger.models import FiscalYear, Journal, JournalSequence
from tantieme.ledger.services import LineDraft
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World, client_for
from tests.factories import CondominiumFactory, StaffUserFactory
from tests.ledger.factories import D, open_books

DAY = datetime.date


def run(*args: str) -> str:
    out = StringIO()
    call_command("open_fiscal_year", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def years_of(world: World) -> list[tuple[datetime.date, datetime.date, str]]:
    with firm_scope(world.horizon):
        return [
            (year.start_date, year.end_date, year.state)
            for year in FiscalYear.objects.filter(condominium=world.condo).order_by("start_date")
        ]


# --- The command --------------------------------------------------------------------------------


def test_the_command_opens_the_first_year_then_the_next(world: World) -> None:
    with firm_scope(world.horizon):
        services.create_chart(condominium=world.condo)
    out = run("--firm", "horizon", "--condominium", "606", "--start", "2025-01-01")
    assert "Exercice 2025 de la copropriété 606 ouvert, du 01/01/2025 au 31/12/2025." in out
    out = run("--firm", "horizon", "--condominium", "606")
    assert "du 01/01/2026 au 31/12/2026" in out
    assert years_of(world) == [
        (DAY(2025, 1, 1), DAY(2025, 12, 31), FiscalYearState.OPEN),
        (DAY(2026, 1, 1), DAY(2026, 12, 31), FiscalYearState.OPEN),
    ]
    with firm_scope(world.horizon):
        # Every journal has its numbering in the new year; the opening is audited.
        assert JournalSequence.objects.filter(fiscal_year__start_date=DAY(2026, 1, 1)).count() == (
            Journal.objects.filter(condominium=world.condo).count()
        )
    assert AuditEvent.all_firms.filter(action="ledger.fiscal_year.opened").count() == 2


def test_without_dates_the_first_year_is_the_one_containing_today(world: World) -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 4, 12, 0), tick=False):
        run("--condominium", "606", "--firm", "horizon")
    assert years_of(world) == [(DAY(2026, 1, 1), DAY(2026, 12, 31), FiscalYearState.OPEN)]


def test_asking_again_for_an_existing_year_changes_nothing(world: World) -> None:
    run("--firm", "horizon", "--condominium", "606", "--start", "2025-01-01")
    out = run("--firm", "horizon", "--condominium", "606", "--start", "2025-01-01", "--end", "2025-12-31")
    assert "existe déjà (ouvert) : rien à faire" in out
    with pytest.raises(CommandError, match="existe déjà et se clôture le 31/12/2025, pas le 30/06/2025"):
        run("--firm", "horizon", "--condominium", "606", "--start", "2025-01-01", "--end", "2025-06-30")
    assert len(years_of(world)) == 1


@pytest.mark.parametrize(
    ("end", "accepted"),
    [
        ("2025-06-29", False),  # 5 months and 29 days
        ("2025-06-30", True),  # 6 months
        ("2026-06-30", True),  # 18 months
        ("2026-07-01", False),  # 18 months and a day
    ],
)
def test_a_first_year_lasts_6_to_18_months(world: World, end: str, accepted: bool) -> None:
    args = ("--firm", "horizon", "--condominium", "606", "--start", "2025-01-01", "--end", end)
    if accepted:
        run(*args)
        assert years_of(world)[0][1] == DAY.fromisoformat(end)
    else:
        with pytest.raises(CommandError) as refused:
            run(*args)
        message = str(refused.value)
        assert "Le premier exercice dure de 6 à 18 mois" in message
        assert "entre le 30/06/2025 et le 30/06/2026" in message
        assert "décret n° 2005-240" in message
        assert years_of(world) == []


def test_a_later_year_lasts_12_months_at_most_and_follows_the_previous(world: World) -> None:
    run("--firm", "horizon", "--condominium", "606", "--start", "2025-01-01")
    with pytest.raises(CommandError, match="au plus 12 mois"):
        run("--firm", "horizon", "--condominium", "606", "--end", "2027-01-31")
    with pytest.raises(CommandError, match="commence le 01/01/2026, lendemain de la clôture"):
        run("--firm", "horizon", "--condominium", "606", "--start", "2026-02-01")
    # Shorter is allowed: the AG moved the closing date.
    run("--firm", "horizon", "--condominium", "606", "--end", "2026-06-30")
    assert years_of(world)[-1][:2] == (DAY(2026, 1, 1), DAY(2026, 6, 30))


def test_n_plus_2_waits_until_n_is_closed(world: World) -> None:
    run("--firm", "horizon", "--condominium", "606", "--start", "2025-01-01")
    run("--firm", "horizon", "--condominium", "606")  # N+1 while N is open: fine
    with pytest.raises(CommandError, match="Clôturez d'abord l'exercice 01/01/2025 – 31/12/2025"):
        run("--firm", "horizon", "--condominium", "606")
    assert len(years_of(world)) == 2
    with firm_scope(world.horizon):
        first = FiscalYear.objects.get(condominium=world.condo, start_date=DAY(2025, 1, 1))
        services.close_fiscal_year(fiscal_year=first)
    assert "du 01/01/2027 au 31/12/2027" in run("--firm", "horizon", "--condominium", "606")
    out = run("--firm", "horizon", "--condominium", "606", "--start", "2025-01-01")
    assert "existe déjà (clôturé)" in out


def test_the_service_alone_keeps_its_old_behaviour_for_history_rebuilds(world: World) -> None:
    """The demo rebuilds past years: without `one_year_ahead`, N+2 may open while N is open."""
    with firm_scope(world.horizon):
        years = open_books(world.condo, first_year=2023, years=3)
        assert [year.label for year in years] == ["2023", "2024", "2025"]
        with pytest.raises(LedgerError, match="Clôturez d'abord l'exercice 01/01/2023"):
            services.open_fiscal_year(condominium=world.condo, one_year_ahead=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--firm", "nulle-part", "--condominium", "606"), "Cabinet « nulle-part » inconnu"),
        (("--firm", "horizon", "--condominium", "999"), "pas de copropriété 999"),
        (("--firm", "horizon", "--condominium", "606", "--start", "01/01/2025"), "date invalide, attendu AAAA-MM-JJ"),
        (("--firm", "horizon", "--condominium", "149"), "pas de copropriété 149"),  # rivage's, not horizon's
    ],
)
def test_refusals_are_clear(world: World, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert years_of(world) == []


def test_exit_codes_and_stderr(world: World, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    # run_from_argv closes the connections when it ends: keep the test's open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    argv = ["manage.py", "open_fiscal_year", "--firm", "horizon", "--condominium", "606"]
    Command().run_from_argv([*argv, "--start", "2025-01-01"])  # returns: exit status 0
    Command().run_from_argv([*argv, "--start", "2025-01-01"])  # already there: still 0
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv([*argv, "--start", "2025-01-01", "--end", "2025-03-31"])
    assert exited.value.code == 1
    assert "CommandError: L'exercice commençant le 01/01/2025 existe déjà" in capsys.readouterr().err


# --- The page -----------------------------------------------------------------------------------


@pytest.fixture
def books(world: World) -> World:
    with firm_scope(world.horizon):
        open_books(world.condo, first_year=2025)
    return world


def page(world: World) -> str:
    return reverse("backoffice:fiscal_years_condominium", args=[world.condo.pk])


def opening(world: World) -> str:
    return reverse("backoffice:fiscal_years_open", args=[world.condo.pk])


@pytest.mark.parametrize("role", [StaffRole.FIRM_ADMIN, StaffRole.ACCOUNTANT])
def test_admins_and_accountants_open_the_next_year(books: World, role: str) -> None:
    client = client_for(books.horizon, StaffUserFactory(firm=books.horizon, membership=role))
    text = client.get(page(books)).content.decode()
    assert "Ouvrir l'exercice suivant" in text
    assert 'value="2026-12-31"' in text  # proposed closing
    assert 'type="hidden" name="start_date" value="2026-01-01"' in text
    response = client.post(opening(books), {"start_date": "2026-01-01", "end_date": "2026-12-31"}, follow=True)
    assert "Exercice 2026 ouvert, du 01/01/2026 au 31/12/2026." in response.content.decode()
    assert [start for start, _end, _state in years_of(books)] == [DAY(2025, 1, 1), DAY(2026, 1, 1)]
    # The same again: said, nothing opened.
    again = client.post(opening(books), {"start_date": "2026-01-01", "end_date": "2026-12-31"}, follow=True)
    assert "existe déjà : rien à faire" in again.content.decode()
    # N+2 while N is open: refused with the reason, shown on the page.
    refused = client.post(opening(books), {"start_date": "2027-01-01", "end_date": "2027-12-31"}, follow=True)
    text = refused.content.decode()
    assert "Exercice non ouvert : Clôturez d&#x27;abord l&#x27;exercice 01/01/2025" in text
    assert "Deux exercices sont déjà ouverts" in text
    assert len(years_of(books)) == 2


def test_a_manager_reads_but_does_not_open(books: World) -> None:
    client = client_for(books.horizon, books.manager)
    text = client.get(page(books)).content.decode()
    assert "01/01/2025" in text
    assert "ouvert" in text
    assert "Un administrateur du cabinet ou un comptable l'ouvre." in text
    assert client.post(opening(books), {"start_date": "2026-01-01", "end_date": "2026-12-31"}).status_code == 403
    assert len(years_of(books)) == 1


def test_another_firm_or_another_portfolio_gets_a_404(books: World) -> None:
    stranger = StaffUserFactory(firm=books.rivage, membership=StaffRole.FIRM_ADMIN)
    client = client_for(books.rivage, stranger)
    assert client.get(page(books)).status_code == 404
    assert client.post(opening(books), {"start_date": "2026-01-01", "end_date": "2026-12-31"}).status_code == 404
    # A staff member whose portfolio holds another condominium of the same firm.
    from tantieme.users.models import PortfolioCondominium

    with firm_scope(books.horizon):
        other = CondominiumFactory(firm=books.horizon, code="607")
    accountant = StaffUserFactory(firm=books.horizon, membership=StaffRole.ACCOUNTANT)
    PortfolioCondominium.objects.create(firm=books.horizon, user=accountant, condominium=other)
    client = client_for(books.horizon, accountant)
    assert client.get(page(books)).status_code == 404
    assert client.get(reverse("backoffice:fiscal_years_condominium", args=[other.pk])).status_code == 200
    assert len(years_of(books)) == 1


def test_the_first_year_form_and_its_limits(world: World) -> None:
    admin = StaffUserFactory(firm=world.horizon, membership=StaffRole.FIRM_ADMIN)
    client = client_for(world.horizon, admin)
    with time_machine.travel(datetime.datetime(2026, 12, 4, 12, 0), tick=False):
        text = client.get(page(world)).content.decode()
    assert "Ouvrir le premier exercice" in text
    assert 'value="2026-01-01"' in text
    assert 'value="2026-12-31"' in text
    short = client.post(opening(world), {"start_date": "2026-01-01", "end_date": "2026-03-31"}, follow=True)
    assert "Le premier exercice dure de 6 à 18 mois" in short.content.decode()
    assert client.post(opening(world), {"start_date": "", "end_date": "x"}, follow=True).status_code == 200
    assert years_of(world) == []


def test_the_pages_read_a_bounded_number_of_queries(books: World, django_assert_max_num_queries: Any) -> None:
    with firm_scope(books.horizon):
        for code in ("610", "611", "612", "613"):
            open_books(CondominiumFactory(firm=books.horizon, code=code), first_year=2025, years=2)
    client = client_for(books.horizon, StaffUserFactory(firm=books.horizon, membership=StaffRole.ACCOUNTANT))
    client.get(reverse("backoffice:home"))  # warm the session
    with django_assert_max_num_queries(12):
        home = client.get(reverse("backoffice:fiscal_years_home"))
    assert home.status_code == 200
    with django_assert_max_num_queries(15):  # « À traiter »: every block
        dashboard = client.get(reverse("backoffice:home"))
    assert "Exercices à ouvrir ou à clôturer" in dashboard.content.decode()  # 2025 ended, still open
    with django_assert_max_num_queries(12):
        assert client.get(page(books)).status_code == 200


# --- Closed years: Python and the database ------------------------------------------------------


def test_a_closed_year_refuses_an_entry_in_python(books: World) -> None:
    with firm_scope(books.horizon):
        year = FiscalYear.objects.get(condominium=books.condo)
        services.close_fiscal_year(fiscal_year=year)
        with pytest.raises(
            ClosedFiscalYearError, match="Le 15/03/2025 tombe dans l'exercice clôturé 01/01/2025 – 31/12/2025"
        ):
            services.post_entry(
                condominium=books.condo,
                journal="OD",
                date=DAY(2025, 3, 15),
                label="x",
                lines=[LineDraft(account="512", debit=D("1.00")), LineDraft(account="472", credit=D("1.00"))],
            )


def _raw_entry(year: FiscalYear, journal: Journal, number: int) -> None:
    """An entry inserted by raw SQL, past every Python check."""
    day = DAY(2025, 3, 15)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entry (firm_id, condominium_id, journal_id, fiscal_year_id, number, code, date, "
            "validation_date, voucher, voucher_date, label, posted_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', %s, 'forged', %s)",
            [
                journal.condominium.firm_id,
                journal.condominium_id,
                journal.pk,
                year.pk,
                number,
                f"OD2025-{number:04d}",
                day,
                day,
                day,
                timezone.now(),
            ],
        )


@pytest.mark.postgres
def test_the_database_refuses_an_entry_in_a_closed_year(books: World) -> None:
    with firm_scope(books.horizon):
        year = FiscalYear.objects.get(condominium=books.condo)
        journal = Journal.objects.select_related("condominium").get(condominium=books.condo, code="OD")
        # The same INSERT is accepted while the year is open (rolled back: it has no lines).
        with transaction.atomic():
            _raw_entry(year, journal, 901)
            transaction.set_rollback(True)
        services.close_fiscal_year(fiscal_year=year)
        with pytest.raises(IntegrityError, match="is closed: no entry may be added to it"), transaction.atomic():
            _raw_entry(year, journal, 902)
