"""Back office « Comptabilité »: journals, entries, manual OD, reversal, general ledger, trial
balance, lettering, bank reconciliation, exports; roles, firm walls and bounded queries."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from tantieme.audit.models import AuditEvent
from tantieme.banking.enums import ImportState, LineKind, LineStatus, StatementFormat
from tantieme.banking.models import StatementImport, StatementLine
from tantieme.ledger import services
from tantieme.ledger.models import Entry, EntryAttachment, FiscalYear, Lettering, Line
from tantieme.ledger.services import EntryDraft, LineDraft
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World, client_for
from tests.factories import StaffUserFactory
from tests.ledger.factories import D, open_books, post_call


@dataclass
class Books:
    world: World
    first: FiscalYear
    second: FiscalYear
    call: Entry
    payment: Entry

    @property
    def pk(self) -> int:
        return self.world.condo.pk


@pytest.fixture
def books(world: World) -> Books:
    """606 with 2025 and 2026: a call to Alice, a water bill, her payment (lettered); 2026: a bill."""
    with firm_scope(world.horizon):
        condo = world.condo
        first, second = open_books(condo, first_year=2025, years=2)
        call = post_call(condo, world.alice, D("1000.00"), date=datetime.date(2025, 1, 1))
        services.post_entry(
            condominium=condo,
            journal="AC",
            date=datetime.date(2025, 3, 1),
            label="Eau 2025",
            voucher="FAC-12",
            lines=[LineDraft(account="601", debit=D("300.00")), LineDraft(account="401", credit=D("300.00"))],
        )
        payment = services.post_co_owner_payment(
            co_owner=world.alice, amount=D("600.00"), date=datetime.date(2025, 2, 1), journal="BQ1", label="Virement"
        )
        services.post_entry(
            condominium=condo,
            journal="AC",
            date=datetime.date(2026, 2, 1),
            label="Eau 2026",
            lines=[LineDraft(account="601", debit=D("120.00")), LineDraft(account="401", credit=D("120.00"))],
        )
    return Books(world=world, first=first, second=second, call=call, payment=payment)


def _client(world: World, role: StaffRole = StaffRole.ACCOUNTANT) -> Client:
    return client_for(world.horizon, StaffUserFactory(firm=world.horizon, membership=role))


def _pages(books: Books) -> list[str]:
    pk, year = books.pk, f"?exercice={books.first.pk}"
    alice = books.world.alice.pk
    return [
        reverse("backoffice:accounting_home"),
        reverse("backoffice:accounting_journals", args=[pk]) + year,
        reverse("backoffice:accounting_entries", args=[pk]) + year,
        reverse("backoffice:accounting_entries", args=[pk]) + year + "&account=60&amount=300,00&label=eau",
        reverse("backoffice:accounting_entry", args=[pk, books.call.pk]) + year,
        reverse("backoffice:accounting_trial_balance", args=[pk]) + year,
        reverse("backoffice:accounting_general_ledger", args=[pk]) + year,
        reverse("backoffice:accounting_general_ledger", args=[pk]) + year + "&compte=4501",
        reverse("backoffice:accounting_lettering", args=[pk]) + year,
        reverse("backoffice:accounting_lettering_co_owner", args=[pk, alice]) + year,
        reverse("backoffice:accounting_lettering_account", args=[pk, "401"]) + year,
        reverse("backoffice:accounting_reconciliation", args=[pk]) + year,
        reverse("backoffice:accounting_entry_new", args=[pk]) + year,
        reverse("backoffice:accounting_entry_reverse", args=[pk, books.call.pk]) + year,
    ]


def _exports(books: Books) -> list[str]:
    year = f"?exercice={books.first.pk}"
    return [
        reverse(f"backoffice:accounting_{name}_export", args=[books.pk, fmt]) + year
        for name in ("entries", "trial_balance", "general_ledger")
        for fmt in ("csv", "xlsx", "pdf")
    ]


def _read(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def test_every_page_answers_the_firms_accountant(books: Books) -> None:
    client = _client(books.world)
    for url in _pages(books) + _exports(books):
        response = client.get(url)
        assert response.status_code == 200, url
        _read(response)


def test_read_only_staff_read_but_never_write(books: Books) -> None:
    client = _client(books.world, StaffRole.READ_ONLY)
    pk = books.pk
    for url in _pages(books)[:-2]:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("backoffice:accounting_entry", args=[pk, books.call.pk])).content.decode()
    assert "Contre-passer" not in page
    writes = [
        reverse("backoffice:accounting_entry_new", args=[pk]),
        reverse("backoffice:accounting_entry_reverse", args=[pk, books.call.pk]),
        reverse("backoffice:accounting_letter", args=[pk, books.world.alice.pk]),
        reverse("backoffice:accounting_letter_auto", args=[pk, books.world.alice.pk]),
        reverse("backoffice:accounting_letter_account", args=[pk, "401"]),
        reverse("backoffice:accounting_unletter_account", args=[pk, "401", 1]),
    ]
    for url in writes:
        assert client.post(url, {}).status_code == 403, url
    manager = _client(books.world, StaffRole.MANAGER)
    assert manager.post(writes[0], {}).status_code == 403
    with firm_scope(books.world.horizon):
        assert Entry.objects.count() == 4


def test_another_firm_and_co_owners_get_a_404(books: Books) -> None:
    world = books.world
    stranger = client_for(world.rivage, StaffUserFactory(firm=world.rivage, membership=StaffRole.FIRM_ADMIN))
    co_owner = client_for(world.horizon, world.alice_user)
    for url in _pages(books)[1:] + _exports(books):
        assert stranger.get(url).status_code == 404, url
        assert co_owner.get(url).status_code == 404, url
    assert co_owner.get(reverse("backoffice:accounting_home")).status_code == 404
    stranger_post = stranger.post(reverse("backoffice:accounting_entry_reverse", args=[books.pk, books.call.pk]))
    assert stranger_post.status_code == 404


def test_an_entry_of_another_condominium_is_a_404(books: Books) -> None:
    """The entry is looked up within the condominium of the URL."""
    world = books.world
    with firm_scope(world.horizon):
        from tests.factories import CondominiumFactory

        other = CondominiumFactory(firm=world.horizon, code="607")
    client = _client(world)
    url = reverse("backoffice:accounting_entry", args=[other.pk, books.call.pk])
    assert client.get(url).status_code == 404


def test_a_portfolio_limits_the_condominiums(books: Books) -> None:
    from tantieme.users.models import PortfolioCondominium
    from tests.factories import CondominiumFactory

    world = books.world
    accountant = StaffUserFactory(firm=world.horizon, membership=StaffRole.ACCOUNTANT)
    with firm_scope(world.horizon):
        elsewhere = CondominiumFactory(firm=world.horizon, code="700")
        PortfolioCondominium.objects.create(firm=world.horizon, user=accountant, condominium=elsewhere)
    client = client_for(world.horizon, accountant)
    assert client.get(reverse("backoffice:accounting_journals", args=[books.pk])).status_code == 404


def _manual(books: Books, lines: list[tuple[str, str, str, str]], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "date": "2025-06-30",
        "label": "Reclassement",
        "voucher": "OD-1",
        "reason": "Facture imputée au mauvais compte",
        "lines-TOTAL_FORMS": "6",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "2",
        "lines-MAX_NUM_FORMS": "60",
        **extra,
    }
    for index, (account, co_owner, debit, credit) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-account": account,
                f"lines-{index}-co_owner": co_owner,
                f"lines-{index}-debit": debit,
                f"lines-{index}-credit": credit,
            }
        )
    return data


def test_a_balanced_manual_entry_is_posted_in_od_with_its_reason_and_voucher_file(books: Books) -> None:
    client = _client(books.world)
    url = reverse("backoffice:accounting_entry_new", args=[books.pk])
    pdf = SimpleUploadedFile("facture eau.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    data = _manual(
        books,
        [("615", "", "1 210,77", ""), ("601", "", "", "1 000,00"), ("4501", "A 606 0001", "", "210,77")],
        attachment=pdf,
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    with firm_scope(books.world.horizon):
        entry = Entry.objects.get(journal__code="OD")
        assert entry.code == "OD2025-0001"
        assert entry.voucher == "OD-1"
        lines = list(entry.lines.order_by("position").values_list("account__number", "debit", "credit", "co_owner"))
        assert lines == [
            ("615", D("1210.77"), D("0.00"), None),
            ("601", D("0.00"), D("1000.00"), None),
            ("4501", D("0.00"), D("210.77"), books.world.alice.pk),
        ]
        event = AuditEvent.objects.get(action="ledger.manual_entry.posted")
        assert event.data["reason"] == "Facture imputée au mauvais compte"
        assert event.data["attachment"] == "facture eau.pdf"
        # The reason is stored on the entry itself, the file as an attachment of the entry.
        assert Entry.objects.values_list("reason", flat=True).get(pk=entry.pk) == "Facture imputée au mauvais compte"
        attachment = EntryAttachment.objects.get(entry=entry)
        assert (attachment.original_filename, attachment.content_type) == ("facture eau.pdf", "application/pdf")
        assert attachment.uploaded_by is not None
        assert attachment.file.name.startswith(f"ledger/{entry.firm_id}/{entry.condominium_id}/entries/{entry.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "Facture imputée au mauvais compte" in page
    assert "1\u00a0210,77\u00a0€" in page
    assert "facture eau.pdf" in page
    assert "Aucune pièce jointe" not in page
    url = reverse("backoffice:accounting_attachment", args=[books.pk, entry.pk, attachment.pk])
    assert url in page
    download = client.get(url)
    assert download.status_code == 200
    assert _read(download).startswith(b"%PDF")
    assert download["Cache-Control"] == "private, no-store"
    assert "attachment" in download["Content-Disposition"]
    assert "facture eau.pdf" in download["Content-Disposition"]
    with firm_scope(books.world.horizon):
        downloaded = AuditEvent.objects.get(action="ledger.attachment.downloaded")
        assert downloaded.data["attachment"] == attachment.pk
    missing = client.get(reverse("backoffice:accounting_attachment", args=[books.pk, entry.pk, attachment.pk + 1]))
    assert missing.status_code == 404
    # The attachment is not reachable through another entry, nor from another firm.
    elsewhere = reverse("backoffice:accounting_attachment", args=[books.pk, books.call.pk, attachment.pk])
    assert client.get(elsewhere).status_code == 404
    stranger = client_for(
        books.world.rivage, StaffUserFactory(firm=books.world.rivage, membership=StaffRole.FIRM_ADMIN)
    )
    assert stranger.get(url).status_code == 404
    # Another entry has no attachment.
    other = client.get(reverse("backoffice:accounting_entry", args=[books.pk, books.call.pk])).content.decode()
    assert "Aucune pièce jointe" in other


def test_an_unbalanced_manual_entry_is_refused_and_nothing_is_written(books: Books) -> None:
    client = _client(books.world)
    url = reverse("backoffice:accounting_entry_new", args=[books.pk])
    pdf = SimpleUploadedFile("piece.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    with firm_scope(books.world.horizon):
        entries, lines = Entry.objects.count(), Line.objects.count()
    response = client.post(url, _manual(books, [("615", "", "100,00", ""), ("401", "", "", "90,00")], attachment=pdf))
    assert response.status_code == 400
    text = response.content.decode()
    assert "rien n&#x27;a été enregistré" in text or "rien n'a été enregistré" in text
    assert "déséquilibrée" in text
    with firm_scope(books.world.horizon):
        assert (Entry.objects.count(), Line.objects.count()) == (entries, lines)
        assert not AuditEvent.objects.filter(action="ledger.manual_entry.posted").exists()
        assert not EntryAttachment.objects.exists()


@pytest.mark.parametrize(
    ("lines", "extra", "expected"),
    [
        ([("4501", "", "10,00", ""), ("701", "", "", "10,00")], {}, "nomme son copropriétaire"),
        ([("4501", "A 606 9999", "10,00", ""), ("701", "", "", "10,00")], {}, "Aucun copropriétaire"),
        ([("615", "", "10,001", ""), ("401", "", "", "10,00")], {}, "deux décimales"),
        ([("615", "", "10,00", ""), ("401", "", "", "10,00")], {"reason": ""}, "obligatoire"),
        ([("615", "", "10,00", ""), ("401", "", "", "10,00")], {"date": "2031-01-01"}, "Aucun exercice ouvert"),
        ([("615", "", "10,00", "")], {}, "au moins 2"),
    ],
)
def test_manual_entry_errors_are_shown(
    books: Books, lines: list[tuple[str, str, str, str]], extra: dict[str, str], expected: str
) -> None:
    client = _client(books.world)
    response = client.post(reverse("backoffice:accounting_entry_new", args=[books.pk]), _manual(books, lines, **extra))
    assert response.status_code == 400
    assert expected in response.content.decode().replace("&#x27;", "'")
    with firm_scope(books.world.horizon):
        assert not Entry.objects.filter(journal__code="OD").exists()


def _stored_files(folder: str = "ledger") -> list[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    return files + [name for sub in folders for name in _stored_files(f"{folder}/{sub}")]


def test_an_unreadable_image_or_a_late_failure_writes_nothing(books: Books, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(books.world)
    url = reverse("backoffice:accounting_entry_new", args=[books.pk])
    broken = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\nbroken", content_type="image/png")
    response = client.post(url, _manual(books, [("615", "", "10,00", ""), ("401", "", "", "10,00")], attachment=broken))
    assert response.status_code == 400
    assert "illisible" in response.content.decode()
    # A failure after the file was written (here the audit record) deletes it with the rest.
    from tantieme.backoffice.accounting import entries
    from tantieme.ledger.exceptions import LedgerError

    def failing_record(**kwargs: Any) -> None:
        raise LedgerError("Journal d'audit indisponible.")

    monkeypatch.setattr(entries, "record", failing_record)
    pdf = SimpleUploadedFile("piece.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = client.post(url, _manual(books, [("615", "", "10,00", ""), ("401", "", "", "10,00")], attachment=pdf))
    assert response.status_code == 400
    assert "Journal d&#x27;audit indisponible" in response.content.decode()
    with firm_scope(books.world.horizon):
        assert not Entry.objects.filter(journal__code="OD").exists()
        assert not EntryAttachment.objects.exists()
    assert _stored_files() == []


def test_an_executable_is_refused_as_attachment(books: Books) -> None:
    client = _client(books.world)
    upload = SimpleUploadedFile("piece.pdf", b"MZ\x90\x00binary", content_type="application/pdf")
    response = client.post(
        reverse("backoffice:accounting_entry_new", args=[books.pk]),
        _manual(books, [("615", "", "10,00", ""), ("401", "", "", "10,00")], attachment=upload),
    )
    assert response.status_code == 400
    assert "ni un PDF" in response.content.decode()


def test_a_reversal_is_confirmed_then_posted(books: Books) -> None:
    client = _client(books.world, StaffRole.FIRM_ADMIN)
    url = reverse("backoffice:accounting_entry_reverse", args=[books.pk, books.payment.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Confirmer la contre-passation" in confirm.content.decode()
    with firm_scope(books.world.horizon):
        assert not Entry.objects.filter(reverses=books.payment).exists()  # a GET writes nothing
    refused = client.post(url, {"date": "2025-02-01", "reason": ""})
    assert refused.status_code == 400
    response = client.post(url, {"date": "2025-02-01", "reason": "Virement rejeté par la banque"})
    assert response.status_code == 302
    with firm_scope(books.world.horizon):
        reversal = Entry.objects.get(reverses=books.payment)
        assert reversal.journal.code == "BQ1"
        assert reversal.reason == "Virement rejeté par la banque"
        assert sorted(reversal.lines.values_list("account__number", "debit", "credit")) == [
            ("4501", D("600.00"), D("0.00")),
            ("512", D("0.00"), D("600.00")),
        ]
    original = client.get(reverse("backoffice:accounting_entry", args=[books.pk, books.payment.pk])).content.decode()
    assert reversal.code in original
    assert "Contre-passer cette écriture" not in original
    page = client.get(response["Location"]).content.decode()
    assert "Virement rejeté par la banque" in page
    again = client.post(url, {"date": "2025-02-01", "reason": "encore"})
    assert again.status_code == 400
    assert "déjà été contre-passée" in again.content.decode()


def test_the_trial_balance_page_never_opens_classes_6_and_7(books: Books) -> None:
    client = _client(books.world)
    url = reverse("backoffice:accounting_trial_balance", args=[books.pk]) + f"?exercice={books.second.pk}"
    page = client.get(url).content.decode()
    assert "compte=701" not in page  # no 2026 movement, no 2025 balance carried
    assert "compte=601" in page
    exported = _read(
        client.get(
            reverse("backoffice:accounting_trial_balance_export", args=[books.pk, "csv"])
            + f"?exercice={books.second.pk}"
        )
    )
    rows = {row[0]: row for row in csv.reader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";")}
    assert rows["601"][2:] == ["0,00", "120,00", "0,00", "120,00"]
    assert rows["4501"][2] == "400,00"
    assert "701" not in rows


def test_the_general_ledger_csv_streams_and_its_totals_match(books: Books) -> None:
    client = _client(books.world)
    response = client.get(
        reverse("backoffice:accounting_general_ledger_export", args=[books.pk, "csv"]) + f"?exercice={books.first.pk}"
    )
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    content = _read(response)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    lines = [row for row in rows[1:] if row[1]]
    total_debit = sum((Decimal(row[7].replace(",", ".")) for row in lines), Decimal(0))
    total_credit = sum((Decimal(row[8].replace(",", ".")) for row in lines), Decimal(0))
    with firm_scope(books.world.horizon):
        year_lines = Line.objects.filter(entry__fiscal_year=books.first)
        assert len(lines) == year_lines.count()
        assert total_debit == total_credit == sum((line.debit for line in year_lines), Decimal(0))
    assert rows[-1][0] == "Total général"
    assert rows[-1][7] == rows[-1][8] == "1900,00"
    one = _read(
        client.get(
            reverse("backoffice:accounting_general_ledger_export", args=[books.pk, "csv"])
            + f"?exercice={books.first.pk}&compte=512"
        )
    ).decode("utf-8-sig")
    assert {row[0] for row in csv.reader(io.StringIO(one), delimiter=";")} == {"Compte", "512", "Total général"}


def test_exports_have_their_formats(books: Books) -> None:
    client = _client(books.world)
    for url in _exports(books):
        response = client.get(url)
        content = _read(response)
        assert response["Cache-Control"] == "private, no-store"
        if ".pdf" in url:
            assert content.startswith(b"%PDF")
        elif ".xlsx" in url:
            assert content.startswith(b"PK")
        else:
            assert content.startswith("\ufeff".encode())
    assert client.get(reverse("backoffice:accounting_entries_export", args=[books.pk, "exe"])).status_code == 404


def test_the_entries_search_and_the_entries_export_agree(books: Books) -> None:
    client = _client(books.world)
    base = reverse("backoffice:accounting_entries", args=[books.pk]) + f"?exercice={books.first.pk}"
    page = client.get(base + "&journal=AC").content.decode()
    assert "Eau 2025" in page
    assert "Virement" not in page
    exported = _read(
        client.get(
            reverse("backoffice:accounting_entries_export", args=[books.pk, "csv"])
            + f"?exercice={books.first.pk}&journal=AC"
        )
    ).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert [row[5] for row in rows[1:]] == ["601", "401"]
    bad = client.get(base + "&amount=abc")
    assert bad.status_code == 200
    assert "montant" in bad.content.decode()


def test_lettering_and_unlettering_a_co_owner_account(books: Books) -> None:
    world = books.world
    client = _client(world)
    with firm_scope(world.horizon):
        call = post_call(world.condo, world.bob, D("200.00"), date=datetime.date(2025, 4, 1))
        services.post_entry(
            condominium=world.condo,
            journal="BQ1",
            date=datetime.date(2025, 4, 5),
            label="Virement Bob",
            lines=[
                LineDraft(account="512", debit=D("150.00")),
                LineDraft(account="4501", credit=D("150.00"), co_owner=world.bob),
            ],
        )
        debit = call.lines.get(account__number="4501")
        credit = Line.objects.get(co_owner=world.bob, credit__gt=0)
    page_url = reverse("backoffice:accounting_lettering_co_owner", args=[books.pk, world.bob.pk])
    page = client.get(page_url).content.decode()
    assert "200,00" in page
    assert "Lettrer les lignes cochées" in page
    response = client.post(
        reverse("backoffice:accounting_letter", args=[books.pk, world.bob.pk]), {"line": [debit.pk, credit.pk]}
    )
    assert response.status_code == 302
    with firm_scope(world.horizon):
        lettering = Lettering.objects.get(co_owner=world.bob)
        assert lettering.code == "AA"
    page = client.get(page_url).content.decode()
    assert "Délettrer AA" in page
    assert "50,00" in page  # the rest of the call stays open
    # A line of another co-owner cannot be slipped into the selection.
    with firm_scope(world.horizon):
        alice_line = Line.objects.filter(co_owner=world.alice).first()
    client.post(reverse("backoffice:accounting_letter", args=[books.pk, world.bob.pk]), {"line": [alice_line.pk]})
    with firm_scope(world.horizon):
        assert Lettering.objects.filter(co_owner=world.bob).count() == 1
    response = client.post(reverse("backoffice:accounting_unletter", args=[books.pk, world.bob.pk, lettering.pk]))
    assert response.status_code == 302
    with firm_scope(world.horizon):
        assert not Lettering.objects.filter(co_owner=world.bob).exists()
    client.post(reverse("backoffice:accounting_letter_auto", args=[books.pk, world.bob.pk]))
    with firm_scope(world.horizon):
        assert Lettering.objects.filter(co_owner=world.bob).count() == 1
    # Alice's lettering cannot be removed through Bob's page.
    with firm_scope(world.horizon):
        alice_lettering = Lettering.objects.get(co_owner=world.alice)
    refused = client.post(reverse("backoffice:accounting_unletter", args=[books.pk, world.bob.pk, alice_lettering.pk]))
    assert refused.status_code == 404


def _supplier_lines(books: Books) -> tuple[Line, Line, Line]:
    """The 2025 water bill's 401 line, its payment on 401 and an unidentified receipt on 472."""
    world = books.world
    with firm_scope(world.horizon):
        bill = Line.objects.get(account__number="401", entry__label="Eau 2025")
        paid = services.post_entry(
            condominium=world.condo,
            journal="BQ1",
            date=datetime.date(2025, 3, 20),
            label="Règlement Eau de Paris",
            voucher="VIR-88",
            lines=[LineDraft(account="401", debit=D("300.00")), LineDraft(account="512", credit=D("300.00"))],
        ).lines.get(account__number="401")
        suspense = services.post_entry(
            condominium=world.condo,
            journal="BQ1",
            date=datetime.date(2025, 3, 21),
            label="Virement non identifié",
            lines=[LineDraft(account="512", debit=D("40.00")), LineDraft(account="472", credit=D("40.00"))],
        ).lines.get(account__number="472")
    return bill, paid, suspense


