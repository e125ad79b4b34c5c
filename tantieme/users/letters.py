"""Welcome letters (ReportLab): one A4 page per co-owner, the address in a window-envelope block.

The window follows the French DL/C5 "fenêtre à droite" (NF EN ISO 269 / La Poste): 45 × 100 mm,
its left edge 100 mm from the sheet's left, its top 50 mm below the sheet's top; the address is
printed inside with a 5 mm margin.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from tantieme.tenancy.models import Firm

WINDOW_LEFT = 100 * mm
WINDOW_TOP = 50 * mm
WINDOW_WIDTH = 100 * mm
WINDOW_HEIGHT = 45 * mm
MARGIN = 20 * mm


@dataclass(frozen=True)
class WelcomeLetter:
    recipient_name: str
    postal_address: str
    reference_display: str
    login: str
    temporary_password: str
    expires_at: datetime.datetime


def _wrap(
    canvas: Canvas, text: str, x: float, y: float, width: float, *, size: float = 10, leading: float = 14
) -> float:
    """Draw `text` wrapped to `width`; returns the y below it."""
    canvas.setFont("Helvetica", size)
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if canvas.stringWidth(candidate, "Helvetica", size) > width and line:
                canvas.drawString(x, y, line)
                y -= leading
                line = word
            else:
                line = candidate
        canvas.drawString(x, y, line)
        y -= leading
    return y


def render_welcome_letters(*, firm: Firm, letters: list[WelcomeLetter], today: datetime.date) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(_("Accès à votre espace copropriétaire"))
    canvas.setAuthor(firm.name)
    width, height = A4
    text_width = width - 2 * MARGIN
    for letter in letters:
        # Letterhead.
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(MARGIN, height - 20 * mm, firm.name)
        y = height - 25 * mm
        canvas.setFont("Helvetica", 9)
        for line in [*firm.postal_address.split("\n"), firm.phone, firm.contact_email]:
            if line:
                canvas.drawString(MARGIN, y, line)
                y -= 11
        # Address block, inside the envelope window.
        y = height - WINDOW_TOP - 8 * mm
        canvas.setFont("Helvetica", 11)
        for line in [letter.recipient_name, *letter.postal_address.split("\n")][:6]:
            canvas.drawString(WINDOW_LEFT + 5 * mm, y, line)
            y -= 14
        # Body, below the window.
        y = height - WINDOW_TOP - WINDOW_HEIGHT - 12 * mm
        canvas.setFont("Helvetica", 10)
        canvas.drawRightString(width - MARGIN, y, _("Le %(date)s") % {"date": today.strftime("%d/%m/%Y")})
        y -= 10 * mm
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(MARGIN, y, _("Objet : accès à votre espace copropriétaire en ligne"))
        y -= 8 * mm
        canvas.setFont("Helvetica", 10)
        y = _wrap(
            canvas,
            _(
                "Madame, Monsieur,\nVotre syndic vous ouvre l'accès à votre espace copropriétaire en ligne : "
                "compte, appels de fonds, documents de la copropriété, demandes au syndic, paiement par carte."
            ),
            MARGIN,
            y,
            text_width,
        )
        y -= 4 * mm
        rows = [
            (_("Adresse de votre espace"), f"{firm.base_url}/"),
            (_("Référence copropriétaire"), letter.reference_display),
            (_("Identifiant"), letter.login),
            (_("Mot de passe provisoire"), letter.temporary_password),
            (_("Valable jusqu'au"), letter.expires_at.strftime("%d/%m/%Y")),
        ]
        for label, value in rows:
            canvas.setFont("Helvetica", 10)
            canvas.drawString(MARGIN + 5 * mm, y, f"{label} :")
            canvas.setFont("Courier-Bold", 12)
            canvas.drawString(MARGIN + 60 * mm, y, value)
            y -= 7 * mm
        y -= 3 * mm
        y = _wrap(
            canvas,
            _(
                "À votre première connexion, vous devrez choisir votre propre mot de passe : au moins 12 caractères "
                "avec majuscules, minuscules, chiffres et caractères spéciaux, ou au moins 14 caractères avec "
                "majuscules, minuscules et chiffres, ou une phrase de 7 mots. Le mot de passe provisoire ne sert "
                "qu'à cette première connexion et expire à la date indiquée."
            ),
            MARGIN,
            y,
            text_width,
        )
        y -= 3 * mm
        y = _wrap(
            canvas,
            _(
                "Pour pouvoir utiliser la fonction « mot de passe oublié », communiquez-nous votre adresse e-mail en "
                "écrivant à %(email)s, avec vos nom, prénom et référence copropriétaire."
            )
            % {"email": firm.contact_email},
            MARGIN,
            y,
            text_width,
        )
        y -= 3 * mm
        _wrap(
            canvas,
            _(
                "Votre syndic ne vous demandera jamais votre mot de passe, ni par e-mail ni par téléphone. "
                "Conservez cette lettre à l'abri ou détruisez-la après votre première connexion.\n"
                "Veuillez agréer, Madame, Monsieur, nos salutations distinguées.\n%(firm)s"
            )
            % {"firm": firm.name},
            MARGIN,
            y,
            text_width,
        )
        canvas.setFont("Helvetica", 7)
        canvas.drawString(
            MARGIN,
            12 * mm,
            f"{firm.legal_name} — {_('Carte professionnelle')} {firm.professional_card} — SIREN {firm.siren}",
        )
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
