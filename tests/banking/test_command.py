"""`manage.py import_statement FILE [--condominium CODE] [--firm SLUG]`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tantieme.banking.models import StatementImport, StatementLine
from tantieme.tenancy.scoping import all_firms_scope
from tests.banking.conftest import SAMPLES, Books


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_statement", *args, stdout=out)
    return out.getvalue()


def test_command_prints_counts_and_finds_the_condominium_by_iban(books: Books) -> None:
    output = run(str(SAMPLES / "camt053_sample.xml"))
    assert "imported=3 matched=1 to_review=1 suspended=1" in output
    assert "horizon/606" in output
    again = run(str(SAMPLES / "camt053_sample.xml"), "--condominium", "606", "--firm", "horizon")
    assert "déjà importé" in again
    assert "imported=0 skipped=3" in again


def test_command_refuses_and_writes_nothing(books: Books, tmp_path: Path) -> None:
    truncated = tmp_path / "cut.xml"
    truncated.write_bytes((SAMPLES / "camt053_sample.xml").read_bytes()[:1500])
    with pytest.raises(CommandError, match="rien n'a été enregistré"):
        run(str(truncated), "--condominium", "606")
    with pytest.raises(CommandError, match="Aucune copropriété"):
        run(str(SAMPLES / "camt053_sample.xml"), "--firm", "rivage")
    with pytest.raises(CommandError, match="Relevé refusé"):  # 149 (rivage) has no books and another IBAN
        run(str(SAMPLES / "camt053_sample.xml"), "--condominium", "149")
    with all_firms_scope():
        assert StatementImport.objects.count() == 0
        assert StatementLine.objects.count() == 0
