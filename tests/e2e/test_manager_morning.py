"""A manager's morning in a real browser, keyboard only (issue 13, « Done when »).

On the demo data: the manager signs in with password and second factor, lands on « À traiter »,
types a misspaced reference in the header's search box and lands in the co-owner's file, records a
slip of two cheques (one of them this co-owner's); the co-owner, in another browser, sees their
balance go down in the portal; back in the back office the manager opens the sale of one of the
co-owner's lots, issues the état daté (the PDF is downloaded and read), records the mutation with a
new buyer who has an e-mail address; the invitation reaches a real SMTP server and its link opens
the buyer's extranet. The back-office steps use Tab, Enter and typing only (no click, no `fill`);
axe-core runs on every page visited (phone and desktop widths): no serious or critical violation.
"""

from __future__ import annotations

import re
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from tantieme.banking.models import ChequeDeposit
from tantieme.condominiums.models import CoOwner
from tantieme.core.money import format_amount
from tantieme.ledger.queries import balance
from tantieme.sales.enums import SaleStatus
from tantieme.sales.models import Sale
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import firm_scope
from tantieme.users.models import User
from tests.e2e.conftest import ARTIFACTS, accessibility_violations, firm_url
from tests.e2e.test_extranet_walk import current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = ("gestion@horizon.example", "Demo-Gestion-2026!")
CO_OWNER = ("A6060001", "Demo-Copro-2026!")
BUYER_EMAIL = "camille.nouveau@example.org"
BUYER_PASSWORD = "Nouveau-Proprio-2026!"
SLIP = "RC-2026-0412"
CHEQUE = Decimal("300.00")  # A 606 0001 owes 1 210,77 € on the demo data: 910,77 € after it
FEE = Decimal("250.00")


class Morning:
    """The browser pages of the test, with the pages checked by axe-core and screenshots taken."""

    def __init__(self, live_server) -> None:  # type: ignore[no-untyped-def]
        self.live_server = live_server
        self.problems: dict[str, list[str]] = {}
        self.checked: list[str] = []
        self.started = time.monotonic()
        self.cpu = time.process_time()
        self.timings: list[str] = []

    def url(self, path: str) -> str:
        return firm_url(self.live_server, "horizon", path)

    def check(self, page, name: str) -> None:  # type: ignore[no-untyped-def]
        """axe-core and a screenshot at phone and desktop widths, back to the desktop width."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = urlsplit(page.url).path
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(ARTIFACTS / f"morning-{name}-{width}.png"), full_page=True)
            found = accessibility_violations(page)
            if found:
                self.problems[f"{name} {path} @{width}px"] = found
        self.checked.append(path)
        self.note(f"{name}  {path}")

    def note(self, what: str) -> None:
        """Wall time since the start and this process's CPU time (server and test: the machine's load aside)."""
        wall, cpu = time.monotonic() - self.started, time.process_time() - self.cpu
        self.timings.append(f"{wall:6.1f} s  (CPU {cpu:5.1f} s)  {what}")


def tab_to(page, target, limit: int = 120) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until `target` has the focus: it is reachable with the keyboard (else fail)."""
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("element => document.activeElement === element", handle):
            return
    raise AssertionError(f"not reachable with Tab: {target}")


def type_in(page, target, text: str) -> None:  # type: ignore[no-untyped-def]
    tab_to(page, target)
    page.keyboard.type(text)


