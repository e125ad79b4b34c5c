"""Periodic job: forget throttling counters that no longer matter."""

from __future__ import annotations

from tantieme.core.periodic import register
from tantieme.users.throttling import purge_throttles


@register("users.purge_throttles", "Supprime les compteurs anti-force brute de plus de deux jours.")
def purge_old_throttles() -> str:
    return f"{purge_throttles()} compteur(s) supprimé(s)"
