"""Forms of the expenses back office. Amounts are typed the French way (« 1 210,77 »)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.models import AllocationKey, Condominium
from tantieme.core.money import AmountError, parse_amount
from tantieme.expenses.enums import (
    ContractKind,
    ContractStatus,
    InvoiceKind,
    InvoiceStatus,
    PaymentBlock,
    PaymentMeans,
    SupplierCategory,
    SupplierKind,
    VatRegime,
)
from tantieme.expenses.models import Supplier
from tantieme.funds.models import WorksOperation


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AmountField(forms.CharField):
    """An amount in euros, French or English notation, exact to the cent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_amount(text)
        except AmountError as error:
            raise forms.ValidationError(str(error)) from None


class SupplierForm(forms.Form):
    legal_name = forms.CharField(label=_("Raison sociale"), max_length=140)
    trade_name = forms.CharField(label=_("Enseigne"), max_length=140, required=False)
    kind = forms.ChoiceField(label=_("Forme"), choices=SupplierKind.choices)
    category = forms.ChoiceField(label=_("Catégorie"), choices=SupplierCategory.choices)
    siren = forms.CharField(label=_("SIREN"), max_length=11, required=False, help_text=_("9 chiffres."))
    siret = forms.CharField(label=_("SIRET"), max_length=17, required=False, help_text=_("14 chiffres."))
    vat_number = forms.CharField(label=_("N° de TVA intracommunautaire"), max_length=20, required=False)
    vat_regime = forms.ChoiceField(label=_("Régime de TVA"), choices=VatRegime.choices)
    building_number = forms.CharField(label=_("Numéro"), max_length=16, required=False)
    street = forms.CharField(label=_("Voie"), max_length=140, required=False)
    postal_code = forms.CharField(label=_("Code postal"), max_length=16, required=False)
    town = forms.CharField(label=_("Ville"), max_length=35, required=False)
    country = forms.CharField(label=_("Pays (code ISO)"), max_length=2, initial="FR")
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    payment_terms_days = forms.IntegerField(
        label=_("Délai de paiement (jours)"), min_value=0, max_value=120, initial=30
    )
    payment_means = forms.ChoiceField(label=_("Moyen de paiement"), choices=PaymentMeans.choices)
    linked_to_syndic = forms.BooleanField(label=_("Entreprise liée au syndic (décret 1967, art. 39)"), required=False)
    is_syndic = forms.BooleanField(
        label=_("Le syndic lui-même (code FRN00001, ses factures d'honoraires)"), required=False
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class BankAccountForm(forms.Form):
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False)
    holder_name = forms.CharField(
        label=_("Titulaire du compte"), max_length=70, required=False, help_text=_("Par défaut : la raison sociale.")
    )


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=140)
    role = forms.CharField(label=_("Fonction"), max_length=80, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)


class VerifyForm(forms.Form):
    evidence = forms.CharField(
        label=_("Vérification faite"),
        max_length=500,
        help_text=_("Rappel à un numéro déjà connu (lequel, qui, quand), RIB signé sur papier à en-tête…"),
    )


