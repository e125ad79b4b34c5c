"""Errors of the supplier payments app: a French message for the staff member; nothing was written."""

from __future__ import annotations

from collections.abc import Sequence


class PaymentError(Exception):
    """A payment that breaks a rule: `problems` lists every reason (one line each)."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


class NothingToPayError(PaymentError):
    """No due, approved, unblocked invoice to put in a batch."""
