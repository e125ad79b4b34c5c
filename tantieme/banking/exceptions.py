"""What the banking app refuses, with a sentence an accountant understands."""

from __future__ import annotations


class BankingError(Exception):
    """An action on statement lines the rules refuse (already matched, wrong status…)."""


class ImportRefusedError(BankingError):
    """A statement file refused as a whole: nothing was written. `location` names the line or element."""

    def __init__(self, message: str, *, location: str = "") -> None:
        super().__init__(f"{location} : {message}" if location else message)
        self.location = location
        self.message = message
