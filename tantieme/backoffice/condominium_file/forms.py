"""Forms of the condominium file: they read the input; the rules are `condominiums.editing`'s."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums import editing
from tantieme.condominiums.models import AllocationKey, Building, Condominium, Lot, SyndicContact

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _ModelFieldsForm(forms.Form):
    """A plain form with the model's fields (labels, lengths, validators), never touching an instance:
    the service compares the stored values with the new ones for the audit trail."""

    model: type[Any]
    field_names: tuple[str, ...]

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: _initial(instance, name) for name in self.field_names}
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(self.model, fields=list(self.field_names)))


def _initial(instance: Any, name: str) -> Any:
    value = getattr(instance, name)
    return value.pk if hasattr(value, "pk") else value


class IdentityForm(_ModelFieldsForm):
    model = Condominium
    field_names = editing.IDENTITY_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read with spaces as printed; the service normalises them (as the import does).
        for name in ("iban", "registry_number"):
            field = self.fields[name]
            assert isinstance(field, forms.CharField)
            field.validators = []
            field.max_length = 50
            field.widget.attrs["maxlength"] = "50"
        self.fields["bic"].validators = []


class BuildingForm(_ModelFieldsForm):
    model = Building
    field_names = editing.BUILDING_FIELDS


class LotForm(_ModelFieldsForm):
    model = Lot
    field_names = editing.LOT_FIELDS

    def __init__(self, *args: Any, condominium: Condominium, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        building = self.fields["building"]
        assert isinstance(building, forms.ModelChoiceField)
        building.queryset = Building.objects.filter(condominium=condominium).order_by("code")


class KeyForm(_ModelFieldsForm):
    model = AllocationKey
    field_names = editing.KEY_FIELDS


class ContactForm(_ModelFieldsForm):
    model = SyndicContact
    field_names = editing.CONTACT_FIELDS


class CouncilSeatForm(forms.Form):
    """A co-owner named by reference (a condominium may have thousands: no drop-down)."""

    reference = forms.CharField(
        label=_("Référence du copropriétaire"), max_length=20, help_text=_("Par exemple A 606 0001.")
    )
    start_date = forms.DateField(label=_("Début du mandat"), widget=DATE_INPUT, input_formats=["%Y-%m-%d", "%d/%m/%Y"])


class CoOwnerFilterForm(forms.Form):
    debtors = forms.BooleanField(label=_("Débiteurs seulement"), required=False)
    q = forms.CharField(label=_("Nom ou référence"), required=False, max_length=100)


class LotFilterForm(forms.Form):
    building = forms.ModelChoiceField(
        label=_("Bâtiment"), queryset=Building.all_firms.none(), required=False, empty_label=_("Tous")
    )
    number = forms.IntegerField(label=_("Numéro de lot"), required=False, min_value=1)

    def __init__(self, *args: Any, condominium: Condominium, buildings: list[Building], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["building"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Building.objects.filter(condominium=condominium).order_by("code")
        # The page already holds the buildings: the choices come from them, not from another query.
        field.choices = [
            ("", _("Tous")),
            *((building.pk, f"{building.code} {building.name}") for building in buildings),
        ]


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Code, nom ou ville"), required=False, max_length=100)
