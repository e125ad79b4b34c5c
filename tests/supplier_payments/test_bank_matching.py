"""The pain.001 built by the product, read back by the bank import when its debit comes on a CAMT.053:
401/512 posted once, 401 lettered, invoices paid, batch closed; direct debits; cheques."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tantieme.banking.enums import LineKind, LineStatus
from tantieme.banking.models import StatementLine
from tantieme.banking.samples import SampleMovement, camt053_document
from tantieme.banking.services import import_statement
from tantieme.expenses.enums import BankAccountStatus, InvoiceStatus, PaymentMeans
from tantieme.expenses.models import Invoice, SupplierBankAccount
from tantieme.expenses.queries import amounts_due
from tantieme.ledger.models import Entry, Line
from tantieme.supplier_payments.enums import BatchStatus, ChequeStatus, ItemStatus
from tantieme.supplier_payments.models import PaymentBatch, SupplierCheque
from tantieme.supplier_payments.services import batch_content, build_batch, mark_sent, record_cheque
from tests.formats.camt_batch import batch_entry, statement_with
from tests.supplier_payments.conftest import EXECUTION_DAY, PROPOSAL_DAY, TILLEULS_IBAN, Tilleuls, add_supplier, balance

HORIZON = datetime.date(2026, 10, 26)


def _batch(tilleuls: Tilleuls) -> PaymentBatch:
    batch = build_batch(condominium=tilleuls.condo, execution_date=EXECUTION_DAY, due_by=HORIZON, today=PROPOSAL_DAY)
    return mark_sent(batch=batch)


def _supplier_accounts(tilleuls: Tilleuls) -> list[str]:
    return [f"401{code[3:]}" for code in ("FRN00002", "FRN00003", "FRN00004", "FRN00005")]


def test_batch_debit_posts_401_512_once(tilleuls: Tilleuls) -> None:
    batch = _batch(tilleuls)
    entry_xml = batch_entry(batch_content(batch), booking_date=EXECUTION_DAY, with_details=False)
    camt = statement_with([entry_xml], iban=TILLEULS_IBAN, day=EXECUTION_DAY)
    result = import_statement(condominium=tilleuls.condo, content=camt)
    assert (result.imported, result.matched, result.to_review) == (1, 1, 0)
    line = StatementLine.objects.get()
    assert line.status == LineStatus.MATCHED
    assert line.kind == LineKind.DEBIT
    assert "TNT-SCT-20261012-0001" in line.evidence
    assert line.entry is not None
    entry = line.entry
    assert entry.journal.code == "BQ1"
    assert entry.date == EXECUTION_DAY
    lines = list(Line.objects.filter(entry=entry).select_related("account").order_by("position"))
    assert [(ln.account.number, ln.debit, ln.credit) for ln in lines] == [
        ("40100002", Decimal("385.00"), Decimal("0.00")),
        ("40100003", Decimal("1980.00"), Decimal("0.00")),
        ("40100004", Decimal("11000.00"), Decimal("0.00")),
        ("40100005", Decimal("2520.00"), Decimal("0.00")),
        ("512", Decimal("0.00"), Decimal("15885.00")),
    ]
    for number in _supplier_accounts(tilleuls):
        assert balance(tilleuls.condo, number) == Decimal("0.00")
        assert Line.objects.filter(account__number=number, debit__gt=0, debit_matches__isnull=False).exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    assert set(batch.items.values_list("status", flat=True)) == {ItemStatus.PAID}
    assert set(Invoice.objects.values_list("status", flat=True)) == {InvoiceStatus.PAID}
    # The same file again, then the same day in another file: nothing posted twice.
    again = import_statement(condominium=tilleuls.condo, content=camt)
    assert again.already_imported
    overlapping = statement_with([entry_xml], iban=TILLEULS_IBAN, day=EXECUTION_DAY, statement_id="STMT-BIS")
    result = import_statement(condominium=tilleuls.condo, content=overlapping)
    assert (result.imported, result.skipped) == (0, 1)
    assert Entry.objects.filter(journal__code="BQ1").count() == 1
    assert balance(tilleuls.condo, "512") == Decimal("-15885.00")


def test_batch_debit_with_transactions_is_matched_transfer_by_transfer(tilleuls: Tilleuls) -> None:
    batch = _batch(tilleuls)
    entry_xml = batch_entry(batch_content(batch), booking_date=EXECUTION_DAY, with_batch=True, with_details=True)
    result = import_statement(
        condominium=tilleuls.condo, content=statement_with([entry_xml], iban=TILLEULS_IBAN, day=EXECUTION_DAY)
    )
    assert (result.imported, result.matched) == (4, 4)
    assert Entry.objects.filter(journal__code="BQ1").count() == 4
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    assert balance(tilleuls.condo, "512") == Decimal("-15885.00")


def test_transfers_without_batch_block_by_end_to_end_id_and_partial_execution(tilleuls: Tilleuls) -> None:
    batch = _batch(tilleuls)
    first, second = (item.end_to_end_id for item in batch.items.order_by("position")[:2])
    entry_xml = batch_entry(batch_content(batch), booking_date=EXECUTION_DAY, with_batch=False, only={first, second})
    result = import_statement(
        condominium=tilleuls.condo, content=statement_with([entry_xml], iban=TILLEULS_IBAN, day=EXECUTION_DAY)
    )
    assert (result.imported, result.matched) == (2, 2)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PARTLY_EXECUTED
    paid = set(Invoice.objects.filter(status=InvoiceStatus.PAID).values_list("number", flat=True))
    assert paid == {"D-2026-118", "NE-2026-0917"}
    # The rest arrives the next day, as one entry of the two transfers left.
    rest = batch_entry(
        batch_content(batch),
        booking_date=EXECUTION_DAY + datetime.timedelta(days=1),
        with_batch=True,
        with_details=False,
        reference="2026101600077002",
        only={item.end_to_end_id for item in batch.items.order_by("position")[2:]},
    )
    result = import_statement(
        condominium=tilleuls.condo,
        content=statement_with(
            [rest],
            iban=TILLEULS_IBAN,
            day=EXECUTION_DAY + datetime.timedelta(days=1),
            statement_id="STMT-2026-289",
            opening=Decimal("21945.55"),
        ),
    )
    assert result.matched == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED


def test_an_unknown_debit_stays_in_the_queue(tilleuls: Tilleuls) -> None:
    _batch(tilleuls)
    content = camt053_document(
        iban=TILLEULS_IBAN,
        statement_id="S-X",
        opening_balance=Decimal("20000.00"),
        opening_date=EXECUTION_DAY,
        closing_date=EXECUTION_DAY,
        movements=[SampleMovement(Decimal("-15884.99"), EXECUTION_DAY, name="INCONNU", reference="X1")],
    )
    result = import_statement(condominium=tilleuls.condo, content=content)
    assert result.to_review == 1
    assert PaymentBatch.objects.get().status == BatchStatus.SENT


def test_supplier_direct_debit_matched_to_its_open_invoice(tilleuls: Tilleuls) -> None:
    energy = add_supplier(
        tilleuls, "FRN00007", "EDF ENTREPRISES", "FR7630004000031234567890143", "", means=PaymentMeans.DIRECT_DEBIT
    )
    invoice = tilleuls.invoice("EDF-2026-10", energy.code, "312.40", means=PaymentMeans.DIRECT_DEBIT, approve=False)
    content = camt053_document(
        iban=TILLEULS_IBAN,
        statement_id="S-SDD",
        opening_balance=Decimal("20000.00"),
        opening_date=EXECUTION_DAY,
        closing_date=EXECUTION_DAY,
        movements=[
            SampleMovement(
                Decimal("-312.40"),
                EXECUTION_DAY,
                name="EDF ENTREPRISES",
                remittance="PRLV SEPA EDF FACTURE 10/2026",
                reference="SDD1",
                bank_code="PMNT/RDDT/ESDD",
            )
        ],
    )
    result = import_statement(condominium=tilleuls.condo, content=content)
    assert result.matched == 1
    line = StatementLine.objects.get()
    assert line.entry is not None
    assert "EDF-2026-10" in line.evidence
    assert balance(tilleuls.condo, "40100007") == Decimal("0.00")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID  # the supplier took it: paid, approved or not
    assert amounts_due([invoice]) == {invoice.pk: Decimal("0.00")}  # its 401 line is lettered


def _direct_debit_statement(
    statement_id: str, movements: list[tuple[str, str]], opening: Decimal = Decimal("20000.00")
) -> bytes:
    return camt053_document(
        iban=TILLEULS_IBAN,
        statement_id=statement_id,
        opening_balance=opening,
        opening_date=EXECUTION_DAY,
        closing_date=EXECUTION_DAY,
        movements=[
            SampleMovement(
                Decimal(f"-{amount}"), EXECUTION_DAY, name="EDF ENTREPRISES", remittance=text,
                reference=f"{statement_id}-{i}", bank_code="PMNT/RDDT/ESDD",
            )
            for i, (amount, text) in enumerate(movements)
        ],
    )  # fmt: skip


def test_fixed_instalments_of_one_amount_are_matched_by_number_then_oldest_first(tilleuls: Tilleuls) -> None:
    """Monthly instalments of the same amount (spec §4.5), imported late: the one the bank text
    names is taken; without a number, the oldest due."""
    energy = add_supplier(
        tilleuls, "FRN00007", "EDF ENTREPRISES", "FR7630004000031234567890143", "", means=PaymentMeans.DIRECT_DEBIT
    )
    october = tilleuls.invoice(
        "EDF-2026-10",
        energy.code,
        "150.00",
        means=PaymentMeans.DIRECT_DEBIT,
        approve=False,
        due=datetime.date(2026, 10, 10),
    )
    november = tilleuls.invoice(
        "EDF-2026-11", energy.code, "150.00", means=PaymentMeans.DIRECT_DEBIT, approve=False,
        issue=datetime.date(2026, 9, 21), due=datetime.date(2026, 11, 10),
    )  # fmt: skip
    named = import_statement(
        condominium=tilleuls.condo, content=_direct_debit_statement("S-NOV", [("150.00", "PRLV EDF EDF-2026-11")])
    )
    assert named.matched == 1
    november.refresh_from_db()
    october.refresh_from_db()
    assert (november.status, october.status) == (InvoiceStatus.PAID, InvoiceStatus.VALIDATED)
    unnamed = import_statement(
        condominium=tilleuls.condo,
        content=_direct_debit_statement("S-OCT", [("150.00", "PRLV SEPA EDF")], opening=Decimal("19850.00")),
    )
    assert unnamed.matched == 1
    october.refresh_from_db()
    assert october.status == InvoiceStatus.PAID


def test_cheque_posted_at_issue_then_matched_to_its_debit(tilleuls: Tilleuls) -> None:
    invoice = tilleuls.invoices[0]
    cheque = record_cheque(invoice=invoice, number="1234567", issue_date=datetime.date(2026, 10, 5))
    assert balance(tilleuls.condo, "512") == Decimal("-385.00")
    assert balance(tilleuls.condo, "40100002") == Decimal("0.00")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    content = camt053_document(
        iban=TILLEULS_IBAN,
        statement_id="S-CHQ",
        opening_balance=Decimal("20000.00"),
        opening_date=EXECUTION_DAY,
        closing_date=EXECUTION_DAY,
        movements=[
            SampleMovement(
                Decimal("-385.00"), EXECUTION_DAY, label="CHEQUE 1234567", reference="CHQ1", bank_code="PMNT/ICHQ/CCHQ"
            )
        ],
    )
    result = import_statement(condominium=tilleuls.condo, content=content)
    assert result.matched == 1
    cheque.refresh_from_db()
    assert cheque.status == ChequeStatus.DEBITED
    line = StatementLine.objects.get()
    assert line.entry_id == cheque.entry_id
    assert balance(tilleuls.condo, "512") == Decimal("-385.00")  # posted once, at issue
    assert SupplierCheque.objects.count() == 1


def test_a_returned_transfer_makes_the_invoice_due_again(tilleuls: Tilleuls) -> None:
    batch = _batch(tilleuls)
    entry_xml = batch_entry(batch_content(batch), booking_date=EXECUTION_DAY, with_details=False)
    import_statement(
        condominium=tilleuls.condo, content=statement_with([entry_xml], iban=TILLEULS_IBAN, day=EXECUTION_DAY)
    )
    first = batch.items.get(position=1)
    day = EXECUTION_DAY + datetime.timedelta(days=3)
    returned = (
        f'<Ntry><Amt Ccy="EUR">385.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>RET-1</AcctSvcrRef>"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly></Domn></BkTxCd>"
        f"<NtryDtls><TxDtls><Refs><EndToEndId>{first.end_to_end_id}</EndToEndId></Refs>"
        "<RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>"
    )
    content = statement_with(
        [(returned, Decimal("-385.00"))],
        iban=TILLEULS_IBAN,
        day=day,
        statement_id="STMT-RET",
        opening=Decimal("8425.55"),
    )
    result = import_statement(condominium=tilleuls.condo, content=content)
    assert result.matched == 1
    line = StatementLine.objects.get(amount=Decimal("385.00"))
    assert "AC04" in line.evidence
    first.refresh_from_db()
    assert first.status == ItemStatus.RETURNED
    durand = Invoice.objects.get(pk=first.invoice_id)
    assert durand.status == InvoiceStatus.APPROVED  # due again
    assert amounts_due([durand]) == {durand.pk: Decimal("385.00")}
    assert balance(tilleuls.condo, "40100002") == Decimal("-385.00")  # owed to the supplier again
    assert balance(tilleuls.condo, "512") == Decimal("-15500.00")
    assert not SupplierBankAccount.objects.filter(
        supplier_id=first.supplier_id, status=BankAccountStatus.VERIFIED
    ).exists()  # the IBAN that failed is revoked
    others = Invoice.objects.exclude(pk=durand.pk)
    assert set(others.values_list("status", flat=True)) == {InvoiceStatus.PAID}
    assert all(amount == 0 for amount in amounts_due(list(others)).values())
