from __future__ import annotations

import datetime

from tantieme.announcements.queries import announcements_for_user
from tantieme.demo.conversations import seed_conversations
from tantieme.tenancy.scoping import firm_scope
from tantieme.tickets.models import Ticket
from tests.conftest import World, client_for


def test_demo_conversations_for_a6060001(world: World) -> None:
    with firm_scope(world.horizon):
        assert seed_conversations(world.condo, today=datetime.date(2026, 11, 26)) == 7
        assert seed_conversations(world.condo, today=datetime.date(2026, 11, 26)) == 0  # idempotent
        states = [item.is_read for item in announcements_for_user(world.alice_user.pk)]  # type: ignore[attr-defined]
        ticket = Ticket.objects.get()
    assert states == [False, True]
    body = client_for(world.horizon, world.alice_user).get(f"/mes-demandes/{ticket.pk}/").content.decode()
    assert "plombier" in body
    assert "colonne d&#x27;eaux usées" not in body  # the internal note
