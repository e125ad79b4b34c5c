"""Back office "Banque": statement imports, lines by status, the review and suspense queues.

Reads for every staff member; imports and actions need `Can.KEEP_BOOKS` (others get a 403).
Everything is limited to the staff member's portfolio: a line, import or return of another
condominium (or firm) is a 404, and the lists and queues only show the portfolio's. Actions are
POSTs that call `tantieme.banking.services` and redirect back.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tantieme.backoffice.policy import Can, check_in_portfolio, in_portfolio, portfolio_condominiums
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.banking import queries, services
from tantieme.banking.enums import LineStatus
from tantieme.banking.exceptions import BankingError, ImportRefusedError
from tantieme.banking.models import MatchSuggestion, ReturnTransfer, StatementImport, StatementLine
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.references import InvalidReferenceError, parse_reference

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_LINES_SHOWN = 500


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


def _recent_imports(request: HttpRequest) -> QuerySet[StatementImport]:
    imports = in_portfolio(StatementImport.objects.select_related("condominium"), staff_user(request))
    return imports.order_by("-created_at", "-id")[:50]


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
    form = StatementUploadForm(user=staff_user(request))
    return render(
        request,
        "backoffice/banking_home.html",
        {
            "form": form,
            "imports": _recent_imports(request),
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
            {"form": form, "imports": _recent_imports(request), "counts": _status_counts(request),
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


@staff_required
def banking_import(request: HttpRequest, pk: int) -> HttpResponse:
    statement_import = get_object_or_404(StatementImport.objects.select_related("condominium"), pk=pk)
    check_in_portfolio(request, statement_import.condominium_id)
    status = request.GET.get("statut") or None
    lines = queries.lines(status=status, statement_import_id=statement_import.pk)[:MAX_LINES_SHOWN]
    return render(
        request,
        "backoffice/banking_import.html",
        {"job": statement_import, "lines": lines, "status": status, "statuses": LineStatus.choices},
    )


@staff_required
def banking_lines(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("statut") or None
    return render(
        request,
        "backoffice/banking_lines.html",
        {
            "lines": _lines(request, status)[:MAX_LINES_SHOWN],
            "status": status,
            "statuses": LineStatus.choices,
            "counts": _status_counts(request),
        },
    )


@staff_required
def banking_review(request: HttpRequest) -> HttpResponse:
    lines = in_portfolio(queries.review_queue(), staff_user(request))
    return render(request, "backoffice/banking_review.html", {"lines": lines[:MAX_LINES_SHOWN]})


@staff_required
def banking_suspense(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    suspense = _lines(request, LineStatus.SUSPENSE).order_by("booking_date", "id")
    rows = [queries.SuspenseRow(line=line, age=line.age_in_days(today)) for line in suspense]
    buckets = [
        queries.AgeBucket(
            label=label,
            count=len(inside := [row for row in rows if row.age >= low and (high is None or row.age < high)]),
            total=sum((row.line.amount for row in inside), Decimal("0.00")),
        )
        for low, high, label in queries.AGE_BUCKETS
    ]
    returns = in_portfolio(queries.returns_in_progress(), staff_user(request))[:100]
    return render(
        request,
        "backoffice/banking_suspense.html",
        {"rows": rows[:MAX_LINES_SHOWN], "buckets": buckets, "returns": returns},
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
