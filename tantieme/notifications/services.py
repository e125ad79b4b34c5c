"""Queue e-mails in the outbox: the row is written in the caller's transaction, sent after commit."""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tantieme.notifications.attachments import Attachment, attachments_of, discard_attachments, store_attachments
from tantieme.notifications.models import MessageStatus, OutboundMessage

if TYPE_CHECKING:
    from tantieme.tenancy.models import Firm

LANGUAGES = ("fr", "en")
REDACTED = "[contenu retiré après l'envoi : il contenait un lien personnel]"


def render_email(*, template: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) from notifications/email/<language>/<template>.{subject.txt,txt,html}."""
    language = language if language in LANGUAGES else "fr"
    base = f"notifications/email/{language}/{template}"
    with translation.override(language):
        subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    return subject, text, html


def queue_email(
    *,
    firm: Firm,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str = "fr",
    sensitive: bool = False,
    send_on_commit: bool = True,
    attachments: Sequence[Attachment] = (),
) -> OutboundMessage:
    """Write the message in the outbox and send it once the current transaction commits.

    `send_on_commit=False`: the caller sends it from a task of its own that runs after commit (one task
    row instead of two); `notifications.retry_outbox` still sends it if that never happens.
    """
    full_context = {"firm": firm, **context}
    subject, text, html = render_email(template=template, language=language, context=full_context)
    message = OutboundMessage.all_firms.create(
        firm=firm,
        template=template,
        language=language,
        recipient=to,
        subject=subject,
        body_text=text,
        body_html=html,
        sensitive=sensitive,
    )
    if attachments:  # files in the private storage, next to the row (`notifications.attachments`)
        store_attachments(message, attachments)
    if not send_on_commit:
        return message
    message_id = message.pk

    def enqueue() -> None:
        from tantieme.notifications.tasks import send_outbound_message

        send_outbound_message.enqueue(message_id)

    transaction.on_commit(enqueue)
    return message


def deliver_message(*, message_id: int) -> OutboundMessage:
    """Send one queued message over the configured backend and record the outcome."""
    with transaction.atomic():
        message = OutboundMessage.all_firms.select_for_update().select_related("firm").get(pk=message_id)
        if message.status == MessageStatus.SENT:
            return message
        message.attempts += 1
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=formataddr((message.firm.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1])),
            to=[message.recipient],
            reply_to=[message.firm.contact_email] if message.firm.contact_email else None,
            connection=get_connection(fail_silently=False),
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        for attachment in attachments_of(message):
            email.attach(attachment.filename, attachment.content, attachment.content_type)
        try:
            email.send()
        except Exception as error:  # noqa: BLE001  (any transport error is recorded and retried later)
            message.status = MessageStatus.FAILED
            message.error = f"{type(error).__name__}: {error}"[:2000]
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.error = ""
            discard_attachments(message)
            if message.sensitive and settings.OUTBOX_REDACT_SENSITIVE:
                message.body_text = REDACTED
                message.body_html = ""
        message.save()
    return message
