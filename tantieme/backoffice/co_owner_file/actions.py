"""The actions of the co-owner file: identity, statement (print, e-mail), notes, cheques, adjustments.

Thin views: the work is done by the services (`condominiums.co_owner_editing`, `ledger.statement_mail`,
`notes.services`, `banking.cheques`, `ledger.adjustments`), each one transaction with its audit record.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tantieme.audit.services import record
from tantieme.backoffice.co_owner_file.base import co_owner_for, render_section
from tantieme.backoffice.co_owner_file.forms import (
    AdjustmentForm,
    ChequeFormSet,
    DepositForm,
    IdentityForm,
    NoteForm,
    StatementPeriodForm,
    resolve_references,
)
from tantieme.backoffice.policy import Can
from tantieme.backoffice.views import staff_required
from tantieme.banking.cheques import ChequeDepositError, ChequeDraft, bank_journals, record_cheque_deposit
from tantieme.condominiums.co_owner_editing import update_co_owner
from tantieme.condominiums.models import AllocationKey, CoOwner
from tantieme.core.money import format_amount
from tantieme.ledger.adjustments import Side, counterpart_accounts, record_adjustment, sub_accounts
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.renderers import render_statement_pdf
from tantieme.ledger.statement_mail import send_statement, statement_filename
from tantieme.ledger.statement_search import searched_statement
from tantieme.ledger.statements import statement_for
from tantieme.notes.exceptions import NoteError
from tantieme.notes.models import Note
from tantieme.notes.services import add_note, strike_note
from tantieme.users.models import User


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- Identity -------------------------------------------------------------------------------------


@require_POST
@staff_required(can=Can.EDIT_FILES)
def co_owner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    co_owner = co_owner_for(request, pk)
    form = IdentityForm(request.POST, instance=CoOwner.objects.get(pk=co_owner.pk))
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            changes = update_co_owner(co_owner=co_owner, values=values, actor=request.user, request=request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if changes:
                messages.success(request, _("Coordonnées enregistrées."))
            else:
                messages.info(request, _("Rien n'a changé."))
            return redirect("backoffice:co_owner_file", pk=co_owner.pk)
    logins = list(co_owner.users.order_by("pk").values_list("login", "email"))
    return render_section(request, co_owner, "co_owner_file", "identity.html", status=400, form=form, logins=logins)


# --- Statement: print and e-mail -----------------------------------------------------------------


@require_GET
@staff_required
def co_owner_statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The statement of the searched period, printed as the portal prints it."""
    co_owner = co_owner_for(request, pk)
    _form, statement = searched_statement(co_owner, request.GET, today=timezone.localdate())
    response = HttpResponse(render_statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{statement_filename(statement)}"'
    response["Cache-Control"] = "private, no-store"
    record(
        action="ledger.statement.printed",
        request=request,
        target=co_owner,
        data={"start": statement.start.isoformat(), "end": statement.end.isoformat()},
    )
    return response


@require_POST
@staff_required(can=Can.ANSWER_REQUESTS)
def co_owner_statement_email(request: HttpRequest, pk: int) -> HttpResponse:
    co_owner = co_owner_for(request, pk)
    form = StatementPeriodForm(request.POST)
    url = reverse("backoffice:co_owner_statement", args=[co_owner.pk])
    if not form.is_valid():
        messages.error(request, _("Période du relevé invalide."))
        return redirect(url)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    statement = statement_for(co_owner, start, end)
    try:
        message = send_statement(statement=statement, actor=request.user, request=request)
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Relevé du %(start)s au %(end)s envoyé à %(email)s (PDF joint).")
            % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}", "email": message.recipient},
        )
    return redirect(f"{url}?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}")


# --- Notes ----------------------------------------------------------------------------------------


