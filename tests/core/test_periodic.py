from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tantieme.core.periodic import jobs
from tantieme.notifications.models import MessageStatus, OutboundMessage
from tests.conftest import World


def test_jobs_are_registered_by_the_apps() -> None:
    names = {job.name for job in jobs()}
    assert {"notifications.retry_outbox", "users.purge_throttles"} <= names


def test_runperiodic_retries_the_outbox_through_real_smtp(world: World, smtp_server, capsys) -> None:
    message = OutboundMessage(
        firm=world.horizon,
        template="test",
        recipient="alice@example.com",
        subject="Essai",
        body_text="Bonjour",
        status=MessageStatus.FAILED,
        attempts=1,
        created_at=timezone.now() - datetime.timedelta(hours=1),
    )
    message.save()
    call_command("runperiodic", "--only", "notifications.retry_outbox")
    assert "1 envoyé(s)" in capsys.readouterr().out
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert [m["Subject"] for m in smtp_server.messages] == ["Essai"]
    call_command("runperiodic", "--only", "notifications.retry_outbox")
    assert len(smtp_server.messages) == 1


def test_runperiodic_refuses_an_unknown_job(db: None) -> None:
    with pytest.raises(CommandError, match="inconnue"):
        call_command("runperiodic", "--only", "nope")
