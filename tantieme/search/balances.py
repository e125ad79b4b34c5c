"""Refreshing the index of co-owner balances (`CoOwnerBalance`) from the ledger.

One aggregate over the firm's co-owner lines dated today or before (the same sum as
`ledger.queries.balance`), then the firm's rows replaced in one transaction: readers see the old
index or the new one, never half of each. Co-owners who owe nothing have no row. Safe to run at
any time and any number of times (periodic job `search.refresh_balances`, command
`refresh_balances`).
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from tantieme.ledger.models import MONEY_OUTPUT, Line, cents
from tantieme.search.models import CoOwnerBalance
from tantieme.tenancy.models import Firm

BATCH = 5000


def refresh_balances(*, firm: Firm, today: datetime.date | None = None) -> int:
    """Replace `firm`'s balance index; returns the number of co-owners who owe something."""
    today = today or timezone.localdate()
    computed_at = timezone.now()
    sums = (
        Line.all_firms.filter(firm=firm, co_owner__isnull=False, date__lte=today)
        .values("co_owner_id", "condominium_id")
        .annotate(total=Sum(F("debit") - F("credit"), output_field=MONEY_OUTPUT))
        .order_by()
    )
    rows = [
        CoOwnerBalance(
            firm=firm,
            condominium_id=row["condominium_id"],
            co_owner_id=row["co_owner_id"],
            balance=cents(row["total"]),
            computed_at=computed_at,
        )
        for row in sums.iterator(chunk_size=BATCH)
        if cents(row["total"]) > 0
    ]
    with transaction.atomic():
        CoOwnerBalance.all_firms.filter(firm=firm).delete()
        CoOwnerBalance.all_firms.bulk_create(rows, batch_size=BATCH)
    if connection.vendor == "postgresql":
        # The table was just rewritten: fresh statistics keep the dashboard's plan on its index.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {CoOwnerBalance._meta.db_table}")
    return len(rows)


def refresh_all_firms() -> str:
    total = 0
    firms = Firm.objects.filter(is_active=True).order_by("pk")
    for firm in firms:
        total += refresh_balances(firm=firm)
    return f"{len(firms)} firms, {total} co-owners owing"
