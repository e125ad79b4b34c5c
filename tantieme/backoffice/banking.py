"""Back office "Banque": statement imports, lines by status, the review and suspense queues.

Reads for every staff member; imports and actions need `Can.KEEP_BOOKS` (others get a 403).
Everything is limited to the staff member's portfolio: a line, import or return of another
condominium (or firm) is a 404, and the lists and queues only show the portfolio's. Actions are
POSTs that call `tantieme.banking.services` and redirect back.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tantieme.backoffice.listing import Column, Listing, build_listing, export_listing, wants_export
from tantieme.backoffice.policy import Can, check_in_portfolio, in_portfolio, portfolio_condominiums
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.banking import queries, services
from tantieme.banking.enums import LineStatus
from tantieme.banking.exceptions import BankingError, ImportRefusedError
from tantieme.banking.models import MatchSuggestion, ReturnTransfer, StatementImport, StatementLine
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.references import InvalidReferenceError, parse_reference

MAX_FILE_BYTES = 50 * 1024 * 1024
QUEUE_PAGE_SIZE = 25  # cards with forms: shorter pages than the tables


class StatementUploadForm(forms.Form):
    condominium = forms.ModelChoiceField(queryset=Condominium.all_firms.none(), label=gettext_lazy("Copropriété"))
    file = forms.FileField(
        label=gettext_lazy("Relevé bancaire"),
        help_text=gettext_lazy("CAMT.053 (XML), CFONB 120 ou OFX ; 50 Mo au plus."),
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Only the portfolio's condominiums: another one is refused as an invalid choice.
        self.fields["condominium"].queryset = portfolio_condominiums(user)  # type: ignore[arg-type, attr-defined]

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_FILE_BYTES:
            raise ValidationError(_("Le fichier dépasse 50 Mo."))
        return upload


def _imports(request: HttpRequest) -> QuerySet[StatementImport]:
    return in_portfolio(StatementImport.objects.select_related("condominium"), staff_user(request))


IMPORT_COLUMNS = (
    Column("date", gettext_lazy("Date"), lambda job: job.created_at, order_by="created_at"),
    Column("condominium", gettext_lazy("Copropriété"), lambda job: job.condominium.code, order_by="condominium__code"),
    Column("file", gettext_lazy("Fichier"), lambda job: job.filename or job.get_format_display(), order_by="filename"),
    Column("state", gettext_lazy("État"), lambda job: job.get_state_display(), order_by="state"),
    Column("imported", gettext_lazy("Importés"), lambda job: job.imported, order_by="imported", numeric=True),
    Column("matched", gettext_lazy("Rapprochés"), lambda job: job.matched, order_by="matched", numeric=True),
    Column("to_review", gettext_lazy("À vérifier"), lambda job: job.to_review, order_by="to_review", numeric=True),
    Column("suspense", gettext_lazy("En attente"), lambda job: job.suspense, order_by="suspense", numeric=True),
    Column("skipped", gettext_lazy("Déjà connus"), lambda job: job.skipped, order_by="skipped", numeric=True),
)


def _imports_listing(request: HttpRequest) -> Listing:
    return build_listing(request, _imports(request), IMPORT_COLUMNS, default_sort="date", default_descending=True)


def _status_counts(request: HttpRequest) -> dict[str, int]:
    rows = in_portfolio(StatementLine.objects.all(), staff_user(request))
    return dict(rows.values_list("status").annotate(n=Count("id")).order_by())


def _lines(request: HttpRequest, status: str | None = None) -> QuerySet[StatementLine]:
    """`queries.lines` limited to the portfolio."""
    return in_portfolio(queries.lines(status=status), staff_user(request))


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    allowed = {reverse("backoffice:banking_review"), reverse("backoffice:banking_suspense")}
    return redirect(target if target in allowed else default)


@staff_required
def banking_home(request: HttpRequest) -> HttpResponse:
    if wants_export(request):
        return export_listing(request, _imports(request), IMPORT_COLUMNS, title=_("Relevés"), filename="releves")
    form = StatementUploadForm(user=staff_user(request))
    return render(
        request,
        "backoffice/banking_home.html",
        {
            "form": form,
            "listing": _imports_listing(request),
            "counts": _status_counts(request),
            "statuses": LineStatus.choices,
        },
    )


@staff_required(can=Can.KEEP_BOOKS)
@require_POST
def banking_upload(request: HttpRequest) -> HttpResponse:
    form = StatementUploadForm(request.POST, request.FILES, user=staff_user(request))
    if not form.is_valid():
        return render(
            request,
            "backoffice/banking_home.html",
            {"form": form, "listing": _imports_listing(request), "counts": _status_counts(request),
             "statuses": LineStatus.choices},
            status=400,
        )  # fmt: skip
    upload: UploadedFile = form.cleaned_data["file"]
    condominium: Condominium = form.cleaned_data["condominium"]
    try:
        result = services.import_statement(
            condominium=condominium, content=upload.read(), filename=Path(upload.name or "").name, actor=request.user
        )
    except ImportRefusedError as error:
        messages.error(request, _("Relevé refusé, rien n'a été enregistré : %(error)s") % {"error": error})
        return redirect("backoffice:banking_home")
    if result.already_imported:
        messages.warning(request, _("Ce fichier est déjà importé."))
    else:
        messages.success(
            request,
            _(
                "%(imported)s mouvements importés : %(matched)s rapprochés, %(review)s à vérifier, "
                "%(suspense)s en attente ; %(skipped)s déjà connus."
            )
            % {
                "imported": result.imported,
                "matched": result.matched,
                "review": result.to_review,
                "suspense": result.suspense,
                "skipped": result.skipped,
            },
        )
        for warning in result.warnings:
            messages.warning(request, warning)
    return redirect("backoffice:banking_import", pk=result.statement_import.pk)


LINE_COLUMNS = (
    Column("date", gettext_lazy("Date"), lambda line: line.booking_date, order_by="booking_date"),
    Column(
        "condominium", gettext_lazy("Copropriété"), lambda line: line.condominium.code, order_by="condominium__code"
    ),
    Column("counterparty", gettext_lazy("Tiers"), lambda line: line.counterparty_name, order_by="counterparty_name"),
    Column("text", gettext_lazy("Motif"), lambda line: line.text),
    Column("amount", gettext_lazy("Montant"), lambda line: line.amount, order_by="amount", numeric=True),
    Column("status", gettext_lazy("Statut"), lambda line: line.get_status_display(), order_by="status"),
    Column(
        "co_owner",
        gettext_lazy("Rapprochement"),
        lambda line: line.co_owner.reference_display if line.co_owner else "",
        order_by="co_owner__reference",
    ),
    Column("entry", gettext_lazy("Écriture"), lambda line: line.entry.code if line.entry else ""),
)
# The queues sort on fewer columns (their rows are cards: the sort links stand above them).
QUEUE_COLUMNS = (*LINE_COLUMNS[:5],)


def _status_filter(request: HttpRequest) -> str | None:
    status = request.GET.get("statut") or None
    return status if status in LineStatus.values else None


def _lines_page(
    request: HttpRequest, lines: QuerySet[StatementLine], *, title: str, filename: str
) -> HttpResponse | Listing:
    """The export asked for, or the listing of `lines` (newest first by default)."""
    if wants_export(request):
        return export_listing(request, lines, LINE_COLUMNS, title=title, filename=filename)
    return build_listing(request, lines, LINE_COLUMNS, default_sort="date", default_descending=True)


@staff_required
def banking_import(request: HttpRequest, pk: int) -> HttpResponse:
    statement_import = get_object_or_404(StatementImport.objects.select_related("condominium"), pk=pk)
    check_in_portfolio(request, statement_import.condominium_id)
    status = _status_filter(request)
    lines = queries.lines(status=status, statement_import_id=statement_import.pk)
    listing = _lines_page(request, lines, title=_("Relevé"), filename=f"releve-{statement_import.pk}")
    if not isinstance(listing, Listing):  # the export
        return listing
    return render(
        request,
        "backoffice/banking_import.html",
        {"job": statement_import, "listing": listing, "status": status, "statuses": LineStatus.choices},
    )


@staff_required
def banking_lines(request: HttpRequest) -> HttpResponse:
    status = _status_filter(request)
    listing = _lines_page(request, _lines(request, status), title=_("Lignes de relevé"), filename="lignes-releve")
    if not isinstance(listing, Listing):  # the export
        return listing
    return render(
        request,
        "backoffice/banking_lines.html",
        {"listing": listing, "status": status, "statuses": LineStatus.choices, "counts": _status_counts(request)},
    )


@staff_required
def banking_review(request: HttpRequest) -> HttpResponse:
    lines = in_portfolio(queries.review_queue(), staff_user(request))
    if wants_export(request):
        return export_listing(request, lines, QUEUE_COLUMNS, title=_("À vérifier"), filename="a-verifier")
    listing = build_listing(
        request, lines, QUEUE_COLUMNS, default_sort="date", default_descending=True, per_page=QUEUE_PAGE_SIZE
    )
    return render(request, "backoffice/banking_review.html", {"listing": listing})


def _age_buckets(suspense: QuerySet[StatementLine], today: datetime.date) -> list[queries.AgeBucket]:
    """The suspense lines by age, counted and summed by the database (one query, whatever their number)."""
    conditions = []
    for low, high, _label in queries.AGE_BUCKETS:
        condition = Q(booking_date__lte=today - datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(booking_date__gt=today - datetime.timedelta(days=high))
        conditions.append(condition)
    sums = suspense.aggregate(
        **{f"n{index}": Count("id", filter=condition) for index, condition in enumerate(conditions)},
        **{f"t{index}": Sum("amount", filter=condition) for index, condition in enumerate(conditions)},
    )
    return [
        queries.AgeBucket(label=label, count=sums[f"n{index}"], total=sums[f"t{index}"] or Decimal("0.00"))
        for index, (_low, _high, label) in enumerate(queries.AGE_BUCKETS)
    ]


@staff_required
def banking_suspense(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    suspense = _lines(request, LineStatus.SUSPENSE)
    if wants_export(request):
        return export_listing(request, suspense, QUEUE_COLUMNS, title=_("Compte d'attente"), filename="attente")
    # Oldest first by default: the longer a transfer waits, the harder it is to trace.
    listing = build_listing(request, suspense, QUEUE_COLUMNS, default_sort="date", per_page=QUEUE_PAGE_SIZE)
    rows = [queries.SuspenseRow(line=line, age=line.age_in_days(today)) for line in listing.page]
    returns = in_portfolio(queries.returns_in_progress(), staff_user(request))[:100]
    return render(
        request,
        "backoffice/banking_suspense.html",
        {"listing": listing, "rows": rows, "buckets": _age_buckets(suspense, today), "returns": returns},
    )


@staff_required(can=Can.KEEP_BOOKS)
@require_POST
def banking_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    suggestions = in_portfolio(
        MatchSuggestion.objects.select_related("line", "co_owner"), staff_user(request), "line__condominium"
    )
    suggestion = get_object_or_404(suggestions, pk=pk)
    try:
        services.confirm_suggestion(suggestion=suggestion, actor=request.user)
    except BankingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Virement imputé à %(who)s.") % {"who": suggestion.co_owner})
    return _back(request, reverse("backoffice:banking_review"))


def _line(request: HttpRequest, pk: int) -> StatementLine:
    """A line of the portfolio; any other is a 404."""
    return get_object_or_404(
        in_portfolio(StatementLine.objects.select_related("condominium"), staff_user(request)), pk=pk
    )


@staff_required(can=Can.KEEP_BOOKS)
@require_POST
def banking_assign(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    try:
        reference = parse_reference(request.POST.get("reference", ""))
        co_owner = CoOwner.objects.filter(condominium_id=line.condominium_id, reference=reference).first()
        if co_owner is None:
            raise BankingError(_("Aucun copropriétaire %(ref)s dans cette copropriété.") % {"ref": reference})
        services.assign_line(line=line, co_owner=co_owner, actor=request.user)
    except (BankingError, InvalidReferenceError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Virement imputé à %(who)s.") % {"who": co_owner})
    return _back(request, reverse("backoffice:banking_suspense"))


@staff_required(can=Can.KEEP_BOOKS)
@require_POST
def banking_to_suspense(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.send_to_suspense(line=_line(request, pk), actor=request.user)
    except BankingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Virement passé au compte d'attente (472)."))
    return _back(request, reverse("backoffice:banking_review"))


@staff_required(can=Can.KEEP_BOOKS)
@require_POST
def banking_return(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        transfer = services.return_to_payer(
            line=_line(request, pk),
            creditor_name=request.POST.get("name", ""),
            creditor_iban=request.POST.get("iban", ""),
            creditor_bic=request.POST.get("bic", ""),
            actor=request.user,
        )
    except BankingError as error:
        messages.error(request, str(error))
        return _back(request, reverse("backoffice:banking_suspense"))
    messages.success(
        request,
        _("Renvoi préparé : téléchargez le virement (pain.001) et remettez-le à la banque. Référence %(ref)s.")
        % {"ref": transfer.end_to_end_id},
    )
    return _back(request, reverse("backoffice:banking_suspense"))


@staff_required(can=Can.KEEP_BOOKS)
@require_POST
def banking_debit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.post_debit(line=_line(request, pk), account=request.POST.get("account", ""), actor=request.user)
    except BankingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Débit comptabilisé."))
    return _back(request, reverse("backoffice:banking_review"))


@staff_required(can=Can.KEEP_BOOKS)
@require_POST
def banking_ignore(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.ignore_line(line=_line(request, pk), actor=request.user)
    except BankingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Ligne ignorée."))
    return _back(request, reverse("backoffice:banking_review"))


@staff_required(can=Can.KEEP_BOOKS)
def banking_return_file(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(in_portfolio(ReturnTransfer.objects.all(), staff_user(request)), pk=pk)
    response = HttpResponse(transfer.document.encode(), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{transfer.message_id}.pain001.xml"'
    response["Cache-Control"] = "private, no-store"
    return response
