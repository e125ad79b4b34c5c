"""Errors of calls for funds: a French message meant for the staff member."""

from __future__ import annotations


class FundsError(Exception):
    """A budget, operation or call that breaks a rule; nothing was written."""


class BudgetError(FundsError):
    pass


class WorksFundBelowMinimumError(BudgetError):
    """The works fund is below the legal minimum and no reason was recorded (art. 14-2-1)."""


class CallError(FundsError):
    pass
