"""Co-owner references ("A 606 0001") and their ISO 11649 creditor references ("RF09 A606 0001").

A reference is one letter, the condominium's three-digit code and four letters or digits. It is
stored canonical (upper case, no separators) and shown with spaces, as on the syndic's letters.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\u00a0\-./_]+")
_CANONICAL = re.compile(r"^[A-Z]\d{3}[A-Z0-9]{4}$")
_RF = re.compile(r"^RF\d{2}[A-Z0-9]{1,21}$")


class InvalidReferenceError(ValueError):
    """Text that is not a co-owner reference or a valid RF creditor reference."""


def parse_reference(text: str) -> str:
    """ "a-606-0001", " A 606 0001 " -> "A6060001"; anything else raises InvalidReferenceError."""
    compact = _SEPARATORS.sub("", text or "").upper()
    if not _CANONICAL.match(compact):
        raise InvalidReferenceError(
            f"« {text} » n'est pas une référence copropriétaire : une lettre, les trois chiffres "
            "de la copropriété et quatre lettres ou chiffres (par exemple A 606 0001)."
        )
    return compact


def is_reference(text: str) -> bool:
    try:
        parse_reference(text)
    except InvalidReferenceError:
        return False
    return True


def format_reference(canonical: str) -> str:
    """ "A6060001" -> "A 606 0001"."""
    return f"{canonical[0]} {canonical[1:4]} {canonical[4:]}" if len(canonical) == 8 else canonical


def condominium_code_of(canonical: str) -> str:
    return canonical[1:4]


def _to_digits(text: str) -> str:
    # ISO 7064 MOD 97-10 conversion: A=10 ... Z=35, digits unchanged.
    return "".join(str(int(char, 36)) for char in text)


def creditor_reference(reference: str) -> str:
    """ISO 11649: "A6060001" -> "RF09A6060001"."""
    body = _SEPARATORS.sub("", reference).upper()
    if not re.match(r"^[A-Z0-9]{1,21}$", body):
        raise InvalidReferenceError(f"« {reference} » ne peut pas former une référence RF.")
    check = 98 - int(_to_digits(body + "RF00")) % 97
    return f"RF{check:02d}{body}"


def is_valid_creditor_reference(text: str) -> bool:
    compact = _SEPARATORS.sub("", text or "").upper()
    if not _RF.match(compact):
        return False
    return int(_to_digits(compact[4:] + compact[:4])) % 97 == 1


def format_creditor_reference(rf: str) -> str:
    """Groups of four, as printed: "RF09A6060001" -> "RF09 A606 0001"."""
    compact = _SEPARATORS.sub("", rf).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
