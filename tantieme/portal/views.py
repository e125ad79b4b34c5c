"""The co-owner's pages. Thin: data comes from the domain apps' queries."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tantieme.announcements.queries import announcements_for_user
from tantieme.condominiums.models import CoOwner
from tantieme.condominiums.queries import co_owner_accounts_for_user, contacts_for, current_ownerships
from tantieme.core.money import ZERO
from tantieme.portal.owed import owed_figures

View = Callable[..., HttpResponse]

HOME_ANNOUNCEMENTS = 20  # the most recent on the home page


def co_owner_required(view: View) -> View:
    """Signed-in co-owners only; staff are sent to the back office."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_co_owner:  # type: ignore[union-attr]
            return redirect("backoffice:home")
        return view(request, *args, **kwargs)

    return wrapper


def _accounts(request: HttpRequest) -> list[CoOwner]:
    assert request.user.pk is not None
    return list(co_owner_accounts_for_user(request.user.pk))


@co_owner_required
def home(request: HttpRequest) -> HttpResponse:
    assert request.user.pk is not None
    announcements = list(announcements_for_user(request.user.pk)[:HOME_ANNOUNCEMENTS])
    accounts = _accounts(request)
    # The same figures as « Mon compte » and the payment page: balance, payments in progress, rest.
    figures = owed_figures(accounts, timezone.localdate())
    cards = [(account, figures[account.pk]) for account in accounts]
    context = {
        "accounts": accounts,
        "cards": cards,
        "total_balance": sum((owed.balance for owed in figures.values()), ZERO),
        "announcements": announcements,
        "menu": "home",
    }
    return render(request, "portal/home.html", context)


@co_owner_required
def contacts(request: HttpRequest) -> HttpResponse:
    accounts = _accounts(request)
    condominiums = {account.condominium_id: account.condominium for account in accounts}
    blocks = [(condominium, list(contacts_for(condominium))) for condominium in condominiums.values()]
    return render(request, "portal/contacts.html", {"blocks": blocks, "menu": "contacts"})


@co_owner_required
def properties(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    holdings = [(account, list(current_ownerships(account, today))) for account in _accounts(request)]
    return render(request, "portal/properties.html", {"holdings": holdings, "menu": "properties"})