def sign_in(page, morning: Morning, login: str, password: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(morning.url("/compte/connexion/"))
    morning.check(page, name)
    type_in(page, page.get_by_label("Identifiant ou adresse e-mail"), login)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == page.get_by_label("Mot de passe").get_attribute("id")
    page.keyboard.type(password)
    page.keyboard.press("Enter")


def press_and_wait(page, key: str, url_pattern: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation(url=url_pattern):
        page.keyboard.press(key)


def plain(text: str) -> str:
    """Text with every kind of space (PDF, non-breaking, narrow) made a plain one."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def euros(amount: Decimal, *, currency: bool = True) -> str:
    """The amount as pages and PDFs print it (« 1 210,77 € »), spaces made plain."""
    return plain(format_amount(amount, currency=currency, language="fr"))


def test_a_managers_morning_with_the_keyboard(transactional_db: None, live_server, chromium, smtp_server) -> None:  # type: ignore[no-untyped-def]
    morning = Morning(live_server)
    call_command("seed_demo", verbosity=0)
    # The index the arrears block reads, as the periodic job (every few minutes) keeps it.
    call_command("refresh_balances", firm="horizon", verbosity=0)
    morning.note("demo seeded")
    firm = Firm.objects.get(slug="horizon")
    manager = User.objects.get(email=MANAGER[0])
    device = TOTPDevice.objects.create(user=manager, name="Téléphone", confirmed=True)
    with firm_scope(firm):
        co_owner = CoOwner.objects.get(reference="A6060001")
        owed_before = balance(co_owner=co_owner)
    options = {"locale": "fr-FR", "viewport": {"width": 1280, "height": 900}, "bypass_csp": True}
    office = chromium.new_context(accept_downloads=True, **options)
    page = office.new_page()

    # 1. Sign in with password and second factor, with the keyboard.
    sign_in(page, morning, *MANAGER, name="01-connexion")
    page.wait_for_url("**/compte/double-authentification/**")
    morning.check(page, "02-double-authentification")
    type_in(page, page.get_by_label("Code à 6 chiffres"), current_code(device))
    press_and_wait(page, "Enter", morning.url("/gestion/"))

    # 2. « À traiter ».
    assert page.get_by_role("heading", level=1).inner_text() == "À traiter"
    arrears = page.locator("#impayes")
    assert arrears.get_by_role("row").filter(has_text="TEST").filter(has_text=euros(owed_before)).count() == 1
    morning.check(page, "03-a-traiter")

    # 3. The header's search box, a reference typed as it comes: one result opens the file.
    search = page.get_by_role("search").get_by_label("Rechercher")
    type_in(page, search, "a-606 0001")
    file_url = morning.url(f"/gestion/coproprietaires/{co_owner.pk}/")
    press_and_wait(page, "Enter", file_url)
    assert "TEST" in page.get_by_role("heading", level=1).inner_text()
    morning.check(page, "04-fiche-coproprietaire")

    # 4. A slip of two cheques: this co-owner's, and his neighbour's (A 606 0002).
    tab_to(page, page.get_by_role("link", name="Enregistrer une remise de chèques"))
    press_and_wait(page, "Enter", f"{file_url}cheques/")
    morning.check(page, "05-remise-de-cheques")
    type_in(page, page.locator("#id_slip_number"), SLIP)
    # Row 1 (the co-owner of the file): reference and drawer are filled in; bank, number, amount.
    # Row 2: reference in any spacing, drawer, bank, number, amount.
    row_1 = ("", "", "LCL", "4471203", "300,00")
    row_2 = ("a 606 0002", "Robert MARTIN", "Crédit Mutuel", "0088412", "125,50")
    for value in (*row_1, *row_2):
        page.keyboard.press("Tab")
        if value:
            page.keyboard.type(value)
    press_and_wait(page, "Enter", f"{file_url}virements/")
    assert SLIP in page.content()
    morning.check(page, "06-virements-et-cheques")
    with firm_scope(firm):
        deposit = ChequeDeposit.objects.get(slip_number=SLIP)
        assert deposit.cheques.count() == 2
        assert sum(cheque.amount for cheque in deposit.cheques.all()) == Decimal("425.50")
        owed_after = balance(co_owner=co_owner)
    assert owed_after == owed_before - CHEQUE

    # 5. The co-owner, in a browser of their own, sees the balance updated in the portal.
    home = chromium.new_context(**options)
    portal = home.new_page()
    sign_in(portal, morning, *CO_OWNER, name="07-connexion-coproprietaire")
    portal.wait_for_url(morning.url("/"))
    menu = portal.get_by_role("navigation", name="Menu principal")
    tab_to(portal, menu.get_by_role("link", name="Mon compte copropriétaire", exact=True))
    press_and_wait(portal, "Enter", morning.url("/mon-compte/"))
    assert euros(owed_after) in plain(portal.locator("main").inner_text())  # 910,77 € on the demo data
    morning.check(portal, "08-portail-mon-compte")
    home.close()

    # 6. Back office: the sale of the co-owner's parking space (lot 205), from the menu.
    tab_to(page, page.get_by_role("navigation", name="Menu de gestion").get_by_role("link", name="Ventes"))
    press_and_wait(page, "Enter", morning.url("/gestion/ventes/"))
    morning.check(page, "09-ventes")
    tab_to(page, page.get_by_role("link", name="Enregistrer une demande de notaire"))
    press_and_wait(page, "Enter", morning.url("/gestion/ventes/nouvelle/"))
    morning.check(page, "10-vente-copropriete")
    with firm_scope(firm):
        condominium_id = co_owner.condominium_id
    tab_to(page, page.get_by_label("Copropriété du lot vendu"))
    page.keyboard.type("606")  # a select's type-ahead: the option starting with the code
    assert page.get_by_label("Copropriété du lot vendu").input_value() == str(condominium_id)
    page.keyboard.press("Tab")
    press_and_wait(page, "Enter", f"**/gestion/ventes/nouvelle/?copropriete={condominium_id}")
    morning.check(page, "11-demande-du-notaire")
    type_in(page, page.get_by_label("Référence du vendeur", exact=False), "a 606 0001")
    page.keyboard.press("Tab")
    page.keyboard.type("205")
    type_in(page, page.locator("#id_notary_name"), "Me Claire NOTAIRE")
    press_and_wait(page, "Enter", "**/gestion/ventes/*/")
    with firm_scope(firm):
        sale = Sale.objects.get(seller=co_owner)
    detail = morning.url(f"/gestion/ventes/{sale.pk}/")
    morning.check(page, "12-dossier-de-vente")

    # 7. The état daté: the fee, Enter; then its PDF, downloaded and read.
    type_in(page, page.get_by_label("Honoraires de l'état daté (TTC)"), "250,00")
    press_and_wait(page, "Enter", detail)
    assert page.get_by_text("État daté délivré ;").count() == 1
    morning.check(page, "13-etat-date-delivre")
    tab_to(page, page.get_by_role("link", name="État daté (PDF)"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    pdf = Path(download.value.path())
    (ARTIFACTS / "morning-etat-date.pdf").write_bytes(pdf.read_bytes())
    text = plain(" ".join(p.extract_text() for p in PdfReader(pdf).pages))
    with firm_scope(firm):
        sale.refresh_from_db()
        owed_with_fee = balance(co_owner=co_owner)
    assert sale.status == SaleStatus.STATEMENT_ISSUED
    assert owed_with_fee == owed_after + FEE
    # Row 1f holds the fee; part I is what the seller owes on the request date, fee included (1 160,77 €).
    assert f"(loi, art. 10-1) {euros(FEE)}" in text, text
    assert f"Total de la partie 1 {euros(owed_with_fee)}" in text, text

    # 8. The mutation, notified today, to a new buyer with an e-mail address.
    form = page.locator(f"form[action$='/gestion/ventes/{sale.pk}/mutation/']")
    type_in(page, form.get_by_label("Civilité"), "Mme")
    for value in ("NOUVEAU", "Camille", "1 rue aux sources", "", "75000", "PARIS", BUYER_EMAIL):
        page.keyboard.press("Tab")
        if value:
            page.keyboard.type(value)
    press_and_wait(page, "Enter", detail)
    assert page.get_by_text(f"Invitation à l'extranet envoyée à {BUYER_EMAIL}.").count() == 1
    morning.check(page, "14-mutation-enregistree")
    with firm_scope(firm):
        sale.refresh_from_db()
        assert sale.status == SaleStatus.MUTATION_RECORDED
        buyer = sale.buyer
        assert buyer is not None
        assert buyer.email == BUYER_EMAIL
    office.close()

    # 9. The invitation on the real SMTP server; its link opens the buyer's extranet.
    [message] = [m for m in smtp_server.messages if m["To"] == BUYER_EMAIL]
    body = message.get_body(preferencelist=("plain",)).get_content()
    [link] = [found for found in re.findall(r"https?://\S+", body) if "/compte/activer/" in found]
    visitor = chromium.new_context(**options)
    new_owner = visitor.new_page()
    new_owner.goto(morning.url(urlsplit(link).path))
    morning.check(new_owner, "15-activation")
    type_in(new_owner, new_owner.locator("#id_new_password1"), BUYER_PASSWORD)
    type_in(new_owner, new_owner.locator("#id_new_password2"), BUYER_PASSWORD)
    press_and_wait(new_owner, "Enter", "**/compte/connexion/**")
    morning.check(new_owner, "16-espace-ouvert")
    sign_in(new_owner, morning, BUYER_EMAIL, BUYER_PASSWORD, name="17-connexion-acquereur")
    new_owner.wait_for_url(morning.url("/"))
    assert new_owner.get_by_role("navigation", name="Menu principal").count() == 1
    morning.check(new_owner, "18-portail-acquereur")
    visitor.close()

    (ARTIFACTS / "morning-timings.txt").write_text("\n".join(morning.timings) + "\n", encoding="utf-8")
    assert morning.problems == {}
    assert len(morning.checked) == 18
