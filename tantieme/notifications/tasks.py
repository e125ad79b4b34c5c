"""Thin tasks: the work lives in services."""

from __future__ import annotations

from django_tasks import task

from tantieme.notifications.services import deliver_message


@task()
def send_outbound_message(message_id: int) -> str:
    return str(deliver_message(message_id=message_id).status)
