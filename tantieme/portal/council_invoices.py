"""« Conseil syndical — Factures » (issue 14): the year's supplier invoices of the condominium with
their PDF, for the co-owners seated on its council (loi 1965 art. 21: the council may see every
document of the syndic's management), and for every co-owner when the condominium chose so. The
council member gives the visa the condominium asks for before payment. Anyone else gets a 404.

`?copropriete=<id>` picks the condominium when the user has several; `?annee=YYYY` the year.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.documents.queries import co_owner_accounts_with_council
from tantieme.expenses import services
from tantieme.expenses.downloads import invoice_pdf_response
from tantieme.expenses.enums import ApprovalStep, PaymentBlock
from tantieme.expenses.exceptions import ExpenseError
from tantieme.expenses.models import ExpenseSettings, Invoice, InvoiceEvent
from tantieme.expenses.queries import visible_invoices
from tantieme.portal.views import co_owner_required


def _readable(request: HttpRequest) -> dict[int, tuple[Condominium, CoOwner | None]]:
    """{condominium id: (condominium, the user's council account there or None)} for the condominiums
    whose invoices the user may read: council seats, and condominiums open to all co-owners."""
    assert request.user.pk is not None
    accounts = co_owner_accounts_with_council(request.user.pk, day=timezone.localdate())
    open_to_all = set(
        ExpenseSettings.objects.filter(
            condominium_id__in={account.condominium_id for account in accounts}, invoices_visible_to_co_owners=True
        ).values_list("condominium_id", flat=True)
    )
    readable: dict[int, tuple[Condominium, CoOwner | None]] = {}
    for account in accounts:
        seat = account if getattr(account, "is_council", False) else None
        if seat is not None or account.condominium_id in open_to_all:
            previous = readable.get(account.condominium_id)
            if previous is None or previous[1] is None:
                readable[account.condominium_id] = (account.condominium, seat)
    return readable


@require_GET
@co_owner_required
def council_invoices(request: HttpRequest) -> HttpResponse:
    readable = _readable(request)
    if not readable:
        raise Http404
    wanted = request.GET.get("copropriete", "")
    if wanted:
        chosen = next((item for pk, item in readable.items() if str(pk) == wanted), None)
        if chosen is None:
            raise Http404
    else:
        chosen = next(iter(readable.values()))
    condominium, seat = chosen
    today = timezone.localdate()
    try:
        year = int(request.GET.get("annee", today.year))
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= today.year + 1:
        raise Http404
    invoices = list(visible_invoices(condominium.pk, year=year)[:500])
    visas = set(
        InvoiceEvent.objects.filter(
            invoice_id__in=[invoice.pk for invoice in invoices], step=ApprovalStep.COUNCIL_VISA
        ).values_list("invoice_id", flat=True)
    )
    settings = services.settings_for(condominium)
    context = {
        "condominium": condominium,
        "condominiums": [item for item, _seat in readable.values()],
        "is_council": seat is not None,
        "visa_asked": settings.council_visa_required,
        "invoices": invoices,
        "visas": visas,
        "year": year,
        "years": list(range(today.year, today.year - 4, -1)),
        "menu": "council_invoices",
    }
    return render(request, "portal/council_invoices.html", context)


def _invoice(request: HttpRequest, pk: int) -> tuple[Invoice, CoOwner | None]:
    readable = _readable(request)
    invoice = (
        Invoice.objects.filter(pk=pk, condominium_id__in=list(readable))
        .exclude(status__in=["draft", "cancelled"])
        .select_related("supplier")
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice, readable[invoice.condominium_id][1]


@require_GET
@co_owner_required
def council_invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice, _seat = _invoice(request, pk)
    return invoice_pdf_response(invoice)


@require_POST
@co_owner_required
def council_invoice_visa(request: HttpRequest, pk: int) -> HttpResponse:
    invoice, seat = _invoice(request, pk)
    if seat is None:
        raise Http404  # only a council member gives the visa
    try:
        services.give_council_visa(
            invoice=invoice, co_owner=seat, user=request.user, comment=request.POST.get("comment", "")[:1000]
        )
    except ExpenseError as error:
        messages.error(request, str(error))
    else:
        if invoice.payment_block == PaymentBlock.AWAITING_COUNCIL:
            messages.success(request, _("Visa enregistré : la facture peut être payée."))
        else:
            messages.success(request, _("Visa enregistré."))
    return redirect(
        f"{reverse('portal:council_invoices')}?copropriete={invoice.condominium_id}&annee={invoice.issue_date.year}"
    )
