"""The closing of spec §11.5 end to end through the commands: draft, approval, régularisations."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Sum

from tantieme.closing.exceptions import ClosingError
from tantieme.closing.models import Closing, ClosingState, DistributionLine
from tantieme.closing.services import approve_closing, draft_closing
from tantieme.funds.issuing import instalments_between, issue_call
from tantieme.ledger import services as ledger
from tantieme.ledger.enums import FiscalYearState
from tantieme.ledger.exceptions import ClosedFiscalYearError
from tantieme.ledger.fec import fec_rows
from tantieme.ledger.models import Entry, FiscalYear, Line, cents
from tantieme.ledger.queries import balance
from tantieme.ledger.services import LineDraft
from tantieme.tenancy.scoping import firm_scope
from tests.funds.helpers import Example, build_example, vote_example_budget

D = Decimal
# §11.5: actual charges of 2025 per key and account.
ACTUAL = {
    "CG": {"616": D("2910.00"), "6211": D("2400.00"), "611": D("2100.00"), "602": D("1270.40"), "601": D("800.00")},
    "ASC": {"614": D("2350.00"), "602": D("511.35")},
}
EXPECTED_BY_OWNER = {"A": D("53.65"), "B": D("-7.13"), "C": D("-30.89"), "D": D("-38.87"), "E": D("14.99")}
EXPECTED_BY_LOT = {
    ("CG", 1): (D("2208.93"), D("2155.28")),
    ("CG", 2): (D("1867.64"), D("1822.24")),
    ("CG", 3): (D("2000.36"), D("1951.76")),
    ("CG", 4): (D("2171.01"), D("2118.24")),
    ("CG", 5): (D("616.23"), D("601.24")),
    ("CG", 6): (D("616.23"), D("601.24")),
    ("ASC", 2): (D("809.76"), D("877.28")),
    ("ASC", 3): (D("952.83"), D("1032.32")),
    ("ASC", 4): (D("1098.76"), D("1190.40")),
}


def run_2025(example: Example) -> FiscalYear:
    """Budget, four quarterly calls and the actual charges of §11.5, each tagged with its key."""
    vote_example_budget(example)
    for instalment in instalments_between(example.condominium, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)):
        issue_call(instalment=instalment, validation_date=instalment.due_date)
    keys = {"CG": example.cg, "ASC": example.asc}
    for code, accounts in ACTUAL.items():
        total = sum(accounts.values(), D("0.00"))
        ledger.post_entry(
            condominium=example.condominium,
            journal="AC",
            date=datetime.date(2025, 12, 15),
            label=f"Charges 2025 {code}",
            lines=[
                *(LineDraft(account=number, debit=amount, key_id=keys[code].pk) for number, amount in accounts.items()),
                LineDraft(account="401", credit=total),
            ],
        )
    return FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    from tests.factories import FirmFactory

    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        with time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
            built = build_example(firm=firm, years=2)
            run_2025(built)
        yield built


def _by_owner(closing: Closing, example: Example) -> dict[str, Decimal]:
    references = {owner.pk: name for name, owner in example.owners.items()}
    rows = (
        DistributionLine.objects.filter(closing=closing)
        .values("co_owner_id")
        .annotate(total=Sum("regularisation"))
        .order_by("co_owner_id")
    )
    return {references[row["co_owner_id"]]: cents(row["total"]) for row in rows}


def test_draft_closing_distributes_as_the_spec(example: Example) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0), tick=False):
        call_command("close_fiscal_year", "--firm", "exemple", "--condominium", "606", "--year", "2025", "--draft")
    closing = Closing.objects.get(fiscal_year__start_date=datetime.date(2025, 1, 1))
    assert closing.state == ClosingState.DRAFT
    totals = {key["code"]: key for key in closing.key_totals}
    assert D(totals["CG"]["charges"]) == D("9480.40")
    assert D(totals["CG"]["provisions"]) == D("9250.00")
    assert D(totals["CG"]["regularisation"]) == D("230.40")
    assert D(totals["ASC"]["charges"]) == D("2861.35")
    assert D(totals["ASC"]["regularisation"]) == D("-238.65")
    assert closing.regularisation_total == D("-8.25")
    lots = {line.lot.number: line for line in closing.lines.select_related("lot", "key")}
    for (code, number), (share, called) in EXPECTED_BY_LOT.items():
        line = closing.lines.get(key__code=code, lot__number=number)
        assert (line.share, line.called) == (share, called), (code, number)
    assert lots
    assert _by_owner(closing, example) == EXPECTED_BY_OWNER
    # A draft posts nothing: the co-owners' balances are those of the calls.
    assert not Entry.objects.filter(journal__code="RE").exists()


def test_approval_posts_the_regularisations_and_locks_the_year(example: Example) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0), tick=False):
        call_command("close_fiscal_year", "--firm", "exemple", "--condominium", "606", "--year", "2025", "--draft")
    owner_a = example.owners["A"]
    before = balance(owner_a)
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False):
        call_command(
            "close_fiscal_year",
            "--firm",
            "exemple",
            "--condominium",
            "606",
            "--year",
            "2025",
            "--approve",
            "--date",
            "2026-04-15",
        )
    year = FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))
    assert year.state == FiscalYearState.CLOSED
    assert year.approved_on == datetime.date(2026, 4, 15)
    assert balance(owner_a) - before == D("53.65")
    entries = Entry.objects.filter(journal__code="RE", fiscal_year=year)
    assert entries.count() == 5
    assert set(entries.values_list("date", flat=True)) == {datetime.date(2025, 12, 31)}
    assert set(entries.values_list("validation_date", flat=True)) == {datetime.date(2026, 4, 15)}
    # B: Dr 4501 60,39 / Cr 701-CG ; Dr 701-ASC 67,52 / Cr 4501.
    b_lines = Line.objects.filter(entry__in=entries, co_owner=example.owners["B"])
    assert sorted((line.key.code, line.debit, line.credit) for line in b_lines.select_related("key")) == [
        ("ASC", D("0.00"), D("67.52")),
        ("CG", D("60.39"), D("0.00")),
    ]
    # Classes 6 and 7 net to zero; 701 = total charges (§11.5 check).
    year_lines = Line.objects.filter(entry__fiscal_year=year)
    provisions = year_lines.filter(account__number="701").aggregate(d=Sum("debit"), c=Sum("credit"))
    assert cents(provisions["c"]) - cents(provisions["d"]) == D("12341.75")
    # The year is locked: nothing more can be posted in it.
    with pytest.raises(ClosedFiscalYearError):
        ledger.post_entry(
            condominium=example.condominium,
            journal="OD",
            date=datetime.date(2025, 6, 1),
            label="Trop tard",
            lines=[LineDraft(account="512", debit=D("1.00")), LineDraft(account="472", credit=D("1.00"))],
        )
    # The FEC of the closed year balances; the next year's opens with classes 1, 4 and 5 only.
    rows = list(fec_rows(year))
    debit = sum(D(row[11].replace(",", ".")) for row in rows)
    credit = sum(D(row[12].replace(",", ".")) for row in rows)
    assert debit == credit
    next_year = FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2026, 1, 1))
    openings = [row for row in fec_rows(next_year) if row[0] == "AN"]
    assert openings
    assert {row[4][0] for row in openings} <= {"1", "4", "5"}
    assert sum(D(row[11].replace(",", ".")) for row in openings) == sum(
        D(row[12].replace(",", ".")) for row in openings
    )
    # Approving twice is refused by the service, and the command says it is done.
    with pytest.raises(ClosingError, match="déjà clôturé"):
        approve_closing(fiscal_year=year, approval_date=datetime.date(2026, 4, 15))


def test_approval_goes_to_the_owner_on_the_meeting_date(example: Example) -> None:
    """Lot 4 sold on 01/03/2026: D's −38,87 goes to the buyer (décret 1967 art. 6-2 3°)."""
    from tantieme.condominiums.models import Ownership
    from tests.factories import CoOwnerFactory

    buyer = CoOwnerFactory(condominium=example.condominium, reference="A6060006", last_name="NOUVEAU")
    Ownership.objects.filter(lot=example.lots[4]).update(end_date=datetime.date(2026, 2, 28))
    Ownership.objects.create(co_owner=buyer, lot=example.lots[4], start_date=datetime.date(2026, 3, 1))
    year = FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False):
        draft_closing(fiscal_year=year)
        approve_closing(fiscal_year=year, approval_date=datetime.date(2026, 4, 15))
    assert balance(buyer) == D("-38.87")


