"""Paper or e-mail, by consent and access (issue 16, item 4): a notice goes by e-mail only to a
co-owner who consented and can sign in; the others are in the batch's letters, one PDF sorted for
the post; an e-mail never announces a due date already past without saying so."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from pypdf import PdfReader

from tantieme.funds.batches import run_batch, start_batch
from tantieme.funds.letters import calls_of_batch, letters_pdf, notices_to_post
from tantieme.funds.models import CallNotice
from tantieme.notifications.models import OutboundMessage
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import client_for
from tests.factories import StaffUserFactory, co_owner_user
from tests.funds.helpers import Example, build_example, vote_example_budget


@pytest.fixture
def example(db: None) -> Iterator[Example]:
    from tests.factories import FirmFactory

    firm = FirmFactory(slug="exemple", name="Cabinet Exemple")
    with firm_scope(firm):
        yield build_example(firm=firm)


def _reach(example: Example) -> None:
    """A: consents and can sign in (e-mail). B: consents, login never activated (post). C: can sign
    in, no consent (post). D, E: nothing (post). Postal codes put D before B before C before E."""
    owners = example.owners
    for key, postal_code in (("A", "69001"), ("B", "33000"), ("C", "69003"), ("D", "13001"), ("E", "75001")):
        owners[key].postal_code = postal_code
        owners[key].email = f"{key.lower()}@example.org"
        owners[key].e_notification_consent = key in "AB"
        owners[key].save()
    co_owner_user(owners["A"])
    invited = co_owner_user(owners["B"], login="B-INVITED")
    invited.set_unusable_password()  # invited, never activated: cannot sign in yet
    invited.save()
    co_owner_user(owners["C"], login="C-LOGIN")


def test_only_consenting_co_owners_who_can_sign_in_get_an_email(
    example: Example, django_capture_on_commit_callbacks: Any
) -> None:
    _reach(example)
    vote_example_budget(example)
    with django_capture_on_commit_callbacks(execute=True):
        batch = run_batch(batch_id=start_batch(firm=example.firm, period="2025-Q1").pk)
    assert (batch.notices_published, batch.emails_queued) == (5, 1)
    assert list(OutboundMessage.all_firms.values_list("recipient", flat=True)) == ["a@example.org"]
    # The 2025 due date is past: the e-mail says so instead of « à payer avant le 01/01/2025 ».
    body = OutboundMessage.all_firms.get().body_text
    assert "Échéance du 01/01/2025 dépassée : total à payer dès réception" in body
    assert "avant le 01/01/2025" not in body

    notices = notices_to_post(calls_of_batch(batch, [example.condominium.pk]))
    assert [notice.co_owner.postal_code for notice in notices] == ["13001", "33000", "69003", "75001"]
    pdf = PdfReader(io.BytesIO(letters_pdf(notices)))
    # Each notice starts on a new sheet (one-page notices get a blank back page).
    assert len(pdf.pages) == 2 * notices.count()
    assert "33000" in pdf.pages[2].extract_text()


def test_staff_download_the_letters_of_a_batch(example: Example, django_capture_on_commit_callbacks: Any) -> None:
    _reach(example)
    vote_example_budget(example)
    with django_capture_on_commit_callbacks(execute=True):
        batch = run_batch(batch_id=start_batch(firm=example.firm, period="2025-Q1").pk)
    staff = client_for(example.firm, StaffUserFactory(firm=example.firm))
    page = staff.get(f"/gestion/appels/emission/{batch.pk}/").content.decode()
    assert f"/gestion/appels/emission/{batch.pk}/courrier.pdf" in page
    response = staff.get(f"/gestion/appels/emission/{batch.pk}/courrier.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 8
    # Everyone reached by e-mail: nothing to post, no link, and the file sends back to the batch.
    CallNotice.objects.update(emailed=True)
    assert "courrier.pdf" not in staff.get(f"/gestion/appels/emission/{batch.pk}/").content.decode()
    back = staff.get(f"/gestion/appels/emission/{batch.pk}/courrier.pdf")
    assert back.status_code == 302
    assert back["Location"] == f"/gestion/appels/emission/{batch.pk}/"
