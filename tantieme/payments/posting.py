"""Every firm's next-day posting (the command and the periodic job share it)."""

from __future__ import annotations

import datetime
from typing import Any

from tantieme.payments.services import PostingReport, post_card_payments
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope


def post_all_firms(*, on: datetime.date, firm: Firm | None = None, actor: Any = None) -> PostingReport:
    total = PostingReport()
    firms = [firm] if firm is not None else list(Firm.objects.filter(is_active=True).order_by("pk"))
    for each in firms:
        with firm_scope(each):
            report = post_card_payments(on=on, actor=actor)
        total.posted += report.posted
        total.reversed += report.reversed
        total.failed += report.failed
    return total
