"""The worked example of expenses-and-suppliers.md §11 as rows, and helpers to make invoices.

Reusable by the supplier payments tests:

    tilleuls = build_tilleuls(firm)                 # inside firm_scope(firm)
    invoice = enter_example_invoice(tilleuls, "F1") # validated (and approved under the threshold)
    pdf = facturx_pdf(F2_DATA)                      # a real Factur-X PDF (factur-x + ReportLab)
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from facturx import generate_from_binary, generate_xml
from reportlab.pdfgen import canvas

from tantieme.condominiums.enums import KeyKind, LotKind
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner, Lot
from tantieme.expenses import services
from tantieme.expenses.enums import InvoiceKind, SupplierKind, VatRegime
from tantieme.expenses.models import Invoice, Supplier
from tantieme.expenses.services import InvoiceInput, LineInput, SupplierData
from tantieme.funds.models import WorksLine, WorksOperation
from tantieme.ledger import services as ledger
from tantieme.tenancy.models import Firm
from tantieme.users.models import User
from tests.factories import (
    AllocationKeyFactory,
    CondominiumFactory,
    CoOwnerFactory,
    LotFactory,
    LotShareFactory,
    OwnershipFactory,
    StaffUserFactory,
)

D = Decimal

# §11.1: lot → (owner, CG, BATB, ASC)
LOTS = {
    1: ("A", 220, 0, 0),
    2: ("B", 180, 0, 0),
    3: ("C", 190, 300, 0),
    4: ("D", 200, 330, 450),
    5: ("E", 210, 370, 550),
}
OWNERS = {
    "A": ("A7000001", "AUBERT"),
    "B": ("A7000002", "BLANC"),
    "C": ("A7000003", "SCI LES CERISIERS"),
    "D": ("A7000004", "DUVAL"),
    "E": ("A7000005", "ESTÈVE"),
}
# §2.2 / §11.3: code → identity and bank details.
SUPPLIERS: dict[str, dict[str, Any]] = {
    "FRN00002": {
        "legal_name": "PLOMBERIE DURAND",
        "kind": SupplierKind.SOLE_TRADER,
        "siren": "812345676",
        "siret": "81234567600017",
        "vat_number": "",
        "vat_regime": VatRegime.FRANCHISE,
        "iban": "FR2420041010071234567K02030",
        "bic": "PSSTFRPP",
    },
    "FRN00003": {
        "legal_name": "NET'ÉCLAT SARL",
        "siren": "529876542",
        "siret": "52987654200018",
        "vat_number": "FR40529876542",
        "iban": "FR7630004008200001023456773",
        "bic": "BNPAFRPP",
    },
    "FRN00004": {
        "legal_name": "TOITURES DU RHÔNE SAS",
        "siren": "433188224",
        "siret": "43318822400011",
        "vat_number": "FR06433188224",
        "iban": "FR7610278073000002059130143",
        "bic": "",
    },
    "FRN00005": {
        "legal_name": "ASCENSEURS DU SUD SAS",
        "siren": "901553206",
        "siret": "90155320600011",
        "vat_number": "FR94901553206",
        "iban": "FR7630003015200005012345643",
        "bic": "SOGEFRPP",
    },
    "FRN00006": {
        "legal_name": "HYGIÈNE SERVICES 69 SARL",
        "siren": "777420191",
        "siret": "77742019100010",
        "vat_number": "FR54777420191",
        "iban": "FR7616807000013123456789037",
        "bic": "CCBPFRPP",
    },
}


@dataclass
class Tilleuls:
    firm: Firm
    condominium: Condominium
    owners: dict[str, CoOwner]
    lots: dict[int, Lot]
    keys: dict[str, AllocationKey]
    operation: WorksOperation
    suppliers: dict[str, Supplier]
    accountant: User
    manager: User
    invoices: dict[str, Invoice] = field(default_factory=dict)


def make_supplier(firm: Firm, *, actor: User | None = None, verifier: User | None = None, **values: Any) -> Supplier:
    """A supplier with its IBAN verified (entered by `actor`, verified by `verifier`)."""
    iban = values.pop("iban", "")
    bic = values.pop("bic", "")
    supplier = services.create_supplier(firm=firm, data=SupplierData(**values), actor=actor)
    if iban:
        account = services.add_bank_account(supplier=supplier, iban=iban, bic=bic, actor=actor)
        if verifier is not None:
            services.verify_bank_account(bank_account=account, evidence="Rappel au numéro connu", actor=verifier)
    return supplier


def build_tilleuls(firm: Firm, *, code: str = "700", years: tuple[int, ...] = (2026, 2027)) -> Tilleuls:
    """SDC Résidence Les Tilleuls (§11.1): 5 lots, keys CG/BATB/ASC, OP-2026-01, five suppliers,
    books open for `years`. Call inside `firm_scope(firm)`."""
    condominium = CondominiumFactory(
        firm=firm, code=code, name="SDC RÉSIDENCE LES TILLEULS", iban="FR7630006000011234567890189", bic="AGRIFRPP"
    )
    owners = {
        letter: CoOwnerFactory(condominium=condominium, reference=reference, last_name=name)
        for letter, (reference, name) in OWNERS.items()
    }
    keys = {
        "CG": AllocationKeyFactory(condominium=condominium, code="CG", label="Charges générales", kind=KeyKind.GENERAL),
        "BATB": AllocationKeyFactory(condominium=condominium, code="BATB", label="Bâtiment B", kind=KeyKind.SPECIAL),
        "ASC": AllocationKeyFactory(condominium=condominium, code="ASC", label="Ascenseur B", kind=KeyKind.SPECIAL),
    }
    lots = {}
    for number, (owner, cg, batb, asc) in LOTS.items():
        lot = LotFactory(condominium=condominium, number=number, kind=LotKind.APARTMENT)
        lots[number] = lot
        for code_, shares in (("CG", cg), ("BATB", batb), ("ASC", asc)):
            LotShareFactory(key=keys[code_], lot=lot, shares=shares)
        OwnershipFactory(co_owner=owners[owner], lot=lot, start_date=datetime.date(2010, 1, 1))
    ledger.create_chart(condominium=condominium)
    ledger.open_fiscal_year(condominium=condominium, start_date=datetime.date(years[0], 1, 1))
    for _year in years[1:]:
        ledger.open_fiscal_year(condominium=condominium)
    operation = WorksOperation.objects.create(
        condominium=condominium,
        code="OP-2026-01",
        label="Réfection de l'étanchéité de la toiture-terrasse du bâtiment B",
        general_meeting_date=datetime.date(2026, 4, 10),
    )
    WorksLine.objects.create(operation=operation, key=keys["BATB"], account="671", amount=D("12000.00"))
    accountant = StaffUserFactory(firm=firm, membership="accountant")
    manager = StaffUserFactory(firm=firm)
    suppliers = {}
    for expected_code, values in SUPPLIERS.items():
        existing = Supplier.objects.filter(firm=firm, siret=values["siret"]).first()
        if existing is None:
            existing = make_supplier(firm, actor=accountant, verifier=manager, **values)
        assert existing.code == expected_code or code != "700", existing.code
        suppliers[expected_code] = existing
    services.save_settings(condominium=condominium, approval_threshold=D("1500.00"))
    return Tilleuls(
        firm=firm,
        condominium=condominium,
        owners=owners,
        lots=lots,
        keys=keys,
        operation=operation,
        suppliers=suppliers,
        accountant=accountant,
        manager=manager,
    )


def example_invoice_input(tilleuls: Tilleuls, name: str) -> InvoiceInput:
    """F1–F6 of §11.4 as service input."""
    s, k, op = tilleuls.suppliers, tilleuls.keys, tilleuls.operation
    day = datetime.date
    inputs = {
        "F1": InvoiceInput(
            supplier=s["FRN00002"],
            number="D-2026-118",
            issue_date=day(2026, 9, 10),
            due_date=day(2026, 10, 10),
            total_ttc=D("385.00"),
            total_ht=D("385.00"),
            label="Fuite colonne eau froide sous-sol",
            lines=[LineInput(account="615", key=k["CG"], amount=D("385.00"))],
        ),
        "F2": InvoiceInput(
            supplier=s["FRN00003"],
            number="NE-2026-0917",
            issue_date=day(2026, 9, 15),
            due_date=day(2026, 10, 15),
            total_ttc=D("1980.00"),
            total_ht=D("1650.00"),
            total_vat=D("330.00"),
            label="Entretien forfait 2026",
            lines=[
                LineInput(account="611", key=k["CG"], amount=D("1188.00"), label="Entretien halls et cour"),
                LineInput(account="611", key=k["BATB"], amount=D("792.00"), label="Entretien cage escalier B"),
            ],
        ),
        "F3": InvoiceInput(
            supplier=s["FRN00004"],
            number="TR-26-0452",
            issue_date=day(2026, 9, 18),
            due_date=day(2026, 10, 18),
            total_ttc=D("11000.00"),
            total_ht=D("10000.00"),
            total_vat=D("1000.00"),
            label="Étanchéité toiture B",
            lines=[LineInput(account="671", operation=op, amount=D("11000.00"))],
        ),
        "F4": InvoiceInput(
            supplier=s["FRN00005"],
            number="ADS-2026-3310",
            issue_date=day(2026, 9, 25),
            due_date=day(2026, 10, 25),
            total_ttc=D("2520.00"),
            total_ht=D("2100.00"),
            total_vat=D("420.00"),
            label="Contrat ascenseur 2026",
            lines=[LineInput(account="614", key=k["ASC"], amount=D("2520.00"), recoverable_pct=100)],
        ),
        "F5": InvoiceInput(
            supplier=s["FRN00005"],
            number="AV-2026-0071",
            issue_date=day(2026, 11, 10),
            kind=InvoiceKind.CREDIT_NOTE,
            total_ttc=D("252.00"),
            label="Pénalité arrêt ascenseur 21 jours",
            preceding_invoice=tilleuls.invoices.get("F4"),
            lines=[LineInput(account="614", key=k["ASC"], amount=D("252.00"))],
        ),
        "F6": InvoiceInput(
            supplier=s["FRN00006"],
            number="HS-2026-1231",
            issue_date=day(2026, 12, 31),
            received_on=day(2027, 2, 2),
            total_ttc=D("468.00"),
            total_ht=D("390.00"),
            total_vat=D("78.00"),
            label="Dératisation",
            lines=[LineInput(account="615", key=k["CG"], amount=D("468.00"))],
        ),
    }
    return inputs[name]


def enter_example_invoice(tilleuls: Tilleuls, name: str, **kwargs: Any) -> Invoice:
    invoice = services.enter_invoice(
        condominium=tilleuls.condominium,
        data=example_invoice_input(tilleuls, name),
        actor=tilleuls.accountant,
        **kwargs,
    )
    tilleuls.invoices[name] = invoice
    return invoice


def blank_pdf(text: str = "Facture") -> bytes:
    """A one-page ReportLab PDF (deterministic)."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=True)
    page.drawString(72, 770, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


F2_DATA: dict[str, Any] = {
    "BT-24": "urn:cen.eu:en16931:2017",
    "BT-1": "NE-2026-0917",
    "BT-2": datetime.date(2026, 9, 15),
    "BT-3": "380",
    "BT-5": "EUR",
    "BT-9": datetime.date(2026, 10, 15),
    "BT-10": "SDC-TILLEULS",
    "BT-72": datetime.date(2026, 8, 31),
    "BT-81": "58",
    "BT-83": "NE-2026-0917",
    "BT-84": "FR7630004008200001023456773",
    "BG-4": {
        "name": "NET'ECLAT SARL",
        "legal_identifier": "529876542",
        "legal_identifier_schemeid": "0002",
        "vat_identifier": "FR40529876542",
        "country_code": "FR",
        "city": "Lyon",
        "postcode": "69007",
        "addr_l1": "5 rue de Gerland",
    },
    "BG-7": {
        "name": "SYNDICAT DES COPROPRIETAIRES RESIDENCE LES TILLEULS",
        "legal_identifier": "881234561",
        "legal_identifier_schemeid": "0002",
        "country_code": "FR",
        "city": "Lyon",
        "postcode": "69003",
        "addr_l1": "12 rue des Lilas",
    },
    "BG-25": [
        {
            "BT-126": "1",
            "BT-129": "1",
            "BT-130": "C62",
            "BT-131": "990.00",
            "BT-146": "990.00",
            "BT-151": "S",
            "BT-152": "20",
            "BT-153": "Entretien halls et cour - forfait 2026",
        },
        {
            "BT-126": "2",
            "BT-129": "1",
            "BT-130": "C62",
            "BT-131": "660.00",
            "BT-146": "660.00",
            "BT-151": "S",
            "BT-152": "20",
            "BT-153": "Entretien cage escalier batiment B - forfait 2026",
        },
    ],
    "BG-23": [{"BT-116": "1650.00", "BT-117": "330.00", "BT-118": "S", "BT-119": "20"}],
    "BT-106": "1650.00",
    "BT-109": "1650.00",
    "BT-110": "330.00",
    "BT-112": "1980.00",
    "BT-115": "1980.00",
}


def facturx_pdf(data: dict[str, Any] | None = None, **overrides: Any) -> bytes:
    """A real Factur-X PDF: CII XML generated by `factur-x`, embedded in a ReportLab PDF."""
    values = dict(F2_DATA if data is None else data)
    values.update(overrides)
    xml = generate_xml(values, flavor="factur-x", level="en16931", check_xsd=True, check_schematron=False)
    pdf: bytes = generate_from_binary(
        blank_pdf(f"Facture {values['BT-1']}"), xml, flavor="factur-x", level="autodetect", check_xsd=True
    )
    return pdf
