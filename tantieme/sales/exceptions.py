"""What the sale of a lot refuses, in sentences a syndic manager understands."""

from __future__ import annotations


class SaleError(Exception):
    """A request, an état daté, a mutation or a closing the rules refuse; nothing was written."""
