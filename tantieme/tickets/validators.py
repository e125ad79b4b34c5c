"""Attachment checks (FILE-01): PDF, JPEG or PNG recognised from the content, 10 MB each, a few per message."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_ATTACHMENT_SIZE = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5

# Magic bytes of each allowed type, and the extensions a name of that type may carry.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_EXTENSIONS = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    filename: str
    content_type: str
    size: int
    sha256: str


def sniff_content_type(head: bytes) -> str | None:
    """The allowed type these first bytes announce, or None."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def clean_filename(name: str) -> str:
    """The name to show and offer on download: no path, no control characters, 150 characters at most."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip().lstrip(".")
    if len(name) > 150:
        stem, _dot, extension = name.rpartition(".")
        name = f"{stem[: 150 - len(extension) - 1]}.{extension}" if stem else name[:150]
    return name or "fichier"


def check_attachment(upload: UploadedFile) -> CheckedFile:
    """Refuse anything but a real PDF, JPEG or PNG of at most 10 MB (the name's extension must agree)."""
    name = clean_filename(upload.name or "")
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("Le fichier « %(name)s » est vide.") % {"name": name}, code="empty")
    if size > MAX_ATTACHMENT_SIZE:
        raise ValidationError(
            _("Le fichier « %(name)s » pèse %(size)s : 10 Mo au plus par fichier.")
            % {"name": name, "size": filesizeformat(size)},
            code="too_large",
        )
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if content_type is None or _EXTENSIONS.get(extension) != content_type:
        raise ValidationError(
            _("Le fichier « %(name)s » n'est pas un PDF, une image JPEG ou PNG : seuls ces formats sont acceptés.")
            % {"name": name},
            code="type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload=upload, filename=name, content_type=content_type, size=size, sha256=digest.hexdigest())


def check_attachments(uploads: list[UploadedFile]) -> list[CheckedFile]:
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("%(count)d fichiers au plus par message.") % {"count": MAX_ATTACHMENTS}, code="too_many"
        )
    errors: list[ValidationError] = []
    checked: list[CheckedFile] = []
    for upload in uploads:
        try:
            checked.append(check_attachment(upload))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return checked
