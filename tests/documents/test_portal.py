"""Mes documents: sections, filters, "Nouveau", bounded queries, downloads and who may have them."""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tantieme.audit.models import AuditEvent
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.models import Document, DocumentVisit
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World, client_for
from tests.documents.conftest import drain
from tests.documents.factories import (
    PNG_BYTES,
    CouncilMembershipFactory,
    DocumentFactory,
    council_document,
    pdf_bytes,
    personal_document,
)
from tests.factories import CoOwnerFactory, StaffUserFactory, co_owner_user

PAGE = reverse("portal:documents")


def download_url(document: Document) -> str:
    return reverse("portal:document_download", args=[document.pk])


def body_of(client: Client, url: str = PAGE) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_shared_documents_by_category_and_my_own(world: World) -> None:
    DocumentFactory(condominium=world.condo, category=DocumentCategory.RULES, title="Règlement 1978")
    DocumentFactory(condominium=world.condo, category=DocumentCategory.MEETING_MINUTES, title="PV AG 2025")
    personal_document(world.alice, title="Appel de fonds T1 2026 Alice")
    personal_document(world.bob, title="Appel de fonds T1 2026 Bob")
    council_document(world.condo, title="Relevés bancaires T3")
    DocumentFactory(condominium=world.other_condo, title="Règlement du 149")
    DocumentFactory(condominium=world.condo, title="PV archivé", archived_at=timezone.now())
    body = body_of(client_for(world.horizon, world.alice_user))
    assert "Documents de la copropriété" in body
    assert body.index("Règlement de copropriété et état descriptif de division") < body.index(
        "Procès-verbaux des trois dernières assemblées générales"
    )
    assert "Règlement 1978" in body
    assert "PV AG 2025" in body
    assert "Mes documents personnels" in body
    assert "Appel de fonds T1 2026 Alice" in body
    assert "Appel de fonds T1 2026 Bob" not in body
    assert "Espace du conseil syndical" not in body
    assert "Relevés bancaires T3" not in body
    assert "Règlement du 149" not in body
    assert "PV archivé" not in body


def test_council_members_see_the_council_space(world: World) -> None:
    council_document(world.condo, title="Relevés bancaires T3")
    CouncilMembershipFactory(co_owner=world.alice)
    CouncilMembershipFactory(co_owner=world.bob, end_date=datetime.date(2025, 6, 11))  # mandate over
    alice = body_of(client_for(world.horizon, world.alice_user))
    bob = body_of(client_for(world.horizon, world.bob_user))
    assert "Espace du conseil syndical" in alice
    assert "Relevés bancaires T3" in alice
    assert "Espace du conseil syndical" not in bob
    assert "Relevés bancaires T3" not in bob
    # The council's space leads to the condominium's invoices and budget against actual.
    assert f"/conseil/factures/?copropriete={world.condo.pk}" in alice
    assert f"/conseil/budget/?copropriete={world.condo.pk}" in alice
    assert "/conseil/" not in bob


def test_filters_by_category_and_year(world: World) -> None:
    DocumentFactory(
        condominium=world.condo,
        category=DocumentCategory.MEETING_MINUTES,
        title="PV AG 2024",
        document_date=datetime.date(2024, 6, 1),
    )
    DocumentFactory(
        condominium=world.condo,
        category=DocumentCategory.MEETING_MINUTES,
        title="PV AG 2025",
        document_date=datetime.date(2025, 6, 1),
    )
    DocumentFactory(
        condominium=world.condo,
        category=DocumentCategory.INSURANCE,
        title="Assurance 2025",
        document_date=datetime.date(2025, 1, 1),
    )
    client = client_for(world.horizon, world.alice_user)
    by_year = body_of(client, f"{PAGE}?annee=2025")
    assert "PV AG 2025" in by_year
    assert "Assurance 2025" in by_year
    assert "PV AG 2024" not in by_year
    by_category = body_of(client, f"{PAGE}?categorie=meeting_minutes")
    assert "PV AG 2024" in by_category
    assert "PV AG 2025" in by_category
    assert "Assurance 2025" not in by_category
    both = body_of(client, f"{PAGE}?categorie=meeting_minutes&annee=2024")
    assert "PV AG 2024" in both
    assert "PV AG 2025" not in both
    # The filter only offers what exists; an unknown value filters nothing and says so.
    assert 'value="2024"' in both
    assert 'value="2023"' not in both
    assert "PV AG 2024" in body_of(client, f"{PAGE}?categorie=nimporte")
    assert "Aucun document ne correspond" in body_of(client, f"{PAGE}?annee=2024&categorie=insurance")


