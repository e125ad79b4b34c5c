"""The annexes and the individual distribution statements as bytes: PDF (ReportLab) and XLSX (openpyxl).

No database access: everything comes from the dataclasses of `tantieme.closing.annexes`.

Each annex is first laid out once as a `_Sheet` (blocks of rows: heading, section, line, total),
which both renderers draw: the PDF one table per block (A4, portrait for annex 1, landscape for
the annexes with five figure columns), the workbook one sheet per annex, amounts as numbers. The
PDFs use ReportLab's standard Helvetica (nothing to register, WinAnsi covers French and « € »),
and invariant mode: the same annexes give the same bytes.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from tantieme.closing.annexes import (
    AccountRow,
    Annexes,
    BalanceSection,
    CurrentOperations,
    FinancialStatement,
    GeneralAccount,
    Header,
    ManagementPart,
    OperationFigures,
    WorksStatement,
)
from tantieme.closing.statements import IndividualStatement
from tantieme.core.money import format_amount

# Excel stores number formats in its own (US) notation: a French Excel or LibreOffice shows this
# one as « # ##0,00 » (space for thousands, comma for decimals).
XLSX_AMOUNT_FORMAT = "#,##0.00"

_STYLES = getSampleStyleSheet()
_SMALL = ParagraphStyle("annex-small", parent=_STYLES["Normal"], fontName="Helvetica", fontSize=8, leading=10)
_CELL = ParagraphStyle("annex-cell", parent=_SMALL, fontSize=7.5, leading=9)
_TITLE = ParagraphStyle("annex-title", parent=_STYLES["Heading2"], fontName="Helvetica-Bold", fontSize=13, spaceAfter=2)
_SUBTITLE = ParagraphStyle("annex-subtitle", parent=_SMALL, fontSize=9, leading=12, spaceAfter=4)
_MARGIN = 15 * mm
_TOP = 36 * mm

Kind = Literal["head", "section", "line", "sub", "total"]
Cell = str | Decimal | None


def _date(value: datetime.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else ""


def _money(value: Decimal | None, *, blank_zero: bool = True) -> str:
    if value is None or (blank_zero and not value):
        return ""
    return format_amount(value, currency=False)


# --- Layout shared by the PDF and the workbook -------------------------------------------------------


@dataclass
class _Block:
    widths: tuple[float, ...]  # in mm; the first columns are text, the last `numbers` are amounts
    numbers: int
    subtitle: str = ""
    rows: list[tuple[Kind, tuple[Cell, ...]]] = field(default_factory=list)

    def add(self, kind: Kind, *cells: Cell) -> None:
        self.rows.append((kind, cells))


@dataclass
class _Sheet:
    name: str  # the workbook's sheet name: « Annexe 1 »
    title: str
    subtitle: str
    landscape: bool
    blocks: list[_Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _figures(row: AccountRow, count: int, *, total: bool = False) -> tuple[Cell, ...]:
    values = row.values[:count]
    return tuple(value if value is not None or not total else None for value in values)


def _annex_1(statement: FinancialStatement, header: Header) -> _Sheet:
    sheet = _Sheet(
        name=_("Annexe 1"),
        title=_("Annexe 1 – État financier après répartition"),
        subtitle=_("Situation au %(date)s") % {"date": _date(statement.date)},
        landscape=False,
    )
    block = _Block(widths=(18, 102, 30, 30), numbers=2)
    previous = _date(statement.previous_date) if statement.previous_date else _("Exercice précédent")
    block.add("head", _("Compte"), _("Libellé"), _date(statement.date), previous)

    def section(part: BalanceSection) -> None:
        block.add("section", "", part.title, None, None)
        for row in part.rows:
            block.add("line", row.account if row.account != "6/7" else "", row.label, row.amount, row.previous)
        block.add("sub", "", _("Total %(section)s") % {"section": part.title.lower()}, part.total, part.previous_total)

    block.add("section", "", _("ACTIF"), None, None)
    section(statement.treasury)
    section(statement.receivables)
    block.add("total", "", _("Total de l'actif"), statement.total_assets, statement.previous_total_assets)
    block.add("section", "", _("PASSIF"), None, None)
    section(statement.funds)
    section(statement.debts)
    block.add("total", "", _("Total du passif"), statement.total_liabilities, statement.previous_total_liabilities)
    sheet.blocks.append(block)
    owners = _Block(
        widths=(22, 62, 24, 24, 24, 24),
        numbers=4,
        subtitle=_("Soldes des comptes des copropriétaires au %(date)s") % {"date": _date(statement.date)},
    )
    owners.add(
        "head",
        _("Référence"),
        _("Copropriétaire"),
        _("Débiteur"),
        _("Créditeur"),
        _("dont régularisation") if statement.simulated else _("Régularisation"),
        _("Solde %(date)s") % {"date": previous},
    )
    for owner in statement.co_owners:
        owners.add("line", owner.reference, owner.name, owner.debit, owner.credit, owner.regularisation, owner.previous)
    owners.add(
        "total",
        "",
        _("Total"),
        sum((owner.debit for owner in statement.co_owners), Decimal("0.00")),
        sum((owner.credit for owner in statement.co_owners), Decimal("0.00")),
        sum((owner.regularisation for owner in statement.co_owners), Decimal("0.00")),
        None,
    )
    sheet.blocks.append(owners)
    sheet.notes.append(_("Solde débiteur : le copropriétaire doit ; solde créditeur : le syndicat lui doit."))
    if statement.simulated:
        sheet.notes.append(
            _(
                "Projet : les régularisations de charges et les écritures de fin d'exercice des travaux "
                "(comptes 102 et 120) sont comprises comme si les comptes étaient approuvés ; elles ne "
                "seront comptabilisées qu'à l'approbation par l'assemblée générale."
            )
        )
    return sheet


def _part(block: _Block, part: ManagementPart, count: int) -> None:
    blank: tuple[Cell, ...] = (None,) * count
    block.add("section", "", part.title, *blank)
    block.add("section", "", _("Charges"), *blank)
    for row in part.charges:
        block.add("line", row.account, row.label, *_figures(row, count))
    block.add("sub", "", part.total_charges.label, *_figures(part.total_charges, count, total=True))
    block.add("section", "", _("Produits"), *blank)
    for row in part.income:
        block.add("line", row.account, row.label, *_figures(row, count))
    block.add("sub", "", part.total_income.label, *_figures(part.total_income, count, total=True))
    block.add("total", "", part.result.label, *_figures(part.result, count, total=True))


def _annex_2(general: GeneralAccount, header: Header) -> _Sheet:
    sheet = _Sheet(
        name=_("Annexe 2"),
        title=_("Annexe 2 – Compte de gestion général"),
        subtitle=header.period,
        landscape=True,
    )
    block = _Block(widths=(16, 86, 33, 33, 33, 33, 33), numbers=5)
    block.add("head", _("Compte"), _("Libellé"), *general.columns)
    _part(block, general.current, 5)
    _part(block, general.works, 5)
    sheet.blocks.append(block)
    sheet.notes.append(
        _(
            "Réalisé hors écritures de répartition (régularisations) et de report en attente des travaux "
            "non clôturés (compte 120). Solde positif : excédent ; négatif : insuffisance."
        )
    )
    return sheet


def _annex_3(current: CurrentOperations, header: Header) -> _Sheet:
    sheet = _Sheet(
        name=_("Annexe 3"),
        title=_("Annexe 3 – Compte de gestion pour opérations courantes"),
        subtitle=header.period + " — " + _("par clé de répartition"),
        landscape=True,
    )
    block = _Block(widths=(16, 107, 36, 36, 36, 36), numbers=4)
    block.add("head", _("Compte"), _("Libellé"), *current.columns)
    blank: tuple[Cell, ...] = (None,) * 4
    for key in current.keys:
        block.add("section", key.code, key.label, *blank)
        for row in key.charges:
            block.add("line", row.account, row.label, *_figures(row, 4))
        block.add("sub", "", key.total_charges.label, *_figures(key.total_charges, 4, total=True))
        block.add("line", "", key.income.label, *_figures(key.income, 4))
        block.add("line", key.provisions.account, key.provisions.label, *_figures(key.provisions, 4))
        block.add("sub", "", key.result.label, *_figures(key.result, 4, total=True))
    block.add("section", "", _("Toutes clés"), *blank)
    for row in (current.total_charges, current.total_income, current.total_provisions):
        block.add("sub", row.account, row.label, *_figures(row, 4, total=True))
    block.add("total", "", _("Résultat (provisions et produits - charges)"), *_figures(current.result, 4, total=True))
    block.add(
        "total",
        "",
        _("Solde à répartir entre les copropriétaires (régularisation)"),
        None,
        None,
        current.regularisation_total,
        None,
    )
    sheet.blocks.append(block)
    sheet.notes.append(
        _(
            "Résultat par clé = provisions appelées et produits affectés - charges : positif, excédent "
            "remboursé aux copropriétaires ; négatif, insuffisance à leur appeler (régularisation de signe "
            "contraire), répartie selon les tantièmes de chaque lot."
        )
    )
    return sheet


def _operation_cells(figures: OperationFigures, *, meeting: str, state: str) -> tuple[Cell, ...]:
    return (
        figures.code,
        figures.label,
        meeting,
        state,
        figures.voted,
        figures.spent,
        figures.spent_in_year,
        figures.income,
        figures.called,
        figures.balance,
    )


def _works(works: WorksStatement, header: Header, *, number: int) -> _Sheet:
    sheet = _Sheet(
        name=_("Annexe %(number)s") % {"number": number},
        title=_("Annexe %(number)s – %(title)s") % {"number": number, "title": works.title},
        subtitle=header.period,
        landscape=True,
    )
    block = _Block(widths=(20, 67, 20, 18, 24, 24, 24, 24, 24, 22), numbers=6)
    block.add(
        "head",
        _("Opération"),
        _("Objet / clé"),
        _("Votée le"),
        _("État"),
        _("Montant voté"),
        _("Dépenses cumulées"),
        _("dont exercice"),
        _("Autres produits"),
        _("Provisions appelées"),
        _("Solde"),
    )
    for operation in works.operations:
        block.add(
            "line",
            *_operation_cells(operation.figures, meeting=_date(operation.general_meeting_date), state=operation.state),
        )
        if len(operation.keys) > 1:
            for key in operation.keys:
                block.add("sub", *_operation_cells(key, meeting="", state=""))
    if not works.operations:
        block.add("line", "", _("Aucune opération."), "", "", None, None, None, None, None, None)
    block.add("total", *_operation_cells(works.total, meeting="", state=""))
    sheet.blocks.append(block)
    sheet.notes.append(
        _(
            "Solde = provisions appelées et autres produits - dépenses : positif, reste disponible ; "
            "négatif, à financer."
        )
    )
    if works.pending_works is not None:
        sheet.notes.append(
            _("Compte 120 (solde en attente sur travaux) au %(date)s : %(amount)s — %(check)s.")
            % {
                "date": _date(header.end),
                "amount": format_amount(works.pending_works),
                "check": _("concorde avec les dépenses nettes des opérations non clôturées")
                if works.ties
                else _("ne concorde pas avec les dépenses nettes des opérations non clôturées"),
            }
        )
    return sheet


def _sheets(annexes: Annexes) -> list[_Sheet]:
    header = annexes.header
    return [
        _annex_1(annexes.financial_statement, header),
        _annex_2(annexes.general_account, header),
        _annex_3(annexes.current_operations, header),
        _works(annexes.closed_works, header, number=4),
        _works(annexes.open_works, header, number=5),
    ]


# --- PDF ------------------------------------------------------------------------------------------


def _draw_letterhead(canvas: Canvas, header: Header, title: str, page: int, *, reference: str = "") -> None:
    """The firm at the top left; the condominium and the year (or the co-owner reference) at the top
    right; the status (draft or approved) and the page at the bottom."""
    width, height = canvas._pagesize
    canvas.saveState()
    top = height - 13 * mm
    left, right = _MARGIN, width - _MARGIN
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(left, top, header.firm_name)
    canvas.setFont("Helvetica", 7.5)
    details = [header.firm_legal_name, *header.firm_address.splitlines(), header.firm_contact, header.firm_card]
    for index, text in enumerate((line for line in details if line), start=1):
        canvas.drawString(left, top - index * 9, text)
    if reference:
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(right, top + 1, _("Votre référence copropriétaire"))
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawRightString(right, top - 14, reference)
    else:
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawRightString(right, top, f"{header.condominium_code} {header.condominium_name}")
        canvas.setFont("Helvetica", 7.5)
        lines = [*header.condominium_address.splitlines(), header.period]
        if header.registry_number:
            lines.append(_("Immatriculation %(number)s") % {"number": header.registry_number})
        for index, text in enumerate(lines, start=1):
            canvas.drawRightString(right, top - index * 9, text)
    canvas.setFont("Helvetica-Bold" if header.is_draft else "Helvetica", 7.5)
    canvas.drawString(left, 10 * mm, header.status)
    canvas.setFont("Helvetica", 7)
    canvas.drawRightString(right, 10 * mm, f"{title} — {_('page')} {page}")
    canvas.restoreState()


def _letterhead(header: Header, title: str) -> Any:
    """onPage callback of the annexes."""

    def draw(canvas: Canvas, document: BaseDocTemplate) -> None:
        _draw_letterhead(canvas, header, title, document.page)

    return draw


_KIND_STYLES: dict[Kind, list[tuple[str, str | float]]] = {
    "head": [("FONT", "Helvetica-Bold"), ("LINEBELOW", 0.6)],
    "section": [("FONT", "Helvetica-Bold"), ("BACKGROUND", "#e5e7eb")],
    "line": [],
    "sub": [("FONT", "Helvetica-Oblique"), ("LINEABOVE", 0.3)],
    "total": [("FONT", "Helvetica-Bold"), ("LINEABOVE", 0.6)],
}


def _pdf_table(block: _Block) -> Table:
    text_columns = len(block.widths) - block.numbers
    data: list[list[Any]] = []
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 7.5),
        ("ALIGN", (text_columns, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    label_width = block.widths[text_columns - 1] * mm - 6
    for index, (kind, cells) in enumerate(block.rows):
        row: list[Any] = []
        for position, cell in enumerate(cells):
            if isinstance(cell, Decimal):
                row.append(_money(cell, blank_zero=kind == "line"))
            elif position == text_columns - 1 and cell and kind != "head" and len(cell) * 3.6 > label_width:
                row.append(Paragraph(escape(cell), _CELL))  # long labels wrap
            elif kind == "head" and cell:
                row.append(Paragraph(f"<b>{escape(cell)}</b>", _CELL))
            else:
                row.append(cell or "")
        data.append(row)
        for name, value in _KIND_STYLES[kind]:
            if name == "FONT":
                style.append(("FONT", (0, index), (-1, index), value, 7.5))
            elif name in ("LINEBELOW", "LINEABOVE"):
                style.append((name, (0, index), (-1, index), value, colors.black))
            else:
                style.append((name, (0, index), (-1, index), colors.HexColor(str(value))))
    table = Table(data, colWidths=[width * mm for width in block.widths], repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


# ReportLab measures the rows left at every page break of a table: one table of 15,000 co-owners
# costs O(n²) (18 s, bench/README.md). Long blocks are drawn as tables of this many rows, the
# heading row repeated at the top of each.
_PDF_ROWS_PER_TABLE = 200


def _pdf_tables(block: _Block) -> list[Table]:
    heads = [row for row in block.rows[:1] if row[0] == "head"]
    body = block.rows[len(heads) :]
    if len(body) <= _PDF_ROWS_PER_TABLE:
        return [_pdf_table(block)]
    return [
        _pdf_table(
            _Block(widths=block.widths, numbers=block.numbers, rows=heads + body[start : start + _PDF_ROWS_PER_TABLE])
        )
        for start in range(0, len(body), _PDF_ROWS_PER_TABLE)
    ]


def _story(sheet: _Sheet) -> list[Any]:
    story: list[Any] = [Paragraph(escape(sheet.title), _TITLE), Paragraph(escape(sheet.subtitle), _SUBTITLE)]
    for block in sheet.blocks:
        if block.subtitle:
            story += [Spacer(1, 4 * mm), Paragraph(f"<b>{escape(block.subtitle)}</b>", _SUBTITLE)]
        story += _pdf_tables(block)
    for note in sheet.notes:
        story += [Spacer(1, 2 * mm), Paragraph(escape(note), _SMALL)]
    return story


def render_annexes_pdf(annexes: Annexes) -> bytes:
    """The five annexes in one A4 PDF, each starting on a new page (landscape for annexes 2 to 5)."""
    buffer = io.BytesIO()
    header = annexes.header
    title = _("Annexes aux comptes %(year)s") % {"year": header.year_label}
    document = BaseDocTemplate(
        buffer, pagesize=A4, title=f"{title} — {header.condominium_name}", author="Tantième", invariant=1
    )
    draw = _letterhead(header, title)
    templates = []
    for name, size in (("portrait", A4), ("landscape", landscape(A4))):
        width, height = size
        frame = Frame(_MARGIN, 16 * mm, width - 2 * _MARGIN, height - _TOP - 16 * mm, id=name, showBoundary=0)
        templates.append(PageTemplate(id=name, frames=[frame], pagesize=size, onPage=draw))
    document.addPageTemplates(templates)
    story: list[Any] = []
    if annexes.warnings:
        story += [Paragraph(f"<b>{escape(warning)}</b>", _SMALL) for warning in annexes.warnings]
        story.append(Spacer(1, 3 * mm))
    sheets = _sheets(annexes)
    for index, sheet in enumerate(sheets):
        orientation = "landscape" if sheet.landscape else "portrait"
        if index == 0:
            if sheet.landscape:
                story = [NextPageTemplate(orientation), PageBreak(), *story]
        else:
            story += [NextPageTemplate(orientation), PageBreak()]
        story += _story(sheet)
    document.build(story)
    return buffer.getvalue()


# --- XLSX -----------------------------------------------------------------------------------------


_BOLD = Font(bold=True)
_ITALIC = Font(italic=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _xlsx_row(worksheet: Any, kind: Kind, cells: tuple[Cell, ...]) -> None:
    worksheet.append(list(cells))
    # The row just appended: `worksheet.max_row` would scan every cell written so far (quadratic
    # with annex 1's list of 15,000 co-owners: 26 s of a 30 s render, bench/README.md).
    row = worksheet._current_row
    for column, cell in enumerate(cells, start=1):
        target = worksheet.cell(row=row, column=column)
        if isinstance(cell, Decimal):
            target.number_format = XLSX_AMOUNT_FORMAT
        if kind in ("head", "section", "total"):
            target.font = _BOLD
        elif kind == "sub":
            target.font = _ITALIC
        if kind == "head":
            target.alignment = _WRAP


def render_annexes_xlsx(annexes: Annexes) -> bytes:
    """One sheet per annex; amounts are numbers (format # ##0,00), headings bold."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    header = annexes.header
    title_font = Font(bold=True, size=13)
    for sheet in _sheets(annexes):
        worksheet = workbook.create_sheet(sheet.name)
        worksheet.append([sheet.title])
        worksheet.cell(row=1, column=1).font = title_font
        for line in (
            f"{header.condominium_code} {header.condominium_name}",
            header.condominium_address.replace("\n", ", "),
            header.period,
            *([sheet.subtitle] if sheet.subtitle != header.period else []),
            header.status,
            *annexes.warnings,
        ):
            worksheet.append([line])
        widths: dict[int, float] = {}
        for block in sheet.blocks:
            worksheet.append([])
            if block.subtitle:
                worksheet.append([block.subtitle])
                worksheet.cell(row=worksheet._current_row, column=1).font = _BOLD
            for kind, cells in block.rows:
                _xlsx_row(worksheet, kind, cells)
            for column, width in enumerate(block.widths, start=1):
                widths[column] = max(widths.get(column, 0.0), width * 0.55)
        worksheet.append([])
        for note in sheet.notes:
            worksheet.append([note])
        for column, width in widths.items():
            worksheet.column_dimensions[worksheet.cell(row=1, column=column).column_letter].width = max(width, 10)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Individual distribution statement -----------------------------------------------------------------
#
# Drawn on the canvas directly (no platypus): rendered by the thousand at each closing, it must stay
# near 5 ms a page.

_LINE = 11.0  # points between two rows
_BOTTOM = 20 * mm


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    """Cut `text` with an ellipsis so that it fits `width` (measured only when it may not)."""
    if len(text) * size * 0.6 <= width or canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class _StatementPage:
    """A canvas with a cursor going down; a new page repeats the letterhead and the column headings."""

    def __init__(self, canvas: Canvas, statement: IndividualStatement, title: str) -> None:
        self.canvas = canvas
        self.statement = statement
        self.title = title
        self.width, self.height = A4
        self.left, self.right = _MARGIN, self.width - _MARGIN
        self.page = 1
        self.y = self.height - 44 * mm
        _draw_letterhead(canvas, statement.header, title, 1, reference=statement.reference_display)

    def text(self, x: float, value: str, *, font: str = "Helvetica", size: float = 8, right: bool = False) -> None:
        # setFont writes an operator each time: only when it changes (the canvas resets it at each page).
        if (self.canvas._fontname, self.canvas._fontsize) != (font, size):
            self.canvas.setFont(font, size)
        if right:
            self.canvas.drawRightString(x, self.y, value)
        else:
            self.canvas.drawString(x, self.y, value)

    def need(self, height: float, *, headings: bool = True) -> None:
        if self.y - height >= _BOTTOM:
            return
        self.canvas.showPage()
        self.page += 1
        _draw_letterhead(
            self.canvas, self.statement.header, self.title, self.page, reference=self.statement.reference_display
        )
        self.y = self.height - 40 * mm
        if headings:
            self.headings()

    def headings(self) -> None:
        font = "Helvetica-Bold"
        self.text(self.left, _("Compte"), font=font)
        self.text(self.left + 16 * mm, _("Charges"), font=font)
        self.text(self.right - 35 * mm, _("Total de la clé"), font=font, right=True)
        self.text(self.right, _("Votre quote-part"), font=font, right=True)
        self.canvas.setLineWidth(0.6)
        self.canvas.line(self.left, self.y - 3, self.right, self.y - 3)
        self.y -= _LINE + 2

    def row(
        self,
        account: str,
        label: str,
        key_amount: Decimal | None,
        share: Decimal | None,
        *,
        font: str = "Helvetica",
        rule: bool = False,
    ) -> None:
        self.need(_LINE)
        if rule:
            self.canvas.setLineWidth(0.3)
            self.canvas.line(self.left, self.y + _LINE - 3, self.right, self.y + _LINE - 3)
        self.text(self.left, account, font=font)
        self.text(self.left + 16 * mm, _fit(self.canvas, label, font, 8, 92 * mm), font=font)
        if key_amount is not None:
            self.text(self.right - 35 * mm, format_amount(key_amount, currency=False), font=font, right=True)
        if share is not None:
            self.text(self.right, format_amount(share, currency=False), font=font, right=True)
        self.y -= _LINE

    def section(self, label: str) -> None:
        self.need(3 * _LINE)
        self.canvas.setFillColor(colors.HexColor("#e5e7eb"))
        self.canvas.rect(self.left, self.y - 3, self.right - self.left, _LINE, stroke=0, fill=1)
        self.canvas.setFillColor(colors.black)
        self.text(
            self.left + 2,
            _fit(self.canvas, label, "Helvetica-Bold", 8, self.right - self.left - 4),
            font="Helvetica-Bold",
        )
        self.y -= _LINE


def _statement_top(page: _StatementPage, statement: IndividualStatement) -> None:
    header = statement.header
    canvas = page.canvas
    top = page.y
    page.text(page.left, header.condominium_name, font="Helvetica-Bold")
    for index, line in enumerate(header.condominium_address.splitlines(), start=1):
        page.y = top - index * 10
        page.text(page.left, line)
    page.y = top
    page.text(105 * mm, statement.name, font="Helvetica-Bold", size=9)
    for index, line in enumerate(statement.address.splitlines(), start=1):
        page.y = top - index * 11
        page.text(105 * mm, line, size=9)
    page.y = top - 22 * mm
    page.text(page.left, _("Relevé individuel de répartition des charges"), font="Helvetica-Bold", size=13)
    page.y -= 14
    page.text(page.left, header.period, size=9)
    page.text(
        page.left + canvas.stringWidth(header.period + "  ", "Helvetica", 9),
        header.status,
        font="Helvetica-Bold",
        size=9,
    )
    page.y -= 12
    page.text(
        page.left,
        _("Régularisation portée au compte du propriétaire au %(date)s (décret du 17 mars 1967, art. 6-2).")
        % {"date": _date(statement.owners_on)},
    )
    page.y -= 18


def render_individual_statement_pdf(statement: IndividualStatement) -> bytes:
    """The co-owner's distribution statement: per lot and key, the charges and their share (A4)."""
    header = statement.header
    buffer = io.BytesIO()
    title = _("Répartition des charges %(year)s") % {"year": header.year_label}
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=0)
    canvas.setTitle(f"{title} — {statement.reference_display}")
    canvas.setAuthor("Tantième")
    page = _StatementPage(canvas, statement, title)
    _statement_top(page, statement)
    page.headings()
    bold = "Helvetica-Bold"
    for line in statement.lines:
        page.section(
            _("%(lot)s — clé %(code)s %(label)s : %(shares)s tantièmes")
            % {"lot": line.lot_label, "code": line.key_code, "label": line.key_label, "shares": line.tantiemes}
        )
        for charge in line.charges:
            page.row(charge.account, charge.label, charge.key_amount, charge.share)
        if not line.charges:
            page.row("", _("Charges de la clé"), line.key_charges, line.share + line.income_share)
        if line.key_income:
            page.row("", _("Produits affectés à la clé (en déduction)"), -line.key_income, -line.income_share)
        page.row("", _("Quote-part des charges"), line.key_charges - line.key_income, line.share, rule=True)
        page.row("", _("Provisions appelées"), None, -line.called)
        page.row("", _("Régularisation"), None, line.regularisation, font=bold)
        page.y -= 4
    page.need(5 * _LINE, headings=False)
    page.y -= 6
    page.row("", _("Total de l'exercice : quote-part des charges"), None, statement.total_share, rule=True)
    page.row("", _("Provisions appelées"), None, -statement.total_called)
    page.row("", statement.verdict, None, abs(statement.total_regularisation), font=bold)
    if header.is_draft:
        page.need(2 * _LINE, headings=False)
        page.y -= 6
        page.text(
            page.left,
            _(
                "Projet soumis à l'approbation des comptes par l'assemblée générale : la régularisation "
                "ne sera exigible qu'après cette approbation."
            ),
            size=7.5,
        )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
