"""« Mon compte copropriétaire »: balance, statement by dates, print, CSV, transfer details."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tantieme.ledger import services
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World, client_for
from tests.ledger.factories import open_books, post_call


@pytest.fixture
def books(world: World) -> World:
    with firm_scope(world.horizon):
        open_books(world.condo, first_year=2025, years=2)
        for quarter, day in enumerate(
            [datetime.date(2025, 1, 1), datetime.date(2025, 4, 1), datetime.date(2026, 1, 1)]
        ):
            post_call(world.condo, world.alice, Decimal("605.40"), date=day, label=f"Appel de fonds T{quarter + 1}")
        post_call(world.condo, world.bob, Decimal("999.99"), date=datetime.date(2026, 1, 1), label="Appel Bob")
        services.post_co_owner_payment(
            co_owner=world.alice,
            amount=Decimal("605.43"),
            date=datetime.date(2025, 2, 3),
            journal="BQ1",
            label="Virement TEST A 606 0001",
        )
    return world


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_account_shows_the_balance_in_words_and_the_current_year(books: World) -> None:
    body = client_for(books.horizon, books.alice_user).get(reverse("portal:account")).content.decode()
    assert "1\xa0210,77\xa0€" in body  # 3 × 605,40 − 605,43
    assert "Solde débiteur" in body
    assert "Appel de fonds T3" in body  # 2026, the current fiscal year
    assert "Appel de fonds T1" not in body  # 2025: outside the default period
    assert "Appel Bob" not in body
    assert "Recherche disponible à partir du 01/01/2025" in body
    assert "FR11 4003 1000 0100 0011 3172 M58" in body
    assert "RF09 A606 0001" in body
    assert "TEST Jean A 606 0001" in body


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_statement_search_by_dates(books: World) -> None:
    client = client_for(books.horizon, books.alice_user)
    body = client.get(reverse("portal:account"), {"start": "01/01/2025", "end": "31/03/2025"}).content.decode()
    assert "Appel de fonds T1" in body
    assert "Virement TEST A 606 0001" in body
    assert "Appel de fonds T2" not in body
    bad = client.get(reverse("portal:account"), {"start": "31/03/2025", "end": "01/01/2025"}).content.decode()
    assert "La date de fin précède la date de début." in bad


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_print_and_csv_are_private_attachments(books: World) -> None:
    client = client_for(books.horizon, books.alice_user)
    pdf = client.get(reverse("portal:statement_pdf"), {"start": "01/01/2025", "end": "31/12/2026"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Cache-Control"] == "private, no-store"
    assert "attachment" in pdf["Content-Disposition"]
    csv = client.get(reverse("portal:statement_csv"), {"start": "01/01/2025", "end": "31/12/2026"})
    text = csv.content.decode("utf-8-sig")
    assert "Appel de fonds T1" in text
    assert "605,40" in text
    assert "Appel Bob" not in text


def test_another_account_id_is_a_404(books: World) -> None:
    client = client_for(books.horizon, books.alice_user)
    assert client.get(reverse("portal:account"), {"compte": books.bob.pk}).status_code == 404
    assert client.get(reverse("portal:statement_pdf"), {"compte": books.bob.pk}).status_code == 404
    assert client.get(reverse("portal:account"), {"compte": books.alice.pk}).status_code == 200


def test_account_page_queries_do_not_grow_with_history(books: World, django_assert_max_num_queries) -> None:
    with firm_scope(books.horizon):
        for month in range(1, 13):
            post_call(books.condo, books.alice, Decimal("10.00"), date=datetime.date(2025, month, 15))
    client = client_for(books.horizon, books.alice_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("portal:account"), {"start": "01/01/2025", "end": "31/12/2026"})
    assert response.status_code == 200


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_home_shows_each_account_balance_next_due_and_the_total(books: World) -> None:
    from tests.factories import CondominiumFactory, CoOwnerFactory

    second_condo = CondominiumFactory(firm=books.horizon, code="412")
    second = CoOwnerFactory(condominium=second_condo, reference="A4120007", last_name="TEST")
    second.users.add(books.alice_user)
    with firm_scope(books.horizon):
        open_books(second_condo, first_year=2026)
        post_call(second_condo, second, Decimal("100.00"), date=datetime.date(2026, 1, 1))
        post_call(books.condo, books.alice, Decimal("605.40"), date=datetime.date(2026, 4, 1), label="Appel T2")
    client = client_for(books.horizon, books.alice_user)
    body = client.get("/").content.decode()
    assert "1\xa0210,77\xa0€" in body
    assert "100,00\xa0€" in body
    assert "Prochaine échéance : 605,40\xa0€ le 01/04/2026" in body
    assert "Total de vos comptes : 1\xa0310,77\xa0€" in body
    # Switching accounts on « Mon compte »: the second account's statement.
    page = client.get(reverse("portal:account"), {"compte": second.pk}).content.decode()
    assert "A 412 0007" in page
    assert "100,00\xa0€" in page
