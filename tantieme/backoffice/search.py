"""Back office « Recherche »: one box on every page finds a co-owner (name, reference in any spacing,
e-mail, IBAN, lot number), a condominium (name, code, town) or a bank line (amount).

`GET /gestion/recherche/?q=…`: the results, grouped by kind; a single co-owner or condominium opens
its file directly. Limited to the staff member's portfolio, in the firm of the host (the search
service is `tantieme.search.queries`).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tantieme.backoffice.policy import portfolio_condominium_ids
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.search.queries import MAX_LENGTH, search


def condominium_file_url(pk: int) -> str:
    """The condominium file, `/gestion/coproprietes/<pk>/` (built next to this module, issue 13)."""
    return f"{reverse('backoffice:home')}coproprietes/{pk}/"


def co_owner_file_url(pk: int) -> str:
    """The co-owner file, `/gestion/coproprietaires/<pk>/` (built next to this module, issue 13)."""
    return f"{reverse('backoffice:home')}coproprietaires/{pk}/"


def file_url(target: CoOwner | Condominium) -> str:
    if isinstance(target, CoOwner):
        return co_owner_file_url(target.pk)
    return condominium_file_url(target.pk)


@require_GET
@staff_required
def search_view(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:MAX_LENGTH]
    results = None
    if text:
        results = search(
            text, condominium_ids=portfolio_condominium_ids(staff_user(request)), today=timezone.localdate()
        )
        single = results.single()
        if single is not None:
            return HttpResponseRedirect(file_url(single))
    return render(request, "backoffice/search.html", {"q": text, "results": results, "menu": "search"})