@require_POST
@staff_required(can=Can.EDIT_FILES)
def co_owner_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    co_owner = co_owner_for(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            add_note(
                condominium=co_owner.condominium,
                co_owner=co_owner,
                text=form.cleaned_data["text"],
                author=_staff(request),
                request=request,
            )
        except NoteError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Note ajoutée."))
    else:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect("backoffice:co_owner_notes", pk=co_owner.pk)


@require_POST
@staff_required(can=Can.EDIT_FILES)
def co_owner_note_strike(request: HttpRequest, pk: int) -> HttpResponse:
    co_owner = co_owner_for(request, pk)
    note_id = request.POST.get("note", "")
    note = get_object_or_404(Note, pk=int(note_id) if note_id.isdigit() else 0, co_owner=co_owner)
    try:
        strike_note(note=note, actor=_staff(request), request=request)
    except NoteError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Note barrée : elle reste visible dans l'historique."))
    return redirect("backoffice:co_owner_notes", pk=co_owner.pk)


# --- Cheque deposit -------------------------------------------------------------------------------


def _deposit_page(
    request: HttpRequest, co_owner: CoOwner, form: DepositForm, formset: Any, *, status: int = 200
) -> HttpResponse:
    return render_section(
        request, co_owner, "co_owner_transfers", "cheque_deposit.html", status=status, form=form, formset=formset
    )


@staff_required(can=Can.KEEP_BOOKS)
def co_owner_cheque_deposit(request: HttpRequest, pk: int) -> HttpResponse:
    """A deposit slip with several cheques (this co-owner's first, others' of the same condominium)."""
    co_owner = co_owner_for(request, pk)
    condominium = co_owner.condominium
    journals = bank_journals(condominium)
    if request.method != "POST":
        form = DepositForm(journals=journals, initial={"deposit_date": timezone.localdate()})
        formset = ChequeFormSet(
            initial=[{"reference": co_owner.reference_display, "drawer_name": co_owner.display_name}],
            prefix="cheques",
        )
        return _deposit_page(request, co_owner, form, formset)
    form = DepositForm(request.POST, journals=journals)
    formset = ChequeFormSet(request.POST, prefix="cheques")
    if not (form.is_valid() and formset.is_valid()):
        return _deposit_page(request, co_owner, form, formset, status=400)
    found = resolve_references(condominium, formset)
    rows = [row for row in formset.forms if not row.is_blank()]
    if any(row.errors for row in formset.forms):
        return _deposit_page(request, co_owner, form, formset, status=400)
    cheques = [
        ChequeDraft(
            co_owner=found[row.cleaned_data["reference"]],
            drawer_name=row.cleaned_data["drawer_name"],
            bank_name=row.cleaned_data["bank_name"],
            number=row.cleaned_data["number"],
            amount=row.cleaned_data["amount"],
        )
        for row in rows
    ]
    try:
        deposit = record_cheque_deposit(
            condominium=condominium,
            journal=form.cleaned_data["journal"],
            deposit_date=form.cleaned_data["deposit_date"],
            slip_number=form.cleaned_data["slip_number"],
            cheques=cheques,
            actor=request.user,
            request=request,
        )
    except (ChequeDepositError, LedgerError) as error:
        form.add_error(None, str(error))
        return _deposit_page(request, co_owner, form, formset, status=400)
    messages.success(
        request,
        _("Remise n° %(slip)s enregistrée : %(count)d chèque(s), %(total)s, écriture %(entry)s.")
        % {
            "slip": deposit.slip_number,
            "count": len(cheques),
            "total": format_amount(deposit.total),
            "entry": deposit.entry.code,
        },
    )
    return redirect("backoffice:co_owner_transfers", pk=co_owner.pk)


# --- Adjustment -----------------------------------------------------------------------------------


def _adjustment_form(co_owner: CoOwner, data: Any = None) -> AdjustmentForm:
    keys = [
        (pk, f"{code} {label}")
        for pk, code, label in AllocationKey.objects.filter(condominium_id=co_owner.condominium_id)
        .order_by("code")
        .values_list("pk", "code", "label")
    ]
    return AdjustmentForm(
        data,
        sub_accounts=sub_accounts(co_owner.condominium_id),
        counterparts=counterpart_accounts(co_owner.condominium_id),
        keys=keys,
        initial={"date": timezone.localdate(), "side": Side.CREDIT.value, "sub_account": "4501"},
    )


@staff_required(can=Can.KEEP_BOOKS)
def co_owner_adjustment(request: HttpRequest, pk: int) -> HttpResponse:
    """A reasoned OD entry on the co-owner's account (counterpart from an allowed list)."""
    co_owner = co_owner_for(request, pk)
    form = _adjustment_form(co_owner, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                entry = record_adjustment(
                    co_owner=co_owner,
                    date=data["date"],
                    amount=data["amount"],
                    side=Side(data["side"]),
                    counterpart=data["counterpart"],
                    sub_account=data["sub_account"],
                    key_id=data["key"],
                    label=data["label"],
                    reason=data["reason"],
                    actor=request.user,
                    request=request,
                )
        except LedgerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Régularisation enregistrée : écriture %(code)s.") % {"code": entry.code})
            return redirect("backoffice:co_owner_statement", pk=co_owner.pk)
    status = 400 if request.method == "POST" else 200
    return render_section(request, co_owner, "co_owner_statement", "adjustment.html", status=status, form=form)
