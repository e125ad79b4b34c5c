"""Fail-closed tenant scoping (after django-scopes, as used by pretix).

Every model that belongs to a firm declares `objects = FirmScopedManager()` and, when the firm is
not its own `firm` field, the lookup that reaches it: `firm_lookup = "condominium__firm"`.
Its querysets are filtered on the firm in scope; with no firm in scope they raise
`TenantScopeError` instead of returning every firm's rows. The web request sets the scope from
the host name (tenancy.middleware); commands, tasks and tests set it explicitly:

    with firm_scope(firm):
        Condominium.objects.all()      # this firm's only

    with all_firms_scope():            # operator tools, the admin, migrations of data
        Condominium.objects.all()
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Generic, TypeVar

from django.db import models

if TYPE_CHECKING:
    from tantieme.tenancy.models import Firm

_M = TypeVar("_M", bound=models.Model)


class TenantScopeError(RuntimeError):
    """A firm-owned table was queried with no firm in scope."""


class _AllFirms:
    def __repr__(self) -> str:
        return "<all firms>"


ALL_FIRMS = _AllFirms()
_scope: contextvars.ContextVar[Firm | _AllFirms | None] = contextvars.ContextVar("tantieme_firm_scope", default=None)


@contextmanager
def firm_scope(firm: Firm) -> Iterator[Firm]:
    """Scope every firm-owned query in this block to `firm`."""
    if firm is None or getattr(firm, "pk", None) is None:
        raise TenantScopeError("firm_scope() needs a saved Firm.")
    token = _scope.set(firm)
    try:
        yield firm
    finally:
        _scope.reset(token)


@contextmanager
def all_firms_scope() -> Iterator[None]:
    """Lift the scope: only for operator tools, never in a tenant request."""
    token = _scope.set(ALL_FIRMS)
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def no_scope() -> Iterator[None]:
    token = _scope.set(None)
    try:
        yield
    finally:
        _scope.reset(token)


def current_firm() -> Firm:
    """The firm in scope; raises when there is none (or when all firms are in scope)."""
    scope = _scope.get()
    if scope is None or isinstance(scope, _AllFirms):
        raise TenantScopeError("No single firm is in scope.")
    return scope


def current_scope() -> Firm | _AllFirms | None:
    return _scope.get()


class FirmScopedManager(models.Manager[_M], Generic[_M]):
    """Default manager of firm-owned models: filters on the firm in scope, or refuses."""

    def get_queryset(self) -> models.QuerySet[_M]:
        scope = _scope.get()
        queryset = super().get_queryset()
        if scope is None:
            raise TenantScopeError(
                f"{self.model.__name__} rows belong to a firm, and no firm is in scope: "
                "use firm_scope(firm) (or all_firms_scope() in operator tools)."
            )
        if isinstance(scope, _AllFirms):
            return queryset
        # Read from the model, not the manager: Django builds related managers from this class
        # with no arguments, and they must filter on the same path.
        lookup = getattr(self.model, "firm_lookup", "firm")
        return queryset.filter(**{lookup: scope})
