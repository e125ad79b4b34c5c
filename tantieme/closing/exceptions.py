"""What the closing refuses, in sentences a syndic accountant understands."""

from __future__ import annotations

from tantieme.ledger.exceptions import LedgerError


class ClosingError(LedgerError):
    """A draft or an approval the rules refuse (year not ended, checklist not met, wrong date…)."""
