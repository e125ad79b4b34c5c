"""Thin tasks: the work lives in receipts/services."""

from __future__ import annotations

from django_tasks import task

from tantieme.payments.receipts import publish_payment_receipt
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope


@task()
def publish_receipt_task(firm_id: int, payment_id: int) -> bool:
    with firm_scope(Firm.objects.get(pk=firm_id)):
        return publish_payment_receipt(payment_id=payment_id)
