"""Signature algorithms against the published vectors (spec §1.4, §3.3)."""

from __future__ import annotations

import datetime

import pytest

from tantieme.payments.exceptions import NotificationRejectedError
from tantieme.payments.providers.lyra import SHA1, lyra_signature, signature_base, signature_matches
from tantieme.payments.providers.stripe import signature_header, stripe_signature, verify_signature_header

KEY = "1122334455667788"
VECTOR_A = {
    "vads_action_mode": "INTERACTIVE",
    "vads_amount": "5124",
    "vads_ctx_mode": "TEST",
    "vads_currency": "978",
    "vads_page_action": "PAYMENT",
    "vads_payment_config": "SINGLE",
    "vads_site_id": "12345678",
    "vads_trans_date": "20170129130025",
    "vads_trans_id": "123456",
    "vads_version": "V2",
}
VECTOR_B = {**VECTOR_A, "vads_amount": "1524", "vads_trans_date": "20090501193530", "vads_trans_id": "654321"}
VECTOR_C = {
    "vads_action_mode": "INTERACTIVE",
    "vads_amount": "45000",
    "vads_ctx_mode": "TEST",
    "vads_currency": "978",
    "vads_cust_email": "jean.dupont@example.org",
    "vads_cust_last_name": "Dupont-Hélène",
    "vads_order_id": "A-606-0001-2026T2",
    "vads_page_action": "PAYMENT",
    "vads_payment_cards": "CB;E-CARTEBLEUE;MAESTRO;MASTERCARD;VISA;VISA_ELECTRON",
    "vads_payment_config": "SINGLE",
    "vads_site_id": "12345678",
    "vads_trans_date": "20260402081500",
    "vads_trans_id": "000042",
    "vads_url_return": "https://extranet.example.org/paiement/retour",
    "vads_version": "V2",
}


def test_vector_a_hmac_sha256() -> None:
    assert signature_base(VECTOR_A, KEY) == (
        "INTERACTIVE+5124+TEST+978+PAYMENT+SINGLE+12345678+20170129130025+123456+V2+1122334455667788"
    )
    assert lyra_signature(VECTOR_A, KEY) == "ycA5Do5tNvsnKdc/eP1bj2xa19z9q3iWPy9/rpesfS0="
    assert lyra_signature(VECTOR_A, KEY, SHA1) == "59c96b34c74b9375c332b0b6a32e6deeec87de2b"


def test_vector_b_sha1() -> None:
    assert lyra_signature(VECTOR_B, KEY, SHA1) == "606b369759fac4f0864144c803c73676cbe470ff"


def test_vector_c_utf8_and_our_field_set() -> None:
    assert lyra_signature(VECTOR_C, KEY) == "U/G7lZt48kQK858yVMLYfHQBpEiUmW2HnPmAVPhULBI="


def test_non_vads_fields_are_not_signed_and_any_change_of_a_vads_field_is_detected() -> None:
    signature = lyra_signature(VECTOR_A, KEY)
    assert signature_matches({**VECTOR_A, "signature": signature, "other": "x"}, KEY, signature)
    for name, value in VECTOR_A.items():
        tampered = {**VECTOR_A, name: value + "0"}
        assert not signature_matches(tampered, KEY, signature), name
    assert not signature_matches(VECTOR_A, "wrong-key", signature)
    assert not signature_matches(VECTOR_A, KEY, "")


STRIPE_SECRET = "whsec_test_secret_for_unit_tests"
STRIPE_PAYLOAD = (
    b'{"id":"evt_test_1","object":"event","type":"checkout.session.completed","data":{"object":{"id":"cs_test_1",'
    b'"object":"checkout.session","payment_status":"paid","client_reference_id":"A6060001","amount_total":45000,'
    b'"currency":"eur","metadata":{"lot":"A 606 0001","appel":"2026T2"}}}}'
)
STRIPE_HEADER = "t=1767225600,v1=3fb1929947f242103ec98097ca6ba6b92e6ea0a25b90d9279f77b22e82626a0a"


def test_stripe_vector_of_the_spec() -> None:
    assert signature_header(STRIPE_PAYLOAD, STRIPE_SECRET, 1767225600) == STRIPE_HEADER
    at = datetime.datetime.fromtimestamp(1767225600 + 299, tz=datetime.UTC)
    assert verify_signature_header(STRIPE_PAYLOAD, STRIPE_HEADER, STRIPE_SECRET, now=at) == 1767225600


def test_stripe_tolerance_rotation_and_tampering() -> None:
    late = datetime.datetime.fromtimestamp(1767225600 + 301, tz=datetime.UTC)
    with pytest.raises(NotificationRejectedError) as error:
        verify_signature_header(STRIPE_PAYLOAD, STRIPE_HEADER, STRIPE_SECRET, now=late)
    assert error.value.code == "timestamp_out_of_tolerance"
    assert verify_signature_header(STRIPE_PAYLOAD, STRIPE_HEADER, STRIPE_SECRET, now=late, tolerance=None)
    # Secret rotation: several v1 values, one of them right.
    rotated = f"t=1767225600,v1={'0' * 64},v1={stripe_signature(STRIPE_PAYLOAD, STRIPE_SECRET, 1767225600)}"
    at = datetime.datetime.fromtimestamp(1767225600, tz=datetime.UTC)
    assert verify_signature_header(STRIPE_PAYLOAD, rotated, STRIPE_SECRET, now=at)
    with pytest.raises(NotificationRejectedError) as error:
        verify_signature_header(STRIPE_PAYLOAD.replace(b"45000", b"45001"), STRIPE_HEADER, STRIPE_SECRET, now=at)
    assert error.value.code == "signature_invalid"
    with pytest.raises(NotificationRejectedError):
        verify_signature_header(STRIPE_PAYLOAD, "t=1767225600", STRIPE_SECRET, now=at)
