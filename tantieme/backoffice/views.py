"""The syndic's back office pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, overload

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from tantieme.backoffice.policy import Can, capabilities_of, role_can
from tantieme.tenancy.models import StaffMembership
from tantieme.users.models import User

View = Callable[..., HttpResponse]


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@overload
def staff_required(view: View) -> View: ...
@overload
def staff_required(view: None = None, *, can: Can = Can.VIEW, post: Can | None = None) -> Callable[[View], View]: ...
def staff_required(
    view: View | None = None, *, can: Can = Can.VIEW, post: Can | None = None
) -> View | Callable[[View], View]:
    """The firm's staff only, signed in with their second factor (AUTH-06); anyone else gets a 404
    (the back office does not exist for them). A role without the capability `can` of
    `tantieme.backoffice.policy` gets a 403; with `post`, a POST (any unsafe method) needs that
    capability instead (a page that shows a form to everyone but lets only some send it).

    Use as `@staff_required` (= `can=Can.VIEW`), `@staff_required(can=Can.KEEP_BOOKS)` or
    `@staff_required(post=Can.PUBLISH)`. The view then finds `request.staff_membership` and
    `request.staff_can` ({capability: bool}, for templates). The decorated view carries
    `required_capability` and `post_capability`, which the policy walk test reads.

    The role is checked before the view looks anything up: a 403 says nothing about the object
    of the URL (the same answer for any id); objects outside the portfolio or the firm are 404s.
    """
    post_capability = post or can

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
            needed = can if request.method in SAFE_METHODS else post_capability
            if not role_can(membership.role, needed):
                raise PermissionDenied
            request.staff_membership = membership  # type: ignore[attr-defined]
            request.staff_can = capabilities_of(request)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        # Read by the walk test (tests/backoffice/test_policy_walk.py); `wraps` carries them outwards.
        wrapper.required_capability = can  # type: ignore[attr-defined]
        wrapper.post_capability = post_capability  # type: ignore[attr-defined]
        return wrapper

    if view is not None:
        return decorate(view)
    return decorate


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member (after `staff_required`)."""
    assert isinstance(request.user, User)
    return request.user
