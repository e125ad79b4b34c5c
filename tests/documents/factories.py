"""Document factories (through `all_firms`, like tests/factories): PDF-looking bytes, unique per row."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from tantieme.condominiums.models import CoOwner
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.models import CouncilMembership, Document
from tests.factories import CondominiumFactory, ScopedFactory, image_bytes

PNG_BYTES = image_bytes("PNG")
JPEG_BYTES = image_bytes("JPEG")
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 32


def pdf_bytes(text: str = "document") -> bytes:
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


class DocumentFactory(ScopedFactory):
    class Meta:
        model = Document

    class Params:
        content = factory.Sequence(lambda n: pdf_bytes(f"document {n}"))

    condominium = factory.SubFactory(CondominiumFactory)
    firm = factory.SelfAttribute("condominium.firm")
    category = DocumentCategory.RULES
    audience = Audience.CONDOMINIUM
    co_owner = None
    title = factory.Sequence(lambda n: f"Document {n}")
    document_date = datetime.date(2025, 6, 12)
    year = factory.LazyAttribute(lambda o: o.document_date.year)
    original_filename = "document.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    published_at = factory.LazyFunction(timezone.now)
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name=o.original_filename))


def personal_document(co_owner: CoOwner, **kwargs: Any) -> Document:
    kwargs.setdefault("category", DocumentCategory.CALL_FOR_FUNDS)
    return DocumentFactory(condominium=co_owner.condominium, audience=Audience.CO_OWNER, co_owner=co_owner, **kwargs)


def council_document(condominium: Any, **kwargs: Any) -> Document:
    kwargs.setdefault("category", DocumentCategory.COUNCIL)
    return DocumentFactory(condominium=condominium, audience=Audience.COUNCIL, **kwargs)


class CouncilMembershipFactory(ScopedFactory):
    class Meta:
        model = CouncilMembership

    co_owner = factory.SubFactory("tests.factories.CoOwnerFactory")
    condominium = factory.SelfAttribute("co_owner.condominium")
    start_date = datetime.date(2024, 6, 12)
