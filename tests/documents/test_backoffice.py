"""Back office: list, publish one or many files, refuse what is not PDF/JPEG/PNG, archive, council; roles."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tantieme.audit.models import AuditEvent
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.models import CouncilMembership, Document
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import PortfolioCondominium
from tests.conftest import World, client_for
from tests.documents.conftest import drain, stored_files
from tests.documents.factories import (
    EXE_BYTES,
    PNG_BYTES,
    CouncilMembershipFactory,
    DocumentFactory,
    pdf_bytes,
    personal_document,
)
from tests.factories import CondominiumFactory, StaffUserFactory


def staff(world: World, role: str = StaffRole.MANAGER) -> Client:
    user = world.manager if role == StaffRole.MANAGER else StaffUserFactory(firm=world.horizon, membership=role)
    return client_for(world.horizon, user)


def publish_url(world: World) -> str:
    return reverse("backoffice:documents_publish", args=[world.condo.pk])


def form_data(*files: SimpleUploadedFile, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": DocumentCategory.MEETING_MINUTES,
        "audience": Audience.CONDOMINIUM,
        "title": "",
        "document_date": "2025-06-12",
        "year": "",
        "uploads": list(files),
    }
    data.update(fields)
    return data


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def documents(world: World) -> list[Document]:
    with firm_scope(world.horizon):
        return list(Document.objects.order_by("pk"))


def test_the_menu_has_a_documents_entry(world: World) -> None:
    body = staff(world).get(reverse("backoffice:documents_home")).content.decode()
    nav = body[body.index("<nav") : body.index("</nav>")]
    assert 'aria-current="page">Documents</a>' in nav
    assert nav.index("Accès extranet") < nav.index("Documents") < nav.index("Importer une copropriété")


def test_publish_one_document(world: World, private_media: Path) -> None:
    response = staff(world).post(
        publish_url(world), form_data(upload("PV AG 2025.pdf", pdf_bytes("pv")), title="PV de l'AG du 12 juin 2025")
    )
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("backoffice:documents_condominium", args=[world.condo.pk])
    (document,) = documents(world)
    assert document.title == "PV de l'AG du 12 juin 2025"
    assert (document.category, document.audience, document.year) == ("meeting_minutes", "condominium", 2025)
    assert document.original_filename == "PV AG 2025.pdf"
    assert document.published_by == world.manager
    assert len(stored_files(private_media)) == 1
    with firm_scope(world.horizon):
        event = AuditEvent.objects.get(action="documents.document.published")
    assert (event.actor, event.object_id) == (world.manager, str(document.pk))


def test_publish_many_files_at_once_and_skip_duplicates(world: World, private_media: Path) -> None:
    client = staff(world)
    files = [upload(f"PV AG {year}.pdf", pdf_bytes(f"pv {year}")) for year in (2023, 2024, 2025)]
    response = client.post(publish_url(world), form_data(*files, title="Procès-verbal"), follow=True)
    assert "3 documents publiés." in response.content.decode()
    assert [d.title for d in documents(world)] == [
        "Procès-verbal — PV AG 2023",
        "Procès-verbal — PV AG 2024",
        "Procès-verbal — PV AG 2025",
    ]
    again = [upload("copie.pdf", pdf_bytes("pv 2025")), upload("nouveau.pdf", pdf_bytes("pv 2026"))]
    body = client.post(publish_url(world), form_data(*again), follow=True).content.decode()
    assert "1 document publié." in body
    assert "1 fichier était déjà publié pour ces destinataires" in body
    assert len(documents(world)) == 4
    assert len(stored_files(private_media)) == 4


def test_publish_a_personal_document(world: World) -> None:
    response = staff(world).post(
        publish_url(world),
        form_data(
            upload("appel.pdf", pdf_bytes("appel")),
            category=DocumentCategory.CALL_FOR_FUNDS,
            audience=Audience.CO_OWNER,
            co_owner="a-606 0001",
            title="Appel de fonds T1 2026",
        ),
    )
    assert response.status_code == 302
    (document,) = documents(world)
    assert document.co_owner == world.alice


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"category": DocumentCategory.CALL_FOR_FUNDS}, "les destinataires possibles sont : Un copropriétaire"),
        ({"audience": Audience.CO_OWNER, "category": DocumentCategory.LETTER}, "Choisissez le copropriétaire"),
        ({"co_owner": "alice"}, "ne se choisit que si"),
        (
            {"co_owner": "charlie", "audience": Audience.CO_OWNER, "category": DocumentCategory.LETTER},
            "« G 149 X369 » n&#x27;est pas un copropriétaire de la copropriété 606.",
        ),
    ],
)
def test_inconsistent_audiences_are_refused(world: World, fields: dict[str, object], message: str) -> None:
    if fields.get("co_owner") in {"alice", "charlie"}:
        fields["co_owner"] = getattr(world, str(fields["co_owner"])).reference
    response = staff(world).post(publish_url(world), form_data(upload("a.pdf", pdf_bytes()), **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert documents(world) == []


def test_uploads_are_checked_from_their_content(world: World, private_media: Path) -> None:
    client = staff(world)
    # An executable renamed .pdf, among good files: nothing is published, the reason is given.
    response = client.post(
        publish_url(world), form_data(upload("bon.pdf", pdf_bytes()), upload("facture.pdf", EXE_BYTES))
    )
    assert response.status_code == 200
    assert "Le fichier « facture.pdf » n&#x27;est ni un PDF, ni une image JPEG ou PNG" in response.content.decode()
    assert documents(world) == []
    assert stored_files(private_media) == []
    # Not an accepted extension.
    body = client.post(publish_url(world), form_data(upload("page.html", pdf_bytes()))).content.decode()
    assert "doit être un PDF, un JPEG ou un PNG" in body
    # A PNG named .pdf is published as the PNG it is.
    response = client.post(
        publish_url(world), form_data(upload("plan.pdf", PNG_BYTES), category=DocumentCategory.DIAGNOSTICS)
    )
    assert response.status_code == 302
    (document,) = documents(world)
    assert (document.content_type, document.original_filename) == ("image/png", "plan.png")


def test_files_over_10_mb_are_refused(world: World, private_media: Path) -> None:
    big = pdf_bytes() + b"0" * (10 * 1024 * 1024)
    response = staff(world).post(publish_url(world), form_data(upload("gros.pdf", big)))
    assert response.status_code == 200
    assert "dépasse la taille maximale de 10,0" in response.content.decode()
    assert stored_files(private_media) == []


def test_no_file_is_refused(world: World) -> None:
    response = staff(world).post(publish_url(world), form_data())
    assert response.status_code == 200
    assert documents(world) == []


def test_archive(world: World) -> None:
    document = DocumentFactory(condominium=world.condo, title="Ancien contrat")
    response = staff(world).post(reverse("backoffice:documents_archive", args=[document.pk]), follow=True)
    assert "« Ancien contrat » est archivé" in response.content.decode()
    with firm_scope(world.horizon):
        document.refresh_from_db()
        assert document.archived_at is not None
        assert AuditEvent.objects.filter(action="documents.document.archived", object_id=str(document.pk)).exists()


def test_list_filters_and_archives(world: World) -> None:
    DocumentFactory(condominium=world.condo, title="PV 2024", category=DocumentCategory.MEETING_MINUTES)
    DocumentFactory(condominium=world.condo, title="Assurance", category=DocumentCategory.INSURANCE)
    DocumentFactory(condominium=world.condo, title="Vieux PV", archived_at=timezone.now())
    personal_document(world.alice, title="Appel Alice")
    DocumentFactory(condominium=world.other_condo, title="Rivage")
    url = reverse("backoffice:documents_condominium", args=[world.condo.pk])
    client = staff(world)
    body = client.get(url).content.decode()
    assert "PV 2024" in body
    assert "Assurance" in body
    assert "Appel Alice" in body
    assert "Vieux PV" not in body
    assert "Rivage" not in body
    body = client.get(url, {"categorie": "insurance"}).content.decode()
    assert "Assurance" in body
    assert "PV 2024" not in body
    body = client.get(url, {"coproprietaire": "a 606 0001"}).content.decode()
    assert "Appel Alice" in body
    assert "Assurance" not in body
    assert "Vieux PV" in client.get(url, {"archives": "on"}).content.decode()


def test_list_queries_are_bounded(world: World, django_assert_max_num_queries) -> None:
    for _ in range(25):
        DocumentFactory(condominium=world.condo, published_by=world.manager)
    for _ in range(25):
        personal_document(world.alice)
    client = staff(world)
    url = reverse("backoffice:documents_condominium", args=[world.condo.pk])
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("backoffice:documents_home")).status_code == 200


@pytest.mark.parametrize(
    ("role", "can_publish"),
    [
        (StaffRole.FIRM_ADMIN, True),
        (StaffRole.MANAGER, True),
        (StaffRole.ACCOUNTANT, True),
        (StaffRole.READ_ONLY, False),
    ],
)
def test_roles(world: World, role: str, can_publish: bool) -> None:
    document = DocumentFactory(condominium=world.condo, content=pdf_bytes("role-doc"))
    client = staff(world, role)
    assert client.get(reverse("backoffice:documents_home")).status_code == 200
    listing = client.get(reverse("backoffice:documents_condominium", args=[world.condo.pk]))
    assert listing.status_code == 200
    assert ("Publier des documents" in listing.content.decode()) is can_publish
    download = client.get(reverse("backoffice:documents_download", args=[document.pk]))
    assert download.status_code == 200
    assert drain(download) == pdf_bytes("role-doc")
    assert AuditEvent.all_firms.filter(action="documents.document.downloaded", object_id=str(document.pk)).count() == 1
    expected = 200 if can_publish else 403
    assert client.get(publish_url(world)).status_code == expected
    response = client.post(publish_url(world), form_data(upload("a.pdf", pdf_bytes("role"))))
    assert response.status_code == (302 if can_publish else 403)
    response = client.post(reverse("backoffice:documents_archive", args=[document.pk]))
    assert response.status_code == (302 if can_publish else 403)


def test_other_firms_staff_and_co_owners_get_404(world: World) -> None:
    document = DocumentFactory(condominium=world.condo)
    rival = client_for(world.rivage, StaffUserFactory(firm=world.rivage))
    urls = [
        reverse("backoffice:documents_condominium", args=[world.condo.pk]),
        reverse("backoffice:documents_publish", args=[world.condo.pk]),
        reverse("backoffice:documents_council", args=[world.condo.pk]),
        reverse("backoffice:documents_download", args=[document.pk]),
    ]
    for url in urls:
        assert rival.get(url).status_code == 404, url
        assert client_for(world.horizon, world.alice_user).get(url).status_code == 404, url
        anonymous = client_for(world.horizon).get(url)
        assert anonymous.status_code == 302, url
    assert rival.post(reverse("backoffice:documents_archive", args=[document.pk])).status_code == 404
    with firm_scope(world.horizon):
        document.refresh_from_db()
    assert document.archived_at is None


def test_a_portfolio_limits_the_condominiums(world: World) -> None:
    other = CondominiumFactory(firm=world.horizon, code="707")
    document = DocumentFactory(condominium=world.condo)
    user = StaffUserFactory(firm=world.horizon)
    PortfolioCondominium.objects.create(firm=world.horizon, user=user, condominium=other)
    client = client_for(world.horizon, user)
    assert client.get(reverse("backoffice:documents_condominium", args=[world.condo.pk])).status_code == 404
    assert client.get(reverse("backoffice:documents_download", args=[document.pk])).status_code == 404
    assert client.get(reverse("backoffice:documents_condominium", args=[other.pk])).status_code == 200


def test_council_members_are_added_and_removed(world: World) -> None:
    client = staff(world)
    council_url = reverse("backoffice:documents_council", args=[world.condo.pk])
    response = client.post(
        reverse("backoffice:documents_council_add", args=[world.condo.pk]),
        {"co_owner": "A6060001", "start_date": "2025-06-12"},
        follow=True,
    )
    assert "fait partie du conseil syndical" in response.content.decode()
    assert '<td class="reference">A 606 0001</td>' in client.get(council_url).content.decode()
    # Charlie is not a co-owner of this condominium.
    response = client.post(
        reverse("backoffice:documents_council_add", args=[world.condo.pk]),
        {"co_owner": world.charlie.reference, "start_date": "2025-06-12"},
    )
    with firm_scope(world.horizon):
        seat = CouncilMembership.objects.get()
    client.post(reverse("backoffice:documents_council_remove", args=[seat.pk]))
    with firm_scope(world.horizon):
        seat.refresh_from_db()
    assert seat.end_date is not None
    assert '<td class="reference">A 606 0001</td>' not in client.get(council_url).content.decode()


def test_only_admins_and_managers_change_the_council(world: World) -> None:
    seat = CouncilMembershipFactory(co_owner=world.alice)
    for role in (StaffRole.ACCOUNTANT, StaffRole.READ_ONLY):
        client = staff(world, role)
        assert client.get(reverse("backoffice:documents_council", args=[world.condo.pk])).status_code == 200
        add = client.post(
            reverse("backoffice:documents_council_add", args=[world.condo.pk]),
            {"co_owner": world.bob.reference, "start_date": "2025-06-12"},
        )
        assert add.status_code == 403
        assert client.post(reverse("backoffice:documents_council_remove", args=[seat.pk])).status_code == 403
    rival = client_for(world.rivage, StaffUserFactory(firm=world.rivage))
    assert rival.post(reverse("backoffice:documents_council_remove", args=[seat.pk])).status_code == 404


# --- The co-owner is typed as a reference (a condominium may have 15,000 co-owners) ---------------


@pytest.mark.parametrize("typed", ["A6060002", "a 606 0002", "A-606-0002", " a.606.0002 "])
def test_a_personal_document_takes_the_reference_in_any_spacing(world: World, typed: str) -> None:
    response = staff(world).post(
        publish_url(world),
        form_data(
            upload("lettre.pdf", pdf_bytes("lettre")),
            category=DocumentCategory.LETTER,
            audience=Audience.CO_OWNER,
            co_owner=typed,
        ),
    )
    assert response.status_code == 302
    (document,) = documents(world)
    assert document.co_owner == world.bob


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("A 606 9999", "« A 606 9999 » n&#x27;est pas un copropriétaire de la copropriété 606."),
        ("dupont", "« dupont » n&#x27;est pas une référence copropriétaire"),
        ("A 607 0001", "« A 607 0001 » n&#x27;est pas un copropriétaire de la copropriété 606."),  # same firm
    ],
)
def test_an_unknown_or_foreign_reference_is_refused(world: World, typed: str, message: str) -> None:
    # A co-owner of another condominium of the same firm is refused like an unknown one.
    CondominiumFactory(firm=world.horizon, code="607")
    from tests.factories import CoOwnerFactory

    CoOwnerFactory(condominium=CondominiumFactory(firm=world.horizon, code="608"), reference="A6070001")
    client = staff(world)
    response = client.post(
        publish_url(world),
        form_data(
            upload("lettre.pdf", pdf_bytes("lettre")),
            category=DocumentCategory.LETTER,
            audience=Audience.CO_OWNER,
            co_owner=typed,
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert f'value="{typed}"' in body  # what was typed is kept, to be corrected
    assert documents(world) == []
    council = client.post(
        reverse("backoffice:documents_council_add", args=[world.condo.pk]),
        {"co_owner": typed, "start_date": "2025-06-12"},
        follow=True,
    )
    assert "Membre non ajouté" in council.content.decode()
    with firm_scope(world.horizon):
        assert not CouncilMembership.objects.exists()
    listing = client.get(reverse("backoffice:documents_condominium", args=[world.condo.pk]), {"coproprietaire": typed})
    assert listing.status_code == 200
    assert message in listing.content.decode()


def test_a_small_condominium_suggests_its_co_owners_a_big_one_does_not(world: World) -> None:
    from tantieme.documents.forms import DATALIST_SIZE
    from tests.factories import CoOwnerFactory

    client = staff(world)
    body = client.get(publish_url(world)).content.decode()
    assert 'list="id_co_owner_choices"' in body
    assert '<option value="A 606 0001">M. et Mme TEST' in body
    assert "G 149" not in body
    for index in range(DATALIST_SIZE):
        CoOwnerFactory(condominium=world.condo, reference=f"A606{5000 + index}")
    body = client.get(publish_url(world)).content.decode()
    assert "<datalist" not in body
    assert "<select" not in body.split('name="co_owner"')[0][-300:]
    assert 'name="co_owner"' in body


def test_document_pages_stay_bounded_with_many_co_owners(world: World, django_assert_max_num_queries) -> None:
    from tests.factories import CoOwnerFactory

    for index in range(150):
        CoOwnerFactory(condominium=world.condo, reference=f"A606{2000 + index}")
    CouncilMembershipFactory(co_owner=world.alice)
    personal_document(world.alice)
    client = staff(world)
    client.get(reverse("backoffice:documents_home"))  # sessions, OTP device: warm up
    pk = world.condo.pk
    for url in (
        reverse("backoffice:documents_condominium", args=[pk]),
        reverse("backoffice:documents_condominium", args=[pk]) + "?coproprietaire=A+606+0001",
        reverse("backoffice:documents_publish", args=[pk]),
        reverse("backoffice:documents_council", args=[pk]),
    ):
        with django_assert_max_num_queries(15):
            response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("<option") < 50, url
