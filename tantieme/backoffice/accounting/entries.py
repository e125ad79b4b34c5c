"""« Comptabilité »: journals, the search of entries, an entry with its lines and attachments,
manual OD entries (balanced lines, a reason, an attachment) and reversals (contre-passation)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tantieme.audit.models import AuditEvent
from tantieme.audit.services import record
from tantieme.backoffice.accounting.base import (
    AUDIT_MANUAL,
    AUDIT_REVERSAL,
    DATE_FORMATS,
    DATE_INPUT,
    MANUAL_JOURNAL,
    MENU,
    Books,
    books_for,
    entry_for,
    export_response,
    render_page,
    year_or_404,
)
from tantieme.backoffice.listing import Column, build_listing
from tantieme.backoffice.policy import Can, condominiums_for_staff
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.money import ZERO, AmountError, parse_amount
from tantieme.core.references import InvalidReferenceError, parse_reference
from tantieme.documents.exceptions import UploadRefused
from tantieme.documents.validators import check_upload, sanitize_filename
from tantieme.ledger import exports, reports, services
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.models import Account, Entry, EntryAttachment, Journal

# --- Home and journals ------------------------------------------------------------------------------


@require_GET
@staff_required
def accounting_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/accounting/home.html",
        {"condominiums": condominiums_for_staff(staff_user(request)), "menu": MENU},
    )


@require_GET
@staff_required
def accounting_journals(request: HttpRequest, pk: int) -> HttpResponse:
    books = books_for(request, pk)
    summaries = reports.journal_summaries(books.condominium.pk)
    years = list(reversed(books.years))
    rows = [(summary, [summary.counts.get(year.pk, 0) for year in years]) for summary in summaries]
    return render_page(request, "journals.html", books, "journals", rows=rows, year_columns=years)


# --- Entries ------------------------------------------------------------------------------------


class EntrySearchForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("Du"), required=False, input_formats=DATE_FORMATS, widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("Au"), required=False, input_formats=DATE_FORMATS, widget=DATE_INPUT)
    journal = forms.ChoiceField(label=gettext_lazy("Journal"), required=False)
    account = forms.RegexField(
        label=gettext_lazy("Compte (début du numéro)"), required=False, regex=r"^\d{1,10}$", max_length=10
    )
    amount = forms.CharField(label=gettext_lazy("Montant"), required=False, max_length=20)
    label = forms.CharField(label=gettext_lazy("Libellé"), required=False, max_length=100)
    voucher = forms.CharField(label=gettext_lazy("Pièce ou numéro d'écriture"), required=False, max_length=40)

    def __init__(self, *args: Any, journals: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journal"].choices = [("", _("Tous")), *((code, code) for code in journals)]  # type: ignore[attr-defined]

    def clean_amount(self) -> Decimal | None:
        text = self.cleaned_data["amount"].strip()
        if not text:
            return None
        try:
            return abs(parse_amount(text))
        except AmountError as error:
            raise ValidationError(str(error)) from None

    def filters(self) -> reports.EntryFilters:
        if not self.is_bound or not self.is_valid():
            return reports.EntryFilters()
        data = self.cleaned_data
        return reports.EntryFilters(
            start=data["start"],
            end=data["end"],
            amount=data["amount"],
            account=data["account"] or "",
            label=data["label"].strip(),
            voucher=data["voucher"].strip(),
            journal=data["journal"] or "",
        )


# Sorting only: the exports of the list are the journal's lines (accounting_entries_export).
ENTRY_COLUMNS = (
    Column("code", gettext_lazy("Numéro"), lambda e: e.code, order_by="code"),
    Column("date", gettext_lazy("Date"), lambda e: e.date, order_by="date"),
    Column("journal", gettext_lazy("Journal"), lambda e: e.journal.code, order_by="journal__code"),
    Column("voucher", gettext_lazy("Pièce"), lambda e: e.voucher, order_by="voucher"),
    Column("label", gettext_lazy("Libellé"), lambda e: e.label, order_by="label"),
    Column("amount", gettext_lazy("Montant"), lambda e: e.total, order_by="total", numeric=True),
)


def _search(request: HttpRequest, books: Books) -> tuple[EntrySearchForm, reports.EntryFilters]:
    journals = list(
        Journal.objects.filter(condominium=books.condominium).order_by("code").values_list("code", flat=True)
    )
    params = request.GET.copy()
    for name in ("exercice", "page", "tri", "ordre"):
        params.pop(name, None)
    form = EntrySearchForm(params if params else None, journals=journals)
    return form, form.filters()


@require_GET
@staff_required
def accounting_entries(request: HttpRequest, pk: int) -> HttpResponse:
    books = books_for(request, pk)
    form, filters = _search(request, books)
    listing = None
    if books.year is not None:
        entries = reports.search_entries(books.year, filters)
        listing = build_listing(request, entries, ENTRY_COLUMNS, default_sort="date", default_descending=True)
    # The exports (journal lines, CSV/XLSX/PDF) take the same filters: the query without page nor sort.
    query = request.GET.copy()
    for name in ("page", "tri", "ordre"):
        query.pop(name, None)
    return render_page(request, "entries.html", books, "entries", form=form, listing=listing, query=query.urlencode())


@require_GET
@staff_required
def accounting_entries_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    books = books_for(request, pk)
    year = year_or_404(books)
    _form, filters = _search(request, books)
    title = _("Journal — %(condominium)s — exercice %(year)s") % {"condominium": books.condominium.code, "year": year}
    table = exports.journal_table(reports.iter_journal_lines(reports.search_entries(year, filters)), title=title)
    return export_response(
        request,
        books,
        table,
        fmt,
        f"journal-{books.condominium.code}-{year.label}",
        back="backoffice:accounting_entries",
    )


@require_GET
@staff_required
def accounting_entry(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    books = books_for(request, pk)
    entry = entry_for(books, entry_pk)
    lines = reports.entry_lines(entry)
    reversal = Entry.objects.filter(reverses=entry).only("pk", "code", "date").first()
    # The reason is on the entry; entries posted before it was stored have it in the audit trail only.
    reasons = (
        [{"reason": entry.reason}]
        if entry.reason
        else list(
            AuditEvent.objects.filter(
                object_type="ledger.entry", object_id=str(entry.pk), action__in=(AUDIT_MANUAL, AUDIT_REVERSAL)
            ).values_list("data", flat=True)[:5]
        )
    )
    return render_page(
        request,
        "entry.html",
        books,
        "entries",
        entry=entry,
        lines=lines,
        total_debit=sum((view.line.debit for view in lines), ZERO),
        total_credit=sum((view.line.credit for view in lines), ZERO),
        reversal=reversal,
        reasons=[data.get("reason", "") for data in reasons if data.get("reason")],
        attachments=list(
            EntryAttachment.objects.filter(entry=entry).select_related("uploaded_by").order_by("uploaded_at", "pk")
        ),
        can_reverse=entry.reverses_id is None and reversal is None,
    )


# --- Attachments of an entry (pièces jointes) -----------------------------------------------------
# `EntryAttachment` rows, written by `ledger.services.attach_to_entry` (which applies the upload
# rules); the files are in private storage and leave it only through the view below.


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content: bytes


def _check_attachment(upload: UploadedFile) -> CheckedUpload:
    """FILE-01 on the form, before anything is posted: PDF, JPEG or PNG by content, the size limit.

    `attach_to_entry` checks again and re-encodes images without their metadata."""
    name = sanitize_filename(upload.name or "piece")
    content = upload.read()
    check_upload(content=content, filename=name, size=upload.size)
    return CheckedUpload(name=name, content=content)


@require_GET
@staff_required
def accounting_attachment(request: HttpRequest, pk: int, entry_pk: int, attachment_pk: int) -> HttpResponse:
    books = books_for(request, pk)
    entry = entry_for(books, entry_pk)
    attachment = get_object_or_404(EntryAttachment, pk=attachment_pk, entry=entry)
    name = attachment.original_filename
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record(
        action="ledger.attachment.downloaded",
        request=request,
        target=entry,
        data={"code": entry.code, "name": name, "attachment": attachment.pk},
    )
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)


# --- Manual entries (OD) -----------------------------------------------------------------------------


class ManualEntryForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date d'écriture"), input_formats=DATE_FORMATS, widget=DATE_INPUT)
    label = forms.CharField(label=gettext_lazy("Libellé de l'écriture"), max_length=200)
    voucher = forms.CharField(label=gettext_lazy("Pièce (référence)"), required=False, max_length=40)
    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Pourquoi cette opération diverse : il est enregistré avec l'écriture."),
    )
    attachment = forms.FileField(
        label=gettext_lazy("Pièce justificative"),
        required=False,
        help_text=gettext_lazy("PDF, JPEG ou PNG ; facultative."),
    )

    def clean_attachment(self) -> CheckedUpload | None:
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        try:
            return _check_attachment(upload)
        except UploadRefused as error:
            raise ValidationError(str(error)) from None


class ManualLineForm(forms.Form):
    account = forms.ChoiceField(label=gettext_lazy("Compte"), required=False)
    co_owner = forms.CharField(label=gettext_lazy("Copropriétaire (450x, 459)"), required=False, max_length=20)
    debit = forms.CharField(label=gettext_lazy("Débit"), required=False, max_length=20)
    credit = forms.CharField(label=gettext_lazy("Crédit"), required=False, max_length=20)
    label = forms.CharField(label=gettext_lazy("Libellé de la ligne"), required=False, max_length=200)

    def __init__(self, *args: Any, accounts: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "—"), *(accounts or [])]  # type: ignore[attr-defined]

    def _amount(self, name: str) -> Decimal:
        text = self.cleaned_data[name].strip()
        if not text:
            return ZERO
        try:
            amount = parse_amount(text)
        except AmountError as error:
            raise ValidationError(str(error)) from None
        if amount < 0:
            raise ValidationError(_("Un montant est positif : changez de colonne."))
        return amount

    def clean_debit(self) -> Decimal:
        return self._amount("debit")

    def clean_credit(self) -> Decimal:
        return self._amount("credit")

    def clean_co_owner(self) -> str:
        text = self.cleaned_data["co_owner"].strip()
        if not text:
            return ""
        try:
            return parse_reference(text)
        except InvalidReferenceError as error:
            raise ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.has_changed() and not data.get("account") and not self.errors:
            raise ValidationError(_("Choisissez le compte de la ligne."))
        return data


ManualLineFormSet = forms.formset_factory(ManualLineForm, extra=4, min_num=2, validate_min=True, max_num=60)


def _line_drafts(formset: Any, condominium: Condominium) -> list[services.LineDraft] | None:
    """The drafts of the filled rows; None (errors set on the rows) when a reference is unknown."""
    rows = [form.cleaned_data for form in formset.forms if form.has_changed() and form.cleaned_data]
    references = {row["co_owner"] for row in rows if row["co_owner"]}
    co_owners = {
        co_owner.reference: co_owner
        for co_owner in CoOwner.objects.filter(condominium=condominium, reference__in=references)
    }
    drafts = []
    valid = True
    for form in formset.forms:
        row = form.cleaned_data if form.has_changed() else None
        if not row:
            continue
        co_owner = co_owners.get(row["co_owner"]) if row["co_owner"] else None
        if row["co_owner"] and co_owner is None:
            form.add_error(
                "co_owner", _("Aucun copropriétaire %(ref)s dans cette copropriété.") % {"ref": row["co_owner"]}
            )
            valid = False
            continue
        drafts.append(
            services.LineDraft(
                account=row["account"],
                debit=row["debit"],
                credit=row["credit"],
                co_owner=co_owner,
                label=row["label"].strip(),
            )
        )
    return drafts if valid else None


def post_manual_entry(
    *,
    request: HttpRequest,
    condominium: Condominium,
    date: datetime.date,
    label: str,
    voucher: str,
    reason: str,
    lines: list[services.LineDraft],
    attachment: CheckedUpload | None,
) -> Entry:
    """Post an OD with its reason, keep its voucher file, audit both: all or nothing.

    The storage is not transactional: a file written before a failure is deleted here."""
    stored: EntryAttachment | None = None
    try:
        with transaction.atomic():
            entry = services.post_entry(
                condominium=condominium,
                journal=MANUAL_JOURNAL,
                date=date,
                label=label,
                lines=lines,
                voucher=voucher,
                reason=reason,
                actor=request.user,
            )
            if attachment is not None:
                stored = services.attach_to_entry(
                    entry=entry, content=attachment.content, filename=attachment.name, actor=request.user
                )
            record(
                action=AUDIT_MANUAL,
                request=request,
                target=entry,
                data={
                    "code": entry.code,
                    "reason": reason,
                    "attachment": stored.original_filename if stored is not None else "",
                },
            )
    except BaseException:
        if stored is not None:
            stored.file.delete(save=False)
        raise
    return entry


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.POST_ENTRIES)
def accounting_entry_new(request: HttpRequest, pk: int) -> HttpResponse:
    books = books_for(request, pk)
    accounts = [
        (account.number, f"{account.number} {account.label}")
        for account in Account.objects.filter(condominium=books.condominium).order_by("number")
    ]
    data = request.POST if request.method == "POST" else None
    form = ManualEntryForm(data, request.FILES or None, initial={"date": timezone.localdate()})
    formset = ManualLineFormSet(data, prefix="lines", form_kwargs={"accounts": accounts})
    problem = ""
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        drafts = _line_drafts(formset, books.condominium)
        if drafts is not None:
            try:
                entry = post_manual_entry(
                    request=request,
                    condominium=books.condominium,
                    date=form.cleaned_data["date"],
                    label=form.cleaned_data["label"],
                    voucher=form.cleaned_data["voucher"].strip(),
                    reason=form.cleaned_data["reason"].strip(),
                    lines=drafts,
                    attachment=form.cleaned_data["attachment"],
                )
            except LedgerError as error:
                problem = str(error)
            else:
                messages.success(request, _("Écriture %(code)s enregistrée.") % {"code": entry.code})
                return redirect(
                    reverse("backoffice:accounting_entry", args=[books.condominium.pk, entry.pk])
                    + f"?exercice={entry.fiscal_year_id}"
                )
    status = 400 if request.method == "POST" else 200
    return render_page(
        request,
        "entry_form.html",
        books,
        "entries",
        form=form,
        formset=formset,
        problem=problem,
        journal=MANUAL_JOURNAL,
        status=status,
    )


# --- Reversal (contre-passation) --------------------------------------------------------------------


class ReversalForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date de la contre-passation"), input_formats=DATE_FORMATS,
                           widget=DATE_INPUT)  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("Motif"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


@require_http_methods(["GET", "POST"])
@staff_required(can=Can.POST_ENTRIES)
def accounting_entry_reverse(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    books = books_for(request, pk)
    entry = entry_for(books, entry_pk)
    default_date = entry.date if entry.fiscal_year.is_open else timezone.localdate()
    form = ReversalForm(request.POST or None, initial={"date": default_date})
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                reversal = services.reverse_entry(
                    entry=entry,
                    date=form.cleaned_data["date"],
                    reason=form.cleaned_data["reason"].strip(),
                    actor=request.user,
                )
                record(
                    action=AUDIT_REVERSAL,
                    request=request,
                    target=reversal,
                    data={"code": reversal.code, "reverses": entry.code, "reason": form.cleaned_data["reason"].strip()},
                )
        except LedgerError as error:
            problem = str(error)
        else:
            messages.success(
                request,
                _("Contre-passation %(code)s enregistrée (annule %(original)s).")
                % {"code": reversal.code, "original": entry.code},
            )
            return redirect(
                reverse("backoffice:accounting_entry", args=[books.condominium.pk, reversal.pk])
                + f"?exercice={reversal.fiscal_year_id}"
            )
    return render_page(
        request,
        "entry_reverse.html",
        books,
        "entries",
        entry=entry,
        lines=reports.entry_lines(entry),
        form=form,
        problem=problem,
        status=400 if request.method == "POST" else 200,
    )
