"""Forms of the co-owner file: identity, statement e-mail, note, cheque deposit slip, adjustment."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.money import AmountError, parse_amount
from tantieme.core.references import InvalidReferenceError, parse_reference
from tantieme.ledger.adjustments import Side
from tantieme.ledger.models import Account, Journal
from tantieme.notes.models import NOTE_MAX_LENGTH

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
CHEQUE_ROWS = 8


class IdentityForm(forms.ModelForm[CoOwner]):
    class Meta:
        model = CoOwner
        fields = (
            "person_kind",
            "civility",
            "last_name",
            "first_name",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
            "phone",
            "e_notification_consent",
        )
        widgets = {"country": forms.TextInput(attrs={"size": 2, "autocomplete": "country"})}


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Nouvelle note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE_MAX_LENGTH
    )


def _amount(text: str) -> Decimal:
    try:
        return parse_amount(text)
    except AmountError as error:
        raise forms.ValidationError(str(error)) from None


class ChequeRowForm(forms.Form):
    """One cheque of the slip; a row left empty is skipped."""

    reference = forms.CharField(label=_("Référence copropriétaire"), max_length=20, required=False)
    drawer_name = forms.CharField(label=_("Tireur"), max_length=140, required=False)
    bank_name = forms.CharField(label=_("Banque"), max_length=100, required=False)
    number = forms.CharField(label=_("N° de chèque"), max_length=20, required=False)
    amount = forms.CharField(label=_("Montant"), max_length=20, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(str(data.get(name, "")).strip() for name in self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(str(value).strip() for value in data.values()):
            return data
        if not str(data.get("reference", "")).strip():
            self.add_error("reference", _("Indiquez la référence du copropriétaire."))
        else:
            try:
                data["reference"] = parse_reference(data["reference"])
            except InvalidReferenceError as error:
                self.add_error("reference", str(error))
        if not str(data.get("amount", "")).strip():
            self.add_error("amount", _("Indiquez le montant."))
        else:
            try:
                data["amount"] = _amount(data["amount"])
            except forms.ValidationError as error:
                self.add_error("amount", error)
        return data


ChequeFormSet = forms.formset_factory(ChequeRowForm, extra=CHEQUE_ROWS, max_num=200, absolute_max=200)


class BankJournalField(forms.ModelChoiceField[Journal]):
    def label_from_instance(self, obj: Journal) -> str:
        number = obj.bank_account.number if obj.bank_account else ""
        return f"{obj.code} — {number} {obj.label}"


class DepositForm(forms.Form):
    deposit_date = forms.DateField(label=_("Date de remise"), widget=DATE_INPUT, input_formats=DATE_FORMATS)
    journal = BankJournalField(label=_("Compte bancaire"), queryset=Journal.all_firms.none())
    slip_number = forms.CharField(label=_("N° du bordereau"), max_length=30)

    def __init__(self, *args: Any, journals: list[Journal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["journal"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Journal.objects.filter(pk__in=[journal.pk for journal in journals]).select_related(
            "bank_account"
        )
        if len(journals) == 1:
            field.initial = journals[0].pk


def resolve_references(condominium: Condominium, formset: Any) -> dict[str, CoOwner]:
    """The co-owners named by the slip's rows, in one query; unknown references become row errors."""
    references = {
        row.cleaned_data["reference"]
        for row in formset.forms
        if not row.is_blank() and isinstance(row.cleaned_data.get("reference"), str)
    }
    found = {
        co_owner.reference: co_owner
        for co_owner in CoOwner.objects.filter(condominium=condominium, reference__in=references)
    }
    for row in formset.forms:
        reference = row.cleaned_data.get("reference") if not row.is_blank() else None
        if reference and reference not in found:
            row.add_error(
                "reference", _("Aucun copropriétaire %(reference)s dans cette copropriété.") % {"reference": reference}
            )
    return found


class AdjustmentForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT, input_formats=DATE_FORMATS)
    side = forms.ChoiceField(
        label=_("Sens"),
        choices=[
            (Side.DEBIT.value, _("Débiter le copropriétaire (il doit davantage)")),
            (Side.CREDIT.value, _("Créditer le copropriétaire (il doit moins)")),
        ],
        widget=forms.RadioSelect,
    )
    amount = forms.CharField(label=_("Montant"), max_length=20)
    sub_account = forms.ChoiceField(label=_("Sous-compte du copropriétaire"))
    counterpart = forms.ChoiceField(label=_("Contrepartie"))
    key = forms.ChoiceField(
        label=_("Clé de répartition"),
        required=False,
        help_text=_("Obligatoire pour une charge (classe 6) : elle sera répartie à la clôture."),
    )
    label = forms.CharField(label=_("Libellé"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("Motif"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Conservé sur l'écriture : pourquoi cette régularisation est passée."),
    )

    def __init__(
        self,
        *args: Any,
        sub_accounts: list[Account],
        counterparts: list[Account],
        keys: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sub_account"].choices = [(a.number, f"{a.number} {a.label}") for a in sub_accounts]  # type: ignore[attr-defined]
        self.fields["counterpart"].choices = [(a.number, f"{a.number} {a.label}") for a in counterparts]  # type: ignore[attr-defined]
        self.fields["key"].choices = [("", "—"), *[(str(pk), label) for pk, label in keys]]  # type: ignore[attr-defined]

    def clean_amount(self) -> Decimal:
        return _amount(self.cleaned_data["amount"])

    def clean_key(self) -> int | None:
        value = self.cleaned_data.get("key") or ""
        return int(value) if value else None


class StatementPeriodForm(forms.Form):
    """The period of the statement to e-mail (hidden fields of the statement page)."""

    start = forms.DateField(input_formats=DATE_FORMATS)
    end = forms.DateField(input_formats=DATE_FORMATS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
            raise forms.ValidationError(_("La date de fin précède la date de début."))
        return data
