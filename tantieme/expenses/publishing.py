"""Contracts on the extranet (décret 2019-502, art. 1, 1°): every co-owner finds the insurance
contracts in force, the contracts and marchés in progress and the maintenance contracts of the
common equipment. Employment contracts of staff are never published.

For each category, a generated PDF lists the condominium's active contracts (supplier, object,
reference, dates, renewal, notice); it replaces the previous list (archived: the décret keeps
archives). A contract's signed PDF, when uploaded, is published too, and archived when the
contract ends. Called after every change of a contract (`services.create_contract`…) and by
`expire_contracts` (periodic).
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tantieme.audit.services import record
from tantieme.condominiums.models import Condominium
from tantieme.core.money import format_amount
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.services import archive_document, publish_document
from tantieme.expenses.enums import MAINTENANCE_KINDS, ContractKind, ContractStatus
from tantieme.expenses.models import Contract, ContractListing

PUBLISHED_CATEGORIES = (
    DocumentCategory.INSURANCE,
    DocumentCategory.CONTRACTS,
    DocumentCategory.MAINTENANCE_CONTRACTS,
    DocumentCategory.SYNDIC_CONTRACT,
)


def category_of(kind: str) -> DocumentCategory | None:
    """The extranet category of a contract kind; None for staff contracts (never published)."""
    if kind == ContractKind.STAFF:
        return None
    if kind == ContractKind.INSURANCE:
        return DocumentCategory.INSURANCE
    if kind == ContractKind.SYNDIC:
        return DocumentCategory.SYNDIC_CONTRACT
    if kind in MAINTENANCE_KINDS:
        return DocumentCategory.MAINTENANCE_CONTRACTS
    return DocumentCategory.CONTRACTS


def _date(value: datetime.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "—"


def render_contract_list(condominium: Condominium, category: DocumentCategory, contracts: list[Contract]) -> bytes:
    """A PDF table of the contracts; deterministic (same contracts, same bytes) so that publishing
    the same list again is recognised by its SHA-256."""
    buffer = io.BytesIO()
    title = f"{category.label} — {condominium.name}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="Tantième",
        invariant=True,
    )
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    rows: list[list[Any]] = [
        [
            _("Fournisseur"),
            _("Objet"),
            _("Référence"),
            _("Début"),
            _("Échéance"),
            _("Reconduction"),
            _("Préavis"),
            _("Montant annuel TTC"),
        ]
    ]
    for contract in contracts:
        renewal = (
            _("tacite, %(months)s mois") % {"months": contract.renewal_months} if contract.tacit_renewal else _("non")
        )
        rows.append(
            [
                Paragraph(contract.supplier.legal_name, small),
                Paragraph(contract.title, small),
                contract.reference or "—",
                _date(contract.start_date),
                _date(contract.end_date),
                renewal,
                _("%(days)s jours") % {"days": contract.notice_days},
                format_amount(contract.yearly_amount) if contract.yearly_amount is not None else "—",
            ]
        )
    table = Table(
        rows, colWidths=[55 * mm, 70 * mm, 28 * mm, 20 * mm, 20 * mm, 30 * mm, 20 * mm, 30 * mm], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        Paragraph(title, styles["Title"]),
        Paragraph(
            _("Contrats en cours signés par le syndic au nom du syndicat (décret n° 2019-502)."), styles["BodyText"]
        ),
        Spacer(1, 4 * mm),
        table if contracts else Paragraph(_("Aucun contrat en cours."), styles["BodyText"]),
    ]
    document.build(story)
    return buffer.getvalue()


def _is_current(contract: Contract, today: datetime.date) -> bool:
    return (
        contract.status == ContractStatus.ACTIVE
        and contract.publish_extranet
        and contract.start_date <= today
        and (contract.end_date is None or contract.end_date >= today or contract.tacit_renewal)
    )


@transaction.atomic
def publish_contracts(*, condominium: Condominium, actor: Any = None, today: datetime.date | None = None) -> int:
    """Bring the extranet in line with the condominium's contracts; returns the documents published."""
    today = today or timezone.localdate()
    contracts = list(
        Contract.objects.filter(condominium=condominium)
        .select_related("supplier", "document")
        .order_by("kind", "supplier__legal_name", "start_date", "pk")
    )
    published = 0
    by_category: dict[DocumentCategory, list[Contract]] = {category: [] for category in PUBLISHED_CATEGORIES}
    for contract in contracts:
        category = category_of(contract.kind)
        current = category is not None and _is_current(contract, today)
        if current and category is not None:
            by_category[category].append(contract)
        # The signed contract itself.
        if current and category is not None and contract.file and contract.document is None:
            with contract.file.open("rb") as handle:
                content = handle.read()
            document = publish_document(
                condominium=condominium,
                category=category,
                audience=Audience.CONDOMINIUM,
                title=f"{contract.title} — {contract.supplier.legal_name}",
                content=content,
                filename=contract.original_filename or "contrat.pdf",
                document_date=contract.signed_on or contract.start_date,
                published_by=actor,
            )
            contract.document = document
            contract.save(update_fields=["document"])
            published += 1
        elif not current and contract.document is not None and contract.document.archived_at is None:
            archive_document(document=contract.document, archived_by=actor)
    for category, listed in by_category.items():
        listing = (
            ContractListing.objects.filter(condominium=condominium, category=category)
            .select_related("document")
            .first()
        )
        previous = listing.document if listing is not None else None
        if not listed:
            if previous is not None and previous.archived_at is None:
                archive_document(document=previous, archived_by=actor)
            continue
        content = render_contract_list(condominium, category, listed)
        document = publish_document(
            condominium=condominium,
            category=category,
            audience=Audience.CONDOMINIUM,
            title=_("Liste des contrats en cours — %(category)s") % {"category": category.label},
            content=content,
            filename=f"contrats-{category.value}.pdf",
            document_date=today,
            published_by=actor,
        )
        if previous is not None and previous.pk != document.pk and previous.archived_at is None:
            archive_document(document=previous, archived_by=actor)
        if previous is None or previous.pk != document.pk:
            ContractListing.objects.update_or_create(
                condominium=condominium, category=category, defaults={"document": document}
            )
            published += 1
    if published:
        record(
            action="expenses.contracts.published",
            firm=condominium.firm,
            actor=actor,
            target=condominium,
            data={"documents": published},
        )
    return published


@transaction.atomic
def expire_contracts(*, condominium: Condominium, today: datetime.date | None = None, actor: Any = None) -> int:
    """Contracts past their end without tacit renewal become expired; the extranet follows."""
    today = today or timezone.localdate()
    count = Contract.objects.filter(
        condominium=condominium, status=ContractStatus.ACTIVE, tacit_renewal=False, end_date__lt=today
    ).update(status=ContractStatus.EXPIRED)
    if count:
        publish_contracts(condominium=condominium, actor=actor, today=today)
    return count
