"""What an uploaded file really is, and a name that is safe to keep (FILE-01).

Documents published by the syndic and attachments sent with requests accept the same three types,
recognised from their first bytes (magic numbers), never from their name.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from django.utils.translation import gettext as _
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


# Decoding an image takes 3 to 4 bytes a pixel whatever the size of its file: a 640 KB PNG of
# 13,000 × 13,000 pixels took a web process from 116 MB to 1.4 GB. 50 million pixels (8,660 ×
# 5,770; a 48-megapixel phone photo fits) cost at most ≈ 200 MB and are refused from the header,
# before any pixel is decoded. Pillow's own bomb limit (2 × 89 million pixels) is far above that.
MAX_IMAGE_PIXELS = 50_000_000


class ImageTooLarge(UnreadableImage):
    """An image whose header announces more pixels than `MAX_IMAGE_PIXELS`."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        super().__init__(f"{width} × {height} pixels")

    def describe(self, name: str) -> str:
        """What to tell the person who sent it."""

        def grouped(number: int) -> str:
            return f"{number:,}".replace(",", "\u202f")

        return _(
            "L'image « %(name)s » est trop grande (%(width)s × %(height)s pixels) : %(limit)s millions de "
            "pixels au plus. Réduisez-la avant de l'envoyer."
        ) % {
            "name": name,
            "width": grouped(self.width),
            "height": grouped(self.height),
            "limit": MAX_IMAGE_PIXELS // 1_000_000,
        }


def without_metadata(content: bytes, file_type: FileType) -> bytes:
    """A JPEG or PNG re-encoded from its pixels alone; a PDF as it is.

    Photos sent by phone carry EXIF and XMP: the GPS position of the flat, the device, sometimes a
    name. None of it is kept (FILE-01), only the colour profile; the EXIF orientation is applied to
    the pixels first, so the picture still shows the right way up. Pillow refuses decompression
    bombs (more than twice `Image.MAX_IMAGE_PIXELS`); anything undecodable raises UnreadableImage."""
    if file_type not in (JPEG, PNG):
        return content
    try:
        with warnings.catch_warnings():
            # Pillow warns of a bomb from the header; our own, lower limit refuses it just below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            source = Image.open(BytesIO(content))
        with source:
            width, height = source.size  # from the header: nothing is decoded yet
            if width * height > MAX_IMAGE_PIXELS:
                raise ImageTooLarge(width, height)
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
    except ImageTooLarge:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise UnreadableImage(str(error)) from None
    return output.getvalue()


# An XLSX is a zip of XML: a 626 KB file holding 157 MB of XML took 41 s and 453 MB to read. The
# members' sizes are in the zip's directory, so a workbook is measured before openpyxl parses it.
# 64 MB of XML holds a condominium of tens of thousands of lots; a sheet past 200,000 rows is
# not a condominium or a budget.
MAX_SPREADSHEET_XML = 64 * 1024 * 1024
MAX_SPREADSHEET_ROWS = 200_000


class SpreadsheetTooLarge(ValueError):  # noqa: N818 - reads as what the file is
    """A workbook whose XML, once uncompressed, exceeds `MAX_SPREADSHEET_XML`."""


def check_spreadsheet_size(content: bytes) -> None:
    """Refuse an XLSX that inflates beyond `MAX_SPREADSHEET_XML`; a broken zip is left to the reader."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if inflated > MAX_SPREADSHEET_XML:
        raise SpreadsheetTooLarge(
            _(
                "Classeur trop volumineux une fois décompressé (%(size)s Mo ; %(limit)s Mo au plus) : "
                "enregistrez-le en CSV ou découpez-le."
            )
            % {"size": inflated // (1024 * 1024), "limit": MAX_SPREADSHEET_XML // (1024 * 1024)}
        )


def spreadsheet_rows_exceeded(count: int) -> str | None:
    """The message when a sheet has more than `MAX_SPREADSHEET_ROWS` rows, else None."""
    if count <= MAX_SPREADSHEET_ROWS:
        return None
    return _("Plus de %(limit)s lignes dans une feuille : découpez le fichier.") % {"limit": MAX_SPREADSHEET_ROWS}
