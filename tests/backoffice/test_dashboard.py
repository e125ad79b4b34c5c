"""« À traiter » (issue 13, item 1): each block, the portfolio and firm walls, a constant query count."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tantieme.banking.enums import ImportState, LineKind, LineStatus, StatementFormat
from tantieme.banking.models import StatementImport, StatementLine
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.funds.enums import Frequency
from tantieme.funds.models import Budget
from tantieme.payments.enums import PaymentMode, PaymentState, ProviderKind
from tantieme.payments.models import Payment, PaymentProviderConfig
from tantieme.search.balances import refresh_balances
from tantieme.search.models import CoOwnerBalance
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tantieme.tickets import services as tickets
from tantieme.tickets.enums import TicketCategory
from tantieme.tickets.models import Ticket, TicketMessage
from tantieme.users.models import PortfolioCondominium, User
from tests.conftest import World, client_for
from tests.documents.factories import DocumentFactory
from tests.factories import CondominiumFactory, CoOwnerFactory, StaffUserFactory, co_owner_user
from tests.ledger.factories import open_books, post_call

HOME = reverse("backoffice:home")
NOW = datetime.datetime(2026, 3, 16, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 16)


def bank_line(condo: Condominium, *, status: str, booked: datetime.date, amount: str = "120.00", n: int = 0) -> None:
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
        entry_key=f"K-{status}-{booked}-{n}",
        position=n,
        booking_date=booked,
        amount=Decimal(amount),
        label="VIR INCONNU",
        kind=LineKind.UNIDENTIFIED,
        status=status,
    )


def waiting_ticket(co_owner: CoOwner, *, subject: str, at: datetime.datetime) -> Ticket:
    with firm_scope(co_owner.firm), time_machine.travel(at, tick=False):
        return tickets.open_ticket(
            co_owner=co_owner,
            author=co_owner.users.first() or co_owner_user(co_owner),
            category=TicketCategory.OTHER,
            subject=subject,
            body="Bonjour, une question.",
        )


def payment(co_owner: CoOwner, *, state: str, order_id: str, created: datetime.datetime, **fields: Any) -> Payment:
    config, _created = PaymentProviderConfig.all_firms.get_or_create(
        firm=co_owner.firm, condominium=None, defaults={"provider": ProviderKind.SANDBOX}
    )
    return Payment.all_firms.create(
        firm=co_owner.firm,
        condominium=co_owner.condominium,
        co_owner=co_owner,
        config=config,
        provider=ProviderKind.SANDBOX,
        mode=PaymentMode.TEST,
        amount=Decimal("250.00"),
        state=state,
        order_id=order_id,
        created_at=created,
        **fields,
    )


@dataclass
class Desk:
    world: World
    other: Condominium  # horizon's second condominium, outside the portfolio of `limited`
    limited: User  # a manager whose portfolio is 606 only


@pytest.fixture
def desk(world: World) -> Desk:
    """Work waiting in 606 and in horizon's 607; the same kinds of work at rivage (never shown)."""
    other = CondominiumFactory(firm=world.horizon, code="607", name="Les Glycines")
    carol = CoOwnerFactory(condominium=other, reference="A6070001", last_name="GLYCINE")
    with firm_scope(world.horizon):
        open_books(world.condo, first_year=2026)
        open_books(other, first_year=2026)
        post_call(world.condo, world.alice, Decimal("812.40"), date=datetime.date(2026, 1, 1))
        post_call(world.condo, world.bob, Decimal("120.00"), date=datetime.date(2026, 1, 1))
        post_call(other, carol, Decimal("999.99"), date=datetime.date(2026, 1, 1))
        post_call(world.condo, world.bob, Decimal("5000.00"), date=datetime.date(2026, 6, 1))  # not due yet
    bank_line(world.condo, status=LineStatus.TO_REVIEW, booked=datetime.date(2026, 3, 1), n=1)
    bank_line(world.condo, status=LineStatus.TO_REVIEW, booked=datetime.date(2026, 3, 10), n=2)
    bank_line(world.condo, status=LineStatus.SUSPENSE, booked=datetime.date(2026, 2, 14), n=3)
    bank_line(world.condo, status=LineStatus.MATCHED, booked=datetime.date(2026, 1, 5), n=4)
    bank_line(other, status=LineStatus.SUSPENSE, booked=datetime.date(2026, 3, 12), n=5)
    bank_line(world.other_condo, status=LineStatus.SUSPENSE, booked=datetime.date(2025, 1, 2), n=6)
    # Requests: Alice waits for 3 days (late), Bob for 2 hours; Carol's was answered; Charlie's is rivage's.
    waiting_ticket(world.alice, subject="Fuite au 3e", at=NOW - datetime.timedelta(days=3))
    waiting_ticket(world.bob, subject="Badge du parking", at=NOW - datetime.timedelta(hours=2))
    answered = waiting_ticket(carol, subject="Déjà répondu", at=NOW - datetime.timedelta(days=5))
    with firm_scope(world.horizon):
        TicketMessage.objects.create(
            ticket=answered, body="Voici", from_staff=True, created_at=NOW - datetime.timedelta(days=4)
        )
    waiting_ticket(world.charlie, subject="Demande de rivage", at=NOW - datetime.timedelta(days=9))
    # Card payments: one failed to start, one paid and posted (fine), one of rivage's.
    payment(world.alice, state=PaymentState.ERROR, order_id="ERR-1", created=NOW - datetime.timedelta(days=2))
    payment(world.bob, state=PaymentState.PENDING, order_id="OK-1", created=NOW - datetime.timedelta(hours=1))
    payment(world.charlie, state=PaymentState.ERROR, order_id="RIV-1", created=NOW - datetime.timedelta(days=1))
    # Budget 2026, quarterly: the call of 01/04/2026 is to issue; 607 has a monthly one.
    Budget.all_firms.create(
        condominium=world.condo, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31)
    )
    Budget.all_firms.create(
        condominium=other,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        frequency=Frequency.MONTHLY,
    )
    # The extranet: 606 has its rules and an archived fiche; 607 has everything.
    DocumentFactory(condominium=world.condo, category=DocumentCategory.RULES)
    DocumentFactory(condominium=world.condo, category=DocumentCategory.SUMMARY_SHEET, archived_at=timezone.now())
    DocumentFactory(condominium=world.condo, category=DocumentCategory.INSURANCE, audience=Audience.COUNCIL)
    for category in DocumentCategory:
        if category.value in {c.value for c in list(DocumentCategory)[:9]}:
            DocumentFactory(condominium=other, category=category)
    with time_machine.travel(NOW, tick=False):
        refresh_balances(firm=world.horizon)
    limited = StaffUserFactory(firm=world.horizon, login="limitee@horizon.example")
    PortfolioCondominium.objects.create(firm=world.horizon, user=limited, condominium=world.condo)
    return Desk(world=world, other=other, limited=limited)


