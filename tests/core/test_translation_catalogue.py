"""The committed English catalogue: every entry translated, none fuzzy, and the .mo compiled from this .po.

`make messages` adds the new French strings with an empty (or fuzzy) translation; this test fails until
each one is translated and `make compile-messages` has rebuilt the .mo that installs use as it is.
"""

from __future__ import annotations

import gettext
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "tantieme" / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')
_NAMED = re.compile(r"%\((\w+)\)[sdif]")


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False

    def where(self) -> str:
        return f"django.po:{self.line} {self.msgid[:60]!r}"


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match.group(1), match.group(0)), text)


def _entry(line: int, fields: dict[str, str], fuzzy: bool) -> Entry:
    msgstr = {
        int(key[7:-1]) if key != "msgstr" else 0: text for key, text in fields.items() if key.startswith("msgstr")
    }
    return Entry(
        line=line,
        msgctxt=fields.get("msgctxt"),
        msgid=fields.get("msgid", ""),
        msgid_plural=fields.get("msgid_plural"),
        msgstr=msgstr,
        fuzzy=fuzzy,
    )


def parse_po(path: Path) -> list[Entry]:
    """A minimal .po reader: comments, flags, msgctxt, msgid, msgid_plural, msgstr and msgstr[n]."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    last, start, fuzzy = "", 0, False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        opens_entry = not line or line.startswith(("#", "msgctxt ", "msgid "))
        if opens_entry and any(key.startswith("msgstr") for key in fields):
            entries.append(_entry(start, fields, fuzzy))
            fields, last, fuzzy = {}, "", False
        keyword = _KEYWORD.match(line)
        continuation = _CONTINUATION.match(line)
        if line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in (flag.strip() for flag in line[2:].split(","))
        elif keyword:
            last = keyword.group(1)
            start = start if fields else number
            fields[last] = _unquote(keyword.group(2))
        elif continuation and last:
            fields[last] += _unquote(continuation.group(1))
        elif line and not line.startswith("#"):
            raise ValueError(f"django.po:{number}: unreadable line {line!r}")
    if fields:
        entries.append(_entry(start, fields, fuzzy))
    return entries


def _messages() -> list[Entry]:
    entries = parse_po(PO)
    assert entries, "django.po is empty"
    assert entries[0].msgid == "", "django.po must start with its header"
    return entries[1:]


def test_catalogue_is_read_entirely() -> None:
    messages = _messages()
    assert len(messages) > 1000
    assert sum(1 for entry in messages if entry.msgid_plural) > 10
    assert len({(entry.msgctxt, entry.msgid) for entry in messages}) == len(messages)


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    problems = []
    for entry in _messages():
        if entry.fuzzy:
            problems.append(f"fuzzy: {entry.where()}")
        expected = [0, 1] if entry.msgid_plural is not None else [0]
        if sorted(entry.msgstr) != expected or not all(entry.msgstr.values()):
            problems.append(f"untranslated: {entry.where()}")
    assert not problems, "\n".join(problems)


def test_translations_keep_the_named_placeholders() -> None:
    problems = []
    for entry in _messages():
        if entry.msgid_plural is None:
            if set(_NAMED.findall(entry.msgstr.get(0, ""))) != set(_NAMED.findall(entry.msgid)):
                problems.append(entry.where())
            continue
        allowed = set(_NAMED.findall(entry.msgid)) | set(_NAMED.findall(entry.msgid_plural))
        plural_ok = set(_NAMED.findall(entry.msgstr.get(1, ""))) == set(_NAMED.findall(entry.msgid_plural))
        if not plural_ok or not set(_NAMED.findall(entry.msgstr.get(0, ""))) <= allowed:
            problems.append(entry.where())
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def test_compiled_catalogue_matches_the_po() -> None:
    data = MO.read_bytes()
    magic, _revision, count = struct.unpack("<III", data[:12])
    assert magic == 0x950412DE, "django.mo is not a little-endian GNU .mo file"
    messages = _messages()
    assert count == len(messages) + 1, "django.mo is stale: run `make compile-messages`"
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages:
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                got = [catalogue.gettext(entry.msgid)]
            else:
                got = [catalogue.pgettext(entry.msgctxt, entry.msgid)]
            wanted = [entry.msgstr[0]]
        else:
            if entry.msgctxt is None:
                got = [catalogue.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            else:
                got = [catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            wanted = [entry.msgstr[0], entry.msgstr[1]]
        if got != wanted:
            stale.append(entry.where())
    assert not stale, "django.mo is stale, run `make compile-messages`:\n" + "\n".join(stale)
