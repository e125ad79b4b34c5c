"""What may be stored: PDF, JPEG and PNG, recognised from their first bytes, not from their name.

A file whose name says `.pdf` but whose content is a PNG is accepted as the PNG it is, and its
name is corrected (`scan.pdf` → `scan.png`) so that it opens with the right program. Anything
else (an executable, an HTML page, an SVG, an archive) is refused whatever its name.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tantieme.core.files import (
    ALLOWED_EXTENSIONS,
    JPEG,
    PDF,
    PNG,
    FileType,
    detect_file_type,
    extension_of,
    sanitize_filename,
)
from tantieme.documents.exceptions import UploadRefused

__all__ = [
    "JPEG",
    "PDF",
    "PNG",
    "FileType",
    "check_file_type",
    "check_upload",
    "filename_for",
    "max_upload_size",
    "sanitize_filename",
]

DEFAULT_MAX_UPLOAD_SIZE = 10 * 1024 * 1024


def max_upload_size() -> int:
    """Bytes per file (`DOCUMENTS_MAX_UPLOAD_SIZE`, 10 MB by default)."""
    return int(getattr(settings, "DOCUMENTS_MAX_UPLOAD_SIZE", DEFAULT_MAX_UPLOAD_SIZE))


def filename_for(name: str, file_type: FileType) -> str:
    """`name` (already sanitised) with the extension of its real type."""
    if extension_of(name) in ({"jpg", "jpeg"} if file_type is JPEG else {file_type.extension}):
        return name
    stem = PurePosixPath(name).stem if extension_of(name) in ALLOWED_EXTENSIONS else name
    return f"{stem}.{file_type.extension}"


def check_file_type(*, content: bytes, filename: str) -> FileType:
    """The real type of `content`; raises UploadRefused when it is not PDF, JPEG or PNG."""
    if not content:
        raise UploadRefused(_("Le fichier « %(name)s » est vide.") % {"name": filename})
    file_type = detect_file_type(content[:16])
    if file_type is None:
        raise UploadRefused(
            _("Le fichier « %(name)s » n'est ni un PDF, ni une image JPEG ou PNG : il n'a pas été enregistré.")
            % {"name": filename}
        )
    return file_type


def check_upload(*, content: bytes, filename: str, size: int | None = None) -> FileType:
    """An uploaded file: accepted extension, at most `max_upload_size()` bytes, PDF/JPEG/PNG content."""
    size = len(content) if size is None else size
    limit = max_upload_size()
    if size > limit:
        raise UploadRefused(
            _("Le fichier « %(name)s » dépasse la taille maximale de %(limit)s.")
            % {"name": filename, "limit": filesizeformat(limit)}
        )
    if extension_of(filename) not in ALLOWED_EXTENSIONS:
        raise UploadRefused(
            _("Le fichier « %(name)s » doit être un PDF, un JPEG ou un PNG (extension .pdf, .jpg, .jpeg ou .png).")
            % {"name": filename}
        )
    return check_file_type(content=content, filename=filename)
