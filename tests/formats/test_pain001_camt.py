"""A pain.001 we wrote, read back from the bank's CAMT.053 debit: batch identifiers and transactions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tantieme.banking.parsers.camt053 import Camt053Reader
from tantieme.formats.pain001 import build_credit_transfer
from tests.formats.camt_batch import batch_entry, statement_with
from tests.formats.pain001_example import DEBTOR, example_message

DAY = datetime.date(2026, 10, 15)


def _read(with_batch: bool, with_details: bool) -> list:  # type: ignore[type-arg]
    pain = build_credit_transfer(example_message(), today=datetime.date(2026, 10, 12))
    entry = batch_entry(pain, booking_date=DAY, with_batch=with_batch, with_details=with_details)
    content = statement_with([entry], iban=DEBTOR.iban, day=DAY)
    return list(Camt053Reader(content).entries())


def test_batch_debit_with_its_transactions() -> None:
    entries = _read(with_batch=True, with_details=True)
    assert [e.amount for e in entries] == [Decimal(v) for v in ("-385.00", "-1980.00", "-11000.00", "-2520.00")]
    assert [e.end_to_end_id for e in entries] == [f"TNT-2026-F000{n}" for n in range(1, 5)]
    for entry in entries:
        assert entry.raw["PmtInfId"] == "TNT-SCT-20261012-0001-01"
        assert entry.raw["BtchMsgId"] == "TNT-SCT-20261012-0001"
        assert entry.raw["BtchNbOfTxs"] == "4"
        assert entry.raw["NtryAmt"] == "-15885.00"


def test_batch_debit_without_transactions_is_one_movement() -> None:
    (entry,) = _read(with_batch=True, with_details=False)
    assert entry.amount == Decimal("-15885.00")
    assert entry.raw["PmtInfId"] == "TNT-SCT-20261012-0001-01"


def test_transactions_without_batch_keep_their_end_to_end_ids() -> None:
    entries = _read(with_batch=False, with_details=True)
    assert len(entries) == 4
    assert "PmtInfId" not in entries[0].raw
    assert entries[2].end_to_end_id == "TNT-2026-F0003"
