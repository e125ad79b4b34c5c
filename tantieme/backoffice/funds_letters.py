"""Back office: download the notices of an issue batch that go by post (issue 16, item 4)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tantieme.backoffice.policy import portfolio_condominium, portfolio_condominium_ids
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.funds.letters import calls_of_batch, letters_pdf, notices_to_post
from tantieme.funds.models import CallBatch


@require_GET
@staff_required
def funds_batch_letters(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(CallBatch, pk=pk)
    if batch.condominium_id is not None:
        portfolio_condominium(request, batch.condominium_id)
    notices = notices_to_post(calls_of_batch(batch, portfolio_condominium_ids(staff_user(request))))
    if not notices.exists():
        messages.info(request, _("Aucun avis de cette émission n'est à envoyer par courrier."))
        return redirect("backoffice:funds_batch", pk=batch.pk)
    response = HttpResponse(letters_pdf(notices), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="avis-courrier-{batch.period}-{batch.pk}.pdf"'
    return response
