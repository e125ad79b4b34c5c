"""The test bank's hosted payment page (Lyra form protocol V2), 3-D Secure challenge and REST refund.

Every page says "Banque de test". Card numbers are read, matched against the test cards and
forgotten: only the brand and the last four digits are kept (and never logged).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from tantieme.sandbox_bank import bank
from tantieme.sandbox_bank.cards import (
    BRAND_NAMES,
    BRAND_NETWORKS,
    CHALLENGE,
    TEST_CARDS,
    find_card,
)
from tantieme.sandbox_bank.models import SandboxTransaction

CARD_FIELDS = ("numero", "mois", "annee", "cryptogramme")


def _transaction(token: uuid.UUID) -> SandboxTransaction:
    found = SandboxTransaction.objects.filter(token=token).first()
    if found is None:
        raise Http404
    return found


def _context(bank_transaction: SandboxTransaction, **extra: Any) -> dict[str, Any]:
    fields = bank_transaction.request_fields
    cents = bank_transaction.amount_cents
    return {
        "tx": bank_transaction,
        "merchant_id": bank_transaction.shop_id,
        "trans_id": fields.get("vads_trans_id", ""),
        "order_id": bank_transaction.order_id,
        "amount": f"{cents // 100:,}".replace(",", "\u00a0") + f",{cents % 100:02d}\u00a0EUR",
        "brand_name": BRAND_NAMES.get(bank_transaction.brand, ""),
        **extra,
    }


@csrf_exempt  # the merchant's site posts here, like to the real gateway: the form is authenticated by its signature
@require_POST
def payment_entry(request: HttpRequest) -> HttpResponse:
    try:
        bank_transaction = bank.accept_form(request.POST.dict())
    except bank.FormError as error:
        return render(request, "sandbox_bank/error.html", {"error": error}, status=400)
    return redirect("sandbox_bank:brand", token=bank_transaction.token)


@require_http_methods(["GET", "POST"])
def brand(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    bank_transaction = _transaction(token)
    if bank_transaction.status != SandboxTransaction.FORM:
        return redirect("sandbox_bank:result", token=token)
    brands = [(code, BRAND_NAMES[code]) for code in bank.allowed_brands(bank_transaction)]
    if request.method == "POST":
        chosen = request.POST.get("brand", "")
        if chosen in dict(brands):
            bank_transaction.brand = chosen
            bank_transaction.save(update_fields=["brand"])
            return redirect("sandbox_bank:card", token=token)
    return render(request, "sandbox_bank/brand.html", _context(bank_transaction, brands=brands))


@sensitive_variables("number", "card")
@sensitive_post_parameters(*CARD_FIELDS)
@require_http_methods(["GET", "POST"])
def card(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    bank_transaction = _transaction(token)
    if bank_transaction.status != SandboxTransaction.FORM:
        return redirect("sandbox_bank:result", token=token)
    if not bank_transaction.brand:
        return redirect("sandbox_bank:brand", token=token)
    error = ""
    if request.method == "POST":
        number = "".join(request.POST.get("numero", "").split())
        test_card = find_card(number)
        month, year, cvv = (request.POST.get(name, "").strip() for name in CARD_FIELDS[1:])
        if not (month.isdigit() and 1 <= int(month) <= 12 and year.isdigit() and len(year) in {2, 4}):
            error = "Date d'expiration invalide."
        elif not (cvv.isdigit() and len(cvv) in {3, 4}):
            error = "Cryptogramme visuel invalide."
        elif test_card is None:
            error = "Banque de test : utilisez l'une des cartes de test ci-dessous."
        elif test_card.network not in BRAND_NETWORKS.get(bank_transaction.brand, frozenset()):
            error = f"Cette carte n'est pas une carte {BRAND_NAMES[bank_transaction.brand]}."
        else:
            bank_transaction.card_last4 = test_card.number[-4:]
            if test_card.scenario == CHALLENGE:
                bank_transaction.status = SandboxTransaction.CHALLENGE
                bank_transaction.save(update_fields=["card_last4", "status"])
                return redirect("sandbox_bank:challenge", token=token)
            bank_transaction.save(update_fields=["card_last4"])
            bank.finalize(bank_transaction, bank.outcome_for(test_card, challenge_passed=None))
            return redirect("sandbox_bank:result", token=token)
    return render(
        request, "sandbox_bank/card.html", _context(bank_transaction, error=error, test_cards=TEST_CARDS), status=200
    )


@require_http_methods(["GET", "POST"])
def challenge(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """The issuer's 3-D Secure page ("Verified by Visa / Mastercard Identity Check"), simulated."""
    bank_transaction = _transaction(token)
    if bank_transaction.status != SandboxTransaction.CHALLENGE:
        return redirect("sandbox_bank:result", token=token)
    if request.method == "POST":
        passed = request.POST.get("decision") == "valider"
        challenge_card = next((test_card for test_card in TEST_CARDS if test_card.scenario == CHALLENGE), TEST_CARDS[0])
        bank.finalize(bank_transaction, bank.outcome_for(challenge_card, challenge_passed=passed))
        return redirect("sandbox_bank:result", token=token)
    return render(request, "sandbox_bank/challenge.html", _context(bank_transaction))