def test_documents_published_since_the_previous_visit_are_new(world: World) -> None:
    old = DocumentFactory(condominium=world.condo, title="Ancien document")
    client = client_for(world.horizon, world.alice_user)
    first = body_of(client)
    assert "Nouveau" in first  # first visit: everything is new
    # The visit ends; a day later a document is published.
    with firm_scope(world.horizon):
        DocumentVisit.objects.filter(user=world.alice_user).update(
            visit_started_at=timezone.now() - datetime.timedelta(days=2)
        )
        Document.objects.filter(pk=old.pk).update(published_at=timezone.now() - datetime.timedelta(days=3))
    DocumentFactory(condominium=world.condo, title="Document du jour")
    body = body_of(client)
    row_old = body[body.index("Ancien document") :].split("</tr>")[0]
    row_new = body[body.index("Document du jour") :].split("</tr>")[0]
    assert "Nouveau" in row_new
    assert "Nouveau" not in row_old
    assert "1 nouveau document depuis votre dernière visite." in body
    # Reloading within the same visit keeps the mark.
    assert "Nouveau" in body_of(client)[body.index("Document du jour") - 200 :]


def test_the_page_runs_a_bounded_number_of_queries(world: World, django_assert_max_num_queries) -> None:
    CouncilMembershipFactory(co_owner=world.alice)
    for number in range(20):
        DocumentFactory(
            condominium=world.condo,
            category=DocumentCategory.values[number % 9],
            document_date=datetime.date(2010 + number % 15, 1, 1),
        )
    for _ in range(20):
        personal_document(world.alice)
    for _ in range(10):
        council_document(world.condo)
    client = client_for(world.horizon, world.alice_user)
    with django_assert_max_num_queries(10):
        body = body_of(client)
    assert body.count("Télécharger") == 50
    with django_assert_max_num_queries(10):
        body_of(client, f"{PAGE}?annee=2012&categorie=rules")


def test_download_has_the_safe_headers(world: World) -> None:
    document = DocumentFactory(
        condominium=world.condo, content=pdf_bytes("le règlement"), original_filename="Règlement de copropriété.pdf"
    )
    response = client_for(world.horizon, world.alice_user).get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes("le règlement")  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"filename*=utf-8''{quote('Règlement de copropriété.pdf')}" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_png_is_served_as_a_png(world: World) -> None:
    document = DocumentFactory(
        condominium=world.condo, content=PNG_BYTES, content_type="image/png", original_filename="plan.png"
    )
    response = client_for(world.horizon, world.alice_user).get(download_url(document))
    assert b"".join(response.streaming_content) == PNG_BYTES  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="plan.png"'


def test_there_is_no_public_url_for_the_files(world: World) -> None:
    document = DocumentFactory(condominium=world.condo)
    client = client_for(world.horizon, world.alice_user)
    assert client.get(f"/{document.file.name}").status_code == 404
    assert client.get(f"/media/{document.file.name}").status_code == 404


# --- Who may download what (AC-02): every case is a 404 except the rightful reader. -----------

DOCUMENTS = ["shared", "alice_personal", "bob_personal", "council", "other_condominium", "archived"]


@pytest.fixture
def documents(world: World) -> dict[str, Document]:
    return {
        "shared": DocumentFactory(condominium=world.condo),
        "alice_personal": personal_document(world.alice),
        "bob_personal": personal_document(world.bob),
        "council": council_document(world.condo),
        "other_condominium": DocumentFactory(condominium=world.other_condo),
        "archived": DocumentFactory(condominium=world.condo, archived_at=timezone.now()),
    }


