"""Forms: the back office's publication form (several files at once) and the list filters."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.references import InvalidReferenceError, format_reference, parse_reference
from tantieme.documents.enums import Audience, DocumentCategory, allowed_audiences
from tantieme.documents.exceptions import UploadRefused
from tantieme.documents.validators import check_upload, max_upload_size

MAX_FILES_PER_PUBLICATION = 50
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field taking several files; `clean` returns a list of them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single_clean = super().clean
        if isinstance(data, list | tuple):
            if not data:
                return [single_clean(None, initial)]
            return [single_clean(item, initial) for item in data]
        return [single_clean(data, initial)]


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content: bytes


DATALIST_SIZE = 40  # a condominium with more co-owners gets a plain text input (no list)


class ReferenceInput(forms.TextInput):
    """A text input for a co-owner reference, with a `<datalist>` of suggestions when one is given."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", "size": 14, **(attrs or {})})
        self.suggestions: list[tuple[str, str]] = []

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        if not self.suggestions:
            return super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id') or 'id_' + name}_choices"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}">{}</option>', self.suggestions)
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


class CoOwnerReferenceField(forms.CharField):
    """A co-owner of one condominium, typed as his reference in any spacing (« a 606 0001 »,
    « A-606-0001 »). It replaces a `<select>` of every co-owner, which a condominium of 15,000
    co-owners made seconds long to render; the form sets `condominium` before validation."""

    widget = ReferenceInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", gettext_lazy("La référence du copropriétaire, par exemple A 606 0001."))
        super().__init__(*args, **kwargs)
        self.condominium: Condominium | None = None

    def set_condominium(self, condominium: Condominium) -> None:
        """Scope the field to `condominium`; a small condominium gets its co-owners as suggestions."""
        self.condominium = condominium
        co_owners = list(
            CoOwner.objects.filter(condominium=condominium)
            .order_by("reference")
            .only("pk", "reference", "civility", "last_name", "first_name")[: DATALIST_SIZE + 1]
        )
        if len(co_owners) <= DATALIST_SIZE:
            assert isinstance(self.widget, ReferenceInput)
            self.widget.suggestions = [(format_reference(c.reference), c.display_name) for c in co_owners]

    def clean(self, value: Any) -> CoOwner | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            reference = parse_reference(text)
        except InvalidReferenceError as error:
            raise forms.ValidationError(str(error), code="invalid") from error
        assert self.condominium is not None, "set_condominium() before validation"
        # Scoped to the condominium (and, by the manager, to the firm): another one's reference is unknown here.
        co_owner = CoOwner.objects.filter(condominium=self.condominium, reference=reference).first()
        if co_owner is None:
            raise forms.ValidationError(
                _("« %(reference)s » n'est pas un copropriétaire de la copropriété %(code)s.")
                % {"reference": format_reference(reference), "code": self.condominium.code},
                code="unknown",
            )
        return co_owner

    def prepare_value(self, value: Any) -> Any:
        return format_reference(value.reference) if isinstance(value, CoOwner) else value


class PublishForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Catégorie"), choices=DocumentCategory.choices)
    audience = forms.ChoiceField(
        label=gettext_lazy("Destinataires"), choices=Audience.choices, widget=forms.RadioSelect
    )
    co_owner = CoOwnerReferenceField(
        label=gettext_lazy("Copropriétaire destinataire"),
        required=False,
        help_text=gettext_lazy(
            "Seulement pour un document personnel (« Un copropriétaire ») : sa référence, par exemple A 606 0001."
        ),
    )
    title = forms.CharField(
        label=gettext_lazy("Titre"),
        max_length=150,
        required=False,
        help_text=gettext_lazy(
            "Laissé vide, le titre est le nom du fichier. "
            "Avec plusieurs fichiers, le nom de chacun est ajouté au titre."
        ),
    )
    document_date = forms.DateField(
        label=gettext_lazy("Date du document"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    year = forms.IntegerField(
        label=gettext_lazy("Année"),
        required=False,
        min_value=1950,
        max_value=2100,
        help_text=gettext_lazy("Par défaut, l'année de la date du document (indiquez l'exercice ou l'année de l'AG)."),
    )
    uploads = MultipleFileField(label=gettext_lazy("Fichiers"))

    def __init__(self, *args: Any, condominium: Condominium, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"document_date": timezone.localdate(), "audience": Audience.CONDOMINIUM})
        super().__init__(*args, **kwargs)
        self.condominium = condominium
        field = self.fields["co_owner"]
        assert isinstance(field, CoOwnerReferenceField)
        field.set_condominium(condominium)
        self.fields["uploads"].help_text = _(
            "PDF, JPEG ou PNG, %(size)d Mo au plus par fichier ; plusieurs fichiers possibles "
            "(même catégorie et mêmes destinataires)."
        ) % {"size": max_upload_size() // (1024 * 1024)}
        self.checked_files: list[CheckedFile] = []

    def clean_uploads(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["uploads"]
        if len(files) > MAX_FILES_PER_PUBLICATION:
            raise forms.ValidationError(
                _("Au plus %(count)d fichiers à la fois.") % {"count": MAX_FILES_PER_PUBLICATION}
            )
        errors: list[str] = []
        checked: list[CheckedFile] = []
        limit = max_upload_size()
        for upload in files:
            name = upload.name or "document"
            try:
                if (upload.size or 0) > limit:
                    check_upload(content=b"", filename=name, size=upload.size)
                upload.seek(0)
                content = upload.read(limit + 1)
                check_upload(content=content, filename=name)
            except UploadRefused as refusal:
                errors.append(str(refusal))
                continue
            checked.append(CheckedFile(filename=name, content=content))
        if errors:
            raise forms.ValidationError(errors)
        self.checked_files = checked
        return files

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        category, audience, co_owner = cleaned.get("category"), cleaned.get("audience"), cleaned.get("co_owner")
        if category and audience and audience not in allowed_audiences(category):
            allowed = ", ".join(str(Audience(value).label) for value in allowed_audiences(category))
            self.add_error(
                "audience",
                _("Pour cette catégorie, les destinataires possibles sont : %(allowed)s.") % {"allowed": allowed},
            )
        if audience == Audience.CO_OWNER and co_owner is None:
            self.add_error("co_owner", _("Choisissez le copropriétaire destinataire."))
        if audience and audience != Audience.CO_OWNER and co_owner is not None:
            self.add_error(
                "co_owner",
                _("Un copropriétaire ne se choisit que si les destinataires sont « Un copropriétaire »."),
            )
        return cleaned

    def titles(self) -> list[str]:
        """One title per file: the given title, completed with the file's name when there are several."""
        title = (self.cleaned_data.get("title") or "").strip()
        stems = [
            file.filename.rsplit(".", 1)[0].replace("_", " ").strip() or file.filename for file in self.checked_files
        ]
        if not title:
            return stems
        if len(self.checked_files) == 1:
            return [title]
        return [f"{title} — {stem}" for stem in stems]


def _choices(values: Iterable[Any], labels: dict[Any, str] | None = None) -> list[tuple[str, str]]:
    return [(str(value), (labels or {}).get(value, str(value))) for value in values]


class DocumentFilterForm(forms.Form):
    """Portal filters: only the categories and years the user has documents in."""

    categorie = forms.ChoiceField(label=gettext_lazy("Catégorie"), required=False)
    annee = forms.TypedChoiceField(label=gettext_lazy("Année"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, categories: Sequence[str], years: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {value: str(label) for value, label in DocumentCategory.choices}
        ordered = [value for value in DocumentCategory.values if value in set(categories)]
        category_field = self.fields["categorie"]
        year_field = self.fields["annee"]
        assert isinstance(category_field, forms.ChoiceField)
        assert isinstance(year_field, forms.ChoiceField)
        category_field.choices = [("", _("Toutes les catégories")), *_choices(ordered, labels)]
        year_field.choices = [("", _("Toutes les années")), *_choices(sorted(set(years), reverse=True))]

    def filters(self) -> tuple[str | None, int | None]:
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("categorie") or None, self.cleaned_data.get("annee") or None


class BackofficeFilterForm(forms.Form):
    categorie = forms.ChoiceField(label=gettext_lazy("Catégorie"), required=False)
    destinataires = forms.ChoiceField(label=gettext_lazy("Destinataires"), required=False)
    annee = forms.IntegerField(label=gettext_lazy("Année"), required=False, min_value=1950, max_value=2100)
    coproprietaire = CoOwnerReferenceField(label=gettext_lazy("Copropriétaire (référence)"), required=False)
    archives = forms.BooleanField(label=gettext_lazy("Afficher aussi les documents archivés"), required=False)

    def __init__(self, *args: Any, condominium: Condominium, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category_field = self.fields["categorie"]
        audience_field = self.fields["destinataires"]
        co_owner_field = self.fields["coproprietaire"]
        assert isinstance(category_field, forms.ChoiceField)
        assert isinstance(audience_field, forms.ChoiceField)
        assert isinstance(co_owner_field, CoOwnerReferenceField)
        category_field.choices = [("", _("Toutes")), *DocumentCategory.choices]
        audience_field.choices = [("", _("Tous")), *Audience.choices]
        co_owner_field.set_condominium(condominium)


class CouncilMemberForm(forms.Form):
    co_owner = CoOwnerReferenceField(label=gettext_lazy("Copropriétaire"))
    start_date = forms.DateField(
        label=gettext_lazy("Début du mandat"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, condominium: Condominium, today: datetime.date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start_date": today})
        super().__init__(*args, **kwargs)
        field = self.fields["co_owner"]
        assert isinstance(field, CoOwnerReferenceField)
        field.set_condominium(condominium)