def test_lettering_and_unlettering_a_supplier_account(books: Books) -> None:
    world = books.world
    bill, paid, suspense = _supplier_lines(books)
    client = _client(world)
    home = client.get(reverse("backoffice:accounting_lettering", args=[books.pk])).content.decode()
    account_url = reverse("backoffice:accounting_lettering_account", args=[books.pk, "401"])
    assert account_url in home
    assert reverse("backoffice:accounting_lettering_account", args=[books.pk, "5128"]) in home
    assert reverse("backoffice:accounting_lettering_account", args=[books.pk, "4501"]) not in home
    page = client.get(account_url).content.decode()
    assert "Eau 2025" in page
    assert "Règlement Eau de Paris" in page
    assert "VIR-88" in page
    assert "Eau 2026" in page  # the open lines of every year
    assert f'value="{bill.pk}"' in page
    assert f'value="{paid.pk}"' in page
    assert "Lettrer" in page
    letter = reverse("backoffice:accounting_letter_account", args=[books.pk, "401"])
    # A line of another account cannot be slipped into the selection.
    refused = client.post(letter, {"line": [bill.pk, suspense.pk]})
    assert refused.status_code == 302
    with firm_scope(world.horizon):
        assert not Lettering.objects.filter(co_owner__isnull=True).exists()
    response = client.post(letter, {"line": [bill.pk, paid.pk]})
    assert response.status_code == 302
    assert response["Location"].startswith(account_url)
    with firm_scope(world.horizon):
        lettering = Lettering.objects.get(co_owner__isnull=True)
        assert (lettering.code, lettering.account.number) == ("AA", "401")
        assert AuditEvent.objects.filter(action="ledger.lettering.created", actor__isnull=False).exists()
    page = client.get(account_url).content.decode()
    assert "Lettrage AA enregistré" in page
    assert "Délettrer AA" in page
    assert f'value="{bill.pk}"' not in page  # fully lettered: no longer open
    # The general account's lettering cannot be removed through another account's page.
    other = reverse("backoffice:accounting_unletter_account", args=[books.pk, "472", lettering.pk])
    assert client.post(other).status_code == 404
    # Nor through a co-owner's.
    co_owner = reverse("backoffice:accounting_unletter", args=[books.pk, world.alice.pk, lettering.pk])
    assert client.post(co_owner).status_code == 404
    unletter = reverse("backoffice:accounting_unletter_account", args=[books.pk, "401", lettering.pk])
    assert client.post(unletter).status_code == 302
    with firm_scope(world.horizon):
        assert not Lettering.objects.filter(co_owner__isnull=True).exists()
    assert f'value="{bill.pk}"' in client.get(account_url).content.decode()


