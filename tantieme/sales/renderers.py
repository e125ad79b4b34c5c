"""The documents of a sale as PDF bytes (ReportLab, A4, the firm's letterhead of the ledger's
documents): the état daté, the pre-sale information and the opposition letter. They read plain
`SaleFigures`, never the database: the same figures always give the same document."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from tantieme.core.money import format_amount
from tantieme.ledger.renderers import _CELL, _SMALL, _TITLE, _document, _letterhead, _table
from tantieme.sales.figures import Part, SaleFigures
from tantieme.tenancy.models import Firm

_WIDTH = 180 * mm


def _date(value: datetime.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else ""


def _money(value: Decimal | None) -> str:
    return format_amount(value) if value is not None else "—"


def _paragraph(text: str, style: Any = _SMALL) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _parties(figures: SaleFigures) -> list[Any]:
    """The condominium, the seller and the notary side by side, then the lots sold."""
    condominium = "\n".join(
        part
        for part in (
            f"{_('Syndicat des copropriétaires')} {figures.condominium}",
            figures.condominium_address,
            _("Immatriculation %(number)s") % {"number": figures.registry_number} if figures.registry_number else "",
        )
        if part
    )
    seller = f"{_('Vendeur')} : {figures.seller_reference} {figures.seller_name}\n{figures.seller_address}"
    story: list[Any] = [
        Table(
            [[_paragraph(condominium), _paragraph(seller), _paragraph(f"{_('Notaire')} : {figures.notary}")]],
            colWidths=[65 * mm, 65 * mm, 50 * mm],
        ),
        Spacer(1, 4 * mm),
    ]
    rows: list[list[Any]] = [[_("Lot"), _("Désignation"), _("Tantièmes généraux")]]
    rows += [
        [str(lot.number), lot.label, f"{lot.general_shares} / {lot.general_total}" if lot.general_total else ""]
        for lot in figures.lots
    ]
    story.append(_table(rows, [20 * mm, 110 * mm, 50 * mm], numeric_from=2))
    return story


def _part(part: Part) -> list[Any]:
    rows: list[list[Any]] = [[_("Réf."), _paragraph(part.title, _CELL), _("Montant")]]
    rows += [[row.code, _paragraph(row.label, _CELL), _money(row.amount)] for row in part.rows]
    rows.append(["", _("Total de la partie %(number)s") % {"number": part.number}, _money(part.total)])
    return [_table(rows, [15 * mm, 135 * mm, 30 * mm], numeric_from=2, bold_rows=(len(rows) - 1,)), Spacer(1, 3 * mm)]


def _works_fund(figures: SaleFigures) -> list[Any]:
    fund = figures.works_fund
    rows: list[list[Any]] = [
        [_("Fonds de travaux (loi, art. 14-2-1)"), _("Montant")],
        [_("Solde du fonds de travaux du syndicat au %(date)s") % {"date": _date(figures.at)}, _money(fund.balance)],
        [_("Part du fonds de travaux rattachée aux lots vendus (tantièmes généraux)"), _money(fund.share)],
        [
            _("Dernière cotisation appelée au vendeur pour ces lots (%(date)s)") % {"date": _date(fund.last_date)}
            if fund.last_date
            else _("Dernière cotisation appelée au vendeur pour ces lots"),
            _money(fund.last_amount),
        ],
    ]
    return [_table(rows, [150 * mm, 30 * mm], numeric_from=1), Spacer(1, 3 * mm)]


def _years(figures: SaleFigures) -> list[Any]:
    if not figures.years:
        return [
            _paragraph(_("Aucun exercice antérieur n'est tenu dans la comptabilité du syndicat.")),
            Spacer(1, 3 * mm),
        ]
    headings = (
        _("Exercice"),
        _("Provisions du budget"),
        _("Travaux hors budget"),
        _("Fonds de travaux"),
        _("Charges réelles (approuvées)"),
        _("Versé par le vendeur"),
    )
    rows: list[list[Any]] = [[_paragraph(heading, _CELL) for heading in headings]]
    rows += [
        [
            f"{_date(year.start)} – {_date(year.end)}",
            _money(year.budget_called),
            _money(year.works_called),
            _money(year.works_fund_called),
            _money(year.charges_share),
            _money(year.paid_by_seller),
        ]
        for year in figures.years
    ]
    return [_table(rows, [40 * mm, 28 * mm, 28 * mm, 28 * mm, 28 * mm, 28 * mm], numeric_from=1), Spacer(1, 3 * mm)]


def _notes(notes: Sequence[str]) -> list[Any]:
    return [_paragraph(note) for note in notes]


def _build(firm: Firm, reference: str, title: str, story: list[Any]) -> bytes:
    buffer = io.BytesIO()
    document = _document(buffer, title=title)
    letterhead = _letterhead(firm, reference, title)
    document.build(story, onFirstPage=letterhead, onLaterPages=letterhead)
    return buffer.getvalue()


def render_statement_pdf(figures: SaleFigures, *, firm: Firm, fee: Decimal, issued_on: datetime.date | None) -> bytes:
    """The état daté in its three parts (décret 1967 art. 5), works fund and the two earlier years."""
    title = _("État daté au %(date)s") % {"date": _date(figures.at)}
    story: list[Any] = [Paragraph(escape(title), _TITLE), *_parties(figures), Spacer(1, 4 * mm)]
    for part in figures.parts:
        story += _part(part)
    story.append(
        _paragraph(
            _(
                "Solde du compte du vendeur (partie I moins le solde créditeur de la partie II) : %(amount)s. "
                "Honoraires du syndic pour l'établissement du présent état daté : %(fee)s TTC, à la charge du "
                "vendeur (loi, art. 10-1 b ; plafond de 380 € TTC, décret n° 2020-153), compris en 1f."
            )
            % {
                "amount": _money(figures.parts[0].total - figures.parts[1].rows[2].amount),
                "fee": _money(fee),
            }
        )
    )
    story += [Spacer(1, 3 * mm), *_works_fund(figures)]
    story += [Paragraph(escape(_("Annexe : quote-part des lots sur les deux exercices précédents")), _SMALL)]
    story += _years(figures)
    story += _notes(figures.notes)
    story += [
        Spacer(1, 6 * mm),
        _paragraph(
            _("Délivré le %(date)s par le syndic, %(firm)s.") % {"date": _date(issued_on), "firm": figures.firm_name}
        ),
    ]
    return _build(firm, figures.seller_reference, title, story)


def render_information_pdf(figures: SaleFigures, *, firm: Firm, sent_on: datetime.date | None) -> bytes:
    """The information annexed to the promise of sale (CCH art. L721-2), at the request date."""
    title = _("Informations financières avant la vente (CCH art. L721-2)")
    story: list[Any] = [
        Paragraph(escape(title), _TITLE),
        _paragraph(_("Situation arrêtée au %(date)s.") % {"date": _date(figures.at)}),
        Spacer(1, 3 * mm),
        *_parties(figures),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(_("Charges du budget et hors budget des deux exercices précédant la vente, pour les lots vendus")),
            _SMALL,
        ),
        *_years(figures),
    ]
    rows: list[list[Any]] = [
        [_("Situation"), _("Montant")],
        [_("Sommes pouvant rester dues par le vendeur au syndicat (état daté, partie I)"), _money(figures.seller_owes)],
        [
            _("Sommes dont le syndicat pourrait être débiteur envers le vendeur (partie II)"),
            _money(figures.syndicate_owes),
        ],
        [_("Sommes qui incomberaient à l'acquéreur (partie III)"), _money(figures.buyer_will_owe)],
        [
            _("Budget prévisionnel %(year)s du syndicat (hors fonds de travaux)") % {"year": figures.budget_label},
            _money(figures.budget_total),
        ],
        [_("Quote-part annuelle des lots vendus dans ce budget"), _money(figures.budget_share)],
        [_("Cotisation annuelle des lots vendus au fonds de travaux"), _money(figures.works_fund_share_yearly)],
        [_("Impayés de charges de l'ensemble des copropriétaires"), _money(figures.syndicate_unpaid)],
        [_("Dette du syndicat envers ses fournisseurs"), _money(figures.supplier_debt)],
    ]
    story += [_table(rows, [150 * mm, 30 * mm], numeric_from=1), Spacer(1, 3 * mm), *_works_fund(figures)]
    story += _notes(figures.notes)
    if sent_on is not None:
        story += [Spacer(1, 4 * mm), _paragraph(_("Communiqué le %(date)s.") % {"date": _date(sent_on)})]
    else:
        story += [Spacer(1, 4 * mm), _paragraph(_("Aperçu : ces informations n'ont pas encore été communiquées."))]
    return _build(firm, figures.seller_reference, title, story)


def render_opposition_pdf(
    figures: SaleFigures,
    *,
    firm: Firm,
    notary_name: str,
    notary_office: str,
    notary_address: str,
    mutation_date: datetime.date,
    today: datetime.date,
) -> bytes:
    """The syndic's opposition to the payment of the price (loi du 10 juillet 1965, art. 20)."""
    title = _("Opposition au versement du prix de vente (loi du 10 juillet 1965, art. 20)")
    addressee = "\n".join(part for part in (notary_name, notary_office, notary_address) if part)
    story: list[Any] = [
        Table([["", _paragraph(addressee)]], colWidths=[100 * mm, 80 * mm]),
        Spacer(1, 8 * mm),
        _paragraph(_("Le %(date)s") % {"date": _date(today)}),
        Spacer(1, 4 * mm),
        Paragraph(escape(title), _TITLE),
        _paragraph(
            _(
                "Objet : vente du ou des lots %(lots)s de la copropriété %(condominium)s par %(seller)s "
                "(référence %(reference)s), mutation notifiée au syndic le %(date)s."
            )
            % {
                "lots": figures.lot_numbers,
                "condominium": figures.condominium,
                "seller": figures.seller_name,
                "reference": figures.seller_reference,
                "date": _date(mutation_date),
            }
        ),
        Spacer(1, 4 * mm),
        _paragraph(
            _(
                "Maître,\nEn application de l'article 20 de la loi n° 65-557 du 10 juillet 1965, le syndicat des "
                "copropriétaires, représenté par son syndic, forme opposition au versement des fonds dus au "
                "vendeur, pour le paiement des sommes restant dues par lui au syndicat, liquides et exigibles à la "
                "date de la mutation (décret du 17 mars 1967, art. 5-1), pour un montant de %(amount)s, "
                "dont voici la cause :"
            )
            % {"amount": _money(figures.seller_owes)}
        ),
        Spacer(1, 3 * mm),
    ]
    rows: list[list[Any]] = [[_("Réf."), _("Cause de la créance"), _("Montant")]]
    rows += [
        [row.code, _paragraph(row.label, _CELL), _money(row.amount)] for row in figures.parts[0].rows if row.amount
    ]
    rows.append(["", _("Total de l'opposition"), _money(figures.seller_owes)])
    story += [
        _table(rows, [15 * mm, 135 * mm, 30 * mm], numeric_from=2, bold_rows=(len(rows) - 1,)),
        Spacer(1, 4 * mm),
        _paragraph(
            _(
                "Cette opposition est faite par acte extrajudiciaire dans les quinze jours de la réception de "
                "l'avis de mutation ; elle contient élection de domicile dans le ressort du tribunal judiciaire "
                "de la situation de l'immeuble. Les sommes sont à verser au compte séparé du syndicat."
            )
        ),
        Spacer(1, 6 * mm),
        _paragraph(_("Le syndic, %(firm)s") % {"firm": figures.firm_name}),
    ]
    return _build(firm, figures.seller_reference, title, story)
