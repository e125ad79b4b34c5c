"""Historique: every change made to the condominium's file (the audit events whose data names it), newest
first, with the values before and after; paginated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tantieme.audit.models import AuditEvent
from tantieme.backoffice.condominium_file.base import condominium_for, page
from tantieme.backoffice.listing import PAGE_SIZE
from tantieme.backoffice.policy import Can
from tantieme.backoffice.views import staff_required
from tantieme.condominiums import editing
from tantieme.condominiums.importing import KINDS as IMPORT_KINDS
from tantieme.condominiums.models import AllocationKey, Building, Condominium, Lot, SyndicContact

ACTIONS = {
    editing.AUDIT_IDENTITY: _("Identité modifiée"),
    editing.AUDIT_BUILDING_ADDED: _("Bâtiment ajouté"),
    editing.AUDIT_BUILDING_CHANGED: _("Bâtiment modifié"),
    editing.AUDIT_BUILDING_DELETED: _("Bâtiment supprimé"),
    editing.AUDIT_LOT_ADDED: _("Lot ajouté"),
    editing.AUDIT_LOT_CHANGED: _("Lot modifié"),
    editing.AUDIT_LOT_DELETED: _("Lot supprimé"),
    editing.AUDIT_KEY_ADDED: _("Clé ajoutée"),
    editing.AUDIT_KEY_CHANGED: _("Clé modifiée"),
    editing.AUDIT_KEY_DELETED: _("Clé supprimée"),
    editing.AUDIT_SHARES_CHANGED: _("Tantièmes modifiés"),
    editing.AUDIT_CONTACT_ADDED: _("Contact syndic ajouté"),
    editing.AUDIT_CONTACT_CHANGED: _("Contact syndic modifié"),
    editing.AUDIT_CONTACT_DELETED: _("Contact syndic supprimé"),
    editing.AUDIT_CONTACT_MOVED: _("Contacts syndic réordonnés"),
    "condominiums.import.applied": _("Import d'un fichier"),
    "documents.council_member.added": _("Membre du conseil syndical ajouté"),
    "documents.council_member.removed": _("Fin d'un mandat au conseil syndical"),
}


@dataclass(frozen=True)
class Change:
    what: str
    before: Any
    after: Any


def _field_labels() -> dict[Any, str]:
    labels: dict[str, str] = {"ordre": str(_("ordre"))}
    for model in (SyndicContact, AllocationKey, Building, Lot, Condominium):
        for field in model._meta.fields:
            labels[field.name] = str(field.verbose_name)
    return labels


def _describe(event: AuditEvent, labels: dict[Any, str]) -> list[Change]:
    """The changed values of one event, as lines « what: before → after »."""
    data: dict[str, Any] = event.data or {}
    changes: list[Change] = []
    recorded = data.get("changes")
    if isinstance(recorded, dict):
        changes += [Change(labels.get(name, str(name)), pair[0], pair[1]) for name, pair in recorded.items()]
    elif isinstance(recorded, list):
        changes += [_share_change(item) for item in recorded]
    changes += [_share_change(item) for item in data.get("shares") or ()]
    if data.get("file"):
        changes.append(Change(str(_("fichier")), None, data["file"]))
    for kind, count in (data.get("counts") or {}).items():
        if count.get("created") or count.get("updated"):
            done = _("%(created)s créé(s), %(updated)s modifié(s)") % count
            changes.append(Change(str(IMPORT_KINDS.get(kind, kind)), None, done))
    changes += [Change(labels.get(name, str(name)), None, value) for name, value in (data.get("after") or {}).items()]
    changes += [Change(labels.get(name, str(name)), value, None) for name, value in (data.get("before") or {}).items()]
    return changes


def _share_change(item: dict[str, Any]) -> Change:
    if "total" in item:
        return Change(f"{item['key']} total", item["total"][0], item["total"][1])
    return Change(f"{item['key']} lot {item['lot']}", item["before"], item["after"])


@require_GET
@staff_required(can=Can.VIEW)
def condominium_history(request: HttpRequest, pk: int) -> HttpResponse:
    condominium = condominium_for(request, pk)
    events = (
        AuditEvent.objects.filter(data__condominium_id=condominium.pk, action__in=list(ACTIONS))
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    page_obj = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = _field_labels()
    rows = [
        {"event": event, "label": ACTIONS.get(event.action, event.action), "changes": _describe(event, labels)}
        for event in page_obj
    ]
    return page(request, "history.html", condominium, "history", rows=rows, page_obj=page_obj)
