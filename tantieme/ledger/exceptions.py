"""What the ledger refuses. Every error carries a sentence a syndic accountant understands."""

from __future__ import annotations


class LedgerError(Exception):
    """A posting, a lettering or a closing the rules of the books refuse."""


class UnbalancedEntryError(LedgerError):
    """Debits and credits of an entry differ, or it has fewer than two lines."""


class InvalidLineError(LedgerError):
    """A line with both a debit and a credit, a negative or zero amount, or a wrong account."""


class ClosedFiscalYearError(LedgerError):
    """The date falls in a closed fiscal year, or in no fiscal year at all."""


class UnknownAccountError(LedgerError):
    """The account number is not in the condominium's chart."""


class LetteringError(LedgerError):
    """Lines that cannot be matched together."""


class AttachmentRefusedError(LedgerError):
    """A voucher file that is not a PDF, JPEG or PNG, is empty, too large or unreadable."""
