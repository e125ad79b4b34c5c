"""Back office « Suivi budgétaire »: the table, its exports, the drill-down to the ledger lines;
portfolio and firm walls; bounded queries."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator

import openpyxl
import pytest
import time_machine

from tantieme.funds.models import Budget
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import PortfolioCondominium
from tests.conftest import client_for
from tests.factories import CondominiumFactory, FirmFactory, StaffUserFactory
from tests.funds.test_actuals import Tilleuls, _charge, build_tilleuls

SEPT_30 = datetime.datetime(2026, 9, 30, 12, 0)


@pytest.fixture
def tilleuls(db: None) -> Iterator[Tilleuls]:
    firm = FirmFactory(slug="tilleuls", name="Cabinet des Tilleuls")
    with firm_scope(firm):
        yield build_tilleuls(firm)


def _url(t: Tilleuls, suffix: str = "") -> str:
    return f"/gestion/suivi-budgetaire/{t.condominium.pk}/{suffix}"


def test_the_table_per_key_and_line(tilleuls: Tilleuls, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    manager = StaffUserFactory(firm=tilleuls.condominium.firm, membership=StaffRole.READ_ONLY)
    client = client_for(tilleuls.condominium.firm, manager)
    home = client.get("/gestion/suivi-budgetaire/").content.decode()
    assert _url(tilleuls) in home
    with time_machine.travel(SEPT_30, tick=False), django_assert_max_num_queries(15):
        response = client.get(_url(tilleuls))
    page = response.content.decode()
    assert response.status_code == 200
    assert "74,8 % de l&#x27;exercice écoulé" in page or "74,8 % de l'exercice écoulé" in page
    assert "Situation au 30/09/2026" in page
    # CG 615: budget 900, actual 385, remaining 515, 42,8 %, expected 673,15, projection 611,85.
    for figure in ("900,00", "385,00", "515,00", "42,8", "673,15", "611,85", "-288,15"):
        assert figure in page, figure
    assert '<caption id="budget-actuals-caption">' in page
    assert 'scope="rowgroup"' in page
    assert 'value="42.8"' in page  # the <meter> bar, with the figure in words next to it
    assert "Budget dépassé" in page  # ASC 614: 2 520 > 2 500, said in words
    assert f"cle={tilleuls.keys['CG'].pk}&amp;compte=615" in page
    # Another year is picked with ?exercice=.
    assert client.get(_url(tilleuls), {"exercice": tilleuls.year.pk}).status_code == 200


def test_the_page_runs_the_same_queries_with_many_lines(tilleuls: Tilleuls, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    admin = StaffUserFactory(firm=tilleuls.condominium.firm, membership=StaffRole.FIRM_ADMIN)
    client = client_for(tilleuls.condominium.firm, admin)
    for day in range(1, 29):
        _charge(
            tilleuls,
            datetime.date(2026, 3, day),
            f"F{day}",
            ("615", "CG", Decimal("12.00")),
            ("6223", "ASC", Decimal("3.00")),
        )
    with time_machine.travel(SEPT_30, tick=False), django_assert_max_num_queries(15):
        page = client.get(_url(tilleuls)).content.decode()
    assert "Hors budget" in page
    assert "hors budget" in page


def test_exports_csv_and_xlsx(tilleuls: Tilleuls) -> None:
    accountant = StaffUserFactory(firm=tilleuls.condominium.firm, membership=StaffRole.ACCOUNTANT)
    client = client_for(tilleuls.condominium.firm, accountant)
    with time_machine.travel(SEPT_30, tick=False):
        csv = b"".join(client.get(_url(tilleuls), {"format": "csv"}).streaming_content).decode("utf-8-sig")
        xlsx = client.get(_url(tilleuls), {"format": "xlsx"})
    assert "Clé;Compte;Libellé;Budget;Réalisé;Reste;Consommation" in csv
    assert "CG;615;Entretien et petites réparations;900,00;385,00;515,00;42,8 %;673,15;611,85;-288,15" in csv
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any(row[:2] == ["ASC", "614"] for row in values)


def test_drill_down_to_the_ledger_lines(tilleuls: Tilleuls, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    manager = StaffUserFactory(firm=tilleuls.condominium.firm, membership=StaffRole.MANAGER)
    client = client_for(tilleuls.condominium.firm, manager)
    query = {"exercice": tilleuls.year.pk, "cle": tilleuls.keys["BATB"].pk, "compte": "611"}
    with django_assert_max_num_queries(15):
        page = client.get(_url(tilleuls, "lignes/"), query).content.decode()
    assert "NET&#x27;ÉCLAT NE-2026-0917" in page or "NET'ÉCLAT NE-2026-0917" in page
    assert "792,00" in page
    assert "1\xa0188,00" not in page  # the CG part of the same invoice is another figure
    assert (
        f"/gestion/comptabilite/{tilleuls.condominium.pk}/grand-livre/?exercice={tilleuls.year.pk}&amp;compte=611"
        in page
    )
    assert "/ecritures/" in page  # each line links to its entry
    csv = b"".join(client.get(_url(tilleuls, "lignes/"), {**query, "format": "csv"}).streaming_content).decode(
        "utf-8-sig"
    )
    assert "792,00" in csv
    # Without a figure chosen: back to the table.
    back = client.get(_url(tilleuls, "lignes/"), {"exercice": tilleuls.year.pk})
    assert back.status_code == 302
    assert back["Location"] == f"{_url(tilleuls)}?exercice={tilleuls.year.pk}"
    for bad in (
        {**query, "compte": "6x"},
        {**query, "cle": "999999"},
        {**query, "cle": "abc"},
    ):
        assert client.get(_url(tilleuls, "lignes/"), bad).status_code == 404


def test_walls(tilleuls: Tilleuls) -> None:
    firm = tilleuls.condominium.firm
    # Outside the portfolio: 404, the export and the drill-down too.
    with firm_scope(firm):
        elsewhere = CondominiumFactory(firm=firm, code="AUT")
        limited = StaffUserFactory(firm=firm, membership=StaffRole.MANAGER)
        PortfolioCondominium.objects.create(firm=firm, user=limited, condominium=elsewhere)
    client = client_for(firm, limited)
    for suffix, query in (
        ("", {}),
        ("", {"format": "csv"}),
        ("lignes/", {"exercice": tilleuls.year.pk, "cle": "aucune", "compte": "611"}),
    ):
        assert client.get(_url(tilleuls, suffix), query).status_code == 404
    assert _url(tilleuls) not in client.get("/gestion/suivi-budgetaire/").content.decode()
    # Another firm's staff: 404.
    other = FirmFactory(slug="ailleurs")
    outsider = StaffUserFactory(firm=other, membership=StaffRole.FIRM_ADMIN)
    with firm_scope(other):
        foreign = client_for(other, outsider)
        assert foreign.get(_url(tilleuls)).status_code == 404
        assert foreign.get(_url(tilleuls, "lignes/"), {"cle": "aucune", "compte": "611"}).status_code == 404
    # A key of another condominium in the drill-down: 404.
    with firm_scope(firm):
        from tests.factories import AllocationKeyFactory

        foreign_key = AllocationKeyFactory(condominium=elsewhere, code="CG2")
    admin = client_for(firm, StaffUserFactory(firm=firm, membership=StaffRole.FIRM_ADMIN))
    query = {"exercice": tilleuls.year.pk, "cle": foreign_key.pk, "compte": "611"}
    assert admin.get(_url(tilleuls, "lignes/"), query).status_code == 404


def test_no_budget_and_no_year(tilleuls: Tilleuls) -> None:
    firm = tilleuls.condominium.firm
    admin = client_for(firm, StaffUserFactory(firm=firm, membership=StaffRole.FIRM_ADMIN))
    with firm_scope(firm):
        Budget.objects.filter(condominium=tilleuls.condominium).delete()
        bare = CondominiumFactory(firm=firm, code="NEW")
    with time_machine.travel(SEPT_30, tick=False):
        page = admin.get(_url(tilleuls)).content.decode()
    assert "Aucun budget n" in page
    assert page.count("(hors budget)") == 4  # every charge of the year, under its key
    url = f"/gestion/suivi-budgetaire/{bare.pk}/"
    assert "Aucun exercice n" in admin.get(url).content.decode()
    assert admin.get(url, {"format": "csv"}).status_code == 404
