"""Statements and reports as bytes: CSV (semicolons, decimal commas, UTF-8 with BOM, for a
spreadsheet in French) and PDF (ReportLab platypus, A4, the firm's letterhead on every page)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tantieme.core.money import format_amount, format_plain
from tantieme.ledger.reports import JournalLine, LedgerAccount, TrialBalanceRow
from tantieme.ledger.statements import Statement
from tantieme.tenancy.models import Firm

_STYLES = getSampleStyleSheet()
_SMALL = ParagraphStyle("small", parent=_STYLES["Normal"], fontSize=8, leading=10)
_CELL = ParagraphStyle("cell", parent=_STYLES["Normal"], fontSize=8, leading=9.5)
_RIGHT = ParagraphStyle("right", parent=_SMALL, alignment=TA_RIGHT)
_TITLE = ParagraphStyle("title", parent=_STYLES["Heading2"], fontSize=13, spaceAfter=4)


def _date(value: Any) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _money(value: Decimal) -> str:
    return format_amount(value, currency=False, language="fr") if value else ""


def _csv(rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- Statement ----------------------------------------------------------------------------------


def render_statement_csv(statement: Statement) -> bytes:
    """Date;Pièce;Libellé;Débit;Crédit;Solde, opening and closing balances as first and last rows."""
    rows: list[list[str]] = [["Date", "Pièce", "Libellé", "Débit", "Crédit", "Solde", "Lettrage"]]
    rows.append(
        [
            _date(statement.start),
            "",
            f"Solde au {_date(statement.start)}",
            "",
            "",
            format_plain(statement.opening_balance),
            "",
        ]
    )
    rows += [
        [
            _date(line.date),
            line.entry_code,
            line.label,
            format_plain(line.debit) if line.debit else "",
            format_plain(line.credit) if line.credit else "",
            format_plain(line.balance),
            line.lettering,
        ]
        for line in statement.lines
    ]
    rows.append(
        [
            _date(statement.end),
            "",
            f"Solde au {_date(statement.end)} {statement.closing_label}".strip(),
            format_plain(statement.total_debit),
            format_plain(statement.total_credit),
            format_plain(statement.closing_balance),
            "",
        ]
    )
    return _csv(rows)


def _letterhead(firm: Firm, reference: str, title: str) -> Any:
    """onPage callback: the firm's letterhead at the top left, the reference at the top right."""

    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        width, height = document.pagesize
        canvas.saveState()
        top = height - 15 * mm
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(document.leftMargin, top, firm.name)
        canvas.setFont("Helvetica", 7.5)
        details = [
            firm.legal_name,
            *firm.postal_address.splitlines(),
            " · ".join(part for part in (firm.phone, firm.contact_email) if part),
            f"Carte professionnelle {firm.professional_card} · Garant : {firm.financial_guarantor}",
        ]
        for index, text in enumerate(details, start=1):
            canvas.drawString(document.leftMargin, top - index * 9, text)
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawRightString(width - document.rightMargin, top, f"Référence : {reference}")
        canvas.setFont("Helvetica", 7.5)
        canvas.drawRightString(width - document.rightMargin, top - 9, title)
        canvas.drawRightString(width - document.rightMargin, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    return draw


def _table(
    rows: list[list[Any]], widths: Sequence[float], *, numeric_from: int, bold_rows: Sequence[int] = ()
) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f4f6")]),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    style += [("FONT", (0, row), (-1, row), "Helvetica-Bold", 8) for row in bold_rows]
    table.setStyle(TableStyle(style))
    return table


def _document(buffer: io.BytesIO, *, pagesize: tuple[float, float] = A4, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=48 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Tantième",
    )


def render_statement_pdf(statement: Statement) -> bytes:
    """The statement as printed ("Imprimer"): letterhead, reference top right, table, balances."""
    co_owner, condominium = statement.co_owner, statement.condominium
    buffer = io.BytesIO()
    title = f"Relevé de compte du {_date(statement.start)} au {_date(statement.end)}"
    document = _document(buffer, title=title)
    condominium_address = "<br/>".join(escape(part) for part in condominium.postal_address.splitlines())
    address = "<br/>".join(escape(part) for part in [co_owner.display_name, *co_owner.postal_address.splitlines()])
    story: list[Any] = [
        Table(
            [
                [
                    Paragraph(
                        f"<b>{escape(condominium.name)}</b><br/>{condominium_address}",
                        _SMALL,
                    ),
                    Paragraph(address, _SMALL),
                ]
            ],
            colWidths=[95 * mm, 85 * mm],
        ),
        Spacer(1, 6 * mm),
        Paragraph(escape(title), _TITLE),
    ]
    rows: list[list[Any]] = [["Date", "Pièce", "Libellé", "Débit", "Crédit", "Solde"]]
    rows.append(
        ["", "", f"Solde au {_date(statement.start)}", "", "", format_amount(statement.opening_balance, currency=False)]
    )
    rows += [
        [
            _date(line.date),
            line.entry_code,
            Paragraph(escape(line.label), _CELL),
            _money(line.debit),
            _money(line.credit),
            format_amount(line.balance, currency=False),
        ]
        for line in statement.lines
    ]
    rows.append(
        [
            "",
            "",
            f"Solde au {_date(statement.end)} {statement.closing_label}".strip(),
            _money(statement.total_debit),
            _money(statement.total_credit),
            format_amount(statement.closing_balance, currency=False),
        ]
    )
    story.append(
        _table(
            rows, [20 * mm, 25 * mm, 75 * mm, 20 * mm, 20 * mm, 22 * mm], numeric_from=3, bold_rows=(1, len(rows) - 1)
        )
    )
    story.append(Spacer(1, 4 * mm))
    verdict = {
        "débiteur": "Montant restant dû",
        "créditeur": "Montant en votre faveur",
    }.get(statement.closing_label, "Compte soldé")
    story.append(Paragraph(f"<b>{verdict} : {format_amount(abs(statement.closing_balance))}</b>", _SMALL))
    letterhead = _letterhead(statement.firm, co_owner.reference_display, title)
    document.build(story, onFirstPage=letterhead, onLaterPages=letterhead)
    return buffer.getvalue()


# --- Reports ------------------------------------------------------------------------------------


def render_trial_balance_csv(rows: Sequence[TrialBalanceRow]) -> bytes:
    data = [["Compte", "Libellé", "Solde d'ouverture", "Débit", "Crédit", "Solde"]]
    data += [
        [
            row.account,
            row.label,
            format_plain(row.opening),
            format_plain(row.debit),
            format_plain(row.credit),
            format_plain(row.closing),
        ]
        for row in rows
    ]
    return _csv(data)


def render_general_ledger_csv(accounts: Sequence[LedgerAccount]) -> bytes:
    data = [["Compte", "Date", "Écriture", "Journal", "Pièce", "Copropriétaire", "Libellé", "Débit", "Crédit", "Solde"]]
    for account in accounts:
        data.append(
            [
                account.account,
                "",
                "",
                "",
                "",
                "",
                f"{account.label} — solde d'ouverture",
                "",
                "",
                format_plain(account.opening),
            ]
        )
        data += [
            [
                account.account,
                _date(line.date),
                line.entry_code,
                line.journal_code,
                line.voucher,
                line.co_owner,
                line.label,
                format_plain(line.debit),
                format_plain(line.credit),
                format_plain(line.balance),
            ]
            for line in account.lines
        ]
    return _csv(data)


def render_journal_csv(lines: Sequence[JournalLine]) -> bytes:
    data = [
        ["Journal", "Écriture", "Date", "Validation", "Pièce", "Compte", "Copropriétaire", "Libellé", "Débit", "Crédit"]
    ]
    data += [
        [
            line.journal_code,
            line.entry_code,
            _date(line.date),
            _date(line.validation_date),
            line.voucher,
            line.account,
            line.co_owner,
            line.label,
            format_plain(line.debit),
            format_plain(line.credit),
        ]
        for line in lines
    ]
    return _csv(data)


def _report_pdf(
    firm: Firm,
    reference: str,
    title: str,
    *,
    header: list[str],
    body: list[list[Any]],
    widths: Sequence[float],
    numeric_from: int,
) -> bytes:
    buffer = io.BytesIO()
    document = _document(buffer, pagesize=landscape(A4), title=title)
    table = _table([header, *body], [width * mm for width in widths], numeric_from=numeric_from)
    letterhead = _letterhead(firm, reference, title)
    document.build([Paragraph(escape(title), _TITLE), table], onFirstPage=letterhead, onLaterPages=letterhead)
    return buffer.getvalue()


def render_trial_balance_pdf(rows: Sequence[TrialBalanceRow], *, firm: Firm, reference: str, title: str) -> bytes:
    body: list[list[Any]] = [
        [
            row.account,
            Paragraph(escape(row.label), _CELL),
            _money(row.opening),
            _money(row.debit),
            _money(row.credit),
            format_amount(row.closing, currency=False),
        ]
        for row in rows
    ]
    total_debit = sum((row.debit for row in rows), Decimal(0))
    total_credit = sum((row.credit for row in rows), Decimal(0))
    body.append(["", "Total", "", _money(total_debit), _money(total_credit), ""])
    return _report_pdf(
        firm,
        reference,
        title,
        header=["Compte", "Libellé", "Ouverture", "Débit", "Crédit", "Solde"],
        body=body,
        widths=[20, 120, 32, 32, 32, 32],
        numeric_from=2,
    )


def render_general_ledger_pdf(accounts: Sequence[LedgerAccount], *, firm: Firm, reference: str, title: str) -> bytes:
    body: list[list[Any]] = []
    for account in accounts:
        body.append(
            [
                account.account,
                "",
                "",
                Paragraph(f"<b>{escape(account.label)}</b> — ouverture", _CELL),
                "",
                "",
                format_amount(account.opening, currency=False),
            ]
        )
        body += [
            [
                account.account,
                _date(line.date),
                line.entry_code,
                Paragraph(escape(f"{line.co_owner} {line.label}".strip()), _CELL),
                _money(line.debit),
                _money(line.credit),
                format_amount(line.balance, currency=False),
            ]
            for line in account.lines
        ]
    return _report_pdf(
        firm,
        reference,
        title,
        header=["Compte", "Date", "Écriture", "Libellé", "Débit", "Crédit", "Solde"],
        body=body,
        widths=[18, 20, 28, 120, 28, 28, 28],
        numeric_from=4,
    )


def render_journal_pdf(lines: Sequence[JournalLine], *, firm: Firm, reference: str, title: str) -> bytes:
    body: list[list[Any]] = [
        [
            line.entry_code,
            _date(line.date),
            line.voucher,
            line.account,
            line.co_owner,
            Paragraph(escape(line.label), _CELL),
            _money(line.debit),
            _money(line.credit),
        ]
        for line in lines
    ]
    return _report_pdf(
        firm,
        reference,
        title,
        header=["Écriture", "Date", "Pièce", "Compte", "Copropriétaire", "Libellé", "Débit", "Crédit"],
        body=body,
        widths=[28, 20, 28, 16, 22, 100, 28, 28],
        numeric_from=6,
    )


def render_table_pdf(
    *,
    firm: Firm,
    reference: str,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float],
    numeric_from: int,
    wrap: Sequence[int] = (),
) -> bytes:
    """Any report table (landscape A4, letterhead): amounts as `1 210,77`, dates as 26/11/2026;
    the columns in `wrap` (labels) are wrapped in their cell. Rows whose first cell is « Total… »
    or whose label says « solde d'ouverture » are bold."""
    body: list[list[Any]] = []
    bold: list[int] = []
    for row in rows:
        cells: list[Any] = []
        for index, value in enumerate(row):
            if isinstance(value, Decimal):
                cells.append(format_amount(value, currency=False, language="fr"))
            elif value is None:
                cells.append("")
            elif hasattr(value, "strftime"):
                cells.append(_date(value))
            elif index in wrap:
                cells.append(Paragraph(escape(str(value)), _CELL))
            else:
                cells.append(str(value))
        texts = [str(value) for value in row if isinstance(value, str)]
        if any(text.startswith("Total") or "solde d'ouverture" in text for text in texts):
            bold.append(len(body) + 1)
        body.append(cells)
    buffer = io.BytesIO()
    document = _document(buffer, pagesize=landscape(A4), title=title)
    table = _table([list(header), *body], [width * mm for width in widths], numeric_from=numeric_from, bold_rows=bold)
    letterhead = _letterhead(firm, reference, title)
    document.build([Paragraph(escape(title), _TITLE), table], onFirstPage=letterhead, onLaterPages=letterhead)
    return buffer.getvalue()
