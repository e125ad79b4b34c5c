"""Attachment checks (FILE-01): PDF, JPEG or PNG recognised from the content, 10 MB each, a few per message;
images re-encoded without their metadata."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tantieme.core.files import (
    EXTENSION_TYPES,
    PDF,
    ImageTooLarge,
    UnreadableImage,
    detect_file_type,
    extension_of,
    sanitize_filename,
    without_metadata,
)

MAX_ATTACHMENT_SIZE = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    filename: str
    content_type: str
    size: int
    sha256: str


def check_attachment(upload: UploadedFile) -> CheckedFile:
    """Refuse anything but a real PDF, JPEG or PNG of at most 10 MB (the name's extension must agree)."""
    name = sanitize_filename(upload.name or "", default="fichier")
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
    file_type = detect_file_type(upload.read(16))
    if file_type is None or EXTENSION_TYPES.get(extension_of(name)) is not file_type:
        raise ValidationError(
            _("Le fichier « %(name)s » n'est pas un PDF, une image JPEG ou PNG : seuls ces formats sont acceptés.")
            % {"name": name},
            code="type",
        )
    if file_type is not PDF:  # photos: their EXIF (GPS position, device) is not kept
        upload.seek(0)
        try:
            cleaned = without_metadata(upload.read(), file_type)
        except ImageTooLarge as error:
            raise ValidationError(error.describe(name), code="too_large") from None
        except UnreadableImage:
            raise ValidationError(
                _("L'image « %(name)s » est illisible ou endommagée.") % {"name": name}, code="unreadable"
            ) from None
        upload = SimpleUploadedFile(name, cleaned, content_type=file_type.content_type)
        size = len(cleaned)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        upload=upload, filename=name, content_type=file_type.content_type, size=size, sha256=digest.hexdigest()
    )


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
