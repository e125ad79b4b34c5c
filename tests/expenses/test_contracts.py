"""Contracts: published on the extranet in the décret 2019-502 categories; notice deadlines."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.models import Document
from tantieme.expenses import services
from tantieme.expenses.enums import ContractKind, ContractStatus
from tantieme.expenses.queries import contracts_with_notice_due
from tantieme.expenses.services import ContractData
from tests.expenses.factories import Tilleuls, blank_pdf

D = Decimal


def _lift(tilleuls: Tilleuls, **overrides: object) -> ContractData:
    values: dict[str, object] = {
        "supplier": tilleuls.suppliers["FRN00005"],
        "kind": ContractKind.LIFT_MAINTENANCE,
        "title": "Maintenance de l'ascenseur du bâtiment B (clauses minimales)",
        "start_date": datetime.date(2024, 1, 1),
        "end_date": datetime.date(2026, 12, 31),
        "tacit_renewal": True,
        "notice_days": 90,
        "yearly_amount": D("2520.00"),
    }
    values.update(overrides)
    return ContractData(**values)  # type: ignore[arg-type]


def test_contracts_are_published_in_their_categories(tilleuls: Tilleuls) -> None:
    services.create_contract(condominium=tilleuls.condominium, data=_lift(tilleuls), pdf=blank_pdf("Contrat"))
    services.create_contract(
        condominium=tilleuls.condominium,
        data=_lift(
            tilleuls, kind=ContractKind.INSURANCE, title="Multirisque immeuble", tacit_renewal=False, end_date=None
        ),
    )
    services.create_contract(
        condominium=tilleuls.condominium,
        data=_lift(
            tilleuls, kind=ContractKind.STAFF, title="Contrat de travail du gardien", tacit_renewal=False, end_date=None
        ),
    )
    documents = Document.objects.filter(condominium=tilleuls.condominium, archived_at__isnull=True)
    published = sorted((doc.category, doc.title) for doc in documents)
    assert published == [
        (DocumentCategory.INSURANCE, "Liste des contrats en cours — Contrats d'assurance"),
        (
            DocumentCategory.MAINTENANCE_CONTRACTS,
            "Liste des contrats en cours — Contrats d'entretien et de maintenance",
        ),
        (
            DocumentCategory.MAINTENANCE_CONTRACTS,
            "Maintenance de l'ascenseur du bâtiment B (clauses minimales) — ASCENSEURS DU SUD SAS",
        ),
    ]
    assert {doc.audience for doc in documents} == {Audience.CONDOMINIUM}
    assert not any("gardien" in doc.title for doc in Document.objects.all())


def test_an_ended_contract_leaves_the_extranet(tilleuls: Tilleuls) -> None:
    contract = services.create_contract(
        condominium=tilleuls.condominium, data=_lift(tilleuls), pdf=blank_pdf("Contrat")
    )
    services.update_contract(contract=contract, data=_lift(tilleuls, status=ContractStatus.TERMINATED))
    assert not Document.objects.filter(condominium=tilleuls.condominium, archived_at__isnull=True).exists()
    assert Document.objects.filter(condominium=tilleuls.condominium).count() == 2  # kept in the archives


def test_notice_deadlines(tilleuls: Tilleuls, django_assert_max_num_queries: object) -> None:
    contract = services.create_contract(condominium=tilleuls.condominium, data=_lift(tilleuls))
    ids = [tilleuls.condominium.pk]
    # End 31/12/2026, 90 days' notice → deadline 02/10/2026, shown from 30 days before.
    assert contracts_with_notice_due(ids, datetime.date(2026, 9, 1), 30) == []
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        due = contracts_with_notice_due(ids, datetime.date(2026, 9, 5), 30)
    assert [(item.contract.pk, item.deadline, item.end_date) for item in due] == [
        (contract.pk, datetime.date(2026, 10, 2), datetime.date(2026, 12, 31))
    ]
    # Renewed tacitly: the next deadline is a year later.
    due = contracts_with_notice_due(ids, datetime.date(2027, 9, 10), 30)
    assert [item.end_date for item in due] == [datetime.date(2027, 12, 31)]
    assert contracts_with_notice_due([], datetime.date(2026, 9, 5)) == []


def test_housekeeping_expires_contracts_and_reverses_accruals(db: None) -> None:
    from tantieme.expenses.models import Accrual, Contract
    from tantieme.expenses.periodic import run_expenses_housekeeping
    from tantieme.ledger import services as ledger
    from tantieme.ledger.models import FiscalYear
    from tantieme.tenancy.scoping import firm_scope
    from tests.expenses.factories import build_tilleuls
    from tests.factories import FirmFactory

    firm = FirmFactory(slug="menage", name="Ménage")
    with firm_scope(firm):
        tilleuls = build_tilleuls(firm, years=(2026,))
        contract = services.create_contract(
            condominium=tilleuls.condominium,
            data=_lift(tilleuls, tacit_renewal=False, end_date=datetime.date(2026, 6, 30)),
        )
        year = FiscalYear.objects.get(condominium=tilleuls.condominium)
        accrual = services.record_accrual(
            condominium=tilleuls.condominium,
            supplier=tilleuls.suppliers["FRN00006"],
            fiscal_year=year,
            account="615",
            key=tilleuls.keys["CG"],
            amount=D("462.00"),
            label="Dératisation",
            justification="Devis DV-2026-077",
        )
        assert accrual.reversal is None  # 2027 is not open yet
        ledger.open_fiscal_year(condominium=tilleuls.condominium)
    assert run_expenses_housekeeping(today=datetime.date(2026, 12, 5))[:2] == (1, 1)
    assert run_expenses_housekeeping(today=datetime.date(2026, 12, 5))[:2] == (0, 0)
    with firm_scope(firm):
        assert Contract.objects.get(pk=contract.pk).status == ContractStatus.EXPIRED
        reversal = Accrual.objects.get(pk=accrual.pk).reversal
        assert reversal is not None
        assert reversal.date == datetime.date(2027, 1, 1)


def test_housekeeping_deletes_abandoned_entry_uploads_after_a_day(db: None) -> None:
    import os

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tantieme.expenses.periodic import run_expenses_housekeeping
    from tests.factories import FirmFactory

    firm = FirmFactory(slug="abandons", name="Abandons")
    old = default_storage.save(f"expenses/{firm.pk}/uploads/ancienne.pdf", ContentFile(b"%PDF-1.4 old"))
    fresh = default_storage.save(f"expenses/{firm.pk}/uploads/recente.pdf", ContentFile(b"%PDF-1.4 new"))
    two_days_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))

    assert run_expenses_housekeeping()[2] == 1

    assert not default_storage.exists(old)
    assert default_storage.exists(fresh)
    assert run_expenses_housekeeping()[2] == 0  # idempotent
