"""Thin tasks: the work lives in `batches`."""

from __future__ import annotations

from django_tasks import task

from tantieme.funds.batches import run_batch


@task()
def run_call_batch(batch_id: int) -> str:
    return str(run_batch(batch_id=batch_id).state)
