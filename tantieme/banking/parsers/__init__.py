"""Statement parsers: CAMT.053 first, CFONB 120 as the French fallback, OFX as a last resort.

reader = open_statement(content)       # or raises StatementParseError
for entry in reader.entries(): ...     # booked movements, streamed
reader.statements                      # accounts, balances, dates (complete after the loop)
"""

from __future__ import annotations

from tantieme.banking.parsers.base import (
    ParsedEntry,
    ParsedStatement,
    StatementParseError,
    StatementReader,
    normalise,
)
from tantieme.banking.parsers.camt053 import Camt053Reader, detect_version
from tantieme.banking.parsers.cfonb120 import Cfonb120Reader
from tantieme.banking.parsers.ofx import OfxReader, looks_like_ofx

__all__ = [
    "Camt053Reader",
    "Cfonb120Reader",
    "OfxReader",
    "ParsedEntry",
    "ParsedStatement",
    "StatementParseError",
    "StatementReader",
    "detect_format",
    "normalise",
    "open_statement",
]

FORMATS = {"camt053": Camt053Reader, "cfonb120": Cfonb120Reader, "ofx": OfxReader}


def detect_format(content: bytes) -> str:
    """ "camt053", "cfonb120" or "ofx", from the first bytes; StatementParseError otherwise."""
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise StatementParseError("fichier", "le fichier est vide.")
    if head.startswith(b"<") and detect_version(content) is not None:
        return "camt053"
    if looks_like_ofx(content):
        return "ofx"
    if head.startswith(b"<"):
        raise StatementParseError("fichier", "XML qui n'est pas un relevé camt.053.")
    if head[:2] == b"01":
        return "cfonb120"
    raise StatementParseError("fichier", "format inconnu : ni camt.053, ni CFONB 120, ni OFX.")


def open_statement(content: bytes) -> StatementReader:
    """The reader for `content` (format detected); nothing is parsed until `entries()` is iterated."""
    return FORMATS[detect_format(content)](content)
