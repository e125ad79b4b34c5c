"""The co-owner file: every section as each persona, bounded queries over 15 years of history, the
statement the portal shows, identity changes audited, notes, statement e-mail, cheques, adjustments."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tantieme.audit.models import AuditEvent
from tantieme.banking.models import ChequeDeposit
from tantieme.condominiums.models import CoOwner
from tantieme.documents.models import Document
from tantieme.ledger.enums import LineNature
from tantieme.ledger.models import Entry, Line
from tantieme.ledger.services import EntryDraft, LineDraft, post_co_owner_payment, post_entries_bulk
from tantieme.notes.models import Note
from tantieme.notifications.models import OutboundMessage
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import PortfolioCondominium
from tests.conftest import SmtpServer, World, client_for
from tests.factories import CondominiumFactory, StaffUserFactory
from tests.ledger.factories import D, open_books, post_call

TODAY = timezone.localdate()  # the books must contain the server's today
SECTIONS = (
    "co_owner_file",
    "co_owner_lots",
    "co_owner_statement",
    "co_owner_open_items",
    "co_owner_card_payments",
    "co_owner_transfers",
    "co_owner_tickets",
    "co_owner_documents",
    "co_owner_access",
    "co_owner_notes",
    "co_owner_cheque_deposit",
    "co_owner_adjustment",
)


@pytest.fixture
def books(world: World) -> World:
    """606's books for the current year, a call of 1 000 € to Alice and Bob on 1 January."""
    with firm_scope(world.horizon):
        open_books(world.condo, first_year=TODAY.year)
        post_call(world.condo, world.alice, D("1000.00"), date=datetime.date(TODAY.year, 1, 1))
        post_call(world.condo, world.bob, D("1000.00"), date=datetime.date(TODAY.year, 1, 1))
    return world


def _staff(world: World, role: StaffRole = StaffRole.MANAGER) -> Client:
    user = StaffUserFactory(firm=world.horizon, membership=role)
    return client_for(world.horizon, user)


def _url(name: str, co_owner: CoOwner) -> str:
    return reverse(f"backoffice:{name}", args=[co_owner.pk])


def _portal_balance(world: World) -> Decimal:
    response = client_for(world.horizon, world.alice_user).get(reverse("portal:account"))
    assert response.status_code == 200
    balance: Decimal = response.context["balance"]
    return balance


def test_every_section_answers_the_manager(books: World) -> None:
    client = _staff(books)
    for name in SECTIONS:
        response = client.get(_url(name, books.alice))
        assert response.status_code == 200, name
        assert "A 606 0001" in response.content.decode(), name


def test_another_firm_and_outside_the_portfolio_are_404(books: World) -> None:
    other_firm = StaffUserFactory(firm=books.rivage, membership=StaffRole.FIRM_ADMIN)
    outsider = client_for(books.rivage, other_firm)
    with firm_scope(books.horizon):
        elsewhere = CondominiumFactory(firm=books.horizon, code="707")
    limited = StaffUserFactory(firm=books.horizon, membership=StaffRole.MANAGER)
    PortfolioCondominium.objects.create(firm=books.horizon, user=limited, condominium=elsewhere)
    limited_client = client_for(books.horizon, limited)
    for name in SECTIONS:
        assert outsider.get(_url(name, books.alice)).status_code == 404, name
        assert limited_client.get(_url(name, books.alice)).status_code == 404, name
    assert client_for(books.horizon, books.alice_user).get(_url("co_owner_file", books.alice)).status_code == 404


def test_a_read_only_role_reads_but_does_not_write(books: World) -> None:
    client = _staff(books, StaffRole.READ_ONLY)
    assert client.get(_url("co_owner_statement", books.alice)).status_code == 200
    page = client.get(_url("co_owner_file", books.alice)).content.decode()
    assert "Modifier les coordonnées" not in page
    assert "Enregistrer une remise de chèques" not in page
    for name in ("co_owner_edit", "co_owner_note_add", "co_owner_cheque_deposit", "co_owner_adjustment"):
        assert client.post(_url(name, books.alice), {}).status_code == 403, name
    assert client.get(_url("co_owner_cheque_deposit", books.alice)).status_code == 403


def test_the_statement_is_the_one_the_portal_shows(books: World) -> None:
    with firm_scope(books.horizon):
        post_co_owner_payment(
            co_owner=books.alice,
            amount=D("250.00"),
            date=datetime.date(TODAY.year, 1, 15),
            journal="BQ1",
            label="Virement",
        )
    query = {"start": f"{TODAY.year}-01-01", "end": f"{TODAY.year}-12-31"}
    staff_page = _staff(books).get(_url("co_owner_statement", books.alice), query)
    portal_page = client_for(books.horizon, books.alice_user).get(reverse("portal:account"), query)
    assert staff_page.context["rows"] == portal_page.context["rows"]
    assert staff_page.context["statement"].closing_balance == portal_page.context["statement"].closing_balance
    assert staff_page.context["balance_now"] == portal_page.context["balance"] == D("750.00")
    # Without dates: the current fiscal year, as in the portal.
    assert (
        _staff(books).get(_url("co_owner_statement", books.alice)).context["rows"]
        == (client_for(books.horizon, books.alice_user).get(reverse("portal:account")).context["rows"])
    )