def test_general_account_lettering_roles_and_walls(books: Books) -> None:
    world = books.world
    bill, paid, _suspense = _supplier_lines(books)
    page = reverse("backoffice:accounting_lettering_account", args=[books.pk, "401"])
    letter = reverse("backoffice:accounting_letter_account", args=[books.pk, "401"])
    manager = _client(world, StaffRole.MANAGER)
    text = manager.get(page).content.decode()
    assert "Eau 2025" in text
    assert 'name="line"' not in text
    assert "Délettrer" not in text
    assert manager.post(letter, {"line": [bill.pk, paid.pk]}).status_code == 403
    with firm_scope(world.horizon):
        lettering = services.letter_lines(lines=[bill, paid], on=datetime.date(2025, 3, 21))
    unletter = reverse("backoffice:accounting_unletter_account", args=[books.pk, "401", lettering.pk])
    assert manager.post(unletter).status_code == 403
    stranger = client_for(world.rivage, StaffUserFactory(firm=world.rivage, membership=StaffRole.FIRM_ADMIN))
    assert stranger.get(page).status_code == 404
    assert stranger.post(letter, {"line": [bill.pk, paid.pk]}).status_code == 404
    assert stranger.post(unletter).status_code == 404
    accountant = _client(world)
    # Co-owner accounts are lettered per co-owner; unknown accounts do not exist.
    assert (
        accountant.get(reverse("backoffice:accounting_lettering_account", args=[books.pk, "4501"])).status_code == 404
    )
    assert accountant.get(reverse("backoffice:accounting_lettering_account", args=[books.pk, "999"])).status_code == 404
    with firm_scope(world.horizon):
        assert Lettering.objects.filter(co_owner__isnull=True).count() == 1