def page(firm: Firm, user: User) -> str:
    client = client_for(firm, user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def test_every_block_of_the_manager(desk: Desk) -> None:
    text = page(desk.world.horizon, desk.world.manager)
    assert "<h1>À traiter</h1>" in text
    # Bank: 606 (oldest line in suspense for 30 days) before 607 (4 days).
    assert "2 à vérifier, 2 en attente d'imputation" in text
    assert text.index("Résidence 606") < text.index("607 Les Glycines")
    assert "30 jours" in text
    assert "15 jours" in text
    assert "4 jours" in text
    assert reverse("backoffice:banking_suspense") in text
    # Requests: Alice's first (the oldest), marked late in words; Bob's is not late; Carol's was answered.
    assert "2 demandes attendent une réponse, dont 1 depuis plus de 48 h." in text
    assert text.index("Fuite au 3e") < text.index("Badge du parking")
    assert text.count("plus de 48 h</span>") == 1
    assert "Déjà répondu" not in text
    # Payments: the failed one only.
    assert "ERR-1" in text
    assert "erreur à l&#x27;ouverture du paiement" in text
    assert "OK-1" not in text
    # Calls: 606's second quarter, 607's March (late: due on the 1st) and April.
    assert "Appel 2 du budget 2026" in text
    assert "Appel 3 du budget 2026" in text
    assert "en retard" in text
    assert "Appel 4 du budget 2026" in text
    # Arrears: Alice 812,40 € and Carol 999,99 €; Bob owes 120 € today (his June call is not due).
    assert "Copropriétaires débiteurs de plus de 500,00" in text
    assert "812,40" in text
    assert "999,99" in text
    assert "2 copropriétaires, 1" in text
    assert "812,39" in text
    assert text.index("M. GLYCINE") < text.index("M. et Mme TEST Jean</a>")
    assert "Soldes calculés le 16/03/2026 à 11:00" in text
    # Extranet: 606 misses 8 of 9 (the archived fiche and the council-only insurance do not count).
    assert "8 / 9" in text
    assert "Fiche synthétique" in text
    assert reverse("backoffice:documents_condominium", args=[desk.world.condo.pk]) in text
    assert reverse("backoffice:documents_condominium", args=[desk.other.pk]) not in text
    # The condominiums, with their files.
    assert f'href="/gestion/coproprietes/{desk.world.condo.pk}/"' in text
    assert f'href="/gestion/coproprietes/{desk.other.pk}/"' in text
    # Another firm's work never shows.
    for foreign in ("Demande de rivage", "RIV-1", "DURAND", "149"):
        assert foreign not in text


def test_the_portfolio_limits_every_block(desk: Desk) -> None:
    text = page(desk.world.horizon, desk.limited)
    assert "Dans votre portefeuille : 1 copropriété." in text
    assert "Les Glycines" not in text
    assert "GLYCINE" not in text
    assert "Déjà répondu" not in text
    assert "4 jours" not in text  # 607's suspense line
    assert "Appel 3 du budget 2026" not in text  # 607's monthly call
    assert "Fuite au 3e" in text
    assert "812,40" in text


def test_an_empty_desk_says_so(world: World) -> None:
    text = page(world.horizon, world.manager)
    assert "Aucune ligne bancaire à vérifier ni en attente." in text
    assert "Aucune demande n'attend de réponse." in text
    assert "Aucun paiement par carte à examiner." in text
    assert "Aucun copropriétaire au-dessus du seuil." in text
    assert "Exercices à ouvrir ou à clôturer" not in text


@pytest.mark.parametrize("role", [StaffRole.READ_ONLY, StaffRole.ASSISTANT, StaffRole.ACCOUNTANT])
def test_every_role_has_the_page(desk: Desk, role: str) -> None:
    user = StaffUserFactory(firm=desk.world.horizon, membership=role)
    assert "Fuite au 3e" in page(desk.world.horizon, user)


def test_co_owners_and_strangers_do_not(desk: Desk) -> None:
    assert client_for(desk.world.horizon, desk.world.alice_user).get(HOME).status_code == 404
    assert Client(HTTP_HOST="horizon.localhost").get(HOME).status_code == 302


def _more_work(firm: Firm, count: int) -> None:
    """`count` more condominiums with a line in suspense, a waiting request, a debtor, a budget."""
    for index in range(count):
        condo = CondominiumFactory(firm=firm, code=f"{700 + index}")
        co_owner = CoOwnerFactory(condominium=condo, reference=f"A{700 + index}0001")
        with firm_scope(firm):
            open_books(condo, first_year=2026)
            post_call(condo, co_owner, Decimal("700.00"), date=datetime.date(2026, 1, 1))
        bank_line(condo, status=LineStatus.SUSPENSE, booked=datetime.date(2026, 3, 2), n=100 + index)
        waiting_ticket(co_owner, subject=f"Demande {index}", at=NOW - datetime.timedelta(days=index))
        payment(co_owner, state=PaymentState.ERROR, order_id=f"ERR-X{index}", created=NOW - datetime.timedelta(days=1))
        Budget.all_firms.create(
            condominium=condo, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31)
        )
        DocumentFactory(condominium=condo, category=DocumentCategory.RULES)


