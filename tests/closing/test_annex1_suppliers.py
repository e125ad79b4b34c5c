"""Annex 1 (état financier) and the suppliers (expenses-and-suppliers §9.2, §11.6): a supplier's
debit balance is a receivable « Fournisseurs débiteurs » (409), never a negative debt among 40x."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tantieme.closing.annexes import build_annexes
from tantieme.closing.services import draft_closing
from tantieme.ledger.models import FiscalYear
from tests.ledger.test_fec_suppliers import pay_and_credit
from tests.supplier_payments.conftest import Tilleuls, tilleuls  # noqa: F401 — the worked example's fixture

D = Decimal


def test_worked_example_suppliers_part_of_annex_1(tilleuls: Tilleuls) -> None:  # noqa: F811
    pay_and_credit(tilleuls)
    year = FiscalYear.objects.get(condominium=tilleuls.condo, start_date=datetime.date(2026, 1, 1))
    annexes = build_annexes(fiscal_year=year, closing=draft_closing(fiscal_year=year))
    statement = annexes.financial_statement
    debts = {row.account: row for row in statement.debts.rows}
    receivables = {row.account: row for row in statement.receivables.rows}
    # §11.6: Fournisseurs 0,00 · Factures non parvenues 462,00 · Fournisseurs débiteurs 252,00.
    assert "401" not in debts  # every 401 sub-account is lettered to zero but FRN00005's
    assert (debts["408"].amount, debts["408"].label) == (D("462.00"), "Fournisseurs - factures non parvenues")
    assert (receivables["409"].amount, receivables["409"].label) == (D("252.00"), "Fournisseurs débiteurs")
    assert not [row for row in statement.debts.rows if row.account.startswith("40") and (row.amount or 0) < 0]
    assert not [account for account in (*debts, *receivables) if len(account) > 3 and account.startswith("40")]


def test_creditor_and_debtor_suppliers_are_apart(tilleuls: Tilleuls) -> None:  # noqa: F811
    pay_and_credit(tilleuls)
    tilleuls.invoice(
        "NE-2026-1201", "FRN00003", "300.00", issue=datetime.date(2026, 12, 1), due=datetime.date(2027, 1, 5)
    )
    tilleuls.invoice(
        "D-2026-140", "FRN00002", "120.50", issue=datetime.date(2026, 12, 2), due=datetime.date(2027, 1, 5)
    )
    year = FiscalYear.objects.get(condominium=tilleuls.condo, start_date=datetime.date(2026, 1, 1))
    statement = build_annexes(fiscal_year=year, closing=draft_closing(fiscal_year=year)).financial_statement
    debts = {row.account: row.amount for row in statement.debts.rows}
    receivables = {row.account: row.amount for row in statement.receivables.rows}
    # The two creditors add up in 401; FRN00005's debit is not netted against them.
    assert (debts["401"], debts["408"], receivables["409"]) == (D("420.50"), D("462.00"), D("252.00"))
    assets = statement.treasury.total + statement.receivables.total
    assert assets == statement.funds.total + statement.debts.total
