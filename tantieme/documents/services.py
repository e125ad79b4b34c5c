"""Writes: publish and archive documents, seat and unseat council members, note a user's visit.

Other apps attach the PDFs they generate (calls for funds, statements, receipts) with
`publish_document(...)`; publishing the same content again for the same readers and category
returns the existing document instead of storing a copy.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tantieme.audit.services import record
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.files import ImageTooLarge, UnreadableImage, without_metadata
from tantieme.documents.enums import Audience, DocumentCategory, allowed_audiences
from tantieme.documents.exceptions import DocumentError, UploadRefused
from tantieme.documents.models import CouncilMembership, Document, DocumentVisit
from tantieme.documents.validators import check_file_type, filename_for, sanitize_filename
from tantieme.tenancy.models import Firm

if TYPE_CHECKING:
    from tantieme.users.models import User

# Pages opened within this time of a visit's start belong to it: "Nouveau" stays while one browses.
VISIT_GAP = datetime.timedelta(minutes=30)


def _check_audience(*, condominium: Condominium, category: str, audience: str, co_owner: CoOwner | None) -> None:
    if audience not in Audience.values:
        raise DocumentError(_("Destinataires inconnus."))
    if audience not in allowed_audiences(category):
        raise DocumentError(_("Cette catégorie de document ne peut pas être publiée pour ces destinataires."))
    if audience == Audience.CO_OWNER:
        if co_owner is None:
            raise DocumentError(_("Choisissez le copropriétaire destinataire."))
        if co_owner.condominium_id != condominium.pk:
            raise DocumentError(_("Ce copropriétaire n'appartient pas à cette copropriété."))
    elif co_owner is not None:
        raise DocumentError(_("Un copropriétaire n'est indiqué que pour un document personnel."))


def _existing(
    *, condominium: Condominium, category: str, audience: str, co_owner: CoOwner | None, sha256: str
) -> Document | None:
    if co_owner is not None:
        same = Document.objects.filter(co_owner=co_owner, category=category, sha256=sha256)
    else:
        same = Document.objects.filter(
            condominium=condominium, audience=audience, co_owner__isnull=True, category=category, sha256=sha256
        )
    return same.first()


def publish_document(
    *,
    condominium: Condominium,
    category: str,
    audience: str,
    title: str,
    content: bytes,
    filename: str,
    document_date: datetime.date,
    co_owner: CoOwner | None = None,
    published_by: User | None = None,
    year: int | None = None,
    request: HttpRequest | None = None,
) -> Document:
    """Put a PDF, JPEG or PNG on the extranet for `audience`; idempotent on (readers, category,
    SHA-256): the same content again returns the document already there (restored if archived)."""
    if category not in DocumentCategory.values:
        raise DocumentError(_("Catégorie de document inconnue."))
    _check_audience(condominium=condominium, category=category, audience=audience, co_owner=co_owner)
    title = " ".join(title.split())[:200]
    if not title:
        raise DocumentError(_("Le document doit avoir un titre."))
    safe_name = sanitize_filename(filename)
    file_type = check_file_type(content=content, filename=safe_name)
    safe_name = filename_for(safe_name, file_type)
    try:
        content = without_metadata(content, file_type)  # photos: no EXIF, GPS or author kept
    except ImageTooLarge as error:
        raise UploadRefused(error.describe(safe_name)) from None
    except UnreadableImage:
        raise UploadRefused(_("L'image « %(name)s » est illisible ou endommagée.") % {"name": safe_name}) from None
    sha256 = hashlib.sha256(content).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        existing = _existing(
            condominium=condominium, category=category, audience=audience, co_owner=co_owner, sha256=sha256
        )
        if existing is not None:
            return _restore(existing, published_by=published_by, now=now, request=request)
        document = Document(
            firm_id=condominium.firm_id,
            condominium=condominium,
            category=category,
            audience=audience,
            co_owner=co_owner,
            title=title,
            document_date=document_date,
            year=year or document_date.year,
            original_filename=safe_name,
            content_type=file_type.content_type,
            size=len(content),
            sha256=sha256,
            published_at=now,
            published_by=published_by,
        )
        document.file.save(safe_name, ContentFile(content), save=False)
        try:
            with transaction.atomic():
                document.save()
        except IntegrityError:
            # The same content was published concurrently: keep theirs, drop our copy of the file.
            document.file.delete(save=False)
            existing = _existing(
                condominium=condominium, category=category, audience=audience, co_owner=co_owner, sha256=sha256
            )
            if existing is None:
                raise
            return existing
        except BaseException:
            document.file.delete(save=False)
            raise
        _audit("documents.document.published", document, actor=published_by, request=request)
    return document


def _restore(
    document: Document, *, published_by: User | None, now: datetime.datetime, request: HttpRequest | None
) -> Document:
    if document.archived_at is None:
        return document
    document.archived_at = None
    document.archived_by = None
    document.published_at = now
    document.published_by = published_by
    document.save(update_fields=["archived_at", "archived_by", "published_at", "published_by"])
    _audit("documents.document.published", document, actor=published_by, request=request, extra={"restored": True})
    return document


def _audit(
    action: str,
    document: Document,
    *,
    actor: User | None,
    request: HttpRequest | None,
    extra: dict[str, Any] | None = None,
) -> None:
    record(
        action=action,
        request=request,
        firm=document.firm,
        actor=actor,
        target=document,
        data={
            "condominium_id": document.condominium_id,
            "category": document.category,
            "audience": document.audience,
            "co_owner_id": document.co_owner_id,
            "title": document.title,
            "size": document.size,
            "sha256": document.sha256,
            **(extra or {}),
        },
    )


def archive_document(
    *, document: Document, archived_by: User | None = None, request: HttpRequest | None = None
) -> Document:
    """Take a document off the extranet (the file is kept: décret 1967 art. 33, archives)."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.archived_at is not None:
            return document
        document.archived_at = timezone.now()
        document.archived_by = archived_by
        document.save(update_fields=["archived_at", "archived_by"])
        _audit("documents.document.archived", document, actor=archived_by, request=request)
    return document


