"""Development only: the e-mails the outbox sent, to follow links without a mail client."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tantieme.notifications.models import OutboundMessage


def dev_outbox(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404
    messages = OutboundMessage.objects.all()[:50]
    return render(request, "notifications/dev_outbox.html", {"outbound": messages})