# (persona, document) -> expected status; "alice_council" is Alice once seated on the council.
EXPECTED = {
    "alice": {
        "shared": 200,
        "alice_personal": 200,
        "bob_personal": 404,
        "council": 404,
        "other_condominium": 404,
        "archived": 404,
    },
    "alice_council": {
        "shared": 200,
        "alice_personal": 200,
        "bob_personal": 404,
        "council": 200,
        "other_condominium": 404,
        "archived": 404,
    },
    "bob": {
        "shared": 200,
        "alice_personal": 404,
        "bob_personal": 200,
        "council": 404,
        "other_condominium": 404,
        "archived": 404,
    },
    "other_condominium_same_firm": dict.fromkeys(DOCUMENTS, 404),
    "charlie_other_firm": dict.fromkeys(DOCUMENTS, 404),
}


def persona_client(world: World, persona: str) -> Client:
    if persona in {"alice", "alice_council"}:
        if persona == "alice_council":
            CouncilMembershipFactory(co_owner=world.alice)
        return client_for(world.horizon, world.alice_user)
    if persona == "bob":
        return client_for(world.horizon, world.bob_user)
    if persona == "other_condominium_same_firm":
        from tests.factories import CondominiumFactory

        stranger = CoOwnerFactory(condominium=CondominiumFactory(firm=world.horizon, code="707"))
        CouncilMembershipFactory(co_owner=stranger)  # on its own council: no right on 606's council
        return client_for(world.horizon, co_owner_user(stranger))
    # Charlie signs in on his own firm's host and asks for horizon's document numbers there.
    return client_for(world.rivage, world.charlie_user)


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_download_matrix(world: World, documents: dict[str, Document], persona: str) -> None:
    client = persona_client(world, persona)
    for name, document in documents.items():
        # Charlie's own condominium, on his own host, is his to read.
        own = persona == "charlie_other_firm" and name == "other_condominium"
        expected = 200 if own else EXPECTED[persona][name]
        response = client.get(download_url(document))
        drain(response)
        assert response.status_code == expected, (persona, name, response.status_code)


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_download_is_audited_and_a_refusal_leaves_no_trace(
    world: World, documents: dict[str, Document], persona: str
) -> None:
    client = persona_client(world, persona)
    for name, document in documents.items():
        response = client.get(download_url(document))
        drain(response)
        events = AuditEvent.all_firms.filter(action="documents.document.downloaded", object_id=str(document.pk))
        assert events.count() == (1 if response.status_code == 200 else 0), (persona, name)
        if response.status_code == 200:
            assert events.get().actor is not None


def test_download_for_anonymous_and_staff(world: World, documents: dict[str, Document]) -> None:
    url = download_url(documents["shared"])
    anonymous = client_for(world.horizon).get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/compte/connexion/?next=")
    # Staff have no portal: they are sent to the back office (where their own download view checks them).
    staff = client_for(world.horizon, world.manager).get(url)
    assert (staff.status_code, staff["Location"]) == (302, "/gestion/")
    rival = StaffUserFactory(firm=world.rivage)
    assert client_for(world.rivage, rival).get(url).status_code == 302
    # A session opened on another firm's host is not a session here.
    assert client_for(world.horizon, world.charlie_user).get(url).status_code == 302


def test_the_list_is_isolated_too(world: World, documents: dict[str, Document]) -> None:
    anonymous = client_for(world.horizon).get(PAGE)
    assert anonymous.status_code == 302
    charlie = body_of(client_for(world.rivage, world.charlie_user))
    assert download_url(documents["other_condominium"]) in charlie
    for name in ("shared", "alice_personal", "bob_personal", "council"):
        assert download_url(documents[name]) not in charlie
    bob = body_of(client_for(world.horizon, world.bob_user))
    assert download_url(documents["alice_personal"]) not in bob
    assert download_url(documents["bob_personal"]) in bob


def test_audience_field_values_are_the_enum(world: World) -> None:
    assert set(Audience.values) == {"condominium", "council", "co_owner"}