def test_refusals(example: Example) -> None:
    year = FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))
    with (
        time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False),
        pytest.raises(CommandError, match="projet"),
    ):
        call_command("close_fiscal_year", "--condominium", "606", "--year", "2025", "--approve", "--date", "2026-04-15")
    # Before the year ends, the draft is a pre-closing: computed, but the checklist blocks the approval.
    with time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
        early = draft_closing(fiscal_year=year)
    assert [item["label"] for item in early.blockers] == ["Exercice terminé"]
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False):
        draft_closing(fiscal_year=year)
        with pytest.raises(CommandError, match="après la clôture"):
            call_command(
                "close_fiscal_year", "--condominium", "606", "--year", "2025", "--approve", "--date", "2025-12-01"
            )
        # A charge without key blocks the approval and changes nothing.
        ledger.post_entry(
            condominium=example.condominium,
            journal="AC",
            date=datetime.date(2025, 12, 30),
            label="Sans clé",
            lines=[LineDraft(account="615", debit=D("10.00")), LineDraft(account="401", credit=D("10.00"))],
        )
        with pytest.raises(CommandError, match="sans clé"):
            call_command(
                "close_fiscal_year", "--condominium", "606", "--year", "2025", "--approve", "--date", "2026-04-15"
            )
    assert not Entry.objects.filter(journal__code="RE").exists()
    year.refresh_from_db()
    assert year.state == FiscalYearState.OPEN


