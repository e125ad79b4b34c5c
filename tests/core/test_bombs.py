"""Image and spreadsheet bombs (issue 15, defect 4): refused from their headers, before decoding."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from tantieme.core.files import (
    MAX_SPREADSHEET_XML,
    PNG,
    ImageTooLarge,
    SpreadsheetTooLarge,
    check_spreadsheet_size,
    without_metadata,
)


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR announcing width × height, with a tiny IDAT: 100 bytes that
    would decode to width × height pixels (the 640 KB, 13,000 × 13,000 file of the report)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_an_image_announcing_too_many_pixels_is_refused_before_decoding() -> None:
    with pytest.raises(ImageTooLarge) as refused:
        without_metadata(png_header_only(13_000, 13_000), PNG)
    assert "13\u202f000 × 13\u202f000" in refused.value.describe("plan.png")
    assert "50 millions" in refused.value.describe("plan.png")


def test_a_request_attachment_bomb_gets_a_clear_error() -> None:
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tantieme.tickets.validators import check_attachment

    upload = SimpleUploadedFile("plan.png", png_header_only(13_000, 13_000), content_type="image/png")
    with pytest.raises(ValidationError, match="trop grande"):
        check_attachment(upload)


def xlsx_bomb(inflated: int) -> bytes:
    """A zip whose sheet XML inflates to `inflated` bytes (compressed to a few hundred KB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (inflated // 6 + 1))
    return buffer.getvalue()


def test_a_spreadsheet_bomb_is_refused_before_parsing() -> None:
    content = xlsx_bomb(MAX_SPREADSHEET_XML + 1024)
    assert len(content) < 2 * 1024 * 1024
    with pytest.raises(SpreadsheetTooLarge, match="trop volumineux"):
        check_spreadsheet_size(content)
    check_spreadsheet_size(xlsx_bomb(1024))  # a normal workbook passes
    check_spreadsheet_size(b"not a zip")  # left to the reader, which says it is unreadable


def test_the_importers_refuse_the_bomb_with_a_message() -> None:
    from tantieme.condominiums.importing.reading import read_source
    from tantieme.funds.exceptions import BudgetError
    from tantieme.funds.importer import _rows

    content = xlsx_bomb(MAX_SPREADSHEET_XML + 1024)
    with pytest.raises(BudgetError, match="trop volumineux"):
        _rows("budget.xlsx", content)
    _source, issues = read_source(filename="copro.xlsx", content=content)
    assert any("trop volumineux" in issue.message for issue in issues)
