"""Issuing calls through the services: the §11.3 entry, notices, idempotency, works, provisional budgets."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from tantieme.documents.enums import DocumentCategory
from tantieme.documents.models import Document
from tantieme.funds.batches import run_batch, start_batch
from tantieme.funds.enums import BatchState
from tantieme.funds.exceptions import BudgetError, CallError, WorksFundBelowMinimumError
from tantieme.funds.issuing import instalments_for_period, issue_call, preview_calls, publish_notices
from tantieme.funds.models import Call, CallLine, CallNotice
from tantieme.funds.services import (
    InstalmentData,
    LineData,
    create_provisional_budget,
    create_works_operation,
    save_budget,
    set_works_fund,
)
from tantieme.ledger.checks import check_books
from tantieme.ledger.models import Line
from tantieme.ledger.queries import balance, balances_by_account
from tantieme.notifications.models import OutboundMessage
from tantieme.tenancy.scoping import firm_scope
from tests.factories import co_owner_user
from tests.funds.helpers import BUDGET_LINES, Example, build_example, vote_example_budget

D = Decimal
Q1_DUE = {"A": D("574.94"), "B": D("865.79"), "C": D("778.73"), "D": D("862.66"), "E": D("160.38")}


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    from tests.factories import FirmFactory

    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        yield build_example(firm=firm)


def test_the_q1_2025_call_of_the_worked_example(example: Example) -> None:
    vote_example_budget(example)
    (instalment,) = instalments_for_period(example.condominium, "2025-Q1")
    call, created = issue_call(instalment=instalment)
    assert created
    assert call.label == "Appel T1 2025"
    assert (call.total_current, call.total_works_fund) == (D("3087.50"), D("155.00"))
    assert call.entry.code == "AF2025-0001"
    assert call.entry.date == datetime.date(2025, 1, 1)
    for key, due in Q1_DUE.items():
        assert balance(example.owners[key]) == due
    assert balances_by_account(example.owners["B"]) == {"4501": D("825.19"), "4505": D("40.60")}
    credited = {
        (line.account.number, line.label): line.credit for line in Line.objects.filter(entry=call.entry, credit__gt=0)
    }
    assert credited == {
        ("701", "Appel T1 2025 CG"): D("2312.50"),
        ("701", "Appel T1 2025 ASC"): D("775.00"),
        ("105", "Appel T1 2025 fonds de travaux"): D("155.00"),
    }
    lines = {
        (line.lot.number, line.key.code, line.is_works_fund): line.amount
        for line in CallLine.objects.filter(call=call).select_related("lot", "key")
    }
    assert lines[(3, "ASC", False)] == D("258.08")  # the elevator tie goes to lot 3
    assert lines[(2, "ASC", False)] == D("219.32")
    assert (1, "ASC", False) not in lines  # 0 tantièmes: nothing
    assert check_books(example.condominium) == []


def test_the_year_adds_up_to_the_budget_and_issuing_twice_creates_nothing(example: Example) -> None:
    vote_example_budget(example)
    for quarter in (1, 2, 3, 4):
        for instalment in instalments_for_period(example.condominium, f"2025-Q{quarter}"):
            issue_call(instalment=instalment)
    calls = Call.objects.filter(condominium=example.condominium)
    assert calls.count() == 4
    assert sum(call.total_current for call in calls) == D("12350.00")
    assert sum(call.total_works_fund for call in calls) == D("620.00")
    (again,) = instalments_for_period(example.condominium, "2025-Q2")
    call, created = issue_call(instalment=again)
    assert not created
    assert Call.objects.count() == 4
    assert CallNotice.objects.filter(call=call).count() == 5


def test_calls_are_issued_in_order(example: Example) -> None:
    vote_example_budget(example)
    (q2,) = instalments_for_period(example.condominium, "2025-Q2")
    with pytest.raises(CallError, match="appel précédent"):
        issue_call(instalment=q2)


def test_the_owner_on_the_due_date_pays(example: Example) -> None:
    from tantieme.condominiums.services import transfer_lot
    from tests.factories import CoOwnerFactory

    vote_example_budget(example)
    buyer = CoOwnerFactory(condominium=example.condominium, reference="A6060009", last_name="NOUVEAU")
    transfer_lot(lot=example.lots[6], buyer=buyer, sale_date=datetime.date(2025, 2, 15))
    for quarter in (1, 2):
        (instalment,) = instalments_for_period(example.condominium, f"2025-Q{quarter}")
        issue_call(instalment=instalment)
    assert balance(example.owners["E"]) == D("160.38")  # Q1 only: E sold before 01/04
    assert balance(buyer) == D("160.38")  # Q2


def test_works_fund_minimum_is_refused_without_a_reason(example: Example) -> None:
    with pytest.raises(WorksFundBelowMinimumError, match="617,50"):
        vote_example_budget(example, works_fund_amount=D("600.00"))
    budget = vote_example_budget(example, works_fund_amount=D("600.00"), works_fund_reason="Immeuble livré en 2019")
    assert budget.works_fund_reason == "Immeuble livré en 2019"
    with pytest.raises(WorksFundBelowMinimumError, match="1\u00a0500,00"):
        set_works_fund(budget=budget, amount=D("620.00"), works_plan_amount=D("60000.00"))
    set_works_fund(budget=budget, amount=D("1500.00"), works_plan_amount=D("60000.00"))


def test_budget_lines_are_checked(example: Example) -> None:
    with pytest.raises(BudgetError, match="clé « XX » inconnue"):
        vote_example_budget(example, lines=[LineData(key_code="XX", account="616", amount=D("1.00"))])
    with pytest.raises(BudgetError, match="pas un compte de charges"):
        vote_example_budget(example, lines=[LineData(key_code="CG", account="701", amount=D("1.00"))])
    with pytest.raises(BudgetError, match="commence le 01/01"):
        vote_example_budget(example, start_date=datetime.date(2025, 4, 1))


def test_provisional_calls_then_the_vote(example: Example) -> None:
    from tantieme.ledger import services as ledger

    ledger.open_fiscal_year(condominium=example.condominium)
    vote_example_budget(example)
    provisional = create_provisional_budget(condominium=example.condominium, start_date=datetime.date(2026, 1, 1))
    assert provisional.is_provisional
    for quarter in (1, 2):
        (instalment,) = instalments_for_period(example.condominium, f"2026-Q{quarter}")
        call, _ = issue_call(instalment=instalment)
        assert call.is_provisional
        assert call.total_current == D("3087.50")
    new_lines = [*BUDGET_LINES, LineData(key_code="CG", account="615", amount=D("1000.00"), label="Entretien")]
    save_budget(
        condominium=example.condominium,
        start_date=datetime.date(2026, 1, 1),
        general_meeting_date=datetime.date(2026, 5, 10),
        lines=new_lines,
        works_fund_amount=D("670.00"),
    )
    for quarter in (3, 4):
        (instalment,) = instalments_for_period(example.condominium, f"2026-Q{quarter}")
        call, _ = issue_call(instalment=instalment)
        assert not call.is_provisional
    calls = Call.objects.filter(budget=provisional)
    assert sum(call.total_current for call in calls) == D("13350.00")
    assert sum(call.total_works_fund for call in calls) == D("670.00")


def test_works_operation_calls(example: Example) -> None:
    operation = create_works_operation(
        condominium=example.condominium,
        code="RAV",
        label="Ravalement de la façade sur rue",
        general_meeting_date=datetime.date(2024, 11, 20),
        lines=[
            LineData(key_code="CG", account="671", amount=D("30000.00")),
            LineData(key_code="ASC", account="671", amount=D("1000.01")),
        ],
        instalments=[
            InstalmentData(due_date=datetime.date(2025, 2, 1), weight=30),
            InstalmentData(due_date=datetime.date(2025, 5, 1), weight=30),
            InstalmentData(due_date=datetime.date(2025, 9, 1), weight=40),
        ],
    )
    for quarter in (1, 2, 3):
        (instalment,) = instalments_for_period(example.condominium, f"2025-Q{quarter}")
        call, _ = issue_call(instalment=instalment)
        assert call.operation == operation
    totals = [call.total_current for call in Call.objects.filter(operation=operation).order_by("number")]
    assert totals == [D("9300.00"), D("9300.00"), D("12400.01")]
    accounts = set(Line.objects.filter(entry__voucher__startswith="AF-RAV").values_list("account__number", flat=True))
    assert accounts == {"4502", "102"}
    assert check_books(example.condominium) == []


def test_notices_are_published_once_and_mailed_to_consenting_owners(
    example: Example, django_capture_on_commit_callbacks: Any
) -> None:
    alice = example.owners["A"]
    alice.email, alice.e_notification_consent = "anne@example.org", True
    alice.save()
    co_owner_user(alice)  # she can sign in: the e-mail may point to her space
    example.owners["B"].email = "bernard@example.org"  # no consent: no e-mail
    example.owners["B"].save()
    co_owner_user(example.owners["B"])
    vote_example_budget(example)
    (instalment,) = instalments_for_period(example.condominium, "2025-Q1")
    call, _ = issue_call(instalment=instalment)
    with django_capture_on_commit_callbacks(execute=True):
        result = publish_notices(call=call)
    assert (result.published, result.emailed) == (5, 1)
    assert publish_notices(call=call).published == 0
    documents = Document.objects.filter(category=DocumentCategory.CALL_FOR_FUNDS)
    assert documents.count() == 5
    assert documents.get(co_owner=alice).title == "Avis d'appel de fonds — Appel T1 2025"
    (message,) = OutboundMessage.all_firms.filter(recipient="anne@example.org")
    assert "/mes-documents/" in message.body_text
    assert "574,94" in message.body_text
    assert len(mail.outbox) == 1
    assert not mail.outbox[0].attachments


def test_notice_emails_speak_the_language_each_co_owner_chose(
    example: Example, django_capture_on_commit_callbacks: Any
) -> None:
    anne, bernard = example.owners["A"], example.owners["B"]
    for owner, email in ((anne, "anne@example.org"), (bernard, "bernard@example.org")):
        owner.email, owner.e_notification_consent = email, True
        owner.save()
    co_owner_user(anne, login="A-OTHER", email="other@example.org", language="fr")  # a joint login
    co_owner_user(anne, email="anne@example.org", language="en")  # the one with the notice address
    co_owner_user(bernard, login="B-LOGIN", email="", language="fr")
    vote_example_budget(example)
    (instalment,) = instalments_for_period(example.condominium, "2025-Q1")
    call, _ = issue_call(instalment=instalment)
    with django_capture_on_commit_callbacks(execute=True):
        publish_notices(call=call)
    to_anne = OutboundMessage.all_firms.get(recipient="anne@example.org")
    to_bernard = OutboundMessage.all_firms.get(recipient="bernard@example.org")  # his login speaks French
    assert (to_anne.language, to_bernard.language) == ("en", "fr")
    assert "Amount of this call: " in to_anne.body_text
    assert "your call for funds is online" in to_anne.subject
    assert "Montant" in to_bernard.body_text
    # The notice itself stays in French (a legal document).
    assert Document.objects.get(co_owner=anne).title == "Avis d'appel de fonds — Appel T1 2025"


def test_preview_then_batch(example: Example) -> None:
    vote_example_budget(example)
    (preview,) = preview_calls(example.condominium, "2025-Q1")
    assert preview.issued is None
    assert preview.total == D("3242.50")
    assert {row.co_owner.reference: row.total for row in preview.rows}["A6060002"] == D("865.79")
    assert [(code, amount) for code, _label, amount in preview.key_totals] == [
        ("ASC", D("775.00")),
        ("CG", D("2312.50")),
        ("CG", D("155.00")),
    ]
    batch = start_batch(firm=example.firm, period="2025-q1")
    batch = run_batch(batch_id=batch.pk)
    assert batch.state == BatchState.DONE
    assert (batch.calls_created, batch.notices_published, batch.total_amount) == (1, 5, D("3242.50"))
    assert batch.percent == 100
    again = run_batch(batch_id=start_batch(firm=example.firm, period="2025-Q1").pk)
    assert (again.calls_created, again.calls_existing, again.notices_published) == (0, 1, 0)
    (preview,) = preview_calls(example.condominium, "2025-Q1")
    assert preview.issued is not None
