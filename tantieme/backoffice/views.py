"""The syndic's back office pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, overload

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tantieme.backoffice.policy import Can, capabilities_of, role_can
from tantieme.tenancy.models import StaffMembership
from tantieme.users.models import User

View = Callable[..., HttpResponse]


@overload
def staff_required(view: View) -> View: ...
@overload
def staff_required(
    view: None = None, *, can: Can | None = None, roles: tuple[str, ...] | None = None
) -> Callable[[View], View]: ...
def staff_required(
    view: View | None = None, *, can: Can | None = None, roles: tuple[str, ...] | None = None
) -> View | Callable[[View], View]:
    """The firm's staff only, signed in with their second factor (AUTH-06); anyone else gets a 404
    (the back office does not exist for them). With `can`, a role without that capability of
    `tantieme.backoffice.policy` gets a 403 (`roles` is the older form, being replaced by `can`).

    Use as `@staff_required` or `@staff_required(can=Can.KEEP_BOOKS)`. The view then finds
    `request.staff_membership` and `request.staff_can` ({capability: bool}, for templates).
    """

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_firm_staff:  # type: ignore[union-attr]
                raise Http404
            if not user.is_verified():  # type: ignore[union-attr]
                return redirect("users:otp_verify")
            membership = StaffMembership.objects.filter(user=user).first()  # type: ignore[misc]
            if membership is None:
                raise Http404
            if roles is not None and membership.role not in roles:
                raise PermissionDenied
            if can is not None and not role_can(membership.role, can):
                raise PermissionDenied
            request.staff_membership = membership  # type: ignore[attr-defined]
            request.staff_can = capabilities_of(request)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    if view is not None:
        return decorate(view)
    return decorate


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member (after `staff_required`)."""
    assert isinstance(request.user, User)
    return request.user


def has_role(request: HttpRequest, roles: tuple[str, ...]) -> bool:
    """Whether the staff member's role is one of `roles` (after `staff_required`)."""
    return str(request.staff_membership.role) in roles  # type: ignore[attr-defined]


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """The condominiums of the staff member's portfolio, and the fiscal years to open or to close."""
    # Imported here: those modules import `staff_required` from this one.
    from tantieme.backoffice.fiscal_years import year_alerts
    from tantieme.backoffice.policy import condominiums_for_staff

    assert isinstance(request.user, User)
    condominiums = condominiums_for_staff(request.user)
    alerts = [alert for alert in year_alerts(condominiums, today=timezone.localdate()) if alert.any]
    return render(
        request, "backoffice/home.html", {"condominiums": condominiums, "year_alerts": alerts, "menu": "home"}
    )
