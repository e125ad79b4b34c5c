"""Thin tasks: the work lives in `services` and `publishing`."""

from __future__ import annotations

from django_tasks import task

from tantieme.closing.publishing import approve_requested_closing, publish_closing_documents


@task()
def publish_closing(closing_id: int) -> int:
    return publish_closing_documents(closing_id=closing_id).documents_done


@task()
def approve_requested(closing_id: int) -> str:
    return approve_requested_closing(closing_id=closing_id).state
