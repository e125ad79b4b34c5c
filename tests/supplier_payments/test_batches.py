"""Payment batches: the worked example's totals to the cent, the file against the XSD, refusals."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from tantieme.audit.models import AuditEvent
from tantieme.expenses.enums import BankAccountStatus, PaymentBlock
from tantieme.expenses.models import Invoice, Supplier, SupplierBankAccount
from tantieme.expenses.services import block_payment
from tantieme.formats.pain001 import check_document, validate_xml
from tantieme.supplier_payments.enums import BatchStatus
from tantieme.supplier_payments.exceptions import NothingToPayError, PaymentError
from tantieme.supplier_payments.models import PaymentBatch, PaymentBatchItem
from tantieme.supplier_payments.services import batch_content, build_batch, cancel_batch, candidates, mark_sent
from tests.formats.pain001_example import SPEC_XML
from tests.formats.test_pain001 import canonical
from tests.supplier_payments.conftest import EXECUTION_DAY, PROPOSAL_DAY, Tilleuls

NS = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"
HORIZON = datetime.date(2026, 10, 26)  # 12/10/2026 + 14 days (spec §11.6)


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "supplier_payments"
    return sorted(root.rglob("*.xml")) if root.exists() else []


def test_worked_example_batch_totals_to_the_cent(tilleuls: Tilleuls) -> None:
    Supplier.objects.filter(pk=tilleuls.suppliers["FRN00002"].pk).update(
        street="8 rue Garibaldi", postal_code="69006", town="Lyon", country="FR"
    )
    batch = build_batch(
        condominium=tilleuls.condo,
        execution_date=EXECUTION_DAY,
        due_by=HORIZON,
        actor=tilleuls.manager,
        today=PROPOSAL_DAY,
    )
    assert batch.status == BatchStatus.BUILT
    assert batch.nb_of_txs == 4
    assert batch.ctrl_sum == Decimal("15885.00")
    assert batch.message_id == "TNT-SCT-20261012-0001"
    assert batch.payment_info_id == "TNT-SCT-20261012-0001-01"
    items = list(batch.items.order_by("position"))
    assert [item.amount for item in items] == [Decimal(v) for v in ("385.00", "1980.00", "11000.00", "2520.00")]
    assert [item.end_to_end_id for item in items] == [invoice.internal_number for invoice in tilleuls.invoices]
    content = batch_content(batch)
    assert validate_xml(content) == []
    assert check_document(content) == []
    root = ET.fromstring(content)  # noqa: S314 - our own document
    header = root.find(f"{NS}CstmrCdtTrfInitn/{NS}GrpHdr")
    payment = root.find(f"{NS}CstmrCdtTrfInitn/{NS}PmtInf")
    assert header is not None
    assert payment is not None
    assert header.findtext(f"{NS}NbOfTxs") == payment.findtext(f"{NS}NbOfTxs") == "4"
    assert header.findtext(f"{NS}CtrlSum") == payment.findtext(f"{NS}CtrlSum") == "15885.00"
    assert payment.findtext(f"{NS}BtchBookg") == "true"
    assert payment.findtext(f"{NS}ReqdExctnDt/{NS}Dt") == "2026-10-15"
    assert payment.findtext(f"{NS}Dbtr/{NS}Nm") == "SDC RESIDENCE LES TILLEULS"
    transactions = payment.findall(f"{NS}CdtTrfTxInf")
    assert [t.findtext(f"{NS}Cdtr/{NS}Nm") for t in transactions] == [
        "PLOMBERIE DURAND", "NET'ECLAT SARL", "TOITURES DU RHONE SAS", "ASCENSEURS DU SUD SAS",
    ]  # fmt: skip
    assert transactions[0].findtext(f"{NS}RmtInf/{NS}Ustrd") == "FACT D-2026-118 DU 10/09/2026"
    assert transactions[2].find(f"{NS}CdtrAgt") is None  # TOITURES gave no BIC: IBAN-only
    address = transactions[0].find(f"{NS}Cdtr/{NS}PstlAdr")
    assert address is not None
    assert address.findtext(f"{NS}TwnNm") == "Lyon"
    assert address.findtext(f"{NS}Ctry") == "FR"
    assert transactions[1].find(f"{NS}Cdtr/{NS}PstlAdr") is None  # no address known: none sent
    assert AuditEvent.objects.filter(action="supplier_payments.batch.built").count() == 1


def test_the_product_writes_the_spec_file(tilleuls: Tilleuls) -> None:
    """Spec §12 test 4: the file of §11.6, once the ids and the timestamp are injected by the test."""
    batch = build_batch(condominium=tilleuls.condo, execution_date=EXECUTION_DAY, due_by=HORIZON, today=PROPOSAL_DAY)
    content = batch_content(batch).decode()
    for rank, invoice in enumerate(tilleuls.invoices, start=1):
        content = content.replace(f">{invoice.internal_number}<", f">TNT-2026-F000{rank}<")
    content = re.sub(r"<CreDtTm>[^<]+</CreDtTm>", "<CreDtTm>2026-10-12T10:30:00+02:00</CreDtTm>", content)
    # The spec dropped the apostrophe « for readability » and quotes the operation in F3's remittance.
    content = content.replace("NET'ECLAT", "NET ECLAT").replace("DU 18/09/2026<", "DU 18/09/2026 OP 2026-01<")
    assert canonical(content) == canonical(SPEC_XML)


def test_a_batch_with_an_unapproved_invoice_is_refused_and_nothing_is_written(tilleuls: Tilleuls) -> None:
    waiting = tilleuls.invoice("HS-2026-1231", "FRN00006", "468.00", approve=False)
    before = _stored_files()
    with pytest.raises(PaymentError, match="bon à payer") as refused:
        build_batch(
            condominium=tilleuls.condo,
            execution_date=EXECUTION_DAY,
            invoices=[tilleuls.invoices[0], waiting],
            actor=tilleuls.manager,
            today=PROPOSAL_DAY,
        )
    assert "HS-2026-1231" in str(refused.value)
    assert not PaymentBatch.objects.exists()
    assert not PaymentBatchItem.objects.exists()
    assert _stored_files() == before


def test_a_blocked_invoice_is_refused(tilleuls: Tilleuls) -> None:
    invoice = block_payment(invoice=tilleuls.invoices[1], reason=PaymentBlock.DISPUTE, actor=tilleuls.manager)
    with pytest.raises(PaymentError, match="bloqué"):
        build_batch(condominium=tilleuls.condo, execution_date=EXECUTION_DAY, invoices=[invoice], today=PROPOSAL_DAY)
    assert not PaymentBatch.objects.exists()


def test_pending_iban_and_cooling_period(tilleuls: Tilleuls) -> None:
    durand = tilleuls.suppliers["FRN00002"]
    SupplierBankAccount.objects.filter(supplier=durand).update(status=BankAccountStatus.PENDING)
    with pytest.raises(PaymentError, match="attend sa vérification"):
        build_batch(
            condominium=tilleuls.condo,
            execution_date=EXECUTION_DAY,
            invoices=[tilleuls.invoices[0]],
            today=PROPOSAL_DAY,
        )
    # Verified two business days ago: a second approver is needed, and not one who touched the IBAN.
    SupplierBankAccount.objects.filter(supplier=durand).update(
        status=BankAccountStatus.VERIFIED, verified_at=datetime.datetime(2026, 10, 8, 9, tzinfo=datetime.UTC)
    )
    kwargs = {
        "condominium": tilleuls.condo,
        "execution_date": EXECUTION_DAY,
        "invoices": [tilleuls.invoices[0]],
        "actor": tilleuls.manager,
        "today": PROPOSAL_DAY,
    }
    with pytest.raises(PaymentError, match="second approbateur"):
        build_batch(**kwargs)
    with pytest.raises(PaymentError, match="une autre personne"):
        build_batch(**kwargs, second_approver=tilleuls.verifier)
    assert not PaymentBatch.objects.exists()
    batch = build_batch(**kwargs, second_approver=tilleuls.world.manager.__class__.objects.get(pk=_other(tilleuls)))
    assert batch.second_approver is not None


def _other(tilleuls: Tilleuls) -> int:
    from tests.factories import StaffUserFactory

    return int(StaffUserFactory(firm=tilleuls.world.horizon).pk)


def test_never_two_syndicates_in_one_transfer(tilleuls: Tilleuls) -> None:
    from tests.factories import CondominiumFactory
    from tests.ledger.factories import open_books

    other = CondominiumFactory(firm=tilleuls.world.horizon, code="607", iban="FR7630004008200001023456773")
    open_books(other, first_year=2026)
    with pytest.raises(PaymentError, match="autre copropriété"):
        build_batch(
            condominium=other, execution_date=EXECUTION_DAY, invoices=[tilleuls.invoices[0]], today=PROPOSAL_DAY
        )


def test_execution_date_must_be_a_business_day(tilleuls: Tilleuls) -> None:
    with pytest.raises(PaymentError, match="jour ouvré"):
        build_batch(
            condominium=tilleuls.condo,
            execution_date=datetime.date(2026, 10, 17),
            due_by=HORIZON,
            today=PROPOSAL_DAY,
        )
    assert not PaymentBatch.objects.exists()


def test_invoices_in_a_batch_are_not_proposed_again_until_it_is_cancelled(tilleuls: Tilleuls) -> None:
    batch = build_batch(condominium=tilleuls.condo, execution_date=EXECUTION_DAY, due_by=HORIZON, today=PROPOSAL_DAY)
    assert candidates(tilleuls.condo, due_by=HORIZON, today=PROPOSAL_DAY) == []
    with pytest.raises(NothingToPayError):
        build_batch(condominium=tilleuls.condo, execution_date=EXECUTION_DAY, due_by=HORIZON, today=PROPOSAL_DAY)
    cancel_batch(batch=batch)
    again = build_batch(condominium=tilleuls.condo, execution_date=EXECUTION_DAY, due_by=HORIZON, today=PROPOSAL_DAY)
    assert again.message_id == "TNT-SCT-20261012-0002"  # a new file never reuses a MsgId
    first = tilleuls.invoices[0].internal_number
    assert again.items.get(position=1).end_to_end_id == f"{first}-2"
    mark_sent(batch=again)
    with pytest.raises(PaymentError):
        cancel_batch(batch=again)


def test_due_date_horizon(tilleuls: Tilleuls) -> None:
    due = candidates(tilleuls.condo, due_by=datetime.date(2026, 10, 15), today=PROPOSAL_DAY)
    assert [c.invoice.number for c in due] == ["D-2026-118", "NE-2026-0917"]
    assert all(c.is_payable for c in due)
    assert Invoice.objects.count() == 4


def test_remittance_reference_and_length(tilleuls: Tilleuls) -> None:
    durand, net = tilleuls.invoices[0], tilleuls.invoices[1]
    Invoice.objects.filter(pk=durand.pk).update(remittance="RF18 5390 0754 7034")
    Invoice.objects.filter(pk=net.pk).update(remittance="CONTRAT " + "X" * 120)  # too long to follow
    batch = build_batch(
        condominium=tilleuls.condo,
        execution_date=EXECUTION_DAY,
        invoices=[durand, net],
        today=PROPOSAL_DAY,
    )
    root = ET.fromstring(batch_content(batch))  # noqa: S314 - our own document
    first, second = root.iter(f"{NS}CdtTrfTxInf")
    assert first.findtext(f"{NS}RmtInf/{NS}Strd/{NS}CdtrRefInf/{NS}Ref") == "RF18539007547034"
    assert first.find(f"{NS}RmtInf/{NS}Ustrd") is None  # one or the other (EPC)
    assert second.findtext(f"{NS}RmtInf/{NS}Ustrd") == "FACT NE-2026-0917 DU 15/09/2026"  # never cut
    assert batch.items.get(position=1).remittance == "RF18539007547034"
