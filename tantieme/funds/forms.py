"""Back-office forms of calls for funds: budget, budget lines, works fund, works operation, period."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tantieme.condominiums.models import AllocationKey
from tantieme.funds.computation import normalize_period
from tantieme.funds.enums import Frequency
from tantieme.funds.exceptions import CallError
from tantieme.funds.services import InstalmentData, LineData

MAX_UPLOAD = 2 * 1024 * 1024
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BudgetForm(forms.Form):
    start_date = forms.DateField(label=gettext_lazy("Début de l'exercice"), widget=DATE)
    general_meeting_date = forms.DateField(label=gettext_lazy("Date de l'assemblée générale"), widget=DATE)
    frequency = forms.ChoiceField(
        label=gettext_lazy("Périodicité des appels"), choices=Frequency.choices, initial=Frequency.QUARTERLY
    )
    works_fund_amount = forms.DecimalField(
        label=gettext_lazy("Fonds de travaux annuel"), max_digits=14, decimal_places=2, min_value=0, initial=0
    )
    works_plan_amount = forms.DecimalField(
        label=gettext_lazy("Travaux du plan pluriannuel adopté (total)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    works_fund_reason = forms.CharField(
        label=gettext_lazy("Motif d'un fonds inférieur au minimum légal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Minimum : 5 % du budget, ou 2,5 % des travaux du PPT adopté (art. 14-2-1)."),
    )
    file = forms.FileField(
        label=gettext_lazy("Ou importer les lignes (CSV ou XLSX : cle ; compte ; libelle ; montant)"),
        required=False,
    )

    def clean_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        if upload is None:
            return None
        if Path(upload.name or "").suffix.lower() not in {".csv", ".xlsx"}:
            raise ValidationError(_("Déposez un fichier .csv ou .xlsx."))
        if (upload.size or 0) > MAX_UPLOAD:
            raise ValidationError(_("Le fichier dépasse 2 Mo."))
        return upload


class AmountLineForm(forms.Form):
    key = forms.ModelChoiceField(label=gettext_lazy("Clé"), queryset=AllocationKey.all_firms.none(), required=False)
    account = forms.CharField(label=gettext_lazy("Compte"), max_length=10, required=False)
    label = forms.CharField(label=gettext_lazy("Libellé"), max_length=150, required=False)
    amount = forms.DecimalField(label=gettext_lazy("Montant"), max_digits=14, decimal_places=2, required=False)

    def __init__(self, *args: Any, keys: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if keys is not None:
            self.fields["key"].queryset = keys  # type: ignore[attr-defined]


AmountLineFormSet = forms.formset_factory(AmountLineForm, extra=8, max_num=60)


def lines_from(formset: Any) -> list[LineData]:
    lines = []
    for data in formset.cleaned_data:
        if data.get("key") and data.get("account") and data.get("amount") is not None:
            lines.append(
                LineData(
                    key_code=data["key"].code,
                    account=data["account"],
                    amount=Decimal(data["amount"]).quantize(Decimal("0.01")),
                    label=data.get("label", ""),
                )
            )
    return lines


class WorksFundForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Fonds de travaux annuel"), max_digits=14, decimal_places=2, min_value=0
    )
    works_plan_amount = forms.DecimalField(
        label=gettext_lazy("Travaux du plan pluriannuel adopté (total)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif d'un fonds inférieur au minimum légal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WorksOperationForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20)
    label = forms.CharField(label=gettext_lazy("Objet des travaux"), max_length=200)
    general_meeting_date = forms.DateField(label=gettext_lazy("Date de l'assemblée générale"), widget=DATE)


class InstalmentForm(forms.Form):
    due_date = forms.DateField(label=gettext_lazy("Date d'exigibilité"), widget=DATE, required=False)
    weight = forms.IntegerField(label=gettext_lazy("Part (%)"), min_value=1, required=False)


InstalmentFormSet = forms.formset_factory(InstalmentForm, extra=4, max_num=24)


def instalments_from(formset: Any) -> list[InstalmentData]:
    return [
        InstalmentData(due_date=data["due_date"], weight=data["weight"])
        for data in formset.cleaned_data
        if data.get("due_date") and data.get("weight")
    ]


class PeriodForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Période"), max_length=10, help_text=gettext_lazy("2026-Q2 (trimestre), 2026-S1, 2026-04")
    )

    def clean_period(self) -> str:
        try:
            return normalize_period(self.cleaned_data["period"])
        except CallError as error:
            raise ValidationError(str(error)) from None


def key_choices(keys: Sequence[AllocationKey]) -> list[tuple[int, str]]:
    return [(key.pk, f"{key.code} — {key.label}") for key in keys]
