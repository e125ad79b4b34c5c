"""The sale of a lot (spec §5.3–5.4): état daté to the cent, the fee cap, the mutation, refusals."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tantieme.audit.models import AuditEvent
from tantieme.condominiums.models import CoOwner, Ownership
from tantieme.condominiums.services import owner_on
from tantieme.funds.models import Call, CallNotice
from tantieme.ledger.models import Entry, FiscalYear, Line
from tantieme.ledger.queries import balance
from tantieme.ledger.services import close_fiscal_year
from tantieme.sales.enums import SaleStatus
from tantieme.sales.exceptions import SaleError
from tantieme.sales.figures import from_json, to_json
from tantieme.sales.models import Sale
from tantieme.sales.renderers import render_information_pdf, render_opposition_pdf, render_statement_pdf
from tantieme.sales.services import (
    BuyerData,
    close_sale,
    figures_for,
    issue_statement,
    open_sale,
    opposition_figures,
    record_mutation,
    send_pre_sale_information,
)
from tantieme.tenancy.scoping import firm_scope
from tests.factories import FirmFactory
from tests.funds.helpers import Example, build_example
from tests.sales.helpers import FUND, QUARTER, build_seller_history, issue_between

D = Decimal
REQUESTED = datetime.date(2026, 2, 15)
ISSUED = datetime.date(2026, 2, 20)
NOTIFIED = datetime.date(2026, 3, 20)


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        yield build_seller_history(build_example(firm=firm, years=2))


def _open(example: Example, **overrides: object) -> Sale:
    options: dict[str, object] = {
        "condominium": example.condominium,
        "seller": example.owners["A"],
        "lot_numbers": [1],
        "requested_on": REQUESTED,
        "notary_name": "Me Claire NOTAIRE",
        "notary_office": "Office notarial du Centre",
    }
    options.update(overrides)
    return open_sale(**options)  # type: ignore[arg-type]


def test_etat_date_to_the_cent(example: Example) -> None:
    sale = _open(example)
    sale = issue_statement(sale=sale, fee=D("300.00"), on=ISSUED)
    figures = from_json(sale.statement)
    one, two, three = ({row.code: row.amount for row in part.rows} for part in figures.parts)
    # I: Q1 2026 unpaid (provisions, works fund), Q3–Q4 2025 unpaid, the fee, less 50,00 not lettered.
    assert one == {
        "1a": QUARTER,
        "1b": FUND,
        "1c": 2 * (QUARTER + FUND),
        "1d": D("0.00"),
        "1e": D("0.00"),
        "1f": D("300.00"),
        "1g": D("-50.00"),
    }
    assert figures.parts[0].total == D("1974.82")
    # II: the advance paid is refunded to the seller; no credit balance left.
    assert two == {"2a": D("100.00"), "2b": D("0.00"), "2c": D("0.00")}
    # III: the advance rebuilt; Q2–Q4 2026 estimated from the budget (2 155,25 a year for lot 1).
    assert three == {"3a": D("100.00"), "3b": D("1616.44"), "3c": D("0.00"), "3d": D("108.34")}
    # The works fund stays with the lot: 775,00 on 105 × 233/1000.
    assert figures.works_fund.balance == D("775.00")
    assert figures.works_fund.share == D("180.58")
    assert (figures.works_fund.last_amount, figures.works_fund.last_date) == (FUND, datetime.date(2026, 1, 1))
    (year,) = figures.years
    assert (year.label, year.budget_called, year.works_fund_called, year.paid_by_seller) == (
        "2025",
        4 * QUARTER,
        4 * FUND,
        D("1249.88"),
    )
    assert (figures.budget_share, figures.works_fund_share_yearly) == (D("2155.25"), D("144.46"))
    assert figures.syndicate_unpaid == D("15012.62")
    # Part I less the credit of part II is the seller's balance on the request date, plus the fee.
    assert balance(example.owners["A"], REQUESTED) + D("300.00") == figures.parts[0].total
    # The fee is posted on the issue date: Dr 450·seller (frais) / Cr 401.
    entry = Entry.objects.get(pk=sale.fee_entry_id)
    assert (entry.date, entry.journal.code, entry.voucher) == (ISSUED, "OD", f"ED-{sale.pk}")
    lines = {(line.account.number, line.debit, line.credit, line.nature) for line in entry.lines.all()}
    assert lines == {("450", D("300.00"), D("0.00"), "fees"), ("401", D("0.00"), D("300.00"), "current")}
    assert balance(example.owners["A"]) == D("1974.82")
    assert sale.status == SaleStatus.STATEMENT_ISSUED
    assert from_json(to_json(figures)) == figures
    assert render_statement_pdf(figures, firm=example.firm, fee=sale.fee, issued_on=ISSUED).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="sales.statement.issued", object_id=str(sale.pk)).exists()


def test_pre_sale_information_is_frozen_when_sent(example: Example) -> None:
    sale = send_pre_sale_information(sale=_open(example), on=datetime.date(2026, 2, 16))
    assert sale.status == SaleStatus.INFORMATION_SENT
    figures = from_json(sale.information)
    assert (figures.seller_owes, figures.buyer_will_owe, figures.works_fund.share) == (
        D("1674.82"),
        D("1824.78"),
        D("180.58"),
    )
    assert render_information_pdf(figures, firm=example.firm, sent_on=sale.information_sent_on).startswith(b"%PDF")
    with pytest.raises(SaleError):
        send_pre_sale_information(sale=sale)


def test_the_fee_is_capped_at_380_euros(example: Example) -> None:
    sale = _open(example)
    with pytest.raises(SaleError, match="plafonnés à 380,00"):
        issue_statement(sale=sale, fee=D("380.01"), on=ISSUED)
    with pytest.raises(SaleError):
        issue_statement(sale=sale, fee=D("-1.00"), on=ISSUED)
    sale.refresh_from_db()
    assert (sale.status, sale.statement, sale.fee_entry_id) == (SaleStatus.REQUESTED, None, None)
    assert not Entry.objects.filter(voucher__startswith="ED-").exists()
    sale = issue_statement(sale=sale, fee=D("380.00"), on=ISSUED)
    assert sale.fee == D("380.00")


def test_mutation_then_the_next_call_goes_to_the_buyer(example: Example) -> None:
    seller = example.owners["A"]
    sale = issue_statement(sale=_open(example), fee=D("300.00"), on=ISSUED)
    sale = record_mutation(
        sale=sale,
        notification_date=NOTIFIED,
        new_buyer=BuyerData(
            civility="Mme", last_name="NOUVEL", first_name="Inès", address_line1="3 rue Neuve", postal_code="75011",
            city="Paris", email="ines.nouvel@example.com",
        ),
    )  # fmt: skip
    buyer = sale.buyer
    assert buyer is not None
    assert buyer.reference == "A6060006"  # the next free number of the condominium's scheme
    lot = example.lots[1]
    assert owner_on(lot, NOTIFIED) == seller
    assert owner_on(lot, NOTIFIED + datetime.timedelta(days=1)) == buyer
    assert Ownership.objects.get(lot=lot, co_owner=seller).end_date == NOTIFIED
    # The seller still owes what the état daté said: the account stays open until settled.
    assert balance(seller) == D("1974.82")
    opposition = opposition_figures(sale)
    assert opposition.seller_owes == D("1974.82")
    assert render_opposition_pdf(
        opposition,
        firm=example.firm,
        notary_name=sale.notary_name,
        notary_office=sale.notary_office,
        notary_address="",
        mutation_date=NOTIFIED,
        today=NOTIFIED,
    ).startswith(b"%PDF")
    # Q2 2026, issued after the mutation, is the buyer's; the seller gets nothing more.
    issue_between(example, datetime.date(2026, 4, 1), datetime.date(2026, 4, 1))
    call = Call.objects.get(due_date=datetime.date(2026, 4, 1))
    notices = {notice.co_owner_id: notice for notice in CallNotice.objects.filter(call=call)}
    assert seller.pk not in notices
    assert notices[buyer.pk].amount == QUARTER + FUND
    assert not Line.objects.filter(co_owner=seller, date=datetime.date(2026, 4, 1)).exists()
    # Works fund: no refund line for the seller, the fund stays on 105.
    assert not Line.objects.filter(co_owner=seller, account__number="4505", credit__gt=0, date__gte=REQUESTED).exists()
    assert opposition.works_fund.balance == D("775.00")
    # The file stays open while the seller owes; it closes once paid.
    with pytest.raises(SaleError, match="doit encore"):
        close_sale(sale=sale, on=datetime.date(2026, 4, 2))
    from tantieme.ledger.services import post_co_owner_payment

    post_co_owner_payment(
        co_owner=seller, amount=D("1974.82"), date=datetime.date(2026, 4, 10), journal="BQ1", label="Notaire"
    )
    sale = close_sale(sale=sale, on=datetime.date(2026, 4, 10))
    assert (sale.status, sale.closed_on) == (SaleStatus.CLOSED, datetime.date(2026, 4, 10))


def test_an_existing_co_owner_buys(example: Example) -> None:
    sale = issue_statement(sale=_open(example), fee=D("0.00"), on=ISSUED)
    assert sale.fee_entry_id is None
    buyer = example.owners["B"]
    sale = record_mutation(sale=sale, notification_date=NOTIFIED, buyer=buyer)
    assert owner_on(example.lots[1], datetime.date(2026, 3, 21)) == buyer


def _nothing_written(example: Example, sales: int = 0) -> None:
    assert Sale.objects.count() == sales
    assert CoOwner.objects.filter(condominium=example.condominium).count() == 5


def test_refusals_write_nothing(example: Example) -> None:
    with pytest.raises(SaleError, match="n'appartiennent pas"):
        _open(example, lot_numbers=[1, 2])
    with pytest.raises(SaleError, match="inconnu"):
        _open(example, lot_numbers=[99])
    _nothing_written(example)
    sale = _open(example)
    with pytest.raises(SaleError, match="déjà en cours"):
        _open(example)
    with pytest.raises(SaleError, match="étape"):  # no mutation before the état daté
        record_mutation(sale=sale, notification_date=NOTIFIED, buyer=example.owners["B"])
    sale = issue_statement(sale=sale, fee=D("100.00"), on=ISSUED)
    ownerships = list(Ownership.objects.order_by("pk").values_list("pk", "end_date"))
    with pytest.raises(SaleError, match="précéder la demande"):
        record_mutation(sale=sale, notification_date=REQUESTED - datetime.timedelta(days=1), buyer=example.owners["B"])
    with pytest.raises(SaleError, match="vendeur"):
        record_mutation(sale=sale, notification_date=NOTIFIED, buyer=example.owners["A"])
    with pytest.raises(SaleError, match="nom et l'adresse"):
        record_mutation(
            sale=sale,
            notification_date=NOTIFIED,
            new_buyer=BuyerData(last_name="", address_line1="", postal_code="", city=""),
        )
    _nothing_written(example, sales=1)
    assert list(Ownership.objects.order_by("pk").values_list("pk", "end_date")) == ownerships
    sale.refresh_from_db()
    assert (sale.status, sale.buyer_id, sale.mutation_date) == (SaleStatus.STATEMENT_ISSUED, None, None)


def test_a_closed_year_refuses_the_fee_and_the_mutation(example: Example) -> None:
    sale = _open(example, requested_on=datetime.date(2025, 12, 1))
    year_2025 = FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))
    close_fiscal_year(fiscal_year=year_2025, require_distribution=False)
    with pytest.raises(SaleError, match="clôturé"):
        issue_statement(sale=sale, fee=D("200.00"), on=datetime.date(2025, 12, 10))
    sale.refresh_from_db()
    assert (sale.status, sale.fee_entry_id) == (SaleStatus.REQUESTED, None)
    sale = issue_statement(sale=sale, fee=D("200.00"), on=datetime.date(2026, 1, 5))
    with pytest.raises(SaleError, match="clôturé"):
        record_mutation(sale=sale, notification_date=datetime.date(2025, 12, 20), buyer=example.owners["B"])
    assert owner_on(example.lots[1], datetime.date(2026, 2, 1)) == example.owners["A"]


def test_an_abandoned_sale_is_closed_without_mutation(example: Example) -> None:
    sale = issue_statement(sale=_open(example), fee=D("120.00"), on=ISSUED)
    sale = close_sale(sale=sale, on=datetime.date(2026, 3, 1))
    assert (sale.status, sale.mutation_date, sale.buyer_id) == (SaleStatus.CLOSED, None, None)
    assert owner_on(example.lots[1], datetime.date(2026, 6, 1)) == example.owners["A"]
    assert balance(example.owners["A"]) == D("1794.82")  # the fee stays due
    with pytest.raises(SaleError, match="étape"):
        close_sale(sale=sale)
    _open(example)  # the lot may be sold again


def test_live_figures_leave_out_the_fee_entry(example: Example) -> None:
    sale = issue_statement(sale=_open(example), fee=D("300.00"), on=REQUESTED)
    assert figures_for(sale).parts[0].total == D("1674.82")
