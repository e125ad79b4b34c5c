"""The outbox: written in the transaction, sent after commit by a task, outcome recorded."""

from __future__ import annotations

import pytest
from django.db import transaction

from tantieme.notifications.models import MessageStatus, OutboundMessage
from tantieme.notifications.services import REDACTED, queue_email
from tests.conftest import World, client_for


def test_sent_after_commit_through_smtp(world: World, smtp_server, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = queue_email(
            firm=world.horizon,
            to="a@example.com",
            template="password_changed",
            context={"login": "A6060001", "changed_at": None},
        )
        assert smtp_server.messages == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    [received] = smtp_server.messages
    assert received["To"] == "a@example.com"
    assert "Horizon Syndic" in received["From"]
    assert received["Reply-To"] == world.horizon.contact_email
    assert received.get_body(preferencelist=("html",)) is not None


def test_nothing_is_sent_when_the_transaction_rolls_back(
    world: World, smtp_server, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    def fail_after_queueing() -> None:
        with transaction.atomic():
            queue_email(firm=world.horizon, to="a@example.com", template="password_changed", context={})
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        fail_after_queueing()
    assert smtp_server.messages == []
    assert not OutboundMessage.all_firms.exists()


def test_a_transport_error_is_recorded(world: World, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_email(firm=world.horizon, to="a@example.com", template="password_changed", context={})
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert message.error


def test_sensitive_bodies_are_blanked_once_sent(
    world: World, smtp_server, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOX_REDACT_SENSITIVE = True
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_email(
            firm=world.horizon,
            to="a@example.com",
            template="password_reset",
            context={"login": "A6060001", "link": "https://x/compte/reinitialiser/SECRET/"},
            sensitive=True,
        )
    message.refresh_from_db()
    assert message.body_text == REDACTED
    assert "SECRET" in smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()


def test_development_mail_page(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    assert client_for(world.horizon).get("/dev/courriels/").status_code == 404
    settings.DEBUG = True
    OutboundMessage.all_firms.create(
        firm=world.horizon, template="t", recipient="a@example.com", subject="Sujet 1", body_text="x"
    )
    OutboundMessage.all_firms.create(
        firm=world.rivage, template="t", recipient="b@example.com", subject="Autre cabinet", body_text="x"
    )
    page = client_for(world.horizon).get("/dev/courriels/").content.decode()
    assert "Sujet 1" in page
    assert "Autre cabinet" not in page
