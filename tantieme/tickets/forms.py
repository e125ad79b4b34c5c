"""Forms of the requests pages (portal and back office)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tantieme.tickets.enums import TicketCategory, TicketStatus
from tantieme.tickets.validators import MAX_ATTACHMENTS, CheckedFile, check_attachments


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; each checked from its content (PDF, JPEG, PNG; 10 MB)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Pièces jointes"))
        kwargs.setdefault(
            "help_text",
            _("PDF, JPEG ou PNG, 10 Mo au plus par fichier, %(count)d fichiers au plus.") % {"count": MAX_ATTACHMENTS},
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png")

    def clean(self, data: Any, initial: Any = None) -> list[CheckedFile]:
        uploads: list[UploadedFile] = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        return check_attachments(uploads)


class _MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)
    attachments = AttachmentsField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = _("Écrivez votre message.")

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Écrivez votre message."))
        return body


class NewTicketForm(_MessageForm):
    category = forms.ChoiceField(label=_("Catégorie"), choices=TicketCategory.choices)
    subject = forms.CharField(label=_("Objet"), max_length=200)

    field_order = ["account", "category", "subject", "body", "attachments"]

    def __init__(self, *args: Any, accounts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(accounts) > 1:
            self.fields["account"] = forms.TypedChoiceField(
                label=_("Compte concerné"),
                coerce=int,
                choices=[
                    (account.pk, f"{account.condominium.name} — {account.reference_display}") for account in accounts
                ],
            )
            self.order_fields(self.field_order)


class ReplyForm(_MessageForm):
    body = forms.CharField(label=_("Votre réponse"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000)


class NoteForm(_MessageForm):
    body = forms.CharField(label=_("Note interne"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=TicketStatus.choices)


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Suivie par"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Personne")), *((user.pk, str(user)) for user in staff)]  # type: ignore[attr-defined]