def test_a_constant_number_of_queries(desk: Desk, django_assert_max_num_queries: Any) -> None:
    client = client_for(desk.world.horizon, desk.world.manager)
    client.get(HOME)  # warm the session

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        return len(queries)

    small = count()
    _more_work(desk.world.horizon, 12)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(15):
        text = client.get(HOME).content.decode()
    assert "Dans votre portefeuille : 14 copropriétés." in text
    assert count() == small


# --- The index of balances the arrears block reads -------------------------------------------------


def test_the_balance_index_adds_up_the_ledger(desk: Desk) -> None:
    world = desk.world
    with firm_scope(world.horizon):
        owed = {row.co_owner.last_name: row.balance for row in CoOwnerBalance.objects.select_related("co_owner")}
    # Bob's June call is not due on the day of the refresh (16/03/2026); nobody else owes.
    assert owed == {"TEST": Decimal("812.40"), "MARTIN": Decimal("120.00"), "GLYCINE": Decimal("999.99")}
    with firm_scope(world.horizon):
        post_call(world.condo, world.alice, Decimal("0.60"), date=datetime.date(2026, 3, 1))
    with time_machine.travel(NOW, tick=False):
        assert refresh_balances(firm=world.horizon) == 3
        assert refresh_balances(firm=world.horizon) == 3  # again: the same rows, not twice
    with firm_scope(world.horizon):
        assert CoOwnerBalance.objects.get(co_owner=world.alice).balance == Decimal("813.00")
        assert CoOwnerBalance.objects.count() == 3
    assert not CoOwnerBalance.all_firms.filter(firm=world.rivage).exists()


def test_the_command_and_the_periodic_job(desk: Desk) -> None:
    from io import StringIO

    from django.core.management import call_command

    from tantieme.core.periodic import jobs

    CoOwnerBalance.all_firms.all().delete()
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("refresh_balances", "--firm", "horizon", stdout=out)
    assert "horizon: 3 copropriétaires débiteurs" in out.getvalue()
    job = next(job for job in jobs() if job.name == "search.refresh_balances")
    with time_machine.travel(NOW, tick=False):
        assert "co-owners owing" in job.run()


def test_long_blocks_show_the_first_rows_and_say_how_many_more(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    from tantieme.backoffice import dashboard

    monkeypatch.setattr(dashboard, "CONDOMINIUMS_SHOWN", 1)
    text = page(desk.world.horizon, desk.world.manager)
    assert "Et 1 autre copropriété : voir les files d'attente." in text
    assert '607 Les Glycines</a></th>\n        <td class="num">0' not in text  # 607's bank row is the one left out
