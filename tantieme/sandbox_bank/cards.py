"""The spec's test cards (payments-and-banking §1.8) and what the test bank does with each."""

from __future__ import annotations

from dataclasses import dataclass

ACCEPTED = "accepted"
CHALLENGE = "challenge"
AUTH_FAILED = "auth_failed"
REFUSED = "refused"

BRANDS: tuple[tuple[str, str], ...] = (
    ("CB", "CB"),
    ("E-CARTEBLEUE", "e-Carte Bleue"),
    ("MAESTRO", "Maestro"),
    ("MASTERCARD", "Mastercard"),
    ("VISA", "Visa"),
    ("VISA_ELECTRON", "Visa Electron"),
)
BRAND_NAMES = dict(BRANDS)


@dataclass(frozen=True)
class TestCard:
    number: str
    network: str  # VISA, MASTERCARD, MAESTRO
    scenario: str
    label: str
    auth_result: str = "00"


TEST_CARDS: tuple[TestCard, ...] = (
    TestCard("4970110000000013", "VISA", ACCEPTED, "Paiement accepté (sans authentification)"),
    TestCard("5100010000002045", "MASTERCARD", ACCEPTED, "Paiement accepté (sans authentification)"),
    TestCard("4970100000000003", "VISA", ACCEPTED, "Paiement accepté (marchand non enrôlé 3-D Secure)"),
    TestCard("5000550000000003", "MAESTRO", ACCEPTED, "Paiement accepté (marchand non enrôlé 3-D Secure)"),
    TestCard("4970110000000021", "VISA", CHALLENGE, "3-D Secure avec authentification (challenge)"),
    TestCard("5100010000000049", "MASTERCARD", CHALLENGE, "3-D Secure avec authentification (challenge)"),
    TestCard("4970100000000009", "VISA", CHALLENGE, "3-D Secure interactif"),
    TestCard("5000550000000009", "MAESTRO", CHALLENGE, "3-D Secure interactif"),
    TestCard("4970110000000401", "VISA", AUTH_FAILED, "Authentification 3-D Secure refusée"),
    TestCard("4970100000000097", "VISA", AUTH_FAILED, "Authentification 3-D Secure échouée"),
    TestCard("4970100000000002", "VISA", REFUSED, "Paiement refusé (transaction à forcer)", "02"),
    TestCard("4970100000000098", "VISA", REFUSED, "Paiement refusé (plafond dépassé)", "61"),
    TestCard("4970100000000099", "VISA", REFUSED, "Paiement refusé (cryptogramme erroné)", "05"),
    TestCard("5970100300000002", "MASTERCARD", REFUSED, "Paiement refusé (transaction à forcer)", "02"),
)
BY_NUMBER = {card.number: card for card in TEST_CARDS}

# Which networks each brand button accepts (CB is co-badged on Visa and Mastercard).
BRAND_NETWORKS: dict[str, frozenset[str]] = {
    "CB": frozenset({"VISA", "MASTERCARD", "MAESTRO"}),
    "E-CARTEBLEUE": frozenset({"VISA"}),
    "VISA": frozenset({"VISA"}),
    "VISA_ELECTRON": frozenset({"VISA"}),
    "MASTERCARD": frozenset({"MASTERCARD"}),
    "MAESTRO": frozenset({"MAESTRO", "MASTERCARD"}),
}


def find_card(number: str) -> TestCard | None:
    return BY_NUMBER.get("".join(number.split()))
