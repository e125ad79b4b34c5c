"""The syndic's back office pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tantieme.condominiums.models import Condominium

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """The firm's staff only; anyone else gets a 404 (the back office does not exist for them)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_firm_staff:  # type: ignore[union-attr]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    condominiums = Condominium.objects.order_by("code")
    return render(request, "backoffice/home.html", {"condominiums": condominiums})
