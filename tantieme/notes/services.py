"""Writes of internal notes: add one, strike one out. Nothing else: notes are append-only."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tantieme.audit.services import record
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.notes.exceptions import NoteError
from tantieme.notes.models import NOTE_MAX_LENGTH, Note
from tantieme.users.models import User


@transaction.atomic
def add_note(
    *,
    condominium: Condominium,
    text: str,
    author: User,
    co_owner: CoOwner | None = None,
    request: HttpRequest | None = None,
) -> Note:
    """A note on the condominium, or on `co_owner` (who must belong to it)."""
    text = text.strip()
    if not text:
        raise NoteError(_("La note est vide."))
    if len(text) > NOTE_MAX_LENGTH:
        raise NoteError(_("Une note compte au plus %(count)d caractères.") % {"count": NOTE_MAX_LENGTH})
    if co_owner is not None and co_owner.condominium_id != condominium.pk:
        raise NoteError(_("Ce copropriétaire n'appartient pas à cette copropriété."))
    note = Note.objects.create(
        firm_id=condominium.firm_id, condominium=condominium, co_owner=co_owner, author=author, text=text
    )
    record(
        action="notes.note.added",
        request=request,
        firm=condominium.firm,
        actor=author,
        target=note,
        data={"condominium": condominium.pk, "co_owner": co_owner.pk if co_owner else None},
    )
    return note


@transaction.atomic
def strike_note(*, note: Note, actor: User, request: HttpRequest | None = None) -> Note:
    """Strike a note out: it stays, shown struck, with who and when (a second strike changes nothing)."""
    locked = Note.objects.select_for_update().get(pk=note.pk)
    if locked.struck_at is not None:
        raise NoteError(_("Cette note est déjà barrée."))
    locked.struck_at = timezone.now()
    locked.struck_by = actor
    locked.save(update_fields=["struck_at", "struck_by"])
    record(action="notes.note.struck", request=request, firm=locked.firm, actor=actor, target=locked)
    return locked