def test_the_statement_prints_as_a_pdf(books: World) -> None:
    response = _staff(books).get(_url("co_owner_statement_pdf", books.alice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.all_firms.filter(action="ledger.statement.printed").count() == 1


def test_identity_changes_are_audited_before_and_after(books: World) -> None:
    client = _staff(books, StaffRole.ASSISTANT)
    data = {
        "person_kind": "natural",
        "civility": "M. et Mme",
        "last_name": "TEST",
        "first_name": "",
        "address_line1": "3 rue Neuve",
        "address_line2": "",
        "postal_code": "13001",
        "city": "Marseille",
        "country": "fr",
        "phone": "04 91 00 00 00",
        "e_notification_consent": "on",
    }
    with firm_scope(books.horizon):
        before = CoOwner.objects.get(pk=books.alice.pk)
    response = client.post(_url("co_owner_edit", books.alice), data)
    assert response.status_code == 302
    with firm_scope(books.horizon):
        after = CoOwner.objects.get(pk=books.alice.pk)
    assert after.address_line1 == "3 rue Neuve"
    assert after.country == "FR"
    assert after.e_notification_consent
    assert after.e_notification_consent_at is not None
    event = AuditEvent.all_firms.get(action="condominiums.co_owner.changed")
    changes = event.data["changes"]
    assert changes["address_line1"] == [before.address_line1, "3 rue Neuve"]
    assert changes["e_notification_consent"] == [before.e_notification_consent, True]
    assert "e_notification_consent_at" in changes
    # A refused value (empty name) writes nothing.
    response = client.post(_url("co_owner_edit", books.alice), {**data, "last_name": ""})
    assert response.status_code == 400
    assert AuditEvent.all_firms.filter(action="condominiums.co_owner.changed").count() == 1
    # Withdrawing the consent clears its date.
    client.post(_url("co_owner_edit", books.alice), {k: v for k, v in data.items() if k != "e_notification_consent"})
    with firm_scope(books.horizon):
        after = CoOwner.objects.get(pk=books.alice.pk)
    assert (after.e_notification_consent, after.e_notification_consent_at) == (False, None)


def test_notes_are_internal_append_only_and_struck_not_deleted(books: World) -> None:
    client = _staff(books)
    client.post(_url("co_owner_note_add", books.alice), {"text": "Appelé le 3 : promet un chèque."})
    with firm_scope(books.horizon):
        note = Note.objects.get()
    assert note.co_owner_id == books.alice.pk
    assert note.condominium_id == books.condo.pk
    page = client.get(_url("co_owner_notes", books.alice)).content.decode()
    assert "promet un chèque" in page
    client.post(_url("co_owner_note_strike", books.alice), {"note": note.pk})
    with firm_scope(books.horizon):
        note.refresh_from_db()
    assert note.struck_at is not None
    assert note.struck_by is not None
    page = client.get(_url("co_owner_notes", books.alice)).content.decode()
    assert "<del>Appelé le 3 : promet un chèque.</del>" in page
    # Another co-owner's note id is a 404 here; the co-owner never sees notes in the portal.
    assert client.post(_url("co_owner_note_strike", books.bob), {"note": note.pk}).status_code == 404
    portal = client_for(books.horizon, books.alice_user)
    for name in ("portal:home", "portal:account", "portal:information", "portal:documents", "portal:requests"):
        assert "promet un chèque" not in portal.get(reverse(name)).content.decode(), name
    assert {event.action for event in AuditEvent.all_firms.filter(action__startswith="notes.")} == {
        "notes.note.added",
        "notes.note.struck",
    }


def test_the_statement_is_emailed_with_its_pdf(
    books: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    with firm_scope(books.horizon):
        # The login's e-mail (confirmed by its owner) comes before the contact e-mail of the file.
        CoOwner.objects.filter(pk=books.alice.pk).update(email="contact@example.com")
        books.alice_user.email = "alice@example.com"
        books.alice_user.save(update_fields=["email"])
    client = _staff(books, StaffRole.ACCOUNTANT)
    period = {"start": f"{TODAY.year}-01-01", "end": f"{TODAY.year}-06-30"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("co_owner_statement_email", books.alice), period)
    assert response.status_code == 302
    with firm_scope(books.horizon):
        message = OutboundMessage.objects.get(template="statement")
        document = Document.objects.get(co_owner=books.alice, category="statement")
    assert message.recipient == "alice@example.com"
    assert message.status == "sent"
    (mail,) = smtp_server.messages
    assert mail["To"] == "alice@example.com"
    assert "A 606 0001" in mail["Subject"]
    attachments = list(mail.iter_attachments())
    assert [part.get_filename() for part in attachments] == [f"releve-A6060001-{TODAY.year}0101-{TODAY.year}0630.pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")
    assert document.original_filename.endswith(".pdf")
    event = AuditEvent.all_firms.get(action="ledger.statement.emailed")
    assert event.data["to"] == "alice@example.com"


def test_a_statement_without_address_is_not_emailed(books: World) -> None:
    with firm_scope(books.horizon):
        CoOwner.objects.filter(pk=books.bob.pk).update(email="")
        books.bob_user.email = ""
        books.bob_user.save(update_fields=["email"])
    response = _staff(books).post(
        _url("co_owner_statement_email", books.bob), {"start": f"{TODAY.year}-01-01", "end": f"{TODAY.year}-01-31"}
    )
    assert response.status_code == 302
    assert OutboundMessage.all_firms.count() == 0
    # A contact e-mail alone is enough.
    with firm_scope(books.horizon):
        CoOwner.objects.filter(pk=books.bob.pk).update(email="bob@example.com")
    _staff(books).post(
        _url("co_owner_statement_email", books.bob), {"start": f"{TODAY.year}-01-01", "end": f"{TODAY.year}-01-31"}
    )
    assert list(OutboundMessage.all_firms.values_list("recipient", flat=True)) == ["bob@example.com"]


def _slip(condo_journal: int, rows: list[tuple[str, str, str, str]], slip: str = "778899") -> dict[str, Any]:
    data: dict[str, Any] = {
        "deposit_date": TODAY.isoformat(),
        "journal": condo_journal,
        "slip_number": slip,
        "cheques-TOTAL_FORMS": "8",
        "cheques-INITIAL_FORMS": "0",
        "cheques-MIN_NUM_FORMS": "0",
        "cheques-MAX_NUM_FORMS": "200",
    }
    for index, (reference, drawer, number, amount) in enumerate(rows):
        data[f"cheques-{index}-reference"] = reference
        data[f"cheques-{index}-drawer_name"] = drawer
        data[f"cheques-{index}-number"] = number
        data[f"cheques-{index}-amount"] = amount
    return data


def test_a_cheque_deposit_shows_in_the_portal_balance_at_once(books: World) -> None:
    client = _staff(books)
    page = client.get(_url("co_owner_cheque_deposit", books.alice))
    journal = page.context["form"].fields["journal"].initial
    assert _portal_balance(books) == D("1000.00")
    response = client.post(
        _url("co_owner_cheque_deposit", books.alice),
        _slip(journal, [("a6060001", "M. TEST", "0001", "400,00"), ("A-606-0002", "MARTIN", "0002", "1 000,00")]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _portal_balance(books) == D("600.00")
    with firm_scope(books.horizon):
        deposit = ChequeDeposit.objects.get()
        assert deposit.total == D("1400.00")
        assert deposit.entry.lines.count() == 3
    page = client.get(_url("co_owner_transfers", books.alice)).content.decode()
    assert "778899" in page


def test_a_bad_slip_is_refused_with_a_message_and_nothing_written(books: World) -> None:
    client = _staff(books)
    journal = client.get(_url("co_owner_cheque_deposit", books.alice)).context["form"].fields["journal"].initial
    entries = Entry.all_firms.count()
    cases = [
        [("A6060001", "TEST", "1", "0")],
        [("A6060001", "TEST", "1", "-5")],
        [("A6060001", "TEST", "1", "10"), ("A6060002", "MARTIN", "1", "20")],
        [("G149X369", "DURAND", "1", "10")],  # another firm's co-owner: unknown here
        [("A6060001", "TEST", "1", "douze")],
    ]
    for rows in cases:
        response = client.post(_url("co_owner_cheque_deposit", books.alice), _slip(journal, rows))
        assert response.status_code == 400, rows
    assert Entry.all_firms.count() == entries
    assert ChequeDeposit.all_firms.count() == 0


def test_an_adjustment_is_a_reasoned_od_entry(books: World) -> None:
    client = _staff(books, StaffRole.ACCOUNTANT)
    data = {
        "date": TODAY.isoformat(),
        "side": "credit",
        "amount": "35,00",
        "sub_account": "4501",
        "counterpart": "678",
        "key": "",
        "label": "Geste commercial",
        "reason": "Frais de relance annulés (erreur d'adresse).",
    }
    response = client.post(_url("co_owner_adjustment", books.alice), data)
    assert response.status_code == 400  # a charge (class 6) needs its key
    assert "clé de répartition" in response.content.decode()
    response = client.post(_url("co_owner_adjustment", books.alice), {**data, "counterpart": "718"})
    assert response.status_code == 302
    with firm_scope(books.horizon):
        entry = Entry.objects.get(journal__code="OD")
        lines = list(entry.lines.order_by("position").values_list("account__number", "debit", "credit", "co_owner_id"))
    assert entry.reason == "Frais de relance annulés (erreur d'adresse)."
    assert lines == [("4501", D("0.00"), D("35.00"), books.alice.pk), ("718", D("35.00"), D("0.00"), None)]
    assert _portal_balance(books) == D("965.00")
    assert AuditEvent.all_firms.get(action="ledger.adjustment.posted").data["reason"] == entry.reason
    # No reason, no entry.
    response = client.post(_url("co_owner_adjustment", books.alice), {**data, "counterpart": "718", "reason": " "})
    assert response.status_code == 400
    assert Entry.all_firms.filter(journal__code="OD").count() == 1


def test_sections_run_a_bounded_number_of_queries_over_fifteen_years(
    world: World, django_assert_max_num_queries: Any
) -> None:
    """15 years of quarterly calls and payments (120 entries for Alice, 240 lines): ≤ 15 queries a page."""
    with firm_scope(world.horizon):
        open_books(world.condo, first_year=TODAY.year - 14, years=15)
        drafts = []
        for year in range(TODAY.year - 14, TODAY.year + 1):
            for month in (1, 4, 7, 10):
                day = datetime.date(year, month, 1)
                drafts.append(
                    EntryDraft(
                        journal="AF",
                        date=day,
                        label=f"Appel {year}-{month}",
                        lines=[
                            LineDraft(
                                account="4501", debit=D("250.00"), co_owner=world.alice, nature=LineNature.CURRENT
                            ),
                            LineDraft(account="701", credit=D("250.00")),
                        ],
                    )
                )
                drafts.append(
                    EntryDraft(
                        journal="BQ1",
                        date=day + datetime.timedelta(days=10),
                        label=f"Virement {year}-{month}",
                        lines=[
                            LineDraft(account="512", debit=D("240.00")),
                            LineDraft(account="4501", credit=D("240.00"), co_owner=world.alice),
                        ],
                    )
                )
        post_entries_bulk(condominium=world.condo, drafts=drafts)
        assert Line.objects.filter(co_owner=world.alice).count() == 120
    client = _staff(world)
    client.get(_url("co_owner_file", world.alice))  # the session and the device, once
    full_history = {"start": f"{TODAY.year - 14}-01-01", "end": TODAY.isoformat()}
    for name in SECTIONS:
        with django_assert_max_num_queries(15):
            response = client.get(_url(name, world.alice), full_history if name == "co_owner_statement" else {})
        assert response.status_code == 200, name
    with django_assert_max_num_queries(15):
        response = client.get(_url("co_owner_statement", world.alice), full_history)
    assert len(response.context["rows"]) == 120


def test_the_list_finds_a_co_owner_by_a_misspaced_reference_or_a_name(
    books: World, django_assert_max_num_queries: Any
) -> None:
    client = _staff(books)
    client.get(reverse("backoffice:co_owner_list"))
    with django_assert_max_num_queries(15):
        page = client.get(reverse("backoffice:co_owner_list"), {"q": "a-606-0001"})
    assert [co_owner.pk for co_owner in page.context["listing"].page] == [books.alice.pk]
    assert page.context["listing"].page[0].balance == D("1000.00")
    assert _url("co_owner_file", books.alice) in page.content.decode()
    page = client.get(reverse("backoffice:co_owner_list"), {"q": "martin"})
    assert [co_owner.pk for co_owner in page.context["listing"].page] == [books.bob.pk]
    # Another firm's co-owners never appear; the export holds the same rows.
    page = client.get(reverse("backoffice:co_owner_list"))
    assert {co_owner.pk for co_owner in page.context["listing"].page} == {books.alice.pk, books.bob.pk}
    export = client.get(reverse("backoffice:co_owner_list"), {"q": "TEST", "format": "csv"})
    content = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "A 606 0001" in content
    assert "MARTIN" not in content


def test_the_list_keeps_to_the_portfolio(books: World) -> None:
    with firm_scope(books.horizon):
        elsewhere = CondominiumFactory(firm=books.horizon, code="707")
    limited = StaffUserFactory(firm=books.horizon, membership=StaffRole.MANAGER)
    PortfolioCondominium.objects.create(firm=books.horizon, user=limited, condominium=elsewhere)
    page = client_for(books.horizon, limited).get(reverse("backoffice:co_owner_list"), {"q": "A6060001"})
    assert list(page.context["listing"].page) == []
