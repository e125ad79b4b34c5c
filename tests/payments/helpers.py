"""Payment test helpers: books with A 606 0001 owing 1 210,77 €, sandbox settings, signed IPNs."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.demo.payments import seed_payment_settings
from tantieme.payments.models import Payment
from tantieme.payments.providers.base import HttpResponse
from tantieme.payments.providers.lyra import lyra_signature
from tantieme.payments.services import start_payment
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tests.ledger.factories import open_books, post_call

TEST_KEY = "1122334455667788"
BALANCE = Decimal("1210.77")
NOTIFY = "/paiements/notification/lyra/"


def books_with_balance(firm: Firm, condominium: Condominium, co_owner: CoOwner) -> None:
    """Open this year's books and call `BALANCE` from the co-owner on 1 January."""
    today = timezone.localdate()
    with firm_scope(firm):
        open_books(condominium, first_year=today.year)
        post_call(condominium, co_owner, BALANCE, date=datetime.date(today.year, 1, 1))
        seed_payment_settings(firm)


def new_payment(firm: Firm, co_owner: CoOwner, amount: Decimal = Decimal("250.00")) -> tuple[Payment, dict[str, str]]:
    """A payment as the confirmation page starts it, with the form fields sent to the bank."""
    with firm_scope(firm):
        payment, redirect = start_payment(co_owner=co_owner, amount=amount, payer_email="payeur@example.org")
    return payment, dict(redirect.fields)


def ipn_fields(
    form: dict[str, str], *, status: str = "AUTHORISED", uuid: str = "a" * 32, **changes: str
) -> dict[str, str]:
    """The IPN the bank sends after the form `form`, signed with the TEST key (after `changes`)."""
    fields = {name: value for name, value in form.items() if name.startswith("vads_")}
    fields.update(
        {
            "vads_trans_status": status,
            "vads_result": "00" if status in {"AUTHORISED", "CAPTURED"} else "05",
            "vads_auth_result": "00",
            "vads_trans_uuid": uuid,
            "vads_card_brand": "VISA",
            "vads_card_number": "497011XXXXXX0021",
            "vads_operation_type": "DEBIT",
            "vads_url_check_src": "PAY",
            "vads_hash": "f" * 64,
        }
    )
    fields.update(changes)
    fields["signature"] = lyra_signature(fields, TEST_KEY)
    return fields


def post_ipn(firm: Firm, fields: dict[str, str]) -> Any:
    return Client(HTTP_HOST=f"{firm.slug}.localhost").post(NOTIFY, fields)


class DjangoClientHttp:
    """Routes the provider's server-to-server calls to this process's URLs (the sandbox bank)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def post(self, url: str, *, data: bytes, headers: Mapping[str, str], timeout: float) -> HttpResponse:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        self.calls.append(parts.path)
        client = Client(HTTP_HOST=parts.netloc)
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        response = client.post(parts.path, data=data, content_type=headers.get("Content-Type", ""), **extra)
        return HttpResponse(status=response.status_code, body=response.content)