class SupplierFilterForm(forms.Form):
    q = forms.CharField(label=_("Nom, code ou SIRET"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Catégorie"), required=False, choices=[("", _("Toutes")), *SupplierCategory.choices]
    )


class ContractForm(forms.Form):
    condominium = forms.ModelChoiceField(label=_("Copropriété"), queryset=Condominium.all_firms.none())
    supplier = forms.ModelChoiceField(label=_("Fournisseur"), queryset=Supplier.all_firms.none())
    kind = forms.ChoiceField(label=_("Catégorie"), choices=ContractKind.choices)
    title = forms.CharField(label=_("Objet"), max_length=200)
    reference = forms.CharField(label=_("Référence"), max_length=60, required=False)
    signed_on = forms.DateField(label=_("Signé le"), required=False, widget=_date_input())
    start_date = forms.DateField(label=_("Début"), widget=_date_input())
    end_date = forms.DateField(label=_("Échéance"), required=False, widget=_date_input())
    tacit_renewal = forms.BooleanField(label=_("Reconduction tacite"), required=False)
    renewal_months = forms.IntegerField(label=_("Durée de reconduction (mois)"), min_value=1, max_value=120, initial=12)
    notice_days = forms.IntegerField(label=_("Préavis de résiliation (jours)"), min_value=0, max_value=730, initial=90)
    yearly_amount = AmountField(label=_("Montant annuel TTC"), required=False)
    status = forms.ChoiceField(label=_("État"), choices=ContractStatus.choices, initial=ContractStatus.ACTIVE)
    publish_extranet = forms.BooleanField(
        label=_("Publier sur l'extranet (décret 2019-502)"), required=False, initial=True
    )
    file = forms.FileField(label=_("Contrat signé (PDF)"), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, condominiums: Any, suppliers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["condominium"].queryset = condominiums  # type: ignore[attr-defined]
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]


class ContractFilterForm(forms.Form):
    copropriete = forms.ModelChoiceField(
        label=_("Copropriété"), queryset=Condominium.all_firms.none(), required=False, empty_label=_("Toutes")
    )

    def __init__(self, *args: Any, condominiums: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["copropriete"].queryset = condominiums  # type: ignore[attr-defined]


class InvoiceFilterForm(forms.Form):
    copropriete = forms.ModelChoiceField(
        label=_("Copropriété"), queryset=Condominium.all_firms.none(), required=False, empty_label=_("Toutes")
    )
    statut = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous")), *InvoiceStatus.choices])
    fournisseur = forms.ModelChoiceField(
        label=_("Fournisseur"), queryset=Supplier.all_firms.none(), required=False, empty_label=_("Tous")
    )

    def __init__(self, *args: Any, condominiums: Any, suppliers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["copropriete"].queryset = condominiums  # type: ignore[attr-defined]
        self.fields["fournisseur"].queryset = suppliers  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    condominium = forms.ModelChoiceField(label=_("Copropriété"), queryset=Condominium.all_firms.none())
    file = forms.FileField(
        label=_("Facture (PDF)"),
        required=False,
        help_text=_(
            "Une facture Factur-X préremplit le fournisseur, le numéro, les dates, les montants et les lignes."
        ),
    )

    def __init__(self, *args: Any, condominiums: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["condominium"].queryset = condominiums  # type: ignore[attr-defined]


class InvoiceForm(forms.Form):
    piece = forms.CharField(widget=forms.HiddenInput, required=False)
    supplier = forms.ModelChoiceField(label=_("Fournisseur"), queryset=Supplier.all_firms.none())
    kind = forms.ChoiceField(label=_("Type"), choices=InvoiceKind.choices)
    number = forms.CharField(label=_("Numéro de facture"), max_length=40)
    issue_date = forms.DateField(label=_("Date de facture"), widget=_date_input())
    due_date = forms.DateField(
        label=_("Échéance"), required=False, widget=_date_input(), help_text=_("Par défaut : délai du fournisseur.")
    )
    received_on = forms.DateField(label=_("Reçue le"), required=False, widget=_date_input())
    booking_date = forms.DateField(
        label=_("Date de comptabilisation"),
        required=False,
        widget=_date_input(),
        help_text=_("Par défaut la date de facture, ou la réception si elle arrive après l'arrêté des comptes."),
    )
    label = forms.CharField(label=_("Libellé"), max_length=200, required=False)
    total_ht = AmountField(label=_("Total HT"), required=False)
    total_vat = AmountField(label=_("Total TVA"), required=False)
    total_ttc = AmountField(label=_("Total TTC"))
    payee_iban = forms.CharField(label=_("IBAN indiqué sur la facture"), max_length=42, required=False)
    preceding_number = forms.CharField(label=_("Facture d'origine (avoir)"), max_length=40, required=False)
    ag_resolution = forms.CharField(
        label=_("Résolution d'AG autorisant le contrat"),
        max_length=200,
        required=False,
        help_text=_("Obligatoire pour un fournisseur lié au syndic (décret 1967, art. 39)."),
    )

    def __init__(self, *args: Any, suppliers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]


class LineForm(forms.Form):
    account = forms.CharField(label=_("Compte"), max_length=10, required=False)
    target = forms.ChoiceField(label=_("Clé ou opération"), required=False)
    amount = AmountField(label=_("Montant TTC"), required=False)
    label = forms.CharField(label=_("Libellé"), max_length=200, required=False)

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—"), *targets]  # type: ignore[attr-defined]


def allocation_targets(keys: list[AllocationKey], operations: list[WorksOperation]) -> list[tuple[str, str]]:
    """Choices « key:<id> » and « op:<id> » for a line."""
    return [(f"key:{key.pk}", f"{key.code} — {key.label}") for key in keys] + [
        (f"op:{op.pk}", f"{op.code} — {op.label}") for op in operations
    ]


class RejectForm(forms.Form):
    comment = forms.CharField(label=_("Motif"), max_length=1000)


class BlockForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motif du blocage"),
        choices=[
            (value, label)
            for value, label in PaymentBlock.choices
            if value in (PaymentBlock.DISPUTE, PaymentBlock.RETENTION)
        ],
    )
    comment = forms.CharField(label=_("Commentaire"), max_length=1000, required=False)


class SettingsForm(forms.Form):
    approval_threshold = AmountField(
        label=_("Seuil d'approbation (TTC)"),
        help_text=_("Au-dessus, une facture attend le « bon à payer » d'un gestionnaire. 0 : toutes les factures."),
    )
    council_visa_required = forms.BooleanField(
        label=_("Visa d'un membre du conseil syndical avant paiement (au-dessus du seuil)"), required=False
    )
    invoices_visible_to_co_owners = forms.BooleanField(
        label=_("Factures visibles de tous les copropriétaires sur l'extranet"), required=False
    )
    cutoff_days = forms.IntegerField(
        label=_("Arrêté des comptes (jours après la clôture)"), min_value=0, max_value=120, initial=20
    )


class AccrualForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Fournisseur"), queryset=Supplier.all_firms.none())
    fiscal_year = forms.ChoiceField(label=_("Exercice"))
    account = forms.CharField(label=_("Compte de charges"), max_length=10)
    target = forms.ChoiceField(label=_("Clé ou opération"))
    amount = AmountField(label=_("Montant estimé TTC"))
    label = forms.CharField(label=_("Libellé"), max_length=150)
    justification = forms.CharField(
        label=_("Justificatif"), max_length=200, help_text=_("Devis signé, contrat, relevé de compteur…")
    )

    def __init__(
        self, *args: Any, suppliers: Any, years: list[tuple[str, str]], targets: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]
        self.fields["fiscal_year"].choices = years  # type: ignore[attr-defined]
        self.fields["target"].choices = targets  # type: ignore[attr-defined]
