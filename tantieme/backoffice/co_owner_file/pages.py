"""The sections of the co-owner file that only read (every staff member of the portfolio)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tantieme.backoffice.co_owner_file.base import co_owner_for, render_section
from tantieme.backoffice.co_owner_file.forms import IdentityForm, NoteForm
from tantieme.backoffice.listing import Column, build_listing, export_listing, wants_export
from tantieme.backoffice.views import staff_required
from tantieme.banking.models import Cheque, StatementLine
from tantieme.condominiums.models import Ownership
from tantieme.core.money import ZERO
from tantieme.documents.models import Document
from tantieme.ledger.lettering import open_lines
from tantieme.ledger.statement_mail import statement_address
from tantieme.ledger.statement_search import searched_statement, statement_rows
from tantieme.notes.queries import notes_of_co_owner
from tantieme.payments.models import Payment
from tantieme.tickets.models import Ticket
from tantieme.users import services as user_services


@require_GET
@staff_required
def co_owner_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Identity and contact details, consent to e-notification, and the edit form for those who may."""
    co_owner = co_owner_for(request, pk)
    logins = list(co_owner.users.order_by("pk").values_list("login", "email"))
    return render_section(
        request, co_owner, "co_owner_file", "identity.html", form=IdentityForm(instance=co_owner), logins=logins
    )


@require_GET
@staff_required
def co_owner_lots(request: HttpRequest, pk: int) -> HttpResponse:
    """Every ownership of the co-owner, current and past, with the lot's tantièmes."""
    co_owner = co_owner_for(request, pk)
    ownerships = list(
        Ownership.objects.filter(co_owner=co_owner)
        .select_related("lot__building")
        .prefetch_related("lot__shares__key")
        .order_by("lot__number", "start_date")
    )
    today = timezone.localdate()
    rows = [(ownership, ownership.covers(today)) for ownership in ownerships]
    return render_section(
        request,
        co_owner,
        "co_owner_lots",
        "lots.html",
        rows=rows,
        current_lots=[str(ownership.lot.number) for ownership, current in rows if current],
    )


@require_GET
@staff_required
def co_owner_statement(request: HttpRequest, pk: int) -> HttpResponse:
    """The statement exactly as « Mon compte » shows it to the co-owner (the same search, the same query)."""
    co_owner = co_owner_for(request, pk)
    form, statement = searched_statement(co_owner, request.GET, today=timezone.localdate())
    current = statement.balance_on_date or ZERO
    return render_section(
        request,
        co_owner,
        "co_owner_statement",
        "statement.html",
        with_balance=False,
        balance_now=current,
        form=form,
        statement=statement,
        rows=statement_rows(statement),
        query=request.GET.urlencode(),
        address=statement_address(co_owner),
    )


@require_GET
@staff_required
def co_owner_open_items(request: HttpRequest, pk: int) -> HttpResponse:
    """The co-owner's open lines by sub-account; lettering happens on the books' lettering page."""
    co_owner = co_owner_for(request, pk)
    return render_section(
        request, co_owner, "co_owner_open_items", "open_items.html", sub_accounts=open_lines(co_owner)
    )


def _payment_columns() -> tuple[Column, ...]:
    """Built per request: the labels are in the request's language."""
    return (
        Column("date", _("Date"), lambda p: timezone.localtime(p.created_at).date(), order_by="created_at"),
        Column("order", _("Commande"), lambda p: p.order_id, order_by="order_id"),
        Column("amount", _("Montant"), lambda p: p.amount, order_by="amount", numeric=True),
        Column("state", _("État"), lambda p: p.get_state_display(), order_by="state"),
        Column("card", _("Carte"), lambda p: p.card_brand),
        Column("posted", _("Comptabilisé le"), lambda p: p.posted_at and timezone.localtime(p.posted_at).date()),
    )


@require_GET
@staff_required
def co_owner_card_payments(request: HttpRequest, pk: int) -> HttpResponse:
    co_owner = co_owner_for(request, pk)
    payments = Payment.objects.filter(co_owner=co_owner)
    if wants_export(request):
        return export_listing(
            request,
            payments.order_by("-created_at"),
            _payment_columns(),
            title=f"Paiements par carte {co_owner.reference}",
            filename=f"paiements-carte-{co_owner.reference}",
        )
    listing = build_listing(request, payments, _payment_columns(), default_sort="date", default_descending=True)
    return render_section(request, co_owner, "co_owner_card_payments", "card_payments.html", listing=listing)


