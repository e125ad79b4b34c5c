"""E-mail a co-owner their statement of account, the PDF attached (the portal's « Imprimer »).

    send_statement   renders the PDF (`ledger.renderers.render_statement_pdf`), keeps it among the
                     co-owner's documents (category « Relevés de compte »: on the extranet too), and
                     queues the e-mail in the outbox with the file attached; audited

The address is the e-mail of the co-owner's first extranet login, else their contact e-mail. Call
inside a firm scope.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tantieme.audit.services import record
from tantieme.condominiums.models import CoOwner
from tantieme.condominiums.queries import email_languages
from tantieme.core.money import format_amount
from tantieme.documents.enums import Audience, DocumentCategory
from tantieme.documents.services import publish_document
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.renderers import render_statement_pdf
from tantieme.ledger.statements import Statement
from tantieme.notifications.attachments import Attachment
from tantieme.notifications.models import OutboundMessage
from tantieme.notifications.services import queue_email

STATEMENT_TEMPLATE = "statement"


class StatementMailError(LedgerError):
    """A statement that cannot be e-mailed (no address)."""


def statement_address(co_owner: CoOwner) -> str:
    """Where the statement goes: the e-mail of the co-owner's first extranet login (confirmed by its
    owner, and the one they change in « Mes informations »), else the co-owner's contact e-mail
    ("" if neither)."""
    email: str | None = co_owner.users.exclude(email="").order_by("pk").values_list("email", flat=True).first()
    return email or co_owner.email.strip()


def statement_filename(statement: Statement) -> str:
    return f"releve-{statement.co_owner.reference}-{statement.start:%Y%m%d}-{statement.end:%Y%m%d}.pdf"


@transaction.atomic
def send_statement(*, statement: Statement, actor: Any = None, request: HttpRequest | None = None) -> OutboundMessage:
    """Queue the statement's e-mail (sent after commit) with its PDF; the PDF is kept as a document."""
    co_owner = statement.co_owner
    to = statement_address(co_owner)
    if not to:
        raise StatementMailError(
            _("%(reference)s n'a pas d'adresse e-mail : imprimez le relevé et envoyez-le par courrier.")
            % {"reference": co_owner.reference_display}
        )
    content = render_statement_pdf(statement)
    filename = statement_filename(statement)
    document = publish_document(
        condominium=statement.condominium,
        category=DocumentCategory.STATEMENT,
        audience=Audience.CO_OWNER,
        co_owner=co_owner,
        title=f"Relevé de compte du {statement.start:%d/%m/%Y} au {statement.end:%d/%m/%Y}",
        content=content,
        filename=filename,
        document_date=statement.end,
        published_by=actor if getattr(actor, "pk", None) else None,
        request=request,
    )
    language = email_languages([co_owner]).get(co_owner.pk, "fr")
    message = queue_email(
        firm=statement.firm,
        to=to,
        template=STATEMENT_TEMPLATE,
        language=language,
        context={
            "reference": co_owner.reference_display,
            "condominium": statement.condominium.name,
            "start": f"{statement.start:%d/%m/%Y}",
            "end": f"{statement.end:%d/%m/%Y}",
            "closing": format_amount(statement.closing_balance, language=language),
        },
        attachments=[Attachment(filename=filename, content=content)],
    )
    record(
        action="ledger.statement.emailed",
        request=request,
        firm=statement.firm,
        actor=actor,
        target=co_owner,
        data={
            "to": to,
            "start": statement.start.isoformat(),
            "end": statement.end.isoformat(),
            "closing_balance": str(statement.closing_balance),
            "document": document.pk,
            "message": message.pk,
        },
    )
    return message
