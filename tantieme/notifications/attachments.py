"""Files attached to an outbox message (a statement PDF…), kept in the private storage until sent.

They live at `outbox/<firm id>/<message id>/<rank>-<name>`: the message row needs no column of its
own, `deliver_message` attaches what it finds there (retries too) and removes it once sent (the
document itself is kept where it belongs, e.g. the co-owner's documents).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tantieme.notifications.models import OutboundMessage

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # what mail servers commonly accept, whole message included


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/pdf"


def _folder(message: OutboundMessage) -> str:
    return f"outbox/{message.firm_id}/{message.pk}"


def _safe(name: str) -> str:
    kept = "".join(char if char.isalnum() or char in "-_." else "-" for char in name)
    return kept.strip(".-")[:100] or "piece-jointe"


def store_attachments(message: OutboundMessage, attachments: Sequence[Attachment]) -> None:
    total = sum(len(attachment.content) for attachment in attachments)
    if total > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"Pièces jointes trop lourdes ({total} octets, {MAX_ATTACHMENT_BYTES} au plus).")
    for rank, attachment in enumerate(attachments, start=1):
        default_storage.save(f"{_folder(message)}/{rank}-{_safe(attachment.filename)}", ContentFile(attachment.content))


def attachments_of(message: OutboundMessage) -> list[Attachment]:
    """The message's files, in the order they were given (none: an empty list)."""
    try:
        _folders, names = default_storage.listdir(_folder(message))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in sorted(names, key=lambda item: int(item.partition("-")[0] or 0)):
        with default_storage.open(f"{_folder(message)}/{name}", "rb") as handle:
            content = handle.read()
        filename = name.partition("-")[2]
        found.append(Attachment(filename, content, mimetypes.guess_type(filename)[0] or "application/octet-stream"))
    return found


def discard_attachments(message: OutboundMessage) -> None:
    try:
        _folders, names = default_storage.listdir(_folder(message))
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        default_storage.delete(f"{_folder(message)}/{name}")
