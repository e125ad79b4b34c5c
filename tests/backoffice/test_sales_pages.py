"""Back office « Ventes »: a manager takes a sale from the notary's request to the invited buyer;
refusals change nothing; roles, portfolio and firm walls; bounded queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine

from tantieme.audit.models import AuditEvent
from tantieme.condominiums.models import CoOwner
from tantieme.condominiums.services import owner_on
from tantieme.ledger.models import Entry
from tantieme.sales.enums import SaleStatus
from tantieme.sales.models import Sale
from tantieme.sales.services import issue_statement, open_sale
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import PortfolioCondominium, User
from tests.conftest import client_for
from tests.factories import CondominiumFactory, FirmFactory, StaffUserFactory
from tests.funds.helpers import Example, build_example
from tests.sales.helpers import build_seller_history

D = Decimal


def _at(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 12, 0), tick=False)


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        yield build_seller_history(build_example(firm=firm, years=2))


def _sale(example: Example, *, issued: bool = False) -> Sale:
    sale = open_sale(
        condominium=example.condominium,
        seller=example.owners["A"],
        lot_numbers=[1],
        requested_on=datetime.date(2026, 2, 15),
        notary_name="Me NOTAIRE",
    )
    if issued:
        sale = issue_statement(sale=sale, fee=D("300.00"), on=datetime.date(2026, 2, 20))
    return sale


def test_a_manager_sells_a_lot_and_the_buyer_is_invited(  # type: ignore[no-untyped-def]
    example: Example, smtp_server, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    manager = StaffUserFactory(firm=example.firm, membership=StaffRole.MANAGER)
    client = client_for(example.firm, manager)
    condominium = example.condominium
    with _at(datetime.date(2026, 2, 15)):
        assert "Copropriété du lot vendu" in client.get("/gestion/ventes/nouvelle/").content.decode()
        new = f"/gestion/ventes/nouvelle/?copropriete={condominium.pk}"
        with django_assert_max_num_queries(15):
            assert client.get(new).status_code == 200
        refused = client.post(
            new,
            {
                "seller_reference": "a-606-0001",
                "lot_numbers": "1, 2",
                "requested_on": "2026-02-15",
                "notary_name": "Me X",
            },
        )
        assert "appartiennent pas" in refused.content.decode()
        assert not Sale.objects.exists()
        response = client.post(
            new,
            {
                "seller_reference": "a-606-0001",
                "lot_numbers": "1",
                "requested_on": "15/02/2026",
                "notary_name": "Me Claire NOTAIRE",
                "notary_office": "Office du Centre",
                "notary_email": "etude@notaires.example",
            },
        )
    sale = Sale.objects.get()
    url = f"/gestion/ventes/{sale.pk}/"
    assert response.status_code == 302
    assert response["Location"] == url
    with _at(datetime.date(2026, 2, 16)):
        with django_assert_max_num_queries(40):  # the figures read from the books: constant, whatever the history
            preview = client.get(f"{url}informations.pdf")
        assert preview.content.startswith(b"%PDF")
        client.post(f"{url}informations/")
    with _at(datetime.date(2026, 2, 20)):
        client.post(f"{url}etat-date/", {"fee": "380,01"})
        assert Sale.objects.get().status == SaleStatus.INFORMATION_SENT
        assert not Entry.objects.filter(voucher__startswith="ED-").exists()
        client.post(f"{url}etat-date/", {"fee": "300,00"})
        with django_assert_max_num_queries(15):
            page = client.get(url).content.decode()
    assert "1\u00a0974,82" in page  # part I, fee included
    assert "180,58" in page  # the works fund share of lot 1
    assert client.get(f"{url}etat-date.pdf").content.startswith(b"%PDF")
    with _at(datetime.date(2026, 3, 20)), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{url}mutation/",
            {
                "notification_date": "2026-03-20",
                "civility": "Mme",
                "last_name": "NOUVEL",
                "first_name": "Inès",
                "address_line1": "3 rue Neuve",
                "postal_code": "75011",
                "city": "Paris",
                "email": "ines.nouvel@example.com",
            },
        )
    assert response.status_code == 302
    buyer = CoOwner.objects.get(last_name="NOUVEL")
    assert buyer.reference == "A6060006"
    assert owner_on(example.lots[1], datetime.date(2026, 3, 21)) == buyer
    login = User.objects.get(firm=example.firm, login="A6060006")
    assert [message["To"] for message in smtp_server.messages] == ["ines.nouvel@example.com"]
    assert "A6060006" in smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert login.email == "ines.nouvel@example.com"
    opposition = client.get(f"{url}opposition.pdf")
    assert opposition.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="sales.opposition.produced").exists()
    assert AuditEvent.objects.filter(action="sales.mutation.recorded").exists()
    # The seller still owes: the file cannot be closed yet.
    client.post(f"{url}cloture/")
    assert Sale.objects.get().status == SaleStatus.MUTATION_RECORDED
    with django_assert_max_num_queries(15):
        listing = client.get("/gestion/ventes/?status=mutation_recorded").content.decode()
    assert "A 606 0001" in listing
    export = client.get("/gestion/ventes/?format=csv")
    assert b"".join(export.streaming_content).decode("utf-8-sig").count("Me Claire NOTAIRE") == 1


def test_a_buyer_without_e_mail_gets_a_letter(example: Example) -> None:
    sale = _sale(example, issued=True)
    client = client_for(example.firm, StaffUserFactory(firm=example.firm, membership=StaffRole.ACCOUNTANT))
    with _at(datetime.date(2026, 3, 20)):
        response = client.post(
            f"/gestion/ventes/{sale.pk}/mutation/",
            {
                "notification_date": "2026-03-20",
                "last_name": "SANSMAIL",
                "address_line1": "1 rue",
                "postal_code": "75001",
                "city": "Paris",
            },
        )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert User.objects.get(firm=example.firm, login="A6060006").must_change_password


def test_an_existing_co_owner_with_access_is_not_invited_again(example: Example) -> None:
    sale = _sale(example, issued=True)
    buyer = example.owners["B"]
    user = User.objects.create(firm=example.firm, login=buyer.reference, email="b@example.com")
    user.set_password("Un-Mot-de-passe-2026!")
    user.save()
    buyer.users.add(user)
    client = client_for(example.firm, StaffUserFactory(firm=example.firm, membership=StaffRole.MANAGER))
    with _at(datetime.date(2026, 3, 20)):
        response = client.post(
            f"/gestion/ventes/{sale.pk}/mutation/", {"notification_date": "2026-03-20", "buyer_reference": "A 606 0002"}
        )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.has_usable_password()
    assert Sale.objects.get().buyer == buyer


def test_mutation_refusals_change_nothing(example: Example) -> None:
    sale = _sale(example, issued=True)
    client = client_for(example.firm, StaffUserFactory(firm=example.firm, membership=StaffRole.MANAGER))
    url = f"/gestion/ventes/{sale.pk}/"
    with _at(datetime.date(2026, 3, 20)):
        before = client.post(f"{url}mutation/", {"notification_date": "2026-02-01", "buyer_reference": "A6060002"})
        assert before.status_code == 302
        unknown = client.post(f"{url}mutation/", {"notification_date": "2026-03-20", "buyer_reference": "A6069999"})
        assert unknown.status_code == 302
        page = client.get(url).content.decode()
    assert "précéder la demande" in page or "Aucun copropriétaire" in page
    sale.refresh_from_db()
    assert (sale.status, sale.buyer_id) == (SaleStatus.STATEMENT_ISSUED, None)
    assert owner_on(example.lots[1], datetime.date(2026, 3, 21)) == example.owners["A"]


def test_roles_portfolio_and_firm_walls(example: Example) -> None:
    sale = _sale(example)
    url = f"/gestion/ventes/{sale.pk}/"
    readonly = client_for(example.firm, StaffUserFactory(firm=example.firm, membership=StaffRole.READ_ONLY))
    assert readonly.get(url).status_code == 200
    assert readonly.get(f"{url}informations.pdf").status_code == 200
    assert readonly.post(f"{url}informations/").status_code == 403
    assert readonly.post(f"{url}etat-date/", {"fee": "100"}).status_code == 403
    assert readonly.get("/gestion/ventes/nouvelle/").status_code == 403
    # Outside the portfolio: every page of the file is a 404, and so is a new sale there.
    elsewhere = CondominiumFactory(firm=example.firm, code="707")
    limited = StaffUserFactory(firm=example.firm, membership=StaffRole.MANAGER)
    PortfolioCondominium.objects.create(firm=example.firm, user=limited, condominium=elsewhere)
    outsider = client_for(example.firm, limited)
    for suffix in ("", "informations.pdf", "etat-date.pdf", "opposition.pdf"):
        assert outsider.get(f"{url}{suffix}").status_code == 404, suffix
    for suffix in ("informations/", "etat-date/", "mutation/", "cloture/"):
        assert outsider.post(f"{url}{suffix}").status_code == 404, suffix
    assert outsider.get(f"/gestion/ventes/nouvelle/?copropriete={example.condominium.pk}").status_code == 404
    assert "Me NOTAIRE" not in outsider.get("/gestion/ventes/").content.decode()
    # Another firm's manager: a 404 on its own host.
    other = FirmFactory(slug="autre")
    with firm_scope(other):
        other_manager = StaffUserFactory(firm=other, membership=StaffRole.FIRM_ADMIN)
    other_client = client_for(other, other_manager)
    assert other_client.get(url).status_code == 404
    assert other_client.post(f"{url}etat-date/", {"fee": "100"}).status_code == 404
    assert other_client.get(f"/gestion/ventes/nouvelle/?copropriete={example.condominium.pk}").status_code == 404
    sale.refresh_from_db()
    assert sale.status == SaleStatus.REQUESTED


def test_the_co_owner_file_starts_a_sale_with_the_seller_filled_in(example: Example) -> None:
    manager = StaffUserFactory(firm=example.firm, membership=StaffRole.MANAGER)
    client = client_for(example.firm, manager)
    seller = example.owners["A"]
    page = client.get(f"/gestion/coproprietaires/{seller.pk}/lots/").content.decode()
    link = f"/gestion/ventes/nouvelle/?copropriete={example.condominium.pk}&amp;vendeur={seller.reference}&amp;lots="
    assert link in page
    form = client.get(link.replace("&amp;", "&") + "1").content.decode()
    assert f'value="{seller.reference}"' in form
    assert 'value="1"' in form
    reader = StaffUserFactory(firm=example.firm, membership=StaffRole.READ_ONLY)
    assert (
        "/gestion/ventes/nouvelle/"
        not in client_for(example.firm, reader).get(f"/gestion/coproprietaires/{seller.pk}/lots/").content.decode()
    )
