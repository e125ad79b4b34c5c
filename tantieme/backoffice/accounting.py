"""Back office « Comptabilité »: the books of each condominium for the accountant (issue 12).

Journals with their entry counts, the search of entries and their detail, manual OD entries,
reversals (contre-passation), the general ledger and the trial balance with their exports, the
lettering of co-owner accounts and of general accounts (401, 472, 5128…) and the state of the bank
reconciliation. Every page takes the
fiscal year from `?exercice=<id>` (the current year by default).

Reads for every staff member; writes (manual entries, reversals, lettering) for firm
administrators and accountants, through `tantieme.ledger.services` only (the ledger is the only
writer of the books). A condominium outside the staff member's portfolio, or of another firm,
is a 404. Each page runs a fixed number of queries, whatever the length of the history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q, Subquery, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tantieme.audit.models import AuditEvent
from tantieme.audit.services import record
from tantieme.backoffice.access import condominiums_for_staff
from tantieme.backoffice.views import staff_required
from tantieme.banking.enums import ImportState, LineStatus
from tantieme.banking.models import StatementImport, StatementLine
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.money import ZERO, AmountError, parse_amount
from tantieme.core.references import InvalidReferenceError, parse_reference
from tantieme.documents.exceptions import UploadRefused
from tantieme.documents.validators import check_upload, sanitize_filename
from tantieme.ledger import chart, exports, reports, services
from tantieme.ledger.enums import JournalKind
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.lettering import (
    account_letterings,
    account_open_lines,
    letterable_accounts,
    letterings_of,
    open_lines,
)
from tantieme.ledger.models import Account, Entry, EntryAttachment, FiscalYear, Journal, Lettering, Line, cents
from tantieme.ledger.queries import co_owner_balances
from tantieme.tenancy.enums import StaffRole
from tantieme.users.models import User

WRITE_ROLES: tuple[str, ...] = (StaffRole.FIRM_ADMIN, StaffRole.ACCOUNTANT)
MENU = "accounting"
PAGE_SIZE = 50
LINES_SHOWN = 200
MANUAL_JOURNAL = "OD"
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
AUDIT_MANUAL = "ledger.manual_entry.posted"
AUDIT_REVERSAL = "ledger.entry.reversal_requested"
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


# --- Resolving the condominium and the fiscal year ------------------------------------------------


@dataclass
class Books:
    condominium: Condominium
    years: list[FiscalYear]
    year: FiscalYear | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def year_query(self) -> str:
        return f"exercice={self.year.pk}" if self.year else ""


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _can_write(request: HttpRequest) -> bool:
    return str(request.staff_membership.role) in WRITE_ROLES  # type: ignore[attr-defined]


def _condominium_for(request: HttpRequest, pk: int) -> Condominium:
    for condominium in condominiums_for_staff(_staff(request)):
        if condominium.pk == pk:
            return condominium
    raise Http404


def _books(request: HttpRequest, pk: int) -> Books:
    condominium = _condominium_for(request, pk)
    years = reports.fiscal_years_of(condominium.pk)
    wanted = request.GET.get("exercice", "")
    year = next((year for year in years if str(year.pk) == wanted), None)
    if year is None:
        year = reports.current_fiscal_year(years, timezone.localdate())
    return Books(condominium=condominium, years=years, year=year)


def _render(
    request: HttpRequest, template: str, books: Books, page_name: str, *, status: int = 200, **context: Any
) -> HttpResponse:
    return render(
        request,
        f"backoffice/accounting/{template}",
        {
            "condominium": books.condominium,
            "years": books.years,
            "year": books.year,
            "year_query": books.year_query,
            "page_name": page_name,
            "can_write": _can_write(request),
            "menu": MENU,
            **context,
        },
        status=status,
    )


def _entry_for(books: Books, entry_pk: int) -> Entry:
    """The entry, in the condominium of the URL; the pages around it show its own fiscal year."""
    entry = get_object_or_404(
        Entry.objects.select_related("journal", "fiscal_year", "reverses"),
        pk=entry_pk,
        condominium=books.condominium,
    )
    books.year = next((year for year in books.years if year.pk == entry.fiscal_year_id), books.year)
    return entry


def _year_or_404(books: Books) -> FiscalYear:
    if books.year is None:
        raise Http404
    return books.year


# --- Home and journals ------------------------------------------------------------------------------


@require_GET
@staff_required
def accounting_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/accounting/home.html",
        {"condominiums": condominiums_for_staff(_staff(request)), "menu": MENU},
    )


@require_GET
@staff_required
def accounting_journals(request: HttpRequest, pk: int) -> HttpResponse:
    books = _books(request, pk)
    summaries = reports.journal_summaries(books.condominium.pk)
    years = list(reversed(books.years))
    rows = [(summary, [summary.counts.get(year.pk, 0) for year in years]) for summary in summaries]
    return _render(request, "journals.html", books, "journals", rows=rows, year_columns=years)


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


def _search(request: HttpRequest, books: Books) -> tuple[EntrySearchForm, reports.EntryFilters]:
    journals = list(
        Journal.objects.filter(condominium=books.condominium).order_by("code").values_list("code", flat=True)
    )
    params = request.GET.copy()
    params.pop("exercice", None)
    params.pop("page", None)
    form = EntrySearchForm(params if params else None, journals=journals)
    return form, form.filters()


@require_GET
@staff_required
def accounting_entries(request: HttpRequest, pk: int) -> HttpResponse:
    books = _books(request, pk)
    form, filters = _search(request, books)
    page = None
    if books.year is not None:
        page = Paginator(reports.search_entries(books.year, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _render(request, "entries.html", books, "entries", form=form, page=page, query=query.urlencode())


@require_GET
@staff_required
def accounting_entries_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    books = _books(request, pk)
    year = _year_or_404(books)
    _form, filters = _search(request, books)
    title = _("Journal — %(condominium)s — exercice %(year)s") % {"condominium": books.condominium.code, "year": year}
    table = exports.journal_table(reports.iter_journal_lines(reports.search_entries(year, filters)), title=title)
    return _export(
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
    books = _books(request, pk)
    entry = _entry_for(books, entry_pk)
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
    return _render(
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
    books = _books(request, pk)
    entry = _entry_for(books, entry_pk)
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
@staff_required(roles=WRITE_ROLES)
def accounting_entry_new(request: HttpRequest, pk: int) -> HttpResponse:
    books = _books(request, pk)
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
    return _render(
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
@staff_required(roles=WRITE_ROLES)
def accounting_entry_reverse(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    books = _books(request, pk)
    entry = _entry_for(books, entry_pk)
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
    return _render(
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


# --- Trial balance and general ledger -----------------------------------------------------------


@require_GET
@staff_required
def accounting_trial_balance(request: HttpRequest, pk: int) -> HttpResponse:
    books = _books(request, pk)
    rows = reports.trial_balance(books.year) if books.year else []
    return _render(
        request,
        "trial_balance.html",
        books,
        "trial_balance",
        rows=rows,
        totals=reports.trial_balance_totals(rows),
    )


@require_GET
@staff_required
def accounting_trial_balance_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    books = _books(request, pk)
    year = _year_or_404(books)
    rows = reports.trial_balance(year)
    title = _("Balance générale — %(condominium)s — exercice %(year)s") % {
        "condominium": books.condominium.code,
        "year": year,
    }
    table = exports.trial_balance_table(rows, reports.trial_balance_totals(rows), title=title)
    return _export(
        request,
        books,
        table,
        fmt,
        f"balance-{books.condominium.code}-{year.label}",
        back="backoffice:accounting_trial_balance",
    )


def _account_prefix(request: HttpRequest) -> str:
    prefix = request.GET.get("compte", "").strip()
    return prefix if prefix.isdigit() and len(prefix) <= 10 else ""


@require_GET
@staff_required
def accounting_general_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    books = _books(request, pk)
    number = _account_prefix(request)
    account = Account.objects.filter(condominium=books.condominium, number=number).first() if number else None
    query: dict[str, str | int] = {"exercice": books.year.pk} if books.year else {}
    context: dict[str, Any] = {
        "account": account,
        "prefix": number,
        "export_query": urlencode({**query, "compte": number} if number else query),
    }
    if books.year is not None and account is not None:
        start = books.year.start_date
        opening = next(
            (row.opening for row in reports.trial_balance(books.year, end=start) if row.account == account.number),
            ZERO,
        )
        page = Paginator(reports.account_lines(books.year, account), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [(line, cents(opening + cents(getattr(line, "running", ZERO)))) for line in page]
        totals = Line.objects.filter(account=account, date__gte=start, date__lte=books.year.end_date).aggregate(
            debit=Sum("debit"), credit=Sum("credit")
        )
        debit, credit = cents(totals["debit"]), cents(totals["credit"])
        context.update(
            page=page,
            rows=rows,
            opening=opening,
            total_debit=debit,
            total_credit=credit,
            closing=opening + debit - credit,
        )
    elif books.year is not None:
        context["accounts"] = [row for row in reports.trial_balance(books.year) if row.account.startswith(number)]
    return _render(request, "general_ledger.html", books, "general_ledger", **context)


@require_GET
@staff_required
def accounting_general_ledger_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    books = _books(request, pk)
    year = _year_or_404(books)
    prefix = _account_prefix(request)
    title = _("Grand livre — %(condominium)s — exercice %(year)s") % {
        "condominium": books.condominium.code,
        "year": year,
    }
    if prefix:
        title += " — " + _("comptes %(prefix)s") % {"prefix": prefix}
    table = exports.general_ledger_table(reports.stream_general_ledger(year, account_prefix=prefix), title=title)
    suffix = f"-{prefix}" if prefix else ""
    filename = f"grand-livre-{books.condominium.code}-{year.label}{suffix}"
    return _export(request, books, table, fmt, filename, back="backoffice:accounting_general_ledger")


def _export(
    request: HttpRequest, books: Books, table: exports.Table, fmt: str, filename: str, *, back: str
) -> HttpResponse:
    """The table as CSV (streamed), XLSX or PDF; the querysets are built already (firm scope)."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    response: HttpResponse
    if fmt == "csv":
        streamed = StreamingHttpResponse(exports.csv_chunks(table), content_type=EXPORT_FORMATS[fmt])
        response = cast(HttpResponse, streamed)
    elif fmt == "xlsx":
        response = cast(HttpResponse, FileResponse(exports.xlsx_file(table), content_type=EXPORT_FORMATS[fmt]))
    else:
        try:
            content = exports.pdf_bytes(
                table,
                firm=books.condominium.firm,
                reference=_("Copropriété %(code)s") % {"code": books.condominium.code},
            )
        except exports.ExportTooLarge:
            messages.error(
                request,
                _("Plus de %(count)s lignes : trop pour un PDF. Filtrez (compte, dates) ou exportez en CSV ou XLSX.")
                % {"count": exports.PDF_MAX_ROWS},
            )
            # Back to the report's own page (never to a Referer: no open redirect).
            page = reverse(back, args=[books.condominium.pk])
            return redirect(f"{page}?{request.GET.urlencode()}")
        response = HttpResponse(content, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    record(action="ledger.report.exported", request=request, target=books.condominium,
           data={"file": f"{filename}.{fmt}"})  # fmt: skip
    return response


# --- Lettering ------------------------------------------------------------------------------------


@require_GET
@staff_required
def accounting_lettering(request: HttpRequest, pk: int) -> HttpResponse:
    books = _books(request, pk)
    balances = co_owner_balances(books.condominium)
    co_owners = [
        (co_owner, balances.get(co_owner.pk, ZERO))
        for co_owner in CoOwner.objects.filter(condominium=books.condominium).order_by("reference")
    ]
    return _render(
        request,
        "lettering.html",
        books,
        "lettering",
        co_owners=co_owners,
        accounts=letterable_accounts(books.condominium.pk),
    )


def _co_owner_for(books: Books, co_owner_pk: int) -> CoOwner:
    return get_object_or_404(CoOwner, pk=co_owner_pk, condominium=books.condominium)


@require_GET
@staff_required
def accounting_lettering_co_owner(request: HttpRequest, pk: int, co_owner_pk: int) -> HttpResponse:
    books = _books(request, pk)
    co_owner = _co_owner_for(books, co_owner_pk)
    return _render(
        request,
        "lettering_co_owner.html",
        books,
        "lettering",
        co_owner=co_owner,
        sub_accounts=open_lines(co_owner),
        letterings=letterings_of(co_owner),
    )


def _back_to_lettering(books: Books, co_owner: CoOwner) -> HttpResponse:
    url = reverse("backoffice:accounting_lettering_co_owner", args=[books.condominium.pk, co_owner.pk])
    return redirect(f"{url}?{books.year_query}" if books.year_query else url)


@require_POST
@staff_required(roles=WRITE_ROLES)
def accounting_letter(request: HttpRequest, pk: int, co_owner_pk: int) -> HttpResponse:
    books = _books(request, pk)
    co_owner = _co_owner_for(books, co_owner_pk)
    ids = [int(value) for value in request.POST.getlist("line") if value.isdigit()]
    lines = list(Line.objects.filter(pk__in=ids, co_owner=co_owner))
    try:
        if len(lines) != len(set(ids)) or len(lines) < 2:
            raise LedgerError(_("Cochez au moins un débit et un crédit du même sous-compte."))
        lettering = services.letter_lines(lines=lines, on=timezone.localdate(), actor=request.user)
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Lettrage %(code)s enregistré.") % {"code": lettering.code})
    return _back_to_lettering(books, co_owner)


@require_POST
@staff_required(roles=WRITE_ROLES)
def accounting_letter_auto(request: HttpRequest, pk: int, co_owner_pk: int) -> HttpResponse:
    books = _books(request, pk)
    co_owner = _co_owner_for(books, co_owner_pk)
    try:
        letterings = services.letter_open_items(co_owner=co_owner, on=timezone.localdate(), actor=request.user)
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        if letterings:
            codes = ", ".join(lettering.code for lettering in letterings)
            messages.success(request, _("Lettrages enregistrés : %(codes)s.") % {"codes": codes})
        else:
            messages.warning(request, _("Rien à lettrer automatiquement."))
    return _back_to_lettering(books, co_owner)


@require_POST
@staff_required(roles=WRITE_ROLES)
def accounting_unletter(request: HttpRequest, pk: int, co_owner_pk: int, lettering_pk: int) -> HttpResponse:
    books = _books(request, pk)
    co_owner = _co_owner_for(books, co_owner_pk)
    lettering = get_object_or_404(Lettering, pk=lettering_pk, co_owner=co_owner)
    code = lettering.code
    try:
        services.unletter(lettering=lettering, actor=request.user)
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Lettrage %(code)s supprimé : ses lignes sont de nouveau ouvertes.") % {"code": code}
        )
    return _back_to_lettering(books, co_owner)


