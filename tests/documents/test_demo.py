"""The demo documents: real PDFs, one council member, and seeding twice adds nothing."""

from __future__ import annotations

import datetime
from pathlib import Path

from tantieme.demo.documents import seed_documents
from tantieme.documents.enums import DocumentCategory
from tantieme.documents.models import CouncilMembership, Document
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.documents.conftest import stored_files


def test_seed_documents_is_idempotent(world: World, private_media: Path) -> None:
    today = datetime.date(2026, 11, 26)
    with firm_scope(world.horizon):
        first = seed_documents(world.condo, today=today)
        second = seed_documents(world.condo, today=today)
        assert [d.pk for d in first] == [d.pk for d in second]
        categories = sorted(Document.objects.values_list("category", flat=True))
        titles = set(Document.objects.values_list("title", flat=True))
        (seat,) = CouncilMembership.objects.all()
    assert seat.co_owner == world.alice
    assert categories.count(DocumentCategory.MEETING_MINUTES) == 2
    assert {DocumentCategory.RULES, DocumentCategory.INSURANCE, DocumentCategory.MAINTENANCE_LOG} <= set(categories)
    assert "Procès-verbal de l'assemblée générale du 12 juin 2024" in titles
    assert "Procès-verbal de l'assemblée générale du 12 juin 2025" in titles
    files = stored_files(private_media)
    assert len(files) == len(first)
    assert all(path.read_bytes().startswith(b"%PDF-") for path in files)