def _transfer_columns() -> tuple[Column, ...]:
    """Built per request: the labels are in the request's language."""
    return (
        Column("date", _("Date d'opération"), lambda line: line.booking_date, order_by="booking_date"),
        Column("amount", _("Montant"), lambda line: line.amount, order_by="amount", numeric=True),
        Column("payer", _("Tiers"), lambda line: line.counterparty_name, order_by="counterparty_name"),
        Column("text", _("Motif"), lambda line: line.text),
        Column("rule", _("Règle"), lambda line: line.get_rule_display()),
        Column("status", _("Statut"), lambda line: line.get_status_display(), order_by="status"),
    )


@require_GET
@staff_required
def co_owner_transfers(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank lines imputed to the co-owner (transfers), and the cheques recorded for them."""
    co_owner = co_owner_for(request, pk)
    lines = StatementLine.objects.filter(co_owner=co_owner)
    if wants_export(request):
        return export_listing(
            request,
            lines.order_by("-booking_date"),
            _transfer_columns(),
            title=f"Virements {co_owner.reference}",
            filename=f"virements-{co_owner.reference}",
        )
    listing = build_listing(request, lines, _transfer_columns(), default_sort="date", default_descending=True)
    cheques = list(
        Cheque.objects.filter(co_owner=co_owner)
        .select_related("deposit__entry", "deposit__journal")
        .order_by("-deposit__deposit_date", "-pk")[:100]
    )
    return render_section(request, co_owner, "co_owner_transfers", "transfers.html", listing=listing, cheques=cheques)


def _ticket_columns() -> tuple[Column, ...]:
    """Built per request: the labels are in the request's language."""
    return (
        Column("created", _("Créée le"), lambda t: timezone.localtime(t.created_at).date(), order_by="created_at"),
        Column("subject", _("Objet"), lambda t: t.subject, order_by="subject"),
        Column("category", _("Catégorie"), lambda t: t.get_category_display(), order_by="category"),
        Column("status", _("État"), lambda t: t.get_status_display(), order_by="status"),
        Column(
            "updated", _("Dernière activité"), lambda t: timezone.localtime(t.updated_at).date(), order_by="updated_at"
        ),
    )


@require_GET
@staff_required
def co_owner_tickets(request: HttpRequest, pk: int) -> HttpResponse:
    co_owner = co_owner_for(request, pk)
    tickets = Ticket.objects.filter(co_owner=co_owner)
    if wants_export(request):
        return export_listing(
            request,
            tickets.order_by("-created_at"),
            _ticket_columns(),
            title=f"Demandes {co_owner.reference}",
            filename=f"demandes-{co_owner.reference}",
        )
    listing = build_listing(request, tickets, _ticket_columns(), default_sort="created", default_descending=True)
    return render_section(request, co_owner, "co_owner_tickets", "tickets.html", listing=listing)


def _document_columns() -> tuple[Column, ...]:
    """Built per request: the labels are in the request's language."""
    return (
        Column("date", _("Date"), lambda d: d.document_date, order_by="document_date"),
        Column("title", _("Titre"), lambda d: d.title, order_by="title"),
        Column("category", _("Catégorie"), lambda d: d.get_category_display(), order_by="category"),
        Column(
            "published", _("Publié le"), lambda d: timezone.localtime(d.published_at).date(), order_by="published_at"
        ),
    )


@require_GET
@staff_required
def co_owner_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """The co-owner's personal documents on the extranet (calls, statements, receipts, letters)."""
    co_owner = co_owner_for(request, pk)
    documents = Document.objects.filter(co_owner=co_owner, archived_at__isnull=True)
    if wants_export(request):
        return export_listing(
            request,
            documents.order_by("-document_date"),
            _document_columns(),
            title=f"Documents {co_owner.reference}",
            filename=f"documents-{co_owner.reference}",
        )
    listing = build_listing(request, documents, _document_columns(), default_sort="date", default_descending=True)
    return render_section(request, co_owner, "co_owner_documents", "documents.html", listing=listing)


@require_GET
@staff_required
def co_owner_access(request: HttpRequest, pk: int) -> HttpResponse:
    """The co-owner's extranet logins (last sign-in, pending invitation or e-mail change) and the
    actions of `backoffice.access`, posted to its own URLs."""
    co_owner = co_owner_for(request, pk)
    users = list(co_owner.users.order_by("pk"))
    rows = [(user, user_services.access_state(user)) for user in users]
    return render_section(request, co_owner, "co_owner_access", "access.html", rows=rows)


@require_GET
@staff_required
def co_owner_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """Internal notes (never shown in the portal), newest first, struck ones kept and shown struck."""
    co_owner = co_owner_for(request, pk)
    notes = list(notes_of_co_owner(co_owner)[:200])
    return render_section(request, co_owner, "co_owner_notes", "notes.html", notes=notes, form=NoteForm())