# --- Lettering of general accounts (401, 472, 5128…) ----------------------------------------------


def _general_account_for(books: Books, number: str) -> Account:
    """A general account of the condominium; a co-owner account (lettered per co-owner) is a 404."""
    return get_object_or_404(Account, condominium=books.condominium, number=number, is_co_owner_account=False)


def _back_to_account(books: Books, account: Account) -> HttpResponse:
    url = reverse("backoffice:accounting_lettering_account", args=[books.condominium.pk, account.number])
    return redirect(f"{url}?{books.year_query}" if books.year_query else url)


@require_GET
@staff_required
def accounting_lettering_account(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    books = _books(request, pk)
    account = _general_account_for(books, number)
    return _render(
        request,
        "lettering_account.html",
        books,
        "lettering",
        account=account,
        open_lines=account_open_lines(account),
        letterings=account_letterings(account),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def accounting_letter_account(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    books = _books(request, pk)
    account = _general_account_for(books, number)
    ids = {int(value) for value in request.POST.getlist("line") if value.isdigit()}
    lines = list(Line.objects.filter(pk__in=ids, account=account, co_owner__isnull=True))
    try:
        if len(lines) != len(ids) or len(lines) < 2:
            raise LedgerError(_("Cochez au moins un débit et un crédit de ce compte."))
        lettering = services.letter_lines(lines=lines, on=timezone.localdate(), actor=request.user)
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Lettrage %(code)s enregistré.") % {"code": lettering.code})
    return _back_to_account(books, account)


@require_POST
@staff_required(roles=WRITE_ROLES)
def accounting_unletter_account(request: HttpRequest, pk: int, number: str, lettering_pk: int) -> HttpResponse:
    books = _books(request, pk)
    account = _general_account_for(books, number)
    lettering = get_object_or_404(Lettering, pk=lettering_pk, account=account, co_owner__isnull=True)
    code = lettering.code
    try:
        services.unletter(lettering=lettering, actor=request.user)
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Lettrage %(code)s supprimé : ses lignes sont de nouveau ouvertes.") % {"code": code}
        )
    return _back_to_account(books, account)


# --- Bank reconciliation --------------------------------------------------------------------------


@dataclass
class BankState:
    journal: Journal
    book_balance: Decimal  # all lines of the bank account
    statement: StatementImport | None = None
    book_at_statement: Decimal = ZERO  # lines dated on or before the statement's closing date
    unposted_total: Decimal = ZERO
    book_only_total: Decimal = ZERO
    lines: list[StatementLine] = field(default_factory=list)
    unmatched_count: int = 0
    book_only: list[Line] = field(default_factory=list)
    book_only_count: int = 0

    @property
    def difference(self) -> Decimal | None:
        if self.statement is None or self.statement.closing_balance is None:
            return None
        difference: Decimal = self.statement.closing_balance - self.book_at_statement
        return difference

    @property
    def unexplained(self) -> Decimal | None:
        if self.difference is None:
            return None
        return self.difference - self.unposted_total + self.book_only_total


def _bank_states(condominium: Condominium) -> list[BankState]:
    """Per bank journal: the book balance of its 51x account and, for the account statements are
    imported into (512, the condominium's IBAN), the last statement's closing balance, the statement
    lines not reconciled and the bank lines of the books that no statement line carries."""
    journals = list(
        Journal.objects.filter(condominium=condominium, kind=JournalKind.BANK, bank_account__isnull=False)
        .select_related("bank_account")
        .order_by("code")
    )
    iban = condominium.iban.replace(" ", "").upper()
    last = (
        StatementImport.objects.filter(
            condominium=condominium, account_iban=iban, state=ImportState.DONE, closing_date__isnull=False
        )
        .order_by("-closing_date", "-pk")
        .first()
    )
    closing = last.closing_date if last is not None else None
    account_ids = [journal.bank_account_id for journal in journals if journal.bank_account_id is not None]
    balances = {
        row["account_id"]: row
        for row in Line.objects.filter(account_id__in=account_ids)
        .values("account_id")
        .annotate(
            total=Sum(F("debit") - F("credit")),
            at_statement=Sum(F("debit") - F("credit"), filter=Q(date__lte=closing or datetime.date.min)),
        )
        .order_by("account_id")
    }
    states = []
    for journal in journals:
        row = balances.get(journal.bank_account_id, {})
        state = BankState(journal=journal, book_balance=cents(row.get("total")))
        states.append(state)
        assert journal.bank_account is not None
        if last is None or closing is None or journal.bank_account.number != chart.BANK:
            continue
        state.statement = last
        state.book_at_statement = cents(row.get("at_statement"))
        statement_lines = StatementLine.objects.filter(condominium=condominium, account_iban=iban)
        unposted = statement_lines.filter(
            booking_date__lte=closing, entry__isnull=True, resolution_entry__isnull=True
        ).aggregate(total=Sum("amount"))
        state.unposted_total = cents(unposted["total"])
        unmatched = statement_lines.exclude(status=LineStatus.MATCHED).order_by("booking_date", "pk")
        state.unmatched_count = unmatched.count()
        state.lines = list(unmatched[:LINES_SHOWN])
        first_day = Subquery(statement_lines.order_by("booking_date").values("booking_date")[:1])
        on_statements = Q(entry_id__in=statement_lines.filter(entry__isnull=False).values("entry_id")) | Q(
            entry_id__in=statement_lines.filter(resolution_entry__isnull=False).values("resolution_entry_id")
        )
        book_only = (
            Line.objects.filter(account=journal.bank_account, date__lte=closing, date__gte=first_day)
            .exclude(on_statements)
            .select_related("entry")
            .order_by("date", "entry_id", "position")
        )
        totals = book_only.aggregate(total=Sum(F("debit") - F("credit")), count=Count("pk"))
        state.book_only_total = cents(totals["total"])
        state.book_only_count = totals["count"]
        state.book_only = list(book_only[:LINES_SHOWN])
    return states


@require_GET
@staff_required
def accounting_reconciliation(request: HttpRequest, pk: int) -> HttpResponse:
    books = _books(request, pk)
    return _render(request, "reconciliation.html", books, "reconciliation", states=_bank_states(books.condominium))
