"""Errors of the expenses app: a French message meant for the staff member; nothing was written."""

from __future__ import annotations


class ExpenseError(Exception):
    """A supplier, contract or invoice that breaks a rule."""


class IdentityError(ExpenseError):
    """A SIREN, SIRET, VAT number, IBAN or BIC that fails its check."""


class AllocationError(ExpenseError):
    """Invoice lines that do not add up to the TTC, or a line without its key or operation."""


class DuplicateInvoiceError(ExpenseError):
    """The same invoice is already recorded."""


class InvoiceStateError(ExpenseError):
    """An action the invoice's status does not allow."""