def test_the_bank_reconciliation_state(books: Books, django_assert_max_num_queries: Any) -> None:
    world = books.world
    with firm_scope(world.horizon):
        job = StatementImport.objects.create(
            firm=world.horizon,
            condominium=world.condo,
            account_iban=world.condo.iban,
            format=StatementFormat.CAMT053,
            file_sha256="0" * 64,
            state=ImportState.DONE,
            opening_balance=D("0.00"),
            opening_date=datetime.date(2025, 1, 31),
            closing_balance=D("575.00"),
            closing_date=datetime.date(2025, 2, 28),
        )
        common = {"firm": world.horizon, "condominium": world.condo, "statement_import": job}
        StatementLine.objects.create(
            **common, account_iban=world.condo.iban, entry_key="k1", position=1,
            booking_date=datetime.date(2025, 2, 1), amount=D("600.00"), label="Virement Alice",
            kind=LineKind.CO_OWNER_PAYMENT, status=LineStatus.MATCHED, entry=books.payment,
        )  # fmt: skip
        StatementLine.objects.create(
            **common, account_iban=world.condo.iban, entry_key="k2", position=2,
            booking_date=datetime.date(2025, 2, 20), amount=D("-25.00"), label="Frais bancaires",
            kind=LineKind.DEBIT, status=LineStatus.TO_REVIEW,
        )  # fmt: skip
    client = _client(world, StaffRole.READ_ONLY)
    client.get(reverse("backoffice:accounting_home"))
    with django_assert_max_num_queries(18):
        page = client.get(reverse("backoffice:accounting_reconciliation", args=[books.pk])).content.decode()
    assert "Frais bancaires" in page
    assert "575,00" in page  # the statement
    assert "600,00" in page  # the books
    assert "-25,00" in page  # the gap, explained by the line not posted yet
    assert "1 ligne de relevé non rapprochée" in page
    assert "badge--success" in page  # nothing left unexplained


