"""Reads of internal notes (call inside a firm scope)."""

from __future__ import annotations

from django.db.models import QuerySet

from tantieme.condominiums.models import CoOwner
from tantieme.notes.models import Note


def notes_of_co_owner(co_owner: CoOwner) -> QuerySet[Note]:
    """The co-owner's notes, newest first, with their authors (one query)."""
    return Note.objects.filter(co_owner=co_owner).select_related("author", "struck_by").order_by("-created_at", "-pk")
