"""What an uploaded file really is, and a name that is safe to keep (FILE-01).

Documents published by the syndic and attachments sent with requests accept the same three types,
recognised from their first bytes (magic numbers), never from their name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from PIL import Image, ImageOps


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


class UnreadableImage(ValueError):  # noqa: N818 - reads as what the file is
    """A file that starts like a JPEG or PNG but that no decoder can read (or an image bomb)."""


def without_metadata(content: bytes, file_type: FileType) -> bytes:
    """A JPEG or PNG re-encoded from its pixels alone; a PDF as it is.

    Photos sent by phone carry EXIF and XMP: the GPS position of the flat, the device, sometimes a
    name. None of it is kept (FILE-01), only the colour profile; the EXIF orientation is applied to
    the pixels first, so the picture still shows the right way up. Pillow refuses decompression
    bombs (more than twice `Image.MAX_IMAGE_PIXELS`); anything undecodable raises UnreadableImage."""
    if file_type not in (JPEG, PNG):
        return content
    try:
        with Image.open(BytesIO(content)) as source:
            source.load()
            picture = ImageOps.exif_transpose(source)
            icc_profile = source.info.get("icc_profile")
            picture.info = {}  # Pillow would write back a JPEG comment or XMP kept in `info`
            output = BytesIO()
            options: dict[str, object] = {"icc_profile": icc_profile} if icc_profile else {}
            if file_type is JPEG:
                picture.save(output, "JPEG", quality=92, **options)
            else:
                picture.save(output, "PNG", optimize=False, **options)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise UnreadableImage(str(error)) from None
    return output.getvalue()