def test_pages_run_a_bounded_number_of_queries(books: Books, django_assert_max_num_queries: Any) -> None:
    world = books.world
    with firm_scope(world.horizon):
        drafts = [
            EntryDraft(
                journal="OD",
                date=datetime.date(2025, 1, 1) + datetime.timedelta(days=index % 300),
                label=f"Mouvement {index}",
                lines=[
                    LineDraft(account="512", debit=D("1.00")),
                    LineDraft(account="4501", credit=D("1.00"), co_owner=world.alice),
                ],
            )
            for index in range(300)
        ]
        services.post_entries_bulk(condominium=world.condo, drafts=drafts)
        services.letter_open_items(co_owner=world.alice, on=datetime.date(2025, 12, 31))
    client = _client(world)
    client.get(reverse("backoffice:accounting_home"))  # sessions, OTP device: warm up
    bank = reverse("backoffice:accounting_general_ledger", args=[books.pk]) + f"?exercice={books.first.pk}&compte=512"
    bank_lettering = reverse("backoffice:accounting_lettering_account", args=[books.pk, "512"])
    for url in [*_pages(books), bank, bank_lettering]:
        with django_assert_max_num_queries(16):
            response = client.get(url)
        assert response.status_code == 200, url
    for url in _exports(books):
        with django_assert_max_num_queries(16):
            _read(client.get(url))


