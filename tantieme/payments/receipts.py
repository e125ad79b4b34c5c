"""The payment receipt ("reçu de paiement") published in the co-owner's "Mes documents".

Called on commit of the transaction that marks a payment paid (once per payment); a failure here
is logged and never undoes the payment. Rendered with ReportLab, published through
`tantieme.documents.services.publish_document` (idempotent on its content).
"""

from __future__ import annotations

import io
import logging

from django.utils import timezone

from tantieme.core.money import format_amount

logger = logging.getLogger("tantieme.payments")


def render_receipt_pdf(*, lines: list[tuple[str, str]], title: str, firm_name: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(title)
    _width, height = A4
    y = height - 72
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(56, y, firm_name)
    y -= 36
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(56, y, title)
    y -= 32
    for label, value in lines:
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(56, y, label)
        pdf.setFont("Helvetica", 11)
        pdf.drawString(230, y, value)
        y -= 20
    y -= 16
    pdf.setFont("Helvetica-Oblique", 10)
    pdf.drawString(56, y, "Le paiement sera pris en compte par notre service comptabilité le lendemain.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def publish_payment_receipt(*, payment_id: int) -> bool:
    """Render and publish the receipt of a paid payment; False (and a log line) if it cannot be."""
    from tantieme.documents.enums import Audience, DocumentCategory
    from tantieme.documents.services import publish_document
    from tantieme.payments.models import Payment

    try:
        payment = Payment.objects.select_related("firm", "condominium", "co_owner").get(pk=payment_id)
        paid_at = timezone.localtime(payment.paid_at or timezone.now())
        lines = [
            ("Copropriété", f"{payment.condominium.code} {payment.condominium.name}"[:60]),
            ("Copropriétaire", f"{payment.co_owner.reference_display} {payment.co_owner.display_name}"[:60]),
            ("Montant", format_amount(payment.amount, language="fr").replace("\u00a0", " ")),
            ("Date du paiement", paid_at.strftime("%d/%m/%Y %H:%M")),
            ("Référence commande", payment.order_id),
            ("Moyen de paiement", f"Carte bancaire {payment.card_brand} {payment.card_last4}".strip()),
        ]
        content = render_receipt_pdf(lines=lines, title="Reçu de paiement par carte", firm_name=payment.firm.name)
        publish_document(
            condominium=payment.condominium,
            category=DocumentCategory.RECEIPT,
            audience=Audience.CO_OWNER,
            co_owner=payment.co_owner,
            title=f"Reçu de paiement par carte du {paid_at:%d/%m/%Y} ({payment.order_id})",
            content=content,
            filename=f"recu-{payment.order_id}.pdf",
            document_date=paid_at.date(),
        )
    except Exception:
        logger.exception("payment.receipt_failed payment=%s", payment_id)
        return False
    return True
