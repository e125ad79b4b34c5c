"""Issue 16 items 2 and 3: one truth about what is owed (« Accueil » = « Mon compte » = the payment
page), « Payer » only when something remains, a credit never shown as a negative number; the why of
every call line and régularisation; the chart; owner walls; query budgets."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from tantieme.funds.issuing import instalments_for_period, issue_call
from tantieme.funds.models import CallNotice
from tantieme.ledger import services
from tantieme.payments.enums import PaymentState
from tantieme.portal.owed import Owed, PendingItem, owed_figures
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World, client_for
from tests.factories import FirmFactory, co_owner_user
from tests.funds.helpers import Example, build_example, vote_example_budget
from tests.payments.helpers import books_with_balance, new_payment

NBSP = "\u00a0"


def text(response: Any) -> str:
    return str(response.content.decode()).replace(NBSP, " ").replace("\u202f", " ")


@pytest.fixture
def owing(world: World) -> World:
    books_with_balance(world.horizon, world.condo, world.alice)  # 1 210,77 € owed
    return world


def paid_card_payment(world: World, amount: str = "250.00") -> None:
    payment, _fields = new_payment(world.horizon, world.alice, Decimal(amount))
    with firm_scope(world.horizon):
        payment.state = PaymentState.PAID
        payment.save(update_fields=["state"])


def test_the_figures() -> None:
    today = datetime.date(2026, 3, 10)
    owed = Owed(balance=Decimal("1210.77"), pending_items=(PendingItem(today, Decimal("250.00"), "card"),))
    assert (owed.pending, owed.remaining, owed.credit, owed.can_pay) == (
        Decimal("250.00"),
        Decimal("960.77"),
        Decimal("0"),
        True,
    )
    covered = Owed(balance=Decimal("100.00"), pending_items=(PendingItem(today, Decimal("250.00"), "card"),))
    assert (covered.remaining, covered.can_pay) == (Decimal("0"), False)  # never below zero
    credit = Owed(balance=Decimal("-450.00"))
    assert (credit.credit, credit.remaining, credit.can_pay) == (Decimal("450.00"), Decimal("0"), False)


def test_a_pending_payment_changes_the_home_page_and_the_account_alike(owing: World) -> None:
    client = client_for(owing.horizon, owing.alice_user)
    before = text(client.get("/"))
    assert "Solde débiteur : 1 210,77 €" in before
    assert "Reste à payer : 1 210,77 €" in before
    assert "Paiement en cours" not in before
    assert ">Payer</a>" in before

    paid_card_payment(owing)
    for page in (text(client.get("/")), text(client.get(reverse("portal:account")))):
        assert "Solde débiteur : 1 210,77 €" in page
        assert "Paiement en cours : 250,00 €" in page
        assert "Reste à payer : 960,77 €" in page
    # The payment page offers what remains, not the balance.
    payment_page = text(client.get(reverse("portal:payment_amount")))
    assert 'value="960,77"' in payment_page
    assert "Reste à payer : 960,77 €" in payment_page
    with firm_scope(owing.horizon):
        figures = owed_figures([owing.alice], datetime.date.today())
    assert figures[owing.alice.pk].remaining == Decimal("960.77")


def test_payments_covering_the_balance_offer_no_payer_button(owing: World) -> None:
    paid_card_payment(owing, "1210.77")
    client = client_for(owing.horizon, owing.alice_user)
    home = text(client.get("/"))
    assert "Paiement en cours : 1 210,77 €" in home
    assert ">Payer</a>" not in home
    assert "Paiement par carte</a>" not in text(client.get(reverse("portal:account")))


def test_a_co_owner_in_credit_sees_no_payer_and_no_negative_number(owing: World) -> None:
    with firm_scope(owing.horizon):
        services.post_co_owner_payment(
            co_owner=owing.alice,
            amount=Decimal("1660.77"),
            date=datetime.date.today(),
            journal="BQ1",
            label="Virement TEST A 606 0001",
        )
    client = client_for(owing.horizon, owing.alice_user)
    home = text(client.get("/"))
    assert "Solde créditeur : 450,00 € en votre faveur" in home
    assert ">Payer</a>" not in home
    assert "-450" not in home
    account = text(client.get(reverse("portal:account")))
    assert "Solde créditeur : 450,00 € en votre faveur" in account
    assert "450,00 € créditeur" in account  # the statement's running and final balance
    assert "-450" not in account
    assert "Paiement par carte</a>" not in account


def test_the_native_date_picker_and_the_french_format_are_both_accepted(owing: World) -> None:
    client = client_for(owing.horizon, owing.alice_user)
    year = datetime.date.today().year
    for start, end in ((f"{year}-01-01", f"{year}-12-31"), (f"01/01/{year}", f"31/12/{year}")):
        page = text(client.get(reverse("portal:account"), {"start": start, "end": end}))
        assert f"Opérations du 01/01/{year} au 31/12/{year}" in page
        assert f'type="date" name="start" value="{year}-01-01"' in page
        assert f'value="{year}-12-31"' in page


# --- The why of a call line -----------------------------------------------------------------------


@pytest.fixture
def example(db: None) -> Example:
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        example = build_example(firm=firm)
        vote_example_budget(example)
        (instalment,) = instalments_for_period(example.condominium, "2025-Q1")
        issue_call(instalment=instalment)
    return example


def test_a_call_line_explains_itself_and_another_owners_is_a_404(
    example: Example, django_assert_max_num_queries: Any
) -> None:
    anne, bernard = example.owners["A"], example.owners["B"]
    user = co_owner_user(anne)
    client = client_for(example.firm, user)
    with firm_scope(example.firm):
        notice = CallNotice.objects.select_related("call__entry").get(co_owner=anne)
        others = CallNotice.objects.select_related("call__entry").get(co_owner=bernard)
    code = notice.call.entry.code
    account = text(client.get(reverse("portal:account"), {"start": "01/01/2025", "end": "31/12/2025"}))
    assert f"detail={code}" in account
    assert "D'où vient ce montant ?" in account
    with django_assert_max_num_queries(10):
        response = client.get(reverse("portal:account"), {"detail": code})
    assert response.status_code == 200
    page = text(response)
    assert "Appel T1 2025" in page
    assert "233 / 1000" in page  # lot 1, key CG: tantièmes / total
    assert "Charges générales" in page
    assert "Assurance" in page  # the budget lines behind the key
    assert "2 800,00 €" in page
    assert f"{notice.amount_current}".replace(".", ",") in page.replace(" ", "")
    # Bernard's call is not Anne's: a 404, as for an unknown code.
    assert client.get(reverse("portal:account"), {"detail": others.call.entry.code}).status_code == 200  # same call
    assert client.get(reverse("portal:account"), {"detail": "AF2099-9999"}).status_code == 404
    bernard_user = co_owner_user(bernard)
    assert client.get(reverse("portal:account"), {"detail": code, "compte": bernard.pk}).status_code == 404
    bernard_client = client_for(example.firm, bernard_user)
    assert bernard_client.get(reverse("portal:account"), {"detail": code}).status_code == 200  # his own lines


def test_the_chart_and_the_account_page_budget(example: Example, django_assert_max_num_queries: Any) -> None:
    anne = example.owners["A"]
    client = client_for(example.firm, co_owner_user(anne))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("portal:account"), {"start": "01/01/2025", "end": "31/12/2025"})
    page = text(response)
    assert "Mon solde sur 24 mois" in page
    assert '<svg class="chart__svg"' in page
    assert "Solde à la fin de chaque mois" in page  # the text alternative
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200


def test_the_chart_series(owing: World) -> None:
    from tantieme.portal.chart import MONTHS, account_chart

    today = datetime.date.today()
    with firm_scope(owing.horizon):
        chart = account_chart(owing.alice, today, datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))
    assert len(chart.points) == MONTHS
    assert chart.points[-1].month == today.replace(day=1)
    assert chart.points[-1].balance == Decimal("1210.77")  # called on 1 January, unpaid
    assert chart.points[-1].text == "1\xa0210,77\xa0€"
    assert chart.points[0].balance == Decimal("0.00")  # two years ago: nothing yet
    assert chart.keys == ()  # no call for funds issued by the funds app in these books
