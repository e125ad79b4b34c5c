"""What an uploaded file really is, and a name that is safe to keep (FILE-01).

Documents published by the syndic and attachments sent with requests accept the same three types,
recognised from their first bytes (magic numbers), never from their name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str


PDF = FileType("application/pdf", "pdf", "PDF")
JPEG = FileType("image/jpeg", "jpg", "JPEG")
PNG = FileType("image/png", "png", "PNG")

# Magic numbers: PDF 1.x/2.0 header, JPEG SOI + marker, PNG signature.
_SIGNATURES: tuple[tuple[bytes, FileType], ...] = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
# The extensions a name may carry, and the type each announces.
EXTENSION_TYPES = {"pdf": PDF, "jpg": JPEG, "jpeg": JPEG, "png": PNG}
ALLOWED_EXTENSIONS = frozenset(EXTENSION_TYPES)
_UNSAFE = re.compile(r"[^\w\s().,'+-]", re.UNICODE)
_SPACES = re.compile(r"\s+")
MAX_NAME_LENGTH = 120


def detect_file_type(head: bytes) -> FileType | None:
    """The type announced by the file's first bytes, or None when it is not an accepted one."""
    for signature, file_type in _SIGNATURES:
        if head.startswith(signature):
            return file_type
    return None


def extension_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def sanitize_filename(name: str, *, default: str = "document") -> str:
    """A name safe to store and to send back in Content-Disposition: no path, no control or
    shell characters, no leading dot, at most 120 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip().lstrip(".").strip()
    path = PurePosixPath(name or default)
    stem, suffix = path.stem.strip() or default, path.suffix[:10]
    return stem[: MAX_NAME_LENGTH - len(suffix)] + suffix