def add_council_member(
    *, co_owner: CoOwner, start_date: datetime.date, request: HttpRequest | None = None
) -> CouncilMembership:
    """Seat a co-owner on their condominium's council (no-op when already seated)."""
    with transaction.atomic():
        current = CouncilMembership.objects.filter(co_owner=co_owner, end_date__isnull=True).first()
        if current is not None:
            return current
        membership = CouncilMembership.objects.create(
            condominium_id=co_owner.condominium_id, co_owner=co_owner, start_date=start_date
        )
        record(
            action="documents.council_member.added",
            request=request,
            firm=co_owner.firm,
            target=membership,
            data={"condominium_id": co_owner.condominium_id, "co_owner_id": co_owner.pk},
        )
    return membership


def remove_council_member(
    *, membership: CouncilMembership, today: datetime.date, request: HttpRequest | None = None
) -> None:
    """End a seat: the co-owner loses the council's space at once (a seat opened today is deleted)."""
    with transaction.atomic():
        data = {"condominium_id": membership.condominium_id, "co_owner_id": membership.co_owner_id}
        if membership.start_date >= today:
            membership_pk = membership.pk
            membership.delete()
            membership.pk = membership_pk
        else:
            membership.end_date = today - datetime.timedelta(days=1)
            membership.save(update_fields=["end_date"])
        record(
            action="documents.council_member.removed",
            request=request,
            firm=membership.condominium.firm,
            target=membership,
            data=data,
        )


def note_documents_visit(*, user: User, firm: Firm, now: datetime.datetime) -> datetime.datetime | None:
    """Note a page of "Mes documents"; returns the start of the user's previous visit (documents
    published after it are new), None before any previous visit (everything is new).

    One read, and one write only when a new visit starts (more than VISIT_GAP after the last one
    started): the page keeps a constant number of queries.
    """
    visit = DocumentVisit.objects.filter(user=user).first()
    if visit is None:
        DocumentVisit.objects.create(firm=firm, user=user, visit_started_at=now)
        return None
    if now - visit.visit_started_at <= VISIT_GAP:
        return visit.previous_visit_started_at
    DocumentVisit.objects.filter(pk=visit.pk).update(
        visit_started_at=now, previous_visit_started_at=visit.visit_started_at
    )
    return visit.visit_started_at
