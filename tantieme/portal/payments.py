"""« Paiement par carte »: amount, confirmation, hand-over to the bank's hosted page, return.

No card data ever reaches these pages: the browser posts the signed form to the provider. The
return page only reads our database (the bank's notification is the source of truth).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tantieme.condominiums.models import CoOwner
from tantieme.condominiums.queries import co_owner_accounts_for_user
from tantieme.core.money import ZERO, AmountError, format_amount, parse_amount
from tantieme.ledger.queries import balance
from tantieme.payments.enums import PaymentState
from tantieme.payments.exceptions import PaymentError
from tantieme.payments.models import Payment
from tantieme.payments.queries import payment_for_user, provider_config_for, receipt_of
from tantieme.payments.services import MIN_AMOUNT, check_amount, form_action_origin, start_payment
from tantieme.portal.owed import owed_figures
from tantieme.portal.views import co_owner_required

RETURN_REFRESH_SECONDS = 3


class AmountForm(forms.Form):
    amount = forms.CharField(
        label=_("Montant du paiement (€)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, ceiling: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ceiling = ceiling
        self.fields["amount"].help_text = _("De %(min)s à %(max)s.") % {
            "min": format_amount(MIN_AMOUNT),
            "max": format_amount(ceiling),
        }

    def clean_amount(self) -> Decimal:
        try:
            amount = parse_amount(self.cleaned_data["amount"])
            return check_amount(amount, self.ceiling)
        except (AmountError, PaymentError) as error:
            raise forms.ValidationError(str(error)) from None


def _account(request: HttpRequest, wanted: str | None) -> tuple[CoOwner, list[CoOwner]]:
    assert request.user.pk is not None
    accounts = list(co_owner_accounts_for_user(request.user.pk).select_related("condominium__firm"))
    if not accounts:
        raise Http404
    if wanted is None or wanted == "":
        return accounts[0], accounts
    for account in accounts:
        if str(account.pk) == wanted:
            return account, accounts
    raise Http404


def _amount_url(account: CoOwner) -> str:
    return f"{reverse('portal:payment_amount')}?compte={account.pk}"


@co_owner_required
@require_http_methods(["GET", "POST"])
def payment_amount(request: HttpRequest) -> HttpResponse:
    account, accounts = _account(request, request.GET.get("compte") or request.POST.get("compte"))
    config = provider_config_for(account.condominium)
    # The same figures as « Accueil » and « Mon compte »; the amount offered is what remains to pay.
    owed = owed_figures([account], timezone.localdate(), balances={account.pk: balance(account)})[account.pk]
    context: dict[str, Any] = {
        "menu": "account",
        "account": account,
        "accounts": accounts,
        "owed": owed,
        "available": config is not None,
    }
    if config is None:
        return render(request, "portal/payment_amount.html", context)
    initial = {"amount": format_amount(owed.remaining, currency=False)} if owed.remaining >= MIN_AMOUNT else {}
    form = AmountForm(request.POST or None, initial=initial, ceiling=config.max_amount)
    if request.method == "POST" and form.is_valid():
        amount: Decimal = form.cleaned_data["amount"]
        return redirect(f"{reverse('portal:payment_confirm')}?compte={account.pk}&montant={amount}")
    context["form"] = form
    return render(request, "portal/payment_amount.html", context)


@co_owner_required
@require_http_methods(["GET", "POST"])
def payment_confirm(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    account, _accounts = _account(request, source.get("compte"))
    config = provider_config_for(account.condominium)
    if config is None:
        return redirect(_amount_url(account))
    try:
        amount = check_amount(parse_amount(source.get("montant", "")), config.max_amount)
    except (AmountError, PaymentError) as error:
        messages.error(request, str(error))
        return redirect(_amount_url(account))
    if request.method == "GET":
        return render(request, "portal/payment_confirm.html", {"menu": "account", "account": account, "amount": amount})
    user = request.user
    try:
        payment, provider_redirect = start_payment(
            co_owner=account,
            amount=amount,
            payer=user,
            payer_email=getattr(user, "email", "") or account.email,
            language=(get_language() or "fr")[:2],
        )
    except PaymentError as error:
        messages.error(request, str(error))
        return redirect(_amount_url(account))
    origin = form_action_origin(payment)
    response: HttpResponse
    if provider_redirect.method == "GET":
        response = HttpResponseRedirect(provider_redirect.url, status=303)
    else:
        response = render(
            request,
            "portal/payment_redirect.html",
            {"menu": "account", "payment": payment, "redirect": provider_redirect, "amount": amount},
        )
    # The hand-over form posts to the provider (and a POST answered by a redirect counts too).
    response._csp_update = {"form-action": [origin]}  # type: ignore[attr-defined]
    response["Cache-Control"] = "no-store"
    return response


@co_owner_required
def payment_return(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Display only: the bank's notification decides; until it arrives the page refreshes itself."""
    assert request.user.pk is not None
    try:
        payment: Payment = payment_for_user(request.user.pk, public_id)
    except Payment.DoesNotExist:
        raise Http404 from None
    waiting = payment.state in {PaymentState.CREATED, PaymentState.PENDING}
    context = {
        "menu": "account",
        "payment": payment,
        "waiting": waiting,
        "refresh_seconds": RETURN_REFRESH_SECONDS,
        "balance": balance(payment.co_owner) if not waiting else ZERO,
        "receipt": receipt_of(payment) if payment.state == PaymentState.PAID else None,
    }
    response = render(request, "portal/payment_return.html", context)
    response["Cache-Control"] = "no-store"
    if waiting:
        response["Refresh"] = str(RETURN_REFRESH_SECONDS)
    return response
