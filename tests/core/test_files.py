"""Uploaded images keep their pixels, not their metadata (FILE-01)."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image, PngImagePlugin

from tantieme.core.files import JPEG, PDF, PNG, UnreadableImage, without_metadata
from tests.factories import image_bytes, phone_exif


def test_a_phone_photo_loses_its_exif_and_stays_upright() -> None:
    original = image_bytes("JPEG", size=(4, 3), exif=phone_exif())
    assert b"Anne Dupont" in original
    cleaned = without_metadata(original, JPEG)
    assert b"Anne Dupont" not in cleaned
    assert b"Phone 12" not in cleaned
    with Image.open(BytesIO(cleaned)) as image:
        assert not image.getexif()
        assert image.size == (3, 4)  # orientation 6 applied to the pixels
        assert "comment" not in image.info


def test_png_text_chunks_and_jpeg_comments_are_dropped() -> None:
    source = Image.new("RGB", (2, 2))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Anne Dupont")
    buffer = BytesIO()
    source.save(buffer, "PNG", pnginfo=info)
    assert b"Anne Dupont" not in without_metadata(buffer.getvalue(), PNG)
    buffer = BytesIO()
    source.save(buffer, "JPEG", comment=b"Anne Dupont")
    assert b"Anne Dupont" in buffer.getvalue()
    assert b"Anne Dupont" not in without_metadata(buffer.getvalue(), JPEG)


def test_a_pdf_is_left_as_it_is() -> None:
    content = b"%PDF-1.4\n%%EOF\n"
    assert without_metadata(content, PDF) is content


@pytest.mark.parametrize(
    ("content", "file_type"),
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, JPEG),  # a JPEG signature, nothing decodable behind
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, PNG),
        (image_bytes("PNG")[:40], PNG),  # truncated
    ],
)
def test_an_undecodable_image_is_refused(content: bytes, file_type: object) -> None:
    with pytest.raises(UnreadableImage):
        without_metadata(content, file_type)  # type: ignore[arg-type]
