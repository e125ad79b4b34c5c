"""Read a budget from a CSV or XLSX file: one row per key and account, all or nothing.

Columns (header row, any order, accents and case ignored): `cle` (allocation key code), `compte`
(class 6 account: 616, 6211…), `libelle` (optional), `montant` ("2 800,00" or 2800.00). CSV in
UTF-8 (BOM accepted), `;` or `,` separated; XLSX: the first sheet. Every wrong row is reported with
its row number; nothing is saved unless the whole file is right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tantieme.condominiums.importing import fold
from tantieme.condominiums.models import AllocationKey, Condominium
from tantieme.core.files import SpreadsheetTooLarge, check_spreadsheet_size, spreadsheet_rows_exceeded
from tantieme.core.money import AmountError, parse_amount
from tantieme.funds.exceptions import BudgetError
from tantieme.funds.services import LineData

COLUMNS = {"cle": "key", "cle de repartition": "key", "compte": "account", "libelle": "label", "montant": "amount"}
REQUIRED = ("key", "account", "amount")
MAX_ROWS = 2000


class BudgetImportError(BudgetError):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class ImportedBudget:
    lines: list[LineData]
    total: Decimal


def _rows(filename: str, content: bytes) -> list[list[Any]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            check_spreadsheet_size(content)
        except SpreadsheetTooLarge as error:
            raise BudgetImportError([str(error)]) from None
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001  (openpyxl raises many kinds on a broken file)
            raise BudgetImportError([f"Classeur XLSX illisible : {error}"]) from None
        rows: list[list[Any]] = []
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            too_many = spreadsheet_rows_exceeded(len(rows) + 1)
            if too_many:
                raise BudgetImportError([too_many])
            rows.append(list(row))
        return rows
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value).strip()


def read_budget_file(*, condominium: Condominium, filename: str, content: bytes) -> ImportedBudget:
    """The budget lines of the file, checked against the condominium's keys; raises with every problem."""
    rows = [row for row in _rows(filename, content) if any(_cell(value) for value in row)]
    if not rows:
        raise BudgetImportError(["Le fichier est vide."])
    header = [COLUMNS.get(fold(_cell(value)), "") for value in rows[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        names = {"key": "cle", "account": "compte", "amount": "montant"}
        raise BudgetImportError(
            [
                (
                    f"Ligne 1 : colonnes manquantes : {', '.join(names[name] for name in missing)} "
                    "(attendu : cle ; compte ; libelle ; montant)."
                )
            ]
        )
    if len(rows) > MAX_ROWS:
        raise BudgetImportError([f"Au plus {MAX_ROWS} lignes."])
    keys = {key.code.upper(): key for key in AllocationKey.objects.filter(condominium=condominium)}
    problems: list[str] = []
    lines: list[LineData] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        values = {name: _cell(row[index]) if index < len(row) else "" for index, name in enumerate(header) if name}
        key_code = values.get("key", "").upper()
        account = values.get("account", "").removesuffix(".00")
        if key_code not in keys:
            problems.append(
                f"Ligne {number} : clé « {values.get('key', '')} » inconnue dans la copropriété {condominium.code}."
            )
        if not account.isdigit() or not account.startswith("6"):
            problems.append(f"Ligne {number} : « {account} » n'est pas un compte de charges (classe 6 : 616, 6211…).")
        try:
            amount = parse_amount(values.get("amount", ""))
        except AmountError as error:
            problems.append(f"Ligne {number} : {error}")
            continue
        if amount < 0:
            problems.append(f"Ligne {number} : montant négatif.")
            continue
        if (key_code, account) in seen:
            problems.append(
                f"Ligne {number} : clé {key_code} et compte {account} déjà en ligne {seen[(key_code, account)]}."
            )
        seen[(key_code, account)] = number
        lines.append(LineData(key_code=key_code, account=account, amount=amount, label=values.get("label", "")))
    if not lines and not problems:
        problems.append("Aucune ligne de budget sous l'en-tête.")
    if problems:
        raise BudgetImportError(problems)
    return ImportedBudget(lines=lines, total=sum((line.amount for line in lines), Decimal("0.00")))
