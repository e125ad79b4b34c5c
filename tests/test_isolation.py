"""Tenants and owners are walls (AC-02): every portal and back-office URL, every persona.

One test walks the URL patterns of `portal` and `backoffice` with objects that belong to
A 606 0001 (portal) or to horizon (back office), as:
- anonymous: sent to the login page;
- the rightful user: served;
- another co-owner of the same condominium, and a co-owner of another condominium of the firm:
  404 on anything personal (condominium-wide pages may be shared with the former);
- the same kind of user at another firm, on that firm's host: 404 (the object is not theirs);
- a co-owner in the back office: 404.
A new URL with an object in its path must get a provider below, or the test fails.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, reverse

from tantieme.announcements.models import Announcement
from tantieme.backoffice import urls as backoffice_urls
from tantieme.banking.enums import LineStatus
from tantieme.banking.models import MatchSuggestion, StatementImport, StatementLine
from tantieme.banking.services import return_to_payer
from tantieme.condominiums.models import CoOwner
from tantieme.documents.models import CouncilMembership, Document
from tantieme.funds.models import Budget, CallBatch, WorksOperation
from tantieme.ledger.models import Entry, FiscalYear, Lettering
from tantieme.ledger.services import attach_to_entry
from tantieme.payments.services import start_payment
from tantieme.portal import urls as portal_urls
from tantieme.sales.services import open_sale
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import Firm, StaffMembership
from tantieme.tenancy.scoping import firm_scope
from tantieme.tickets.models import Ticket, TicketAttachment
from tantieme.users.models import User
from tests.conftest import client_for
from tests.factories import co_owner_user

pytestmark = pytest.mark.slow

Provider = Callable[["Demo"], dict[str, Any]]


class Demo:
    """The seeded demo, seen from horizon (rightful) and rivage (the other firm)."""

    def __init__(self) -> None:
        self.horizon = Firm.objects.get(slug="horizon")
        self.rivage = Firm.objects.get(slug="rivage")
        with firm_scope(self.horizon):
            self.alice = CoOwner.objects.select_related("condominium").get(reference="A6060001")
            self.condo = self.alice.condominium
            self.alice_user = User.objects.get(firm=self.horizon, login="A6060001")
            neighbour = CoOwner.objects.filter(condominium=self.condo, users__isnull=True).exclude(pk=self.alice.pk)
            self.neighbour_user = co_owner_user(neighbour.first())
            elsewhere = CoOwner.objects.exclude(condominium=self.condo).filter(users__isnull=True).first()
            self.elsewhere_user = co_owner_user(elsewhere)
            self.manager = User.objects.get(firm=self.horizon, login="gestion@horizon.example")
            self.ticket = Ticket.objects.filter(co_owner=self.alice).first()
            message = self.ticket.messages.first()
            attachment = TicketAttachment(
                message=message, filename="photo.png", content_type="image/png", size=4, sha256="0" * 64
            )
            attachment.file.save("photo.png", ContentFile(b"\x89PNG"), save=False)
            attachment.save()
            self.attachment = attachment
            self.personal_document = Document.objects.filter(co_owner=self.alice).first()
            self.announcement = Announcement.objects.filter(condominium=self.condo).first()
            self.council = CouncilMembership.objects.filter(condominium=self.condo).first()
            self.budget = Budget.objects.filter(condominium=self.condo).first()
            self.operation = WorksOperation.objects.filter(condominium=self.condo).first()
            self.year = FiscalYear.objects.filter(condominium=self.condo, closing__isnull=False).first()
            self.entry = Entry.objects.filter(condominium=self.condo, journal__code="OD").first() or (
                Entry.objects.filter(condominium=self.condo).first()
            )
            self.entry_attachment = attach_to_entry(entry=self.entry, content=b"%PDF-1.4\n%%EOF\n", filename="p.pdf")
            self.lettering = Lettering.objects.filter(co_owner=self.alice).first()
            self.batch = CallBatch.objects.create(firm=self.horizon, condominium=self.condo, period="2026-Q1")
            self.payment, _redirect = start_payment(co_owner=self.alice, amount=Decimal("10.00"))
            self.statement = StatementImport.objects.filter(condominium=self.condo).first()
            lines = StatementLine.objects.filter(statement_import__condominium=self.condo)
            self.statement_line = lines.filter(status=LineStatus.TO_REVIEW).first() or lines.first()
            self.suggestion = MatchSuggestion.objects.filter(line__statement_import__condominium=self.condo).first()
            suspense = lines.filter(status=LineStatus.SUSPENSE).first()
            self.return_transfer = return_to_payer(
                line=suspense, creditor_name="DUPONT Marie", creditor_iban="FR7630006000011234567890189"
            )
            first_lot = self.alice.ownerships.filter(end_date__isnull=True).select_related("lot").first()
            self.sale = open_sale(
                condominium=self.condo,
                seller=self.alice,
                lot_numbers=[first_lot.lot.number],
                requested_on=first_lot.start_date,
                notary_name="Me NOTAIRE",
            )
        with firm_scope(self.rivage):
            self.rivage_co_owner = User.objects.get(firm=self.rivage, login="G149X369")
            self.rivage_manager = User.objects.get(firm=self.rivage, login="gestion@rivage.example")
            # The firm admin: every role gate lets them through, so only the object scoping answers.
            StaffMembership.objects.filter(user=self.rivage_manager).update(role=StaffRole.FIRM_ADMIN)


PORTAL_OBJECTS: dict[str, Provider] = {
    "request_detail": lambda d: {"pk": d.ticket.pk},
    "request_attachment": lambda d: {"pk": d.attachment.pk},
    "information_details": lambda d: {"pk": d.alice.pk},
    "information_contact": lambda d: {"pk": d.alice.pk},
    "announcement": lambda d: {"pk": d.announcement.pk},
    "document_download": lambda d: {"pk": d.personal_document.pk},
    "payment_return": lambda d: {"public_id": d.payment.public_id},
    # The council's invoices (issue 14): A 606 0001 sits on the demo council.
    "council_invoice_pdf": lambda d: {"pk": _expenses(d, "invoice")},
    "council_invoice_visa": lambda d: {"pk": _expenses(d, "invoice")},
}
# Objects every co-owner of the condominium may see (the neighbour is served, not refused).
CONDOMINIUM_WIDE = {"announcement"}
# Back-office objects of the firm rather than of one condominium (suppliers and their IBANs): the
# policy walk (tests/backoffice/test_policy_walk.py) expects them served outside the portfolio too.
BACKOFFICE_FIRM_WIDE = {
    "expenses_supplier_detail",
    "expenses_supplier_edit",
    "expenses_bank_account_add",
    "expenses_contact_add",
    "expenses_bank_account_verify",
    "expenses_bank_account_revoke",
}

BACKOFFICE_OBJECTS: dict[str, Provider] = {
    "access_condominium": lambda d: {"pk": d.condo.pk},
    "access_give_all": lambda d: {"pk": d.condo.pk},
    "access_give": lambda d: {"pk": d.alice.pk},
    "access_add_login": lambda d: {"pk": d.alice.pk},
    "access_resend": lambda d: {"pk": d.alice_user.pk},
    "access_reset": lambda d: {"pk": d.alice_user.pk},
    "access_end_sessions": lambda d: {"pk": d.alice_user.pk},
    "access_email": lambda d: {"pk": d.alice_user.pk},
    "documents_condominium": lambda d: {"pk": d.condo.pk},
    "documents_publish": lambda d: {"pk": d.condo.pk},
    "documents_council": lambda d: {"pk": d.condo.pk},
    "documents_council_add": lambda d: {"pk": d.condo.pk},
    "documents_council_remove": lambda d: {"pk": d.council.pk},
    "documents_archive": lambda d: {"pk": d.personal_document.pk},
    "documents_download": lambda d: {"pk": d.personal_document.pk},
    "ticket_detail": lambda d: {"pk": d.ticket.pk},
    "ticket_reply": lambda d: {"pk": d.ticket.pk},
    "ticket_note": lambda d: {"pk": d.ticket.pk},
    "ticket_assign": lambda d: {"pk": d.ticket.pk},
    "ticket_status": lambda d: {"pk": d.ticket.pk},
    "ticket_attachment": lambda d: {"pk": d.attachment.pk},
    "announcement_archive": lambda d: {"pk": d.announcement.pk},
    "payment_detail": lambda d: {"pk": d.payment.pk},
    "payment_refund": lambda d: {"pk": d.payment.pk},
    "funds_condominium": lambda d: {"pk": d.condo.pk},
    "funds_budget_new": lambda d: {"pk": d.condo.pk},
    "funds_operation_new": lambda d: {"pk": d.condo.pk},
    "funds_operation_close": lambda d: {"pk": d.condo.pk, "operation_pk": d.operation.pk},
    "funds_preview": lambda d: {"pk": d.condo.pk},
    "funds_issue": lambda d: {"pk": d.condo.pk},
    "funds_budget": lambda d: {"pk": d.budget.pk},
    "funds_batch": lambda d: {"pk": d.batch.pk},
    "funds_batch_letters": lambda d: {"pk": d.batch.pk},
    "budget_condominium": lambda d: {"pk": d.condo.pk},
    "budget_lines": lambda d: {"pk": d.condo.pk},
    "banking_import": lambda d: {"pk": d.statement.pk},
    "banking_confirm": lambda d: {"pk": d.suggestion.pk},
    "banking_assign": lambda d: {"pk": d.statement_line.pk},
    "banking_to_suspense": lambda d: {"pk": d.statement_line.pk},
    "banking_return": lambda d: {"pk": d.statement_line.pk},
    "banking_debit": lambda d: {"pk": d.statement_line.pk},
    "banking_ignore": lambda d: {"pk": d.statement_line.pk},
    "banking_return_file": lambda d: {"pk": d.return_transfer.pk},
    # The books (accounting screens), fiscal years and closing: included URL modules.
    "accounting_journals": lambda d: {"pk": d.condo.pk},
    "accounting_entries": lambda d: {"pk": d.condo.pk},
    "accounting_entries_export": lambda d: {"pk": d.condo.pk, "fmt": "csv"},
    "accounting_entry_new": lambda d: {"pk": d.condo.pk},
    "accounting_entry": lambda d: {"pk": d.condo.pk, "entry_pk": d.entry.pk},
    "accounting_entry_reverse": lambda d: {"pk": d.condo.pk, "entry_pk": d.entry.pk},
    "accounting_attachment": lambda d: {
        "pk": d.condo.pk,
        "entry_pk": d.entry.pk,
        "attachment_pk": d.entry_attachment.pk,
    },
    "accounting_trial_balance": lambda d: {"pk": d.condo.pk},
    "accounting_trial_balance_export": lambda d: {"pk": d.condo.pk, "fmt": "csv"},
    "accounting_general_ledger": lambda d: {"pk": d.condo.pk},
    "accounting_general_ledger_export": lambda d: {"pk": d.condo.pk, "fmt": "csv"},
    "accounting_lettering": lambda d: {"pk": d.condo.pk},
    "accounting_lettering_co_owner": lambda d: {"pk": d.condo.pk, "co_owner_pk": d.alice.pk},
    "accounting_letter": lambda d: {"pk": d.condo.pk, "co_owner_pk": d.alice.pk},
    "accounting_letter_auto": lambda d: {"pk": d.condo.pk, "co_owner_pk": d.alice.pk},
    "accounting_unletter": lambda d: {"pk": d.condo.pk, "co_owner_pk": d.alice.pk, "lettering_pk": d.lettering.pk},
    "accounting_lettering_account": lambda d: {"pk": d.condo.pk, "number": "401"},
    "accounting_letter_account": lambda d: {"pk": d.condo.pk, "number": "401"},
    "accounting_unletter_account": lambda d: {"pk": d.condo.pk, "number": "401", "lettering_pk": d.lettering.pk},
    "accounting_reconciliation": lambda d: {"pk": d.condo.pk},
    "fiscal_years_condominium": lambda d: {"pk": d.condo.pk},
    "fiscal_years_open": lambda d: {"pk": d.condo.pk},
    "closing_year": lambda d: {"pk": d.year.pk},
    "closing_draft": lambda d: {"pk": d.year.pk},
    "closing_approve": lambda d: {"pk": d.year.pk},
    "closing_annexes_pdf": lambda d: {"pk": d.year.pk},
    "closing_annexes_xlsx": lambda d: {"pk": d.year.pk},
    "closing_statement": lambda d: {"pk": d.year.pk, "co_owner_pk": d.alice.pk},
    # The co-owner file (issue 13): every section and action takes the co-owner only.
    **{
        name: lambda d: {"pk": d.alice.pk}
        for name in [
            "co_owner_file",
            "co_owner_edit",
            "co_owner_lots",
            "co_owner_statement",
            "co_owner_statement_pdf",
            "co_owner_statement_email",
            "co_owner_adjustment",
            "co_owner_open_items",
            "co_owner_card_payments",
            "co_owner_transfers",
            "co_owner_cheque_deposit",
            "co_owner_tickets",
            "co_owner_documents",
            "co_owner_access",
            "co_owner_notes",
            "co_owner_note_add",
            "co_owner_note_strike",
        ]
    },
    # The condominium file (issue 13): the demo condominium and its own buildings, lots, keys, contacts.
    **{
        f"condominium_{name}": lambda d: {"pk": d.condo.pk}
        for name in [
            "file",
            "identity_edit",
            "buildings",
            "lots",
            "lot_new",
            "shares_edit",
            "keys",
            "key_new",
            "co_owners",
            "bank",
            "years",
            "budgets",
            "council",
            "contacts",
            "documents",
            "history",
        ]
    },
    "condominium_building_edit": lambda d: {"pk": d.condo.pk, "building_pk": _in_condo(d, "building")},
    "condominium_building_delete": lambda d: {"pk": d.condo.pk, "building_pk": _in_condo(d, "building")},
    "condominium_lot_edit": lambda d: {"pk": d.condo.pk, "lot_pk": _in_condo(d, "lot")},
    "condominium_lot_delete": lambda d: {"pk": d.condo.pk, "lot_pk": _in_condo(d, "lot")},
    "condominium_key_edit": lambda d: {"pk": d.condo.pk, "key_pk": _in_condo(d, "key")},
    "condominium_key_delete": lambda d: {"pk": d.condo.pk, "key_pk": _in_condo(d, "key")},
    "condominium_council_end": lambda d: {"pk": d.condo.pk, "membership_pk": d.council.pk},
    "condominium_contact_edit": lambda d: {"pk": d.condo.pk, "contact_pk": _in_condo(d, "contact")},
    "condominium_contact_delete": lambda d: {"pk": d.condo.pk, "contact_pk": _in_condo(d, "contact")},
    "condominium_contact_move": lambda d: {"pk": d.condo.pk, "contact_pk": _in_condo(d, "contact")},
    # The sale of a lot (issue 13).
    "sale_detail": lambda d: {"pk": d.sale.pk},
    "sale_send_information": lambda d: {"pk": d.sale.pk},
    "sale_information_pdf": lambda d: {"pk": d.sale.pk},
    "sale_issue_statement": lambda d: {"pk": d.sale.pk},
    "sale_statement_pdf": lambda d: {"pk": d.sale.pk},
    "sale_mutation": lambda d: {"pk": d.sale.pk},
    "sale_opposition_pdf": lambda d: {"pk": d.sale.pk},
    "sale_close": lambda d: {"pk": d.sale.pk},
    # Supplier payments (issue 14 item 5): a batch of the demo condominium.
    "supplier_payments_condominium": lambda d: {"pk": d.condo.pk},
    "supplier_payments_cheque": lambda d: {"pk": d.condo.pk},
    **{
        f"supplier_payments_{name}": lambda d: {"pk": _supplier_batch(d)}
        for name in ("batch", "file", "sent", "cancel")
    },
    # Expenses (issue 14): a supplier, its IBAN, a contract and an invoice of the demo condominium.
    **{
        f"expenses_{name}": lambda d, kind=kind: {"pk": _expenses(d, kind)}
        for name, kind in [
            ("supplier_detail", "supplier"),
            ("supplier_edit", "supplier"),
            ("bank_account_add", "supplier"),
            ("contact_add", "supplier"),
            ("bank_account_verify", "bank_account"),
            ("bank_account_revoke", "bank_account"),
            ("contract_edit", "contract"),
            ("invoice_enter", "condominium"),
            ("settings", "condominium"),
            ("accruals", "condominium"),
            ("invoice_detail", "invoice"),
            ("invoice_pdf", "invoice"),
            ("invoice_validate", "invoice"),
            ("invoice_cancel", "invoice"),
            ("invoice_approve", "invoice"),
            ("invoice_reject", "invoice"),
            ("invoice_block", "invoice"),
            ("invoice_unblock", "invoice"),
        ]
    },
}


def _expenses(demo: Demo, kind: str) -> int:
    """The pk of an expenses object of the demo condominium, made once (a supplier, its IBAN, a
    contract, a draft invoice with its PDF)."""
    import datetime

    from tantieme.condominiums.models import AllocationKey
    from tantieme.expenses import services as expenses
    from tantieme.ledger.enums import FiscalYearState

    made: dict[str, int] = demo.__dict__.setdefault("expenses", {})
    if not made:
        with firm_scope(demo.horizon):
            supplier = expenses.create_supplier(
                firm=demo.horizon, data=expenses.SupplierData(legal_name="ISOLATION SARL")
            )
            account = expenses.add_bank_account(supplier=supplier, iban="FR7630004008200001023456773")
            contract = expenses.create_contract(
                condominium=demo.condo,
                data=expenses.ContractData(
                    supplier=supplier, kind="cleaning", title="Nettoyage", start_date=datetime.date(2024, 1, 1)
                ),
            )
            year = FiscalYear.objects.filter(condominium=demo.condo, state=FiscalYearState.OPEN).order_by("pk").first()
            key = AllocationKey.objects.filter(condominium=demo.condo).order_by("pk").first()
            invoice = expenses.create_invoice(
                condominium=demo.condo,
                data=expenses.InvoiceInput(
                    supplier=supplier,
                    number="ISO-1",
                    issue_date=year.start_date,
                    total_ttc=Decimal("10.00"),
                    lines=[expenses.LineInput(account="615", key=key, amount=Decimal("10.00"))],
                ),
                pdf=b"%PDF-1.4\n%%EOF\n",
                filename="iso.pdf",
            )
            expenses.validate_invoice(invoice=invoice)
        made.update(
            supplier=supplier.pk,
            bank_account=account.pk,
            contract=contract.pk,
            invoice=invoice.pk,
            condominium=demo.condo.pk,
        )
    return made[kind]


def _supplier_batch(demo: Demo) -> int:
    """The pk of a supplier payment batch of the demo condominium (its row and stored file), made once."""
    import datetime
    import hashlib

    from django.core.files.base import ContentFile

    from tantieme.supplier_payments.models import PaymentBatch

    made: int | None = demo.__dict__.get("supplier_batch")
    if made is None:
        content = b'<?xml version="1.0" encoding="UTF-8"?>\n<Document/>\n'
        batch = PaymentBatch(
            firm=demo.horizon,
            condominium=demo.condo,
            debtor_name="SDC ISOLATION",
            debtor_iban="FR7630006000011234567890189",
            execution_date=datetime.date(2026, 10, 15),
            message_id="TNT-SCT-20261012-0001",
            payment_info_id="TNT-SCT-20261012-0001-01",
            nb_of_txs=1,
            ctrl_sum=Decimal("10.00"),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        batch.file.save("isolation.xml", ContentFile(content), save=False)
        batch.save()
        made = demo.__dict__["supplier_batch"] = batch.pk
    return made


def _in_condo(demo: Demo, kind: str) -> int:
    """The pk of a building, lot, key or syndic contact of the demo condominium (a contact is made if none)."""
    from tantieme.condominiums.models import AllocationKey, Building, Lot, SyndicContact

    if kind == "contact":
        contact, _created = SyndicContact.all_firms.get_or_create(
            firm=demo.horizon, condominium=demo.condo, defaults={"name": "Contact de la résidence", "role": "manager"}
        )
        return contact.pk
    model = {"building": Building, "lot": Lot, "key": AllocationKey}[kind]
    pks = model.all_firms.filter(condominium=demo.condo).order_by("pk").values_list("pk", flat=True)
    return int(pks[0])


def _patterns(module: Any) -> list[URLPattern]:
    """Every pattern of the module, those of included modules (same namespace) too."""
    patterns: list[URLPattern] = []
    for pattern in module.urlpatterns:
        if isinstance(pattern, URLPattern):
            patterns.append(pattern)
        elif isinstance(pattern, URLResolver) and pattern.namespace is None:
            patterns += _patterns(pattern.urlconf_module)
    return patterns


def _urls(module: Any, namespace: str, objects: dict[str, Provider], demo: Demo) -> list[tuple[str, str, bool]]:
    """(name, path, has an object) for every pattern; fails on a pattern with no provider."""
    urls = []
    for pattern in _patterns(module):
        converters = getattr(pattern.pattern, "converters", {})
        if converters:
            assert pattern.name in objects, f"{namespace}:{pattern.name} has no object provider in this test"
            urls.append(
                (pattern.name, reverse(f"{namespace}:{pattern.name}", kwargs=objects[pattern.name](demo)), True)
            )
        else:
            urls.append((pattern.name, reverse(f"{namespace}:{pattern.name}"), False))
    return urls


# Views that only accept POST are probed with an empty POST (refused personas must be turned away
# before the form is even read); the rightful users are not sent empty POSTs.
POST_ONLY: set[str] = set()


def _read(response: Any) -> Any:
    if response.streaming:  # read it through the client's wrapper, which closes the file
        b"".join(response.streaming_content)
    return response


def _status(client: Any, path: str) -> tuple[int, str]:
    response = _read(client.post(path) if path in POST_ONLY else client.get(path))
    return response.status_code, response.get("Location", "")


def _find_post_only(clients: list[Any], paths: list[str]) -> None:
    for path in paths:
        if any(_read(client.get(path)).status_code == 405 for client in clients):
            POST_ONLY.add(path)


def test_every_url_answers_each_persona_as_it_should(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)
    demo = Demo()
    problems: list[str] = []

    def expect(condition: bool, who: str, path: str, got: tuple[int, str]) -> None:
        if not condition:
            problems.append(f"{who} GET {path} -> {got[0]} {got[1]}")

    portal = _urls(portal_urls, "portal", PORTAL_OBJECTS, demo)
    backoffice = _urls(backoffice_urls, "backoffice", BACKOFFICE_OBJECTS, demo)
    probes = [
        client_for(demo.horizon),
        client_for(demo.horizon, demo.alice_user),
        client_for(demo.horizon, demo.manager),
        client_for(demo.rivage, demo.rivage_manager),
    ]
    _find_post_only(probes, [path for _name, path, _personal in portal + backoffice])

    anonymous = client_for(demo.horizon)
    alice = client_for(demo.horizon, demo.alice_user)
    neighbour = client_for(demo.horizon, demo.neighbour_user)
    elsewhere = client_for(demo.horizon, demo.elsewhere_user)
    other_firm_co_owner = client_for(demo.rivage, demo.rivage_co_owner)
    manager = client_for(demo.horizon, demo.manager)
    other_firm_manager = client_for(demo.rivage, demo.rivage_manager)

    for name, path, personal in portal:
        got = _status(anonymous, path)
        expect(got[0] == 302 and "/compte/connexion/" in got[1], "anonymous", path, got)
        if path not in POST_ONLY:
            got = _status(alice, path)
            expect(got[0] in (200, 302) and "/compte/connexion/" not in got[1], "A6060001", path, got)
        if personal:
            got = _status(neighbour, path)
            allowed = (200, 302, 405) if name in CONDOMINIUM_WIDE else (404,)
            expect(got[0] in allowed, "neighbour", path, got)
            expect(_status(elsewhere, path)[0] == 404, "other condominium", path, _status(elsewhere, path))
            got = _status(other_firm_co_owner, path)
            expect(got[0] == 404, "other firm's co-owner", path, got)

    for name, path, personal in backoffice:
        got = _status(anonymous, path)
        expect(got[0] == 302 and "/compte/connexion/" in got[1], "anonymous", path, got)
        got = _status(alice, path)
        expect(got[0] == 404, "co-owner in the back office", path, got)
        if path not in POST_ONLY:
            got = _status(manager, path)
            # The import preview needs a file uploaded in this session first: 404 without one.
            served = (200, 302, 403, 404) if name == "import_preview" else (200, 302, 403)
            expect(got[0] in served and "/compte/" not in got[1], "horizon manager", path, got)
        if personal:
            got = _status(other_firm_manager, path)
            expect(got[0] == 404, "other firm's manager", path, got)

    assert problems == [], "\n".join(problems)
