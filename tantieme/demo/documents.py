"""Demo documents: a few realistic PDFs on each demo condominium's extranet, and one council member.

    with firm_scope(firm):
        seed_documents(condominium, today=today)

The PDFs are drawn with ReportLab in invariant mode (no creation date, fixed document id): the
same condominium and year give the same bytes, so seeding twice publishes nothing new
(`publish_document` is idempotent on the content).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.models import CouncilMembership, Document
from tantieme.documents.services import add_council_member, publish_document

MARGIN = 20 * mm


@dataclass(frozen=True)
class DemoDocument:
    category: DocumentCategory
    audience: Audience
    title: str
    filename: str
    document_date: datetime.date
    paragraphs: tuple[str, ...]


def render_demo_pdf(*, condominium: Condominium, title: str, paragraphs: tuple[str, ...]) -> bytes:
    """A one-page A4 PDF: the condominium as letterhead, a title, the paragraphs."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(condominium.name)
    width, height = A4
    y = height - MARGIN
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(MARGIN, y, f"Syndicat des copropriétaires — {condominium.name}")
    y -= 13
    canvas.setFont("Helvetica", 9)
    for line in condominium.postal_address.split("\n"):
        canvas.drawString(MARGIN, y, line)
        y -= 11
    y -= 20
    canvas.setFont("Helvetica-Bold", 15)
    for line in simpleSplit(title, "Helvetica-Bold", 15, width - 2 * MARGIN):
        canvas.drawString(MARGIN, y, line)
        y -= 19
    y -= 10
    canvas.setFont("Helvetica", 10.5)
    for paragraph in paragraphs:
        for line in simpleSplit(paragraph, "Helvetica", 10.5, width - 2 * MARGIN):
            if y < MARGIN + 20:
                canvas.showPage()
                canvas.setFont("Helvetica", 10.5)
                y = height - MARGIN
            canvas.drawString(MARGIN, y, line)
            y -= 14
        y -= 8
    canvas.setFont("Helvetica-Oblique", 8)
    canvas.drawString(MARGIN, MARGIN / 2, "Document de démonstration — Tantième")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def demo_documents(condominium: Condominium, *, today: datetime.date) -> list[DemoDocument]:
    name = condominium.name
    last_year, previous_year = today.year - 1, today.year - 2
    minutes = [
        DemoDocument(
            category=DocumentCategory.MEETING_MINUTES,
            audience=Audience.CONDOMINIUM,
            title=f"Procès-verbal de l'assemblée générale du 12 juin {year}",
            filename=f"pv-ag-{year}.pdf",
            document_date=datetime.date(year, 6, 12),
            paragraphs=(
                (
                    f"L'an {year}, le 12 juin à 18 h 30, les copropriétaires de la résidence {name} se sont réunis "
                    "en assemblée générale ordinaire sur convocation du syndic."
                ),
                "Résolution n° 1 — Élection du président de séance. Adoptée à la majorité de l'article 24.",
                (
                    f"Résolution n° 2 — Approbation des comptes de l'exercice {year - 1}. Adoptée à la majorité "
                    "de l'article 24."
                ),
                f"Résolution n° 3 — Vote du budget prévisionnel de l'exercice {year + 1}. Adoptée.",
                (
                    "Résolution n° 4 — Montant de la cotisation annuelle au fonds de travaux : 5 % du budget "
                    "prévisionnel. Adoptée."
                ),
                "Plus rien n'étant à l'ordre du jour, la séance est levée à 20 h 45.",
            ),
        )
        for year in (previous_year, last_year)
    ]
    return [
        DemoDocument(
            category=DocumentCategory.RULES,
            audience=Audience.CONDOMINIUM,
            title="Règlement de copropriété et état descriptif de division",
            filename="reglement-de-copropriete.pdf",
            document_date=datetime.date(1978, 3, 14),
            paragraphs=(
                (
                    f"Le présent règlement de copropriété s'applique à l'ensemble immobilier « {name} », "
                    f"{condominium.postal_address.replace(chr(10), ', ')}."
                ),
                "Chapitre I — Destination de l'immeuble. L'immeuble est destiné principalement à l'habitation.",
                (
                    "Chapitre II — Parties communes et parties privatives. Les parties communes sont l'objet d'une "
                    "propriété indivise entre l'ensemble des copropriétaires, chacun pour la quote-part afférente "
                    "à chaque lot, exprimée en tantièmes."
                ),
                (
                    "Chapitre III — Charges. Les charges générales sont réparties selon les tantièmes généraux ; "
                    "les charges d'ascenseur et de chauffage selon les clés spéciales de l'état descriptif."
                ),
                (
                    "État descriptif de division : voir le tableau annexé, lot par lot (numéro, nature, bâtiment, "
                    "escalier, étage, tantièmes)."
                ),
            ),
        ),
        *minutes,
        DemoDocument(
            category=DocumentCategory.INSURANCE,
            audience=Audience.CONDOMINIUM,
            title=f"Contrat d'assurance multirisque immeuble {today.year}",
            filename=f"assurance-multirisque-{today.year}.pdf",
            document_date=datetime.date(today.year, 1, 1),
            paragraphs=(
                f"Souscripteur : le syndicat des copropriétaires de la résidence {name}, représenté par son syndic.",
                f"Période de garantie : du 1er janvier au 31 décembre {today.year}.",
                (
                    "Garanties : incendie et événements assimilés, dégâts des eaux, bris de glace, vol et "
                    "vandalisme dans les parties communes, responsabilité civile du syndicat, protection juridique."
                ),
                "Franchise générale : 300 €. En cas de sinistre, déclarez-le au syndic dans les cinq jours ouvrés.",
            ),
        ),
        DemoDocument(
            category=DocumentCategory.MAINTENANCE_LOG,
            audience=Audience.CONDOMINIUM,
            title="Carnet d'entretien de l'immeuble",
            filename="carnet-entretien.pdf",
            document_date=datetime.date(today.year, 1, 1),
            paragraphs=(
                f"Carnet d'entretien de la résidence {name} (article 18 de la loi du 10 juillet 1965, "
                "décret n° 2001-477 du 30 mai 2001), mis à jour au 1er janvier " + str(today.year) + ".",
                (
                    "Ascenseur : contrat d'entretien étendu, visite mensuelle ; contrôle technique quinquennal "
                    f"réalisé en {last_year}."
                ),
                f"Toiture : réfection de l'étanchéité de la terrasse en {previous_year}, garantie décennale.",
                "Chaudière collective : entretien annuel, ramonage des conduits deux fois par an.",
                "Interphone et contrôle d'accès : remplacés en 2019.",
            ),
        ),
        DemoDocument(
            category=DocumentCategory.COUNCIL,
            audience=Audience.COUNCIL,
            title=f"Compte rendu de la réunion du conseil syndical — octobre {last_year}",
            filename=f"conseil-syndical-octobre-{last_year}.pdf",
            document_date=datetime.date(last_year, 10, 8),
            paragraphs=(
                "Présents : les membres du conseil syndical et le gestionnaire de l'immeuble.",
                "Point sur la trésorerie : relevés bancaires du trimestre examinés, aucun écart relevé.",
                (
                    "Préparation de l'assemblée générale : devis de ravalement à faire compléter par deux "
                    "entreprises avant l'envoi de la convocation."
                ),
            ),
        ),
    ]


def seed_documents(
    condominium: Condominium, *, today: datetime.date, council_member: CoOwner | None = None
) -> list[Document]:
    """Publish the demo documents of `condominium` and seat one council member (its first co-owner
    by reference unless given). Runs inside the condominium's firm scope; idempotent."""
    documents = [
        publish_document(
            condominium=condominium,
            category=demo.category,
            audience=demo.audience,
            title=demo.title,
            content=render_demo_pdf(condominium=condominium, title=demo.title, paragraphs=demo.paragraphs),
            filename=demo.filename,
            document_date=demo.document_date,
        )
        for demo in demo_documents(condominium, today=today)
    ]
    member = council_member or CoOwner.objects.filter(condominium=condominium).order_by("reference").first()
    if member is not None and not CouncilMembership.objects.filter(co_owner=member, end_date__isnull=True).exists():
        add_council_member(co_owner=member, start_date=datetime.date(today.year - 1, 6, 12))
    return documents
