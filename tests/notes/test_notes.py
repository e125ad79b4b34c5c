"""Internal notes: added, struck out (never edited nor deleted), refused when wrong, audited."""

from __future__ import annotations

import pytest

from tantieme.audit.models import AuditEvent
from tantieme.notes.exceptions import NoteError
from tantieme.notes.models import NOTE_MAX_LENGTH, Note
from tantieme.notes.queries import notes_of_co_owner
from tantieme.notes.services import add_note, strike_note
from tantieme.tenancy.scoping import firm_scope
from tests.conftest import World
from tests.factories import CondominiumFactory, CoOwnerFactory


def test_a_note_is_added_then_struck_and_stays(world: World) -> None:
    with firm_scope(world.horizon):
        note = add_note(
            condominium=world.condo, co_owner=world.alice, text="  Relancé par téléphone.  ", author=world.manager
        )
        assert note.text == "Relancé par téléphone."
        assert (note.firm_id, note.author_id, note.struck_at) == (world.horizon.pk, world.manager.pk, None)
        struck = strike_note(note=note, actor=world.manager)
        assert struck.struck_at is not None
        assert struck.struck_by == world.manager
        assert list(notes_of_co_owner(world.alice)) == [struck]
        with pytest.raises(NoteError, match="déjà barrée"):
            strike_note(note=note, actor=world.manager)
    actions = list(AuditEvent.all_firms.filter(action__startswith="notes.").values_list("action", flat=True))
    assert sorted(actions) == ["notes.note.added", "notes.note.struck"]


def test_a_note_on_the_condominium_has_no_co_owner(world: World) -> None:
    with firm_scope(world.horizon):
        note = add_note(condominium=world.condo, text="Ascenseur : devis attendu.", author=world.manager)
        assert note.co_owner is None
        assert list(notes_of_co_owner(world.alice)) == []


@pytest.mark.parametrize(("text", "message"), [("   ", "vide"), ("x" * (NOTE_MAX_LENGTH + 1), "au plus")])
def test_bad_notes_are_refused(world: World, text: str, message: str) -> None:
    with firm_scope(world.horizon), pytest.raises(NoteError, match=message):
        add_note(condominium=world.condo, co_owner=world.alice, text=text, author=world.manager)
    assert Note.all_firms.count() == 0


def test_a_co_owner_of_another_condominium_is_refused(world: World) -> None:
    with firm_scope(world.horizon):
        other = CondominiumFactory(firm=world.horizon, code="707")
        stranger = CoOwnerFactory(condominium=other, reference="A7070001")
        with pytest.raises(NoteError, match="n'appartient pas à cette copropriété"):
            add_note(condominium=world.condo, co_owner=stranger, text="Note", author=world.manager)
    assert Note.all_firms.count() == 0


def test_notes_are_scoped_to_their_firm(world: World) -> None:
    with firm_scope(world.horizon):
        add_note(condominium=world.condo, co_owner=world.alice, text="Note", author=world.manager)
    with firm_scope(world.rivage):
        assert Note.objects.count() == 0
