"""publish_document / archive_document, the content checks, the council and the visits."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
from django.utils import timezone

from tantieme.audit.models import AuditEvent
from tantieme.documents import services
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.exceptions import DocumentError, UploadRefused
from tantieme.documents.models import CouncilMembership, Document, DocumentVisit
from tantieme.documents.queries import documents_for_co_owner, is_council_member
from tantieme.documents.validators import PDF, check_upload, filename_for, sanitize_filename
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.documents.conftest import stored_files
from tests.documents.factories import EXE_BYTES, JPEG_BYTES, PNG_BYTES, CouncilMembershipFactory, pdf_bytes
from tests.factories import image_bytes, phone_exif

DAY = datetime.date(2025, 6, 12)


def publish(world: World, **kwargs: object) -> Document:
    arguments: dict[str, object] = {
        "condominium": world.condo,
        "category": DocumentCategory.MEETING_MINUTES,
        "audience": Audience.CONDOMINIUM,
        "title": "PV de l'AG 2025",
        "content": pdf_bytes("pv 2025"),
        "filename": "pv-ag-2025.pdf",
        "document_date": DAY,
        "published_by": world.manager,
    }
    arguments.update(kwargs)
    with firm_scope(world.horizon):
        return services.publish_document(**arguments)  # type: ignore[arg-type]


def test_publish_stores_the_file_privately_under_a_random_name(world: World, private_media: Path) -> None:
    document = publish(world)
    assert document.pk is not None
    assert document.title == "PV de l'AG 2025"
    assert (document.year, document.content_type, document.original_filename) == (
        2025,
        "application/pdf",
        "pv-ag-2025.pdf",
    )
    assert document.size == len(pdf_bytes("pv 2025"))
    assert document.sha256 == hashlib.sha256(pdf_bytes("pv 2025")).hexdigest()
    assert document.published_by == world.manager
    (path,) = stored_files(private_media)
    assert path.read_bytes() == pdf_bytes("pv 2025")
    assert path.parent == private_media / "documents" / str(world.horizon.pk) / str(world.condo.pk)
    assert "pv-ag" not in path.name  # the original name is metadata only
    with firm_scope(world.horizon):
        event = AuditEvent.objects.get(action="documents.document.published")
    assert event.object_id == str(document.pk)
    assert event.firm == world.horizon
    assert event.actor == world.manager
    assert event.data["sha256"] == document.sha256


def test_same_content_for_the_same_readers_is_stored_once(world: World, private_media: Path) -> None:
    first = publish(world)
    again = publish(world, title="Autre titre", filename="copie.pdf")
    assert again.pk == first.pk
    assert again.title == "PV de l'AG 2025"
    assert len(stored_files(private_media)) == 1
    # Other readers or another category: a document of their own.
    council = publish(world, audience=Audience.COUNCIL)
    contract = publish(world, category=DocumentCategory.CONTRACTS)
    alice = publish(world, category=DocumentCategory.LETTER, audience=Audience.CO_OWNER, co_owner=world.alice)
    bob = publish(world, category=DocumentCategory.LETTER, audience=Audience.CO_OWNER, co_owner=world.bob)
    alice_again = publish(world, category=DocumentCategory.LETTER, audience=Audience.CO_OWNER, co_owner=world.alice)
    assert len({first.pk, council.pk, contract.pk, alice.pk, bob.pk}) == 5
    assert alice_again.pk == alice.pk
    assert len(stored_files(private_media)) == 5
    with firm_scope(world.horizon):
        assert AuditEvent.objects.filter(action="documents.document.published").count() == 5


def test_republishing_an_archived_document_restores_it(world: World) -> None:
    document = publish(world)
    with firm_scope(world.horizon):
        services.archive_document(document=document, archived_by=world.manager)
    restored = publish(world)
    assert restored.pk == document.pk
    assert restored.archived_at is None


def test_archive_hides_the_document_and_is_audited_once(world: World) -> None:
    document = publish(world)
    with firm_scope(world.horizon):
        services.archive_document(document=document, archived_by=world.manager)
        services.archive_document(document=document, archived_by=world.manager)
        document.refresh_from_db()
        assert document.archived_at is not None
        assert document.archived_by == world.manager
        assert AuditEvent.objects.filter(action="documents.document.archived").count() == 1
        assert not documents_for_co_owner(world.alice, is_council=False).exists()


@pytest.mark.parametrize(
    ("category", "audience", "co_owner"),
    [
        (DocumentCategory.CALL_FOR_FUNDS, Audience.CONDOMINIUM, None),  # a personal call shown to everyone
        (DocumentCategory.STATEMENT, Audience.COUNCIL, None),
        (DocumentCategory.COUNCIL, Audience.CONDOMINIUM, None),
        (DocumentCategory.RULES, Audience.CO_OWNER, "alice"),
        (DocumentCategory.LETTER, Audience.CO_OWNER, None),  # no co-owner named
        (DocumentCategory.LETTER, Audience.CONDOMINIUM, "alice"),  # a co-owner named for everyone
        (DocumentCategory.LETTER, Audience.CO_OWNER, "charlie"),  # another condominium's co-owner
        ("unknown", Audience.CONDOMINIUM, None),
    ],
)
def test_audience_rules(world: World, category: str, audience: str, co_owner: str | None) -> None:
    with pytest.raises(DocumentError):
        publish(world, category=category, audience=audience, co_owner=getattr(world, co_owner) if co_owner else None)
    with firm_scope(world.horizon):
        assert not Document.objects.exists()


def test_the_content_decides_the_type_not_the_name(world: World) -> None:
    png = publish(world, content=PNG_BYTES, filename="scan.pdf", category=DocumentCategory.DIAGNOSTICS)
    assert png.content_type == "image/png"
    assert png.original_filename == "scan.png"
    jpeg = publish(world, content=JPEG_BYTES, filename="photo.jpeg", category=DocumentCategory.DIAGNOSTICS)
    assert (jpeg.content_type, jpeg.original_filename) == ("image/jpeg", "photo.jpeg")


def test_a_published_photo_keeps_no_exif_and_the_same_photo_again_is_the_same_document(world: World) -> None:
    photo = image_bytes("JPEG", exif=phone_exif())
    document = publish(world, content=photo, filename="facade.jpg", category=DocumentCategory.DIAGNOSTICS)
    with firm_scope(world.horizon), document.file.open("rb") as stored:
        content = stored.read()
    assert b"Anne Dupont" not in content
    assert document.size == len(content)
    again = publish(world, content=photo, filename="facade.jpg", category=DocumentCategory.DIAGNOSTICS)
    assert again.pk == document.pk  # re-encoding is deterministic: idempotence on the content holds


def test_an_unreadable_image_is_refused(world: World) -> None:
    with pytest.raises(UploadRefused, match="illisible"):
        publish(world, content=b"\xff\xd8\xff\xe0" + b"\x00" * 64, filename="photo.jpg")
    with firm_scope(world.horizon):
        assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (EXE_BYTES, "facture.pdf"),  # an executable renamed .pdf
        (b"<html><script>alert(1)</script></html>", "page.pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.png"),
        (b"PK\x03\x04zipzipzip", "archive.pdf"),
        (b"", "vide.pdf"),
    ],
)
def test_other_contents_are_refused_whatever_their_name(
    world: World, private_media: Path, content: bytes, filename: str
) -> None:
    with pytest.raises(UploadRefused):
        publish(world, content=content, filename=filename)
    assert stored_files(private_media) == []


def test_upload_check_limits_size_and_extension(settings: object) -> None:
    eleven_mb = 11 * 1024 * 1024
    with pytest.raises(UploadRefused, match="taille maximale de 10"):
        check_upload(content=pdf_bytes(), filename="gros.pdf", size=eleven_mb)
    with pytest.raises(UploadRefused, match="extension"):
        check_upload(content=pdf_bytes(), filename="facture.exe")
    with pytest.raises(UploadRefused, match="extension"):
        check_upload(content=pdf_bytes(), filename="sans-extension")
    assert check_upload(content=pdf_bytes(), filename="ok.PDF") == PDF
    settings.DOCUMENTS_MAX_UPLOAD_SIZE = 10  # type: ignore[attr-defined]
    with pytest.raises(UploadRefused):
        check_upload(content=pdf_bytes(), filename="ok.pdf")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\jean\\Procès-verbal AG 2025.pdf", "Procès-verbal AG 2025.pdf"),
        ('rapport"; filename=evil.html\r\n.pdf', "rapport__ filename_evil.html.pdf"),
        ("<script>alert(1)</script>.pdf", "script_.pdf"),
        ("...pdf", "pdf"),
        ("", "document"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_filenames_are_sanitised(raw: str, clean: str) -> None:
    assert sanitize_filename(raw) == clean


def test_filename_follows_the_real_type() -> None:
    from tantieme.documents.validators import JPEG, PNG

    assert filename_for("scan.pdf", PNG) == "scan.png"
    assert filename_for("photo.JPG", JPEG) == "photo.JPG"
    assert filename_for("photo.jpeg", JPEG) == "photo.jpeg"
    assert filename_for("rapport", PDF) == "rapport.pdf"


def test_personal_and_council_documents_reach_only_their_readers(world: World) -> None:
    shared = publish(world)
    mine = publish(world, category=DocumentCategory.STATEMENT, audience=Audience.CO_OWNER, co_owner=world.alice)
    council = publish(world, category=DocumentCategory.COUNCIL, audience=Audience.COUNCIL)
    with firm_scope(world.horizon):
        alice_ids = set(documents_for_co_owner(world.alice, is_council=False).values_list("pk", flat=True))
        bob_ids = set(documents_for_co_owner(world.bob, is_council=True).values_list("pk", flat=True))
        statements = documents_for_co_owner(world.alice, is_council=False, category=DocumentCategory.STATEMENT)
        assert set(documents_for_co_owner(world.alice, is_council=False, year=2024)) == set()
    assert alice_ids == {shared.pk, mine.pk}
    assert bob_ids == {shared.pk, council.pk}
    assert list(statements) == [mine]


def test_council_membership_add_and_remove(world: World) -> None:
    today = timezone.localdate()
    with firm_scope(world.horizon):
        seat = services.add_council_member(co_owner=world.alice, start_date=today - datetime.timedelta(days=30))
        assert services.add_council_member(co_owner=world.alice, start_date=today).pk == seat.pk
        assert is_council_member(world.alice, day=today)
        assert not is_council_member(world.bob, day=today)
        services.remove_council_member(membership=seat, today=today)
        assert not is_council_member(world.alice, day=today)
        seat.refresh_from_db()
        assert seat.end_date == today - datetime.timedelta(days=1)  # history kept
        fresh = services.add_council_member(co_owner=world.bob, start_date=today)
        services.remove_council_member(membership=fresh, today=today)  # added by mistake today: gone
        assert not CouncilMembership.objects.filter(co_owner=world.bob).exists()
        assert AuditEvent.objects.filter(action__startswith="documents.council_member.").count() == 4


def test_a_membership_of_another_condominium_does_not_count(world: World) -> None:
    CouncilMembershipFactory(co_owner=world.charlie)
    with firm_scope(world.rivage):
        assert is_council_member(world.charlie, day=timezone.localdate())
    with firm_scope(world.horizon):
        assert not CouncilMembership.objects.exists()


def test_a_visit_marks_what_was_published_before_it_as_seen(world: World) -> None:
    start = timezone.now()

    def visit(at: datetime.datetime) -> datetime.datetime | None:
        return services.note_documents_visit(user=world.alice_user, firm=world.horizon, now=at)

    with firm_scope(world.horizon):
        assert visit(start) is None  # first visit: everything is new
        # Pages opened within half an hour are the same visit: nothing becomes "seen" yet.
        assert visit(start + datetime.timedelta(minutes=10)) is None
        next_day = start + datetime.timedelta(days=1)
        assert visit(next_day) == start
        assert visit(next_day + datetime.timedelta(minutes=5)) == start
        assert visit(next_day + datetime.timedelta(days=1)) == next_day
        assert DocumentVisit.objects.count() == 1