def test_the_co_owner_sees_the_draft_then_the_regularisation(example: Example) -> None:
    from tests.conftest import client_for
    from tests.factories import co_owner_user

    user = co_owner_user(example.owners["A"], must_change_password=False)
    year = FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0), tick=False):
        draft_closing(fiscal_year=year)
        page = client_for(example.firm, user).get("/mon-compte/").content.decode()
    assert "projet, sous réserve d&#x27;approbation" in page or "projet, sous réserve d'approbation" in page
    assert "lot 1 : 233/1000" in page
    assert "53,65" in page
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False):
        approve_closing(fiscal_year=year, approval_date=datetime.date(2026, 4, 15))
        page = client_for(example.firm, user).get("/mon-compte/?start=01/01/2025&end=30/04/2026").content.decode()
    assert "sous réserve d" not in page
    assert "Régularisation charges 2025 – CG (approuvée AG 15/04/2026)" in page


def test_approval_publishes_statements_and_annexes_once(example: Example, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from tantieme.closing.publishing import publish_closing_documents
    from tantieme.documents.models import Document

    year = FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, 0), tick=False):
        draft_closing(fiscal_year=year)
        with django_capture_on_commit_callbacks(execute=True):
            closing = approve_closing(fiscal_year=year, approval_date=datetime.date(2026, 4, 15))
    closing.refresh_from_db()
    assert closing.documents_finished_at is not None
    assert (closing.documents_done, closing.documents_total) == (6, 6)
    statements = Document.objects.filter(category="regularisation", condominium=example.condominium)
    assert set(statements.values_list("co_owner__reference", flat=True)) == {f"A606000{n}" for n in range(1, 6)}
    assert statements.get(co_owner=example.owners["A"]).content_type == "application/pdf"
    assert Document.objects.filter(category="council", audience="council", title__contains="2025").count() == 1
    # Run again (a resumed task): nothing is published twice.
    publish_closing_documents(closing_id=closing.pk)
    assert statements.count() == 5
    assert Document.objects.filter(category="council").count() == 1


def test_a_pre_closing_is_not_shown_to_co_owners(example: Example) -> None:
    from tantieme.closing.queries import draft_regularisation

    year = FiscalYear.objects.get(condominium=example.condominium, start_date=datetime.date(2025, 1, 1))
    with time_machine.travel(datetime.datetime(2025, 12, 20, 12, 0), tick=False):
        draft_closing(fiscal_year=year)
        assert draft_regularisation(example.owners["A"]) is None
    with time_machine.travel(datetime.datetime(2026, 1, 2, 12, 0), tick=False):
        draft = draft_regularisation(example.owners["A"])
    assert draft is not None
    assert draft.total == D("53.65")
