"""`pay_suppliers`: the file of the worked example, and exit codes when there is nothing valid to pay."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tantieme.expenses.enums import BankAccountStatus
from tantieme.expenses.models import SupplierBankAccount
from tantieme.formats.pain001 import check_document, validate_xml
from tantieme.supplier_payments.models import PaymentBatch
from tests.supplier_payments.conftest import Tilleuls

PROPOSAL = datetime.datetime(2026, 10, 12, 8, 30, tzinfo=datetime.UTC)


def _run(tmp_path: Path, *extra: str) -> tuple[Path, str]:
    output = tmp_path / "remise.xml"
    from io import StringIO

    out = StringIO()
    with time_machine.travel(PROPOSAL, tick=False):
        call_command(
            "pay_suppliers",
            "--firm", "horizon", "--condominium", "700", "--date", "2026-10-15", "--output", str(output), *extra,
            stdout=out,
        )  # fmt: skip
    return output, out.getvalue()


def test_command_writes_the_batch_of_due_approved_invoices(tilleuls: Tilleuls, tmp_path: Path) -> None:
    output, printed = _run(tmp_path, "--due-by", "2026-10-26")
    content = output.read_bytes()
    assert validate_xml(content) == []
    assert check_document(content) == []
    assert b"<CtrlSum>15885.00</CtrlSum>" in content
    assert "NbOfTxs=4 CtrlSum=15885.00" in printed
    assert PaymentBatch.objects.count() == 1


def test_command_leaves_out_what_cannot_be_paid_and_says_why(tilleuls: Tilleuls, tmp_path: Path) -> None:
    SupplierBankAccount.objects.filter(supplier=tilleuls.suppliers["FRN00002"]).update(status=BankAccountStatus.PENDING)
    output, printed = _run(tmp_path, "--due-by", "2026-10-26")
    assert "Non payée" in printed
    assert "PLOMBERIE DURAND" in printed
    assert b"<NbOfTxs>3</NbOfTxs>" in output.read_bytes()


def test_nothing_valid_to_pay_exits_non_zero_and_writes_nothing(tilleuls: Tilleuls, tmp_path: Path) -> None:
    SupplierBankAccount.objects.update(status=BankAccountStatus.PENDING)
    with pytest.raises(CommandError, match="Rien à payer"):
        _run(tmp_path, "--due-by", "2026-10-26")
    assert not (tmp_path / "remise.xml").exists()
    assert list(tmp_path.iterdir()) == []
    assert not PaymentBatch.objects.exists()


def test_nothing_due_yet(tilleuls: Tilleuls, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Rien à payer"):
        _run(tmp_path, "--due-by", "2026-10-01")
    assert not PaymentBatch.objects.exists()


def test_bad_date_and_unknown_condominium(tilleuls: Tilleuls, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="invalide"):
        call_command("pay_suppliers", "--condominium", "700", "--date", "15/10/2026", "--output", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="pas de copropriété"):
        call_command(
            "pay_suppliers", "--firm", "horizon", "--condominium", "999", "--date", "2026-10-15",
            "--output", str(tmp_path / "x"),
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []
