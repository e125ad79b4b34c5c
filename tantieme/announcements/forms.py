from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AnnouncementForm(forms.Form):
    condominium = forms.TypedChoiceField(label=_("Copropriété"), coerce=int)
    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(label=_("Texte"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    send_email = forms.BooleanField(
        label=_("Envoyer aussi par e-mail"),
        required=False,
        help_text=_("Aux seuls copropriétaires qui ont accepté les notifications électroniques et donné une adresse."),
    )

    def __init__(self, *args: Any, condominiums: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["condominium"].choices = [(c.pk, str(c)) for c in condominiums]  # type: ignore[attr-defined]