@require_POST
def cancel(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    bank_transaction = _transaction(token)
    if bank_transaction.status in {SandboxTransaction.FORM, SandboxTransaction.CHALLENGE}:
        bank.finalize(bank_transaction, bank.Outcome("ABANDONED", "17", "", ""))
    return redirect("sandbox_bank:result", token=token)


def result(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    bank_transaction = _transaction(token)
    if bank_transaction.status in {SandboxTransaction.FORM, SandboxTransaction.CHALLENGE}:
        return redirect("sandbox_bank:brand", token=token)
    fields = bank_transaction.request_fields
    target = fields.get("vads_url_return", "")
    if bank_transaction.status == SandboxTransaction.ABANDONED:
        target = fields.get("vads_url_cancel") or target
    return_url = ""
    if target:
        separator = "&" if "?" in target else "?"
        return_url = f"{target}{separator}{bank.return_query(bank_transaction)}"
    return render(request, "sandbox_bank/result.html", _context(bank_transaction, return_url=return_url))


@csrf_exempt  # server-to-server REST call, authenticated by HTTP Basic (shop id : password)
@require_POST
def rest_cancel_or_refund(request: HttpRequest) -> HttpResponse:
    return _rest_call(request, bank.refund)


@csrf_exempt  # server-to-server REST call, authenticated by HTTP Basic (shop id : password)
@require_POST
def rest_order_get(request: HttpRequest) -> HttpResponse:
    return _rest_call(request, bank.order_get)


def _rest_call(request: HttpRequest, operation: Callable[..., dict[str, Any]]) -> HttpResponse:
    """Basic shop:password and a JSON body in, {"status", "answer"} out, as the REST API V4 answers."""
    header = request.headers.get("Authorization", "")
    try:
        shop, _, password = base64.b64decode(header.removeprefix("Basic ").strip()).decode("utf-8").partition(":")
        payload = json.loads(request.body)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return JsonResponse(
            {"status": "ERROR", "answer": {"errorCode": "INT_902", "errorMessage": "Requête invalide."}}
        )
    if not isinstance(payload, dict):
        return JsonResponse(
            {"status": "ERROR", "answer": {"errorCode": "INT_902", "errorMessage": "Requête invalide."}}
        )
    try:
        answer = operation(shop=shop, password=password, payload=payload)
    except bank.RestApiError as error:
        code, message = error.args
        return JsonResponse({"status": "ERROR", "answer": {"errorCode": code, "errorMessage": message}})
    return JsonResponse({"status": "SUCCESS", "answer": answer})
