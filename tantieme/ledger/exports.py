"""The accountant's reports as files: CSV streamed row by row, XLSX, PDF.

A report is a `Table`: a title, a header and an iterable of rows whose cells are text, `Decimal`
amounts, dates or None. The same table is written three ways:
- CSV for a French spreadsheet: `;`, decimal comma without thousands separator, dates 26/11/2026,
  UTF-8 with a BOM, CRLF. `csv_chunks` yields bytes as it reads the rows: with a streamed general
  ledger (`reports.stream_general_ledger`) memory stays constant whatever the number of lines.
- XLSX (openpyxl, write-only mode: rows go to a temporary file, not to memory): amounts stay
  numbers (exact Decimal), dates stay dates.
- PDF (ReportLab, `renderers.render_table_pdf`): at most `PDF_MAX_ROWS` rows, beyond which the
  accountant is sent to the CSV or XLSX (a 2-million-line grand livre is not printed).
Text that a spreadsheet would run as a formula (=, +, -, @ first) is written with a leading `'`.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from tantieme.core.money import format_plain
from tantieme.ledger.renderers import render_table_pdf
from tantieme.ledger.reports import GeneralLedgerRow, JournalLine, TrialBalanceRow, TrialBalanceTotals
from tantieme.tenancy.models import Firm

Cell = str | Decimal | datetime.date | None

PDF_MAX_ROWS = 20_000
CSV_ROWS_PER_CHUNK = 1000
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ExportTooLarge(Exception):  # noqa: N818 - reads as what happened
    """The table has more rows than a PDF can reasonably hold."""


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: Iterable[Sequence[Cell]]
    widths: tuple[float, ...]  # millimetres, for the PDF (landscape A4: 267 mm)
    numeric_from: int  # the first amount column (right-aligned)
    wrap: tuple[int, ...] = ()  # label columns wrapped in the PDF


def _safe_text(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_plain(value)
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return _safe_text(value)


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The table as CSV bytes, `CSV_ROWS_PER_CHUNK` rows at a time (BOM first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(table.header)
    rows = iter(table.rows)
    while True:
        batch = list(itertools.islice(rows, CSV_ROWS_PER_CHUNK))
        writer.writerows([_csv_cell(value) for value in row] for row in batch)
        if buffer.tell():
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
        if not batch:
            return


def csv_bytes(table: Table) -> bytes:
    return b"".join(csv_chunks(table))


def xlsx_file(table: Table) -> IO[bytes]:
    """The table as an XLSX workbook in a temporary file (in memory up to 8 MB), read from the start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31].replace("/", "-") or "Export")
    bold = Font(bold=True)
    header = []
    for text in table.header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells: list[object] = []
        for value in row:
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00"
                cells.append(cell)
            elif isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY"
                cells.append(cell)
            else:
                cells.append(_safe_text(value) if value else None)
        sheet.append(cells)
    output: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned open
    workbook.save(output)
    output.seek(0)
    return output


def pdf_bytes(table: Table, *, firm: Firm, reference: str) -> bytes:
    rows = list(itertools.islice(iter(table.rows), PDF_MAX_ROWS + 1))
    if len(rows) > PDF_MAX_ROWS:
        raise ExportTooLarge(table.title)
    return render_table_pdf(
        firm=firm,
        reference=reference,
        title=table.title,
        header=table.header,
        rows=rows,
        widths=table.widths,
        numeric_from=table.numeric_from,
        wrap=table.wrap,
    )


# --- The reports as tables ----------------------------------------------------------------------


def trial_balance_table(rows: Sequence[TrialBalanceRow], totals: TrialBalanceTotals, *, title: str) -> Table:
    body: list[Sequence[Cell]] = [
        (row.account, row.label, row.opening, row.debit, row.credit, row.closing) for row in rows
    ]
    body.append(
        (
            "Total",
            "",
            totals.opening_debit - totals.opening_credit,
            totals.debit,
            totals.credit,
            totals.closing_debit - totals.closing_credit,
        )
    )
    return Table(
        title=title,
        header=("Compte", "Libellé", "Solde d'ouverture", "Débit", "Crédit", "Solde de clôture"),
        rows=body,
        widths=(22, 117, 32, 32, 32, 32),
        numeric_from=2,
        wrap=(1,),
    )


def _general_ledger_cells(rows: Iterable[GeneralLedgerRow]) -> Iterator[Sequence[Cell]]:
    for row in rows:
        if row.kind == "line":
            yield (
                row.account,
                row.date,
                row.entry_code,
                row.journal_code,
                row.voucher,
                row.co_owner,
                row.label,
                row.debit,
                row.credit,
                row.balance,
            )
        elif row.kind == "opening":
            label = f"{row.account_label} — solde d'ouverture"
            yield (row.account, None, "", "", "", "", label, None, None, row.balance)
        elif row.kind == "total":
            yield (row.account, None, "", "", "", "", f"Total {row.account}", row.debit, row.credit, row.balance)
        else:
            yield ("Total général", None, "", "", "", "", "", row.debit, row.credit, None)


def general_ledger_table(rows: Iterable[GeneralLedgerRow], *, title: str) -> Table:
    return Table(
        title=title,
        header=("Compte", "Date", "Écriture", "Journal", "Pièce", "Copropriétaire", "Libellé", "Débit", "Crédit",
                "Solde"),
        rows=_general_ledger_cells(rows),
        widths=(16, 19, 27, 14, 24, 22, 69, 25, 25, 26),
        numeric_from=7,
        wrap=(6,),
    )  # fmt: skip


def journal_table(lines: Iterable[JournalLine], *, title: str) -> Table:
    rows = (
        (
            line.journal_code,
            line.entry_code,
            line.date,
            line.validation_date,
            line.voucher,
            line.account,
            line.co_owner,
            line.label,
            line.debit,
            line.credit,
        )
        for line in lines
    )
    return Table(
        title=title,
        header=("Journal", "Écriture", "Date", "Validation", "Pièce", "Compte", "Copropriétaire", "Libellé", "Débit",
                "Crédit"),
        rows=rows,
        widths=(14, 27, 19, 19, 24, 16, 22, 76, 25, 25),
        numeric_from=8,
        wrap=(7,),
    )  # fmt: skip
