"""Mes documents: the condominium's documents (décret 2019-502), the co-owner's own, the council's space."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tantieme.audit.services import record
from tantieme.condominiums.models import CoOwner
from tantieme.documents.downloads import as_page_response, document_response
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.forms import DocumentFilterForm
from tantieme.documents.models import Document
from tantieme.documents.queries import co_owner_accounts_with_council, council_ids, documents_for_co_owners
from tantieme.documents.services import note_documents_visit
from tantieme.portal.views import co_owner_required
from tantieme.users.models import User

CATEGORY_ORDER = {value: position for position, value in enumerate(DocumentCategory.values)}


@dataclass
class Row:
    document: Document
    is_new: bool


@dataclass
class Group:
    category: str
    label: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    intro: str
    groups: list[Group] = field(default_factory=list)
    council_of: int | None = None  # the council's space of this condominium: links to its invoices and budget

    @property
    def count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


def _group(rows: list[Row]) -> list[Group]:
    labels = dict(DocumentCategory.choices)
    groups: dict[str, Group] = {}
    for row in rows:
        category = row.document.category
        if category not in groups:
            groups[category] = Group(category=category, label=str(labels.get(category, category)))
        groups[category].rows.append(row)
    return sorted(groups.values(), key=lambda group: CATEGORY_ORDER.get(group.category, len(CATEGORY_ORDER)))


def _sections(accounts: list[CoOwner], council: set[int], rows: list[Row]) -> list[Section]:
    condominiums = {account.condominium_id: account.condominium for account in accounts}
    several = len(condominiums) > 1
    sections: list[Section] = []
    for condominium in condominiums.values():
        title = _("Documents de la copropriété")
        sections.append(
            Section(
                key=f"copropriete-{condominium.pk}",
                title=f"{title} — {condominium.name}" if several else title,
                intro=_(
                    "Les documents que votre syndic met à la disposition de tous les copropriétaires : "
                    "règlement, fiche synthétique, carnet d'entretien, diagnostics, assurances, contrats, "
                    "procès-verbaux des assemblées générales, contrat de syndic."
                ),
                groups=_group(
                    [
                        row
                        for row in rows
                        if row.document.audience == Audience.CONDOMINIUM
                        and row.document.condominium_id == condominium.pk
                    ]
                ),
            )
        )
    for account in accounts:
        title = _("Mes documents personnels")
        sections.append(
            Section(
                key=f"personnel-{account.pk}",
                title=f"{title} — {account.reference_display}" if len(accounts) > 1 else title,
                intro=_("Vos appels de fonds, relevés de compte, régularisations, reçus et courriers."),
                groups=_group([row for row in rows if row.document.co_owner_id == account.pk]),
            )
        )
    for condominium_id, condominium in condominiums.items():
        if not any(account.pk in council and account.condominium_id == condominium_id for account in accounts):
            continue
        title = _("Espace du conseil syndical")
        sections.append(
            Section(
                key=f"conseil-{condominium_id}",
                title=f"{title} — {condominium.name}" if several else title,
                intro=_("Réservé aux membres du conseil syndical : ne diffusez pas ces documents."),
                council_of=condominium_id,
                groups=_group(
                    [
                        row
                        for row in rows
                        if row.document.audience == Audience.COUNCIL and row.document.condominium_id == condominium_id
                    ]
                ),
            )
        )
    return sections


def _matches(document: Document, category: str | None, year: int | None) -> bool:
    return (category is None or document.category == category) and (year is None or document.year == year)


@require_GET
@co_owner_required
def documents(request: HttpRequest) -> HttpResponse:
    """Four queries of its own: accounts with their council seats, the documents, the visit (read,
    and write when a new visit starts). Filters apply in memory to the user's own documents."""
    assert isinstance(request.user, User)
    accounts = co_owner_accounts_with_council(request.user.pk, day=timezone.localdate())
    council = council_ids(accounts)
    visible = list(
        documents_for_co_owners(accounts, council_co_owner_ids=council).order_by(
            "-document_date", "-published_at", "-pk"
        )
    )
    form = DocumentFilterForm(
        request.GET or None,
        categories=[document.category for document in visible],
        years=[document.year for document in visible],
    )
    category, year = form.filters()
    previous_visit = note_documents_visit(user=request.user, firm=request.firm, now=timezone.now())  # type: ignore[attr-defined]
    rows = [
        Row(document=document, is_new=previous_visit is None or document.published_at > previous_visit)
        for document in visible
        if _matches(document, category, year)
    ]
    return render(
        request,
        "portal/documents.html",
        {
            "menu": "documents",
            "form": form,
            "filtered": bool(category or year),
            "sections": _sections(accounts, council, rows),
            "total": len(rows),
            "new_count": sum(row.is_new for row in rows),
            "has_documents": bool(visible),
        },
    )


@require_GET
@co_owner_required
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, for whoever may read it; a 404 for everyone else (no hint that it exists)."""
    assert isinstance(request.user, User)
    accounts = co_owner_accounts_with_council(request.user.pk, day=timezone.localdate())
    document = get_object_or_404(documents_for_co_owners(accounts, council_co_owner_ids=council_ids(accounts)), pk=pk)
    record(action="documents.document.downloaded", request=request, target=document)  # who read what, when
    return as_page_response(document_response(document))
