"""The notice (avis d'appel de fonds) as a PDF: ReportLab canvas, A4, no database access.

`render_notice_pdf(NoticeData)` is pure and deterministic (ReportLab's invariant mode: no
timestamp, no random id), so the same notice gives the same bytes and is stored once, and batches
can render in worker processes.

Layout (NF Z 10-011 letter, DL envelope with a window on the right): the firm's letterhead at the
top left, the co-owner reference at the top right (the letter's "en haut à droite de vos appels de
fonds"), the recipient's name and postal address in the window zone (100 mm from the left edge,
48 mm from the top), then the call: condominium, period, due date, one line per lot and key with
tantièmes / total and amount, the works fund apart, the previous balance, the total to pay and how
to pay (extranet, or transfer quoting "NOM Prénom + référence" and the RF creditor reference).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from tantieme.core.money import ZERO, format_amount

WINDOW_LEFT = 100 * mm
WINDOW_TOP = 48 * mm
MARGIN = 18 * mm


@dataclass(frozen=True)
class NoticeLine:
    lot: str
    key: str
    shares: str
    amount: Decimal
    is_works_fund: bool = False


@dataclass(frozen=True)
class NoticeData:
    firm_name: str
    firm_legal_name: str
    firm_address: str
    firm_contact: str
    firm_card: str
    extranet_url: str
    condominium: str
    condominium_address: str
    iban: str
    bic: str
    reference: str
    creditor_reference: str
    payer_label: str
    recipient_name: str
    recipient_address: str
    title: str
    period: str
    due_date: datetime.date
    issue_date: datetime.date
    lines: tuple[NoticeLine, ...]
    amount_current: Decimal
    amount_works_fund: Decimal
    previous_balance: Decimal
    purpose: str = ""
    is_provisional: bool = False
    works: bool = False
    email_language: str = "fr"  # of the e-mail announcing the notice; the notice itself is in French
    # The co-owner can sign in (an activated, active login): only then may an e-mail say « in your
    # space »; with the e-notification consent, the notice goes by e-mail, otherwise by post.
    can_sign_in: bool = False

    @property
    def amount(self) -> Decimal:
        return self.amount_current + self.amount_works_fund

    @property
    def total_due(self) -> Decimal:
        """What to pay: this call plus the previous balance (a credit reduces it, never below zero)."""
        return max(self.amount + self.previous_balance, ZERO)


def _money(value: Decimal) -> str:
    return format_amount(value, language="fr")


def _date(value: datetime.date) -> str:
    return f"{value:%d/%m/%Y}"


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    """Cut `text` with an ellipsis so that it fits `width` (long lot or key labels)."""
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class _Page:
    """A canvas with a cursor `y` going down and page breaks that repeat the reference."""

    def __init__(self, canvas: Canvas, data: NoticeData) -> None:
        self.canvas = canvas
        self.data = data
        self.width, self.height = A4
        self.page = 1
        self.y = 0.0
        self._letterhead()

    def _letterhead(self) -> None:
        c, data = self.canvas, self.data
        top = self.height - 15 * mm
        c.setFont("Helvetica-Bold", 12)
        c.drawString(MARGIN, top, data.firm_name)
        c.setFont("Helvetica", 7.5)
        details = [data.firm_legal_name, *data.firm_address.splitlines(), data.firm_contact, data.firm_card]
        for index, text in enumerate(line for line in details if line):
            c.drawString(MARGIN, top - (index + 1) * 9, _fit(c, text, "Helvetica", 7.5, 85 * mm))
        c.setFont("Helvetica", 8)
        c.drawRightString(self.width - MARGIN, top + 1, "Votre référence copropriétaire")
        c.setFont("Helvetica-Bold", 14)
        c.drawRightString(self.width - MARGIN, top - 14, data.reference)
        c.setFont("Helvetica", 7)
        c.drawRightString(self.width - MARGIN, 10 * mm, f"{data.title} — {data.reference} — page {self.page}")
        self.y = top - 24 if self.page > 1 else 0.0

    def need(self, height: float) -> None:
        if self.y - height < 22 * mm:
            self.canvas.showPage()
            self.page += 1
            self._letterhead()
            self.y = self.height - 40 * mm

    def text(self, x: float, value: str, *, font: str = "Helvetica", size: float = 9, right: bool = False) -> None:
        self.canvas.setFont(font, size)
        if right:
            self.canvas.drawRightString(x, self.y, value)
        else:
            self.canvas.drawString(x, self.y, value)


def _recipient(page: _Page) -> None:
    c, data = page.canvas, page.data
    y = page.height - WINDOW_TOP - 10
    c.setFont("Helvetica-Bold", 10)
    c.drawString(WINDOW_LEFT, y, _fit(c, data.recipient_name, "Helvetica-Bold", 10, 90 * mm))
    c.setFont("Helvetica", 10)
    for line in data.recipient_address.splitlines()[:5]:
        y -= 12.5
        c.drawString(WINDOW_LEFT, y, _fit(c, line, "Helvetica", 10, 90 * mm))


def _heading(page: _Page) -> None:
    data = page.data
    page.y = page.height - 100 * mm
    page.text(MARGIN, "AVIS D'APPEL DE FONDS", font="Helvetica-Bold", size=14)
    page.y -= 16
    page.text(MARGIN, _fit(page.canvas, data.title, "Helvetica-Bold", 10.5, 174 * mm), font="Helvetica-Bold", size=10.5)
    rows = [
        ("Copropriété", f"{data.condominium} — {data.condominium_address}"),
        ("Période", data.period),
        ("Date d'exigibilité", _date(data.due_date)),
        ("Émis le", _date(data.issue_date)),
    ]
    if data.purpose:
        rows.append(("Objet", data.purpose))
    for label, value in rows:
        page.y -= 12
        page.text(MARGIN, label, size=8.5)
        page.text(MARGIN + 34 * mm, _fit(page.canvas, value, "Helvetica", 8.5, 140 * mm), size=8.5)
    if data.is_provisional:
        page.y -= 12
        page.text(
            MARGIN,
            "Provision appelée sur la base du budget de l'exercice précédent, "
            "le nouveau budget n'étant pas encore voté.",
            font="Helvetica-Oblique",
            size=8,
        )
    page.y -= 8


COLUMNS = (MARGIN, MARGIN + 52 * mm, MARGIN + 140 * mm, A4[0] - MARGIN)


def _table_header(page: _Page, title: str) -> None:
    page.need(40)
    page.y -= 16
    page.text(MARGIN, title, font="Helvetica-Bold", size=9.5)
    page.y -= 13
    page.text(COLUMNS[0], "Lot", font="Helvetica-Bold", size=8)
    page.text(COLUMNS[1], "Clé de répartition", font="Helvetica-Bold", size=8)
    page.text(COLUMNS[2], "Tantièmes", font="Helvetica-Bold", size=8, right=True)
    page.text(COLUMNS[3], "Montant", font="Helvetica-Bold", size=8, right=True)
    page.canvas.setStrokeColor(colors.black)
    page.canvas.setLineWidth(0.5)
    page.canvas.line(MARGIN, page.y - 3, COLUMNS[3], page.y - 3)


def _table(page: _Page, title: str, lines: Sequence[NoticeLine], total_label: str, total: Decimal) -> None:
    _table_header(page, title)
    c = page.canvas
    for line in lines:
        if page.y - 12 < 22 * mm:
            page.need(12)
            _table_header(page, f"{title} (suite)")
        page.y -= 12
        page.text(COLUMNS[0], _fit(c, line.lot, "Helvetica", 8.5, 50 * mm), size=8.5)
        page.text(COLUMNS[1], _fit(c, line.key, "Helvetica", 8.5, 62 * mm), size=8.5)
        page.text(COLUMNS[2], line.shares, size=8.5, right=True)
        page.text(COLUMNS[3], _money(line.amount), size=8.5, right=True)
    page.need(14)
    page.y -= 14
    page.text(COLUMNS[2], total_label, font="Helvetica-Bold", size=8.5, right=True)
    page.text(COLUMNS[3], _money(total), font="Helvetica-Bold", size=8.5, right=True)


def _totals(page: _Page) -> None:
    data = page.data
    page.need(60)
    page.y -= 10
    page.canvas.setLineWidth(0.8)
    page.canvas.line(COLUMNS[1], page.y, COLUMNS[3], page.y)
    rows = [("Montant de cet appel", data.amount, "Helvetica")]
    balance = data.previous_balance
    if balance > 0:
        rows.append(("Solde antérieur restant dû", balance, "Helvetica"))
    elif balance < 0:
        rows.append(("Solde antérieur en votre faveur", balance, "Helvetica"))
    else:
        rows.append(("Solde antérieur", ZERO, "Helvetica"))
    for label, value, font in rows:
        page.y -= 13
        page.text(COLUMNS[2], label, font=font, size=9, right=True)
        page.text(COLUMNS[3], _money(value), font=font, size=9, right=True)
    page.y -= 17
    page.text(
        COLUMNS[2], f"TOTAL À PAYER AVANT LE {_date(data.due_date)}", font="Helvetica-Bold", size=10.5, right=True
    )
    page.text(COLUMNS[3], _money(data.total_due), font="Helvetica-Bold", size=10.5, right=True)


def _how_to_pay(page: _Page) -> None:
    data = page.data
    lines = [
        ("Helvetica-Bold", 9.5, "Comment payer"),
        ("Helvetica-Bold", 8.5, "En ligne par carte bancaire"),
        ("Helvetica", 8.5, f"sur votre espace copropriétaire : {data.extranet_url}"),
        ("Helvetica-Bold", 8.5, "Par virement bancaire"),
        ("Helvetica", 8.5, f"au compte du syndicat : IBAN {data.iban} — BIC {data.bic}"),
        ("Helvetica", 8.5, f"en indiquant vos nom, prénom et référence : « {data.payer_label} »"),
        ("Helvetica", 8.5, f"ou la référence de paiement {data.creditor_reference}."),
        ("Helvetica-Oblique", 7.5, "Sans ces références, nous ne pourrons pas identifier votre virement."),
    ]
    page.need(14 + 11 * len(lines))
    page.y -= 24
    for font, size, text in lines:
        page.text(MARGIN, _fit(page.canvas, text, font, size, 174 * mm), font=font, size=size)
        page.y -= 11


def render_notice_pdf(data: NoticeData) -> bytes:
    """One notice as PDF bytes (identical bytes for identical data)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=0)
    canvas.setTitle(f"Avis d'appel de fonds {data.title} {data.reference}")
    canvas.setAuthor(data.firm_name)
    page = _Page(canvas, data)
    _recipient(page)
    _heading(page)
    current = [line for line in data.lines if not line.is_works_fund]
    fund = [line for line in data.lines if line.is_works_fund]
    if current:
        title = "Provisions pour travaux (art. 14-2)" if data.works else "Provisions sur charges (budget prévisionnel)"
        _table(page, title, current, "Sous-total", data.amount_current)
    if fund:
        _table(page, "Cotisation au fonds de travaux (art. 14-2-1)", fund, "Sous-total", data.amount_works_fund)
    _totals(page)
    _how_to_pay(page)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
