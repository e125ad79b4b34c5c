"""Periodic job: delete the files a killed process left without their document row."""

from __future__ import annotations

from tantieme.core.periodic import register
from tantieme.documents.orphans import purge_orphan_files


@register(
    "documents.purge_orphan_files", "Supprime les fichiers sans document (travail interrompu) de plus d'une heure."
)
def purge_orphans() -> str:
    return f"{purge_orphan_files()} fichier(s) orphelin(s) supprimé(s)"
