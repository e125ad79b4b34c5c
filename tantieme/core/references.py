"""Co-owner references ("A 606 0001") and their ISO 11649 creditor references ("RF09 A606 0001").

A reference is one letter, the condominium's three-digit code and four letters or digits. It is
stored canonical (upper case, no separators) and shown with spaces, as on the syndic's letters.
"""

from __future__ import annotations

import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

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


def creditor_reference(reference: str) -> str:
    """ISO 11649: "A6060001" -> "RF09A6060001" (check digits by python-stdnum's ISO 7064 MOD 97-10)."""
    body = _SEPARATORS.sub("", reference).upper()
    if not re.match(r"^[A-Z0-9]{1,21}$", body):
        raise InvalidReferenceError(f"« {reference} » ne peut pas former une référence RF.")
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def is_valid_creditor_reference(text: str) -> bool:
    compact = _SEPARATORS.sub("", text or "").upper()
    return bool(_RF.match(compact)) and iso11649.is_valid(compact)


def format_creditor_reference(rf: str) -> str:
    """Groups of four, as printed: "RF09A6060001" -> "RF09 A606 0001"."""
    return str(iso11649.format(_SEPARATORS.sub("", rf)))
