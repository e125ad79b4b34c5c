"""Files a killed process or a rolled-back transaction left without their document row are purged
once no transaction in flight can still name them (issue 15: the orphan PDF of a killed issue_calls)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from tantieme.core.periodic import jobs
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.orphans import GRACE, purge_orphan_files
from tantieme.documents.services import publish_document
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.documents.conftest import stored_files
from tests.documents.factories import pdf_bytes


class PublicationInterruptedError(Exception):
    pass


def publish(world: World, text: str) -> None:
    publish_document(
        condominium=world.condo,
        category=DocumentCategory.MEETING_MINUTES,
        audience=Audience.CONDOMINIUM,
        title=text,
        content=pdf_bytes(text),
        filename=f"{text}.pdf",
        document_date=datetime.date(2026, 5, 1),
    )


def publish_then_fail(world: World, text: str) -> None:
    """The caller's transaction dies after the file is written (as a killed process would)."""
    with transaction.atomic():
        publish(world, text)
        raise PublicationInterruptedError


def test_a_rolled_back_publication_leaves_a_file_that_is_purged_later(world: World, private_media: Path) -> None:
    with firm_scope(world.horizon):
        publish(world, "kept")
        with pytest.raises(PublicationInterruptedError):
            publish_then_fail(world, "lost")
    assert len(stored_files(private_media)) == 2  # the lost one's file is still there
    kept = next(path for path in stored_files(private_media) if path.read_bytes() == pdf_bytes("kept"))

    assert purge_orphan_files(now=timezone.now()) == 0  # too recent: a transaction may still commit it
    assert purge_orphan_files(now=timezone.now() + GRACE + datetime.timedelta(minutes=1)) == 1

    assert stored_files(private_media) == [kept]


def test_the_purge_is_a_periodic_job(world: World, private_media: Path) -> None:
    assert "documents.purge_orphan_files" in {job.name for job in jobs()}
    assert purge_orphan_files(now=timezone.now()) == 0  # nothing stored yet: no folder, no error
