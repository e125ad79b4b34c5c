"""Back office « Réglages du paiement par carte »: which provider collects each condominium's card payments.

The firm's setting applies to every condominium; a condominium may have its own (its own bank
account, hence its own shop and keys). Firm administrators only (`Can.FIRM_SETTINGS`). Secrets are write-only: the page
says which ones are stored, never their value, and a blank field keeps the stored one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tantieme.backoffice.policy import Can, condominiums_for_staff
from tantieme.backoffice.views import staff_required, staff_user
from tantieme.condominiums.models import Condominium
from tantieme.payments.enums import PaymentMode, ProviderKind
from tantieme.payments.exceptions import PaymentError
from tantieme.payments.models import DEFAULT_MAX_AMOUNT, PaymentProviderConfig
from tantieme.payments.services import CREDENTIAL_NAMES, save_provider_config

FIRM_SCOPE = "cabinet"
CREDENTIAL_LABELS = {
    "test_key": gettext_lazy("Clé de test (Lyra)"),
    "production_key": gettext_lazy("Clé de production (Lyra)"),
    "rest_password_test": gettext_lazy("Mot de passe API REST de test (Lyra, remboursements)"),
    "rest_password_production": gettext_lazy("Mot de passe API REST de production (Lyra, remboursements)"),
    "secret_key": gettext_lazy("Clé secrète (Stripe)"),
    "webhook_secret": gettext_lazy("Secret de signature des webhooks (Stripe)"),
}


class ProviderConfigForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Pour"))
    provider = forms.ChoiceField(label=gettext_lazy("Prestataire"))
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), choices=PaymentMode.choices)
    shop_id = forms.CharField(label=gettext_lazy("Identifiant boutique"), max_length=64, required=False)
    endpoint = forms.URLField(
        label=gettext_lazy("Adresse de la page de paiement"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("Vide : l'adresse par défaut du prestataire."),
    )
    max_amount = forms.DecimalField(
        label=gettext_lazy("Montant maximal d'un paiement (€)"), min_value=Decimal("1"), decimal_places=2
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Proposer le paiement par carte"),
        required=False,
        help_text=gettext_lazy("Décoché pour une copropriété : le réglage du cabinet s'applique."),
    )

    def __init__(self, *args: Any, condominiums: list[Condominium], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [  # type: ignore[attr-defined]
            (FIRM_SCOPE, _("Le cabinet (toutes les copropriétés)")),
            *((str(condominium.pk), f"{condominium.code} {condominium.name}") for condominium in condominiums),
        ]
        providers = [(value, label) for value, label in ProviderKind.choices]
        if settings.IS_PRODUCTION:  # the test bank never collects real money
            providers = [(value, label) for value, label in providers if value != ProviderKind.SANDBOX]
        self.fields["provider"].choices = providers  # type: ignore[attr-defined]
        for name, label in CREDENTIAL_LABELS.items():
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=500,
                strip=True,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                help_text=_("Laisser vide pour garder la valeur enregistrée."),
            )

    def credentials(self) -> dict[str, str]:
        """The secrets typed in for the chosen provider (blank ones are left out: the stored value stays)."""
        names = CREDENTIAL_NAMES.get(self.cleaned_data["provider"], ())
        return {name: self.cleaned_data[name] for name in names if self.cleaned_data.get(name)}


def _rows(configs: list[PaymentProviderConfig]) -> list[dict[str, Any]]:
    return [
        {
            "config": config,
            "scope": str(config.condominium_id or FIRM_SCOPE),
            "stored": [CREDENTIAL_LABELS.get(name, name) for name in sorted(config.credentials)],
        }
        for config in configs
    ]


def _initial(config: PaymentProviderConfig | None, scope: str) -> dict[str, Any]:
    if config is None:
        return {"scope": scope, "mode": PaymentMode.TEST, "max_amount": DEFAULT_MAX_AMOUNT, "is_active": True}
    return {
        "scope": scope,
        "provider": config.provider,
        "mode": config.mode,
        "shop_id": config.shop_id,
        "endpoint": config.endpoint,
        "max_amount": config.max_amount,
        "is_active": config.is_active,
    }


@staff_required(can=Can.FIRM_SETTINGS)
def payment_settings(request: HttpRequest) -> HttpResponse:
    condominiums = condominiums_for_staff(staff_user(request))
    by_pk = {str(condominium.pk): condominium for condominium in condominiums}
    configs = list(
        (
            PaymentProviderConfig.objects.filter(condominium__isnull=True)
            | PaymentProviderConfig.objects.filter(condominium__in=condominiums)
        ).select_related("condominium")
    )
    configs.sort(key=lambda config: (config.condominium_id is not None, config.condominium_id or 0))
    if request.method == "POST":
        form = ProviderConfigForm(request.POST, condominiums=condominiums)
        if form.is_valid():
            scope = form.cleaned_data["scope"]
            try:
                save_provider_config(
                    firm=request.firm,  # type: ignore[attr-defined]
                    condominium=by_pk.get(scope),
                    provider=form.cleaned_data["provider"],
                    mode=form.cleaned_data["mode"],
                    shop_id=form.cleaned_data["shop_id"].strip(),
                    endpoint=form.cleaned_data["endpoint"],
                    max_amount=form.cleaned_data["max_amount"],
                    is_active=form.cleaned_data["is_active"],
                    credentials=form.credentials(),
                    keep_credentials=True,
                    actor=request.user,
                )
            except PaymentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Réglage du paiement par carte enregistré."))
                return redirect("backoffice:payment_settings")
    else:
        scope = request.GET.get("pour", FIRM_SCOPE)
        scope = scope if scope in by_pk else FIRM_SCOPE
        current = next((config for config in configs if str(config.condominium_id or FIRM_SCOPE) == scope), None)
        form = ProviderConfigForm(initial=_initial(current, scope), condominiums=condominiums)
    return render(
        request,
        "backoffice/payment_settings.html",
        {"form": form, "rows": _rows(configs), "menu": "payments", "credential_names": list(CREDENTIAL_LABELS)},
    )