def test_a_pdf_too_long_sends_back_to_the_page(books: Books, monkeypatch: pytest.MonkeyPatch) -> None:
    from tantieme.ledger import exports

    monkeypatch.setattr(exports, "PDF_MAX_ROWS", 3)
    client = _client(books.world)
    query = f"?exercice={books.first.pk}"
    response = client.get(reverse("backoffice:accounting_general_ledger_export", args=[books.pk, "pdf"]) + query)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:accounting_general_ledger", args=[books.pk]) + query
    page = client.get(response["Location"]).content.decode()
    assert "trop pour un PDF" in page


def test_an_entry_page_shows_its_own_fiscal_year(books: Books) -> None:
    client = _client(books.world)
    page = client.get(reverse("backoffice:accounting_entry", args=[books.pk, books.call.pk])).content.decode()
    assert f'<option value="{books.first.pk}" selected>' in page
    assert f"?exercice={books.first.pk}&amp;compte=701" in page


def test_the_entries_list_sorts_on_its_columns(books: Books) -> None:
    """Issue 13.7: sortable headers; the exports keep the filters but not the sort or the page."""
    client = _client(books.world)
    url = reverse("backoffice:accounting_entries", args=[books.pk])
    ascending = client.get(url, {"exercice": books.first.pk, "tri": "amount", "ordre": "asc"}).context["listing"]
    amounts = [entry.total for entry in ascending.page]
    assert amounts == sorted(amounts)
    assert len(amounts) >= 2
    html = client.get(url, {"exercice": books.first.pk, "tri": "amount", "ordre": "desc"}).content.decode()
    assert 'aria-sort="descending"' in html
    assert "tri=code" in html
    export = reverse("backoffice:accounting_entries_export", args=[books.pk, "csv"])
    assert f'href="{export}?exercice={books.first.pk}"' in html


