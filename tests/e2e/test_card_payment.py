"""A 6060001 pays 250,00 € on the test bank with a 3-D Secure challenge card, in a real browser.

The sandbox bank notifies the live server server-to-server (urllib to 127.0.0.1), the confirmation
e-mail goes through a real SMTP server, the payment is "en cours" until `post_card_payments` runs
for the next day; then the balance is 960,77 € owed and the payment is on the statement.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from tantieme.condominiums.models import CoOwner
from tantieme.demo.payments import seed_payment_settings
from tantieme.ledger.models import Entry
from tantieme.ledger.queries import balance
from tantieme.ledger.statements import statement_for
from tantieme.payments.enums import PaymentState
from tantieme.payments.models import Payment
from tantieme.sandbox_bank.models import SandboxNotification, SandboxTransaction
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tests.e2e.conftest import firm_url, screenshot
from tests.ledger.factories import open_books, post_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NBSP = "\u00a0"


def visible_text(page) -> str:  # type: ignore[no-untyped-def]
    """The page's visible text, no-break spaces as plain spaces."""
    return str(page.locator("body").inner_text()).replace(NBSP, " ").replace("\u202f", " ")


@pytest.fixture
def demo(transactional_db: None, live_server, settings) -> CoOwner:  # type: ignore[no-untyped-def]
    call_command("seed_demo", verbosity=0)
    # Links built for the firm (return URL, vads_url_check) must reach this live server.
    settings.SITE_PORT = live_server.url.rsplit(":", 1)[1]
    horizon = Firm.objects.get(slug="horizon")
    seed_payment_settings(horizon)
    with firm_scope(horizon):
        alice = CoOwner.objects.select_related("condominium").get(reference="A6060001")
        if not Entry.objects.filter(condominium=alice.condominium).exists():
            # The demo history is not wired into seed_demo yet: build the letter's balance with the ledger.
            today = timezone.localdate()
            open_books(alice.condominium, first_year=today.year)
            post_call(alice.condominium, alice, Decimal("1210.77"), date=datetime.date(today.year, 1, 1))
        assert balance(alice) == Decimal("1210.77")
    return alice


def test_a6060001_pays_250_euros_with_a_3ds_challenge_card(demo: CoOwner, live_server, page, smtp_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(firm_url(live_server, "horizon", "/compte/connexion/"))
    page.get_by_label("Identifiant ou adresse e-mail").fill("A6060001")
    page.get_by_label("Mot de passe").fill("Demo-Copro-2026!")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(firm_url(live_server, "horizon", "/"))

    page.get_by_role("navigation").get_by_role("link", name="Mon compte copropriétaire").click()
    page.get_by_role("link", name="Paiement par carte").click()
    amount = page.get_by_label("Montant du paiement (€)")
    assert amount.input_value().replace(NBSP, " ") == "1 210,77"  # prefilled with the balance owed
    amount.fill("250,00")
    page.get_by_role("button", name="Valider").click()

    assert page.get_by_text("Confirmez le montant pour accéder au paiement sécurisé").is_visible()
    assert "250,00 €" in visible_text(page)
    screenshot(page, "payment-confirm")
    page.get_by_role("button", name="Payer par carte bancaire").click()

    # The bank's page (auto-submitted form): merchant, transaction, order, amount, brands.
    page.wait_for_url("**/banque-test/paiement/**")
    body = visible_text(page)
    assert "Banque de test" in body
    assert "12345678" in body
    payment = Payment.all_firms.get()
    assert payment.order_id in body
    assert payment.trans_id in body
    assert "250,00 EUR" in body
    for brand in ("CB", "e-Carte Bleue", "Maestro", "Mastercard", "Visa", "Visa Electron"):
        assert page.get_by_role("button", name=brand, exact=True).is_visible()
    screenshot(page, "sandbox-brands")
    page.get_by_role("button", name="Visa", exact=True).click()

    page.get_by_label("Numéro de carte").fill("4970 1100 0000 0021")
    page.get_by_label("Expire fin (mois)").fill("12")
    page.get_by_label("Expire fin (année)").fill(str(timezone.localdate().year + 2))
    page.get_by_label("Cryptogramme visuel de la carte").fill("123")
    page.get_by_role("button", name="VALIDER").click()

    page.wait_for_url("**/3ds/")
    assert "Verified by Visa" in visible_text(page)
    screenshot(page, "sandbox-3ds")
    page.get_by_role("button", name="Valider l'authentification").click()

    page.wait_for_url("**/resultat/")
    assert page.get_by_role("heading", name="Paiement accepté").is_visible()
    page.get_by_role("link", name="Retourner à la boutique").click()

    page.wait_for_url("**/paiement/retour/**")
    assert page.get_by_text("Paiement accepté").is_visible()
    assert "pris en compte par notre service comptabilité le lendemain" in visible_text(page)
    screenshot(page, "payment-accepted")

    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert (payment.card_brand, payment.card_last4) == ("VISA", "0021")
    assert SandboxNotification.objects.get().status == SandboxNotification.DELIVERED
    assert SandboxTransaction.objects.get().card_last4 == "0021"  # nothing else of the card is kept

    # The confirmation e-mail went through the real SMTP server.
    (message,) = smtp_server.messages
    assert message["To"] == "famille.test@example.com" or message["To"].endswith("@example.com")
    assert "250,00" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert payment.order_id in text
    assert "pris en compte par notre service comptabilité le lendemain" in text

    # Until the next-day posting: "paiement en cours", balance unchanged.
    page.goto(firm_url(live_server, "horizon", "/paiement/"))
    assert "paiement en cours" in visible_text(page)
    assert "1 210,77 €" in visible_text(page)
    with firm_scope(payment.firm):
        assert balance(demo) == Decimal("1210.77")

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    call_command("post_card_payments", "--date", tomorrow.isoformat(), verbosity=0)

    page.goto(firm_url(live_server, "horizon", "/mon-compte/"))
    body = visible_text(page)
    assert "960,77 €" in body
    assert re.search(r"Paiement CB|Paiement par carte", body)
    assert "paiement en cours" not in body
    screenshot(page, "account-after-posting")
    with firm_scope(payment.firm):
        assert balance(demo) == Decimal("960.77")
        statement = statement_for(demo)
        assert any(line.credit == Decimal("250.00") and line.journal_code == "CB" for line in statement.lines)
