"""Periodic job: the index of co-owner balances (« À traiter »'s arrears) is refreshed."""

from __future__ import annotations

from tantieme.core.periodic import register
from tantieme.search.balances import refresh_all_firms


@register("search.refresh_balances", "Recalcule l'index des soldes débiteurs (impayés de « À traiter »).")
def refresh_balances_job() -> str:
    return refresh_all_firms()