def test_the_lettering_list_is_paginated_filtered_and_bounded(books: Books, django_assert_max_num_queries: Any) -> None:
    """Many co-owners: 50 a page, balances of the page's co-owners only, filters and a bounded query count."""
    from tests.factories import CoOwnerFactory

    world = books.world
    for index in range(120):
        CoOwnerFactory(condominium=world.condo, reference=f"A606{1000 + index}", last_name=f"VOISIN{index:03d}")
    with firm_scope(world.horizon):
        post_call(world.condo, world.bob, D("75.50"), date=datetime.date(2025, 5, 1))
    client = _client(world)
    url = reverse("backoffice:accounting_lettering", args=[books.pk])
    year = f"exercice={books.first.pk}"
    client.get(url)  # sessions, OTP device: warm up
    with django_assert_max_num_queries(15):
        response = client.get(f"{url}?{year}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "122 copropriétaires" in page
    assert "Page 1 sur 3" in page
    assert page.count('class="reference"') == 50
    # Alice: the call of 1 000,00 less her payment of 600,00; Bob: his call.
    alice_link = reverse("backoffice:accounting_lettering_co_owner", args=[books.pk, world.alice.pk])
    assert f"{alice_link}?{year}" in page
    assert "400,00" in page
    assert "75,50" in page
    assert f"{year}&amp;page=2" in page  # the fiscal year is kept from page to page
    assert reverse("backoffice:accounting_lettering_account", args=[books.pk, "401"]) in page

    with django_assert_max_num_queries(15):
        last = client.get(f"{url}?{year}&page=3").content.decode()
    assert last.count('class="reference"') == 22
    assert "VOISIN119" in last

    debtors = client.get(f"{url}?{year}&debtors=on").content.decode()
    assert "2 copropriétaires" in debtors
    assert "VOISIN" not in debtors

    by_reference = client.get(f"{url}?q=a-606-0002").content.decode()
    assert "1 copropriétaire " in by_reference
    assert "MARTIN" in by_reference
    assert "TEST" not in by_reference

    by_balance = client.get(f"{url}?tri=balance&ordre=desc").content.decode()
    assert by_balance.index("400,00") < by_balance.index("75,50") < by_balance.index("VOISIN")

    export = _read(client.get(f"{url}?debtors=on&format=csv")).decode("utf-8-sig")
    assert "MARTIN" in export
    assert "400" in export
    assert "VOISIN" not in export
