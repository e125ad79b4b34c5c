"""Server-to-server notification endpoints: /paiements/notification/lyra/ and /paiements/notification/stripe/.

The only CSRF-exempt views of the project: they are authenticated by the provider's signature.
They answer quickly; e-mail and receipt are queued on commit.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tantieme.audit.services import client_ip
from tantieme.payments.services import handle_notification


@csrf_exempt
@require_POST
@sensitive_post_parameters("vads_card_number", "signature")
def notification(request: HttpRequest, route: str) -> HttpResponse:
    body = request.body
    form_types = {"application/x-www-form-urlencoded", "multipart/form-data"}
    form = request.POST.dict() if request.content_type in form_types else {}
    result = handle_notification(
        firm=request.firm,  # type: ignore[attr-defined]
        route=route,
        body=body,
        headers=request.headers,
        form=form,
        remote_addr=client_ip(request),
    )
    return HttpResponse(
        "OK" if result.status == 200 else f"REFUSED {result.code}",
        status=result.status,
        content_type="text/plain; charset=utf-8",
    )
