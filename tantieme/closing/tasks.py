"""Thin tasks: the work lives in `publishing`."""

from __future__ import annotations

from django_tasks import task

from tantieme.closing.publishing import publish_closing_documents


@task()
def publish_closing(closing_id: int) -> int:
    return publish_closing_documents(closing_id=closing_id).documents_done
