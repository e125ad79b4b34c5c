"""A year of expenses for a demo condominium, through the expenses and supplier-payments services.

`seed_expenses(condominium, year, today=...)` is called by `history.seed_ledger_history` for the
current fiscal year, instead of its lump quarterly charges, before the draft closing is computed
(so the closing and its annexes distribute real invoices). Up to `today`:

  - the firm's suppliers (spec expenses-and-suppliers §2.2, the fictitious firms with valid SIRET,
    VAT number and IBAN, plus an insurer, an energy supplier, a water company and the syndic), each
    IBAN entered then verified by the manager, long enough ago to pay it without a second approver;
  - the condominium's contracts (insurance, cleaning, lift, energy, water, pest control, syndic),
    published in the extranet categories of décret 2019-502;
  - the invoices of the year on the budget's accounts and keys, so that the budget against actual
    shows a sensible consumption: the insurance premium (above the approval threshold: approved by
    the manager), the syndic's fees, monthly cleaning split over the keys, with one credit note,
    monthly electricity paid by direct debit, quarterly water and lift maintenance, repairs, and two
    progress invoices of the façade works (art. 14-2): the first approved and paid, the second
    waiting for approval;
  - a payment batch (pain.001.001.09) each month, executed, and its debit with the energy direct
    debits on a CAMT.053 statement imported through the bank import, which matches them.

Returns the number of entries posted, 0 when the condominium cannot have them (no general key or
budget, no manager to approve, a year already begun with other charges): the caller then posts
its lump charges. Idempotent through the caller (a condominium with entries is left alone).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from tantieme.banking.samples import SampleMovement, camt053_document
from tantieme.banking.services import import_statement
from tantieme.condominiums.enums import KeyKind
from tantieme.condominiums.models import Condominium
from tantieme.core.money import allocate, format_amount
from tantieme.demo.documents import render_demo_pdf
from tantieme.expenses import services as expenses
from tantieme.expenses.enums import (
    ContractKind,
    InvoiceKind,
    InvoiceStatus,
    PaymentMeans,
    SupplierCategory,
    SupplierKind,
    VatRegime,
)
from tantieme.expenses.models import Invoice, Supplier, SupplierBankAccount
from tantieme.formats.pain001 import next_target_business_day
from tantieme.funds.computation import add_months
from tantieme.funds.models import Budget, BudgetLine, WorksOperation
from tantieme.ledger.models import Entry, FiscalYear, Line, cents
from tantieme.supplier_payments.exceptions import NothingToPayError
from tantieme.supplier_payments.services import build_batch, mark_sent
from tantieme.tenancy.enums import StaffRole
from tantieme.tenancy.models import Firm, StaffMembership
from tantieme.users.models import User

APPROVAL_THRESHOLD = Decimal("3000.00")
VAT = Decimal("0.20")
# Electricity through the year, in % of the yearly budget: heating the halls and lighting the
# long winter evenings weigh more than summer. Every month differs: the direct debits are matched to
# their invoice by amount (supplier_payments.matching, rule 4).
ENERGY_PROFILE = (140, 121, 103, 82, 64, 51, 47, 49, 58, 79, 98, 108)
WORKS_SITUATION = Decimal("0.30")


@dataclass(frozen=True)
class DemoSupplier:
    role: str
    data: expenses.SupplierData
    iban: str
    bic: str = ""


def _supplier(role: str, iban: str, bic: str = "", **fields: object) -> DemoSupplier:
    return DemoSupplier(role=role, data=expenses.SupplierData(**fields), iban=iban, bic=bic)  # type: ignore[arg-type]


# The five firms of spec §2.2 (valid identifiers, checked by the services) and four more, made the
# same way (SIREN Luhn, VAT key int(SIREN + "12") % 97, IBAN with its clé RIB).
SUPPLIERS: tuple[DemoSupplier, ...] = (
    _supplier(
        "cleaning",
        "FR7630004008200001023456773",
        "BNPAFRPP",
        legal_name="NET'ÉCLAT SARL",
        trade_name="Net'Éclat",
        category=SupplierCategory.CLEANING,
        siren="529876542",
        siret="52987654200018",
        vat_number="FR40529876542",
        street="rue Garibaldi",
        building_number="18",
        postal_code="69003",
        town="Lyon",
        email="contact@neteclat.example",
        phone="04 72 00 11 22",
    ),
    _supplier(
        "lift",
        "FR7630003015200005012345643",
        "SOGEFRPP",
        legal_name="ASCENSEURS DU SUD SAS",
        trade_name="Ascenseurs du Sud",
        category=SupplierCategory.LIFT,
        siren="901553206",
        siret="90155320600011",
        vat_number="FR94901553206",
        street="avenue Berthelot",
        building_number="102",
        postal_code="69007",
        town="Lyon",
        email="maintenance@ascenseurs-sud.example",
        phone="04 78 00 33 44",
    ),
    _supplier(
        "plumbing",
        "FR2420041010071234567K02030",
        "PSSTFRPP",
        legal_name="PLOMBERIE DURAND",
        trade_name="Plomberie Durand",
        kind=SupplierKind.SOLE_TRADER,
        category=SupplierCategory.MAINTENANCE,
        siren="812345676",
        siret="81234567600017",
        vat_regime=VatRegime.FRANCHISE,
        street="rue des Artisans",
        building_number="4",
        postal_code="69100",
        town="Villeurbanne",
        phone="06 12 34 56 78",
    ),
    _supplier(
        "works",
        "FR7610278073000002059130143",
        "",
        legal_name="TOITURES DU RHÔNE SAS",
        trade_name="Toitures du Rhône",
        category=SupplierCategory.WORKS,
        siren="433188224",
        siret="43318822400011",
        vat_number="FR06433188224",
        street="quai Perrache",
        building_number="27",
        postal_code="69002",
        town="Lyon",
        email="chantiers@toitures-rhone.example",
    ),
    _supplier(
        "pest",
        "FR7616807000013123456789037",
        "CCBPFRPP",
        legal_name="HYGIÈNE SERVICES 69 SARL",
        trade_name="Hygiène Services 69",
        category=SupplierCategory.PEST_CONTROL,
        siren="777420191",
        siret="77742019100010",
        vat_number="FR54777420191",
        street="rue de la République",
        building_number="9",
        postal_code="69001",
        town="Lyon",
    ),
    _supplier(
        "insurance",
        "FR7618206000006543210987620",
        "AGRIFRPP882",
        legal_name="MUTUELLE DES IMMEUBLES DE FRANCE",
        trade_name="MIF Assurances",
        kind=SupplierKind.INSURER,
        category=SupplierCategory.INSURANCE,
        siren="418756326",
        siret="41875632600017",
        vat_number="FR68418756326",
        vat_regime=VatRegime.EXEMPT,
        street="boulevard Haussmann",
        building_number="50",
        postal_code="75009",
        town="Paris",
        email="sinistres@mif.example",
    ),
    _supplier(
        "energy",
        "FR7630002015200006789123444",
        "CRLYFRPP",
        legal_name="ÉNERGIES URBAINES SA",
        trade_name="Énergies Urbaines",
        kind=SupplierKind.ENERGY,
        category=SupplierCategory.ENERGY,
        siren="532164803",
        siret="53216480300019",
        vat_number="FR36532164803",
        street="place de la Défense",
        building_number="1",
        postal_code="92400",
        town="Courbevoie",
        payment_means=PaymentMeans.DIRECT_DEBIT,
        payment_terms_days=15,
    ),
    _supplier(
        "water",
        "FR7610278021000001234567881",
        "CMCIFR2A",
        legal_name="EAUX DE LA MÉTROPOLE SPL",
        trade_name="Eaux de la Métropole",
        category=SupplierCategory.ENERGY,
        siren="388451205",
        siret="38845120500016",
        vat_number="FR89388451205",
        street="rue du Château d'Eau",
        building_number="3",
        postal_code="75010",
        town="Paris",
    ),
)
# The syndic's own fees are its invoices too (spec §3.5), paid to its fees account.
SYNDIC_IBANS = {"814606067": "FR7630003007500008146060630", "827171497": "FR7613335001000008271714996"}


# --- Suppliers, settings, contracts ---------------------------------------------------------------


def _manager(firm: Firm) -> User | None:
    membership = (
        StaffMembership.objects.filter(firm=firm, role__in=[StaffRole.MANAGER, StaffRole.FIRM_ADMIN])
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    return membership.user if membership is not None else None


def _syndic(firm: Firm) -> DemoSupplier | None:
    iban = SYNDIC_IBANS.get(firm.siren)
    if iban is None:
        return None
    siret = f"{firm.siren}00019" if firm.siren == "814606067" else f"{firm.siren}00015"
    return _supplier(
        "syndic",
        iban,
        legal_name=firm.legal_name,
        trade_name=firm.name,
        category=SupplierCategory.SYNDIC,
        siren=firm.siren,
        siret=siret,
        vat_number=f"FR{int(firm.siren + '12') % 97:02d}{firm.siren}",
        street=firm.address_line1,
        postal_code=firm.postal_code,
        town=firm.city,
        is_syndic=True,
    )


def firm_suppliers(firm: Firm, *, manager: User, verified_on: datetime.date) -> dict[str, Supplier]:
    """The firm's demo suppliers by role, made (with their verified IBAN) when missing."""
    wanted = [*SUPPLIERS, *filter(None, [_syndic(firm)])]
    existing = {supplier.siret: supplier for supplier in Supplier.objects.filter(firm=firm)}
    suppliers: dict[str, Supplier] = {}
    for demo in wanted:
        supplier = existing.get(demo.data.siret)
        if supplier is None:
            supplier = expenses.create_supplier(firm=firm, data=demo.data)
            account = expenses.add_bank_account(supplier=supplier, iban=demo.iban, bic=demo.bic)
            expenses.verify_bank_account(
                bank_account=account, evidence="RIB signé sur papier à en-tête, rappel au standard.", actor=manager
            )
            # Verified long ago: the transfers need no second approver (cooling period, spec §2.3).
            verified_at = datetime.datetime.combine(verified_on, datetime.time(10), tzinfo=datetime.UTC)
            SupplierBankAccount.objects.filter(pk=account.pk).update(verified_at=verified_at)
        suppliers[demo.role] = supplier
    return suppliers


def _contracts(
    condominium: Condominium, suppliers: dict[str, Supplier], year: FiscalYear, amounts: dict[str, Decimal]
) -> None:
    start = year.start_date
    plans = [
        ("insurance", ContractKind.INSURANCE, "Multirisque immeuble", add_months(start, -24), 60),
        ("cleaning", ContractKind.CLEANING, "Entretien des parties communes", add_months(start, -12), 90),
        (
            "lift",
            ContractKind.LIFT_MAINTENANCE,
            "Maintenance des ascenseurs (contrat étendu)",
            add_months(start, -36),
            90,
        ),
        (
            "energy",
            ContractKind.ENERGY_SUPPLY,
            "Fourniture d'électricité des parties communes",
            add_months(start, -6),
            30,
        ),
        ("water", ContractKind.WATER, "Fourniture d'eau", add_months(start, -60), 30),
        ("pest", ContractKind.PEST_CONTROL, "Dératisation et désinsectisation", add_months(start, -12), 60),
        ("syndic", ContractKind.SYNDIC, "Contrat de syndic (modèle du décret 2015-342)", add_months(start, -6), 90),
    ]
    for role, kind, title, begins, notice in plans:
        supplier = suppliers.get(role)
        amount = amounts.get(role)
        if supplier is None or not amount:
            continue
        expenses.create_contract(
            condominium=condominium,
            data=expenses.ContractData(
                supplier=supplier,
                kind=kind,
                title=title,
                start_date=begins,
                end_date=add_months(begins, 36 if role == "syndic" else 12) - datetime.timedelta(days=1),
                reference=f"{condominium.code}-{role.upper()}-{begins:%Y}",
                signed_on=begins - datetime.timedelta(days=20),
                tacit_renewal=role != "syndic",
                notice_days=notice,
                yearly_amount=amount,
            ),
        )


# --- The year's invoices ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One invoice to enter: its allocation is a share of the budget lines of `account`."""

    role: str
    number: str
    issue_date: datetime.date
    lines: tuple[tuple[BudgetLine, Decimal], ...]
    label: str
    vat: bool = True

    @property
    def total(self) -> Decimal:
        return sum((amount for _line, amount in self.lines), Decimal("0.00"))


def _share(lines: Sequence[BudgetLine], fraction: Decimal) -> tuple[tuple[BudgetLine, Decimal], ...]:
    return tuple((line, (line.amount * fraction).quantize(Decimal("0.01"))) for line in lines)


def _spread(
    lines: Sequence[BudgetLine], total_rate: Decimal, weights: Sequence[int]
) -> list[tuple[tuple[BudgetLine, Decimal], ...]]:
    """Each line's `total_rate` × budget split over the periods by `weights` (to the cent)."""
    parts = [allocate((line.amount * total_rate).quantize(Decimal("0.01")), list(weights)) for line in lines]
    return [
        tuple((line, part[index]) for line, part in zip(lines, parts, strict=True)) for index in range(len(weights))
    ]


def plan_invoices(condominium: Condominium, budget: Budget) -> list[Planned]:  # noqa: PLR0912 — one branch per kind of charge
    """The year's invoices for `budget` (all of them; the caller keeps those issued by today)."""
    by_account: dict[str, list[BudgetLine]] = {}
    for line in budget.lines.select_related("key").order_by("key__code", "account"):
        by_account.setdefault(line.account, []).append(line)
    start, code, year = budget.start_date, condominium.code, budget.start_date.year
    planned: list[Planned] = []

    def on(month: int, day: int) -> datetime.date:
        return add_months(start, month).replace(day=day)

    if lines := by_account.get("616"):
        planned.append(
            Planned(
                "insurance",
                f"MIF-{year}-{code}-01",
                on(0, 8),
                _share(lines, Decimal("0.985")),
                "Prime annuelle multirisque immeuble",
                vat=False,
            )
        )
    if lines := by_account.get("6211"):
        for quarter, amounts in enumerate(_spread(lines, Decimal("1"), [1, 1, 1, 1])):
            planned.append(
                Planned(
                    "syndic",
                    f"HON-{year}-{code}-T{quarter + 1}",
                    on(3 * quarter, 5),
                    amounts,
                    f"Honoraires de gestion courante T{quarter + 1} {year}",
                )
            )
    if lines := by_account.get("611"):
        for month, amounts in enumerate(_spread(lines, Decimal("1"), [1] * 12)):
            last_day = add_months(start, month + 1) - datetime.timedelta(days=1)
            planned.append(
                Planned(
                    "cleaning",
                    f"NE-{year}-{code}-{month + 1:02d}",
                    last_day,
                    amounts,
                    f"Entretien des parties communes {last_day:%m/%Y}",
                )
            )
    if lines := by_account.get("602"):
        for month, amounts in enumerate(_spread(lines, Decimal("1.03"), ENERGY_PROFILE)):
            planned.append(
                Planned(
                    "energy",
                    f"EU-{year}-{code}-{month + 1:02d}",
                    on(month, 20),
                    amounts,
                    f"Électricité des parties communes {on(month, 1):%m/%Y}",
                )
            )
    if lines := by_account.get("601"):
        for quarter, amounts in enumerate(_spread(lines, Decimal("0.97"), [23, 24, 28, 25])):
            planned.append(
                Planned(
                    "water",
                    f"EAU-{year}-{code}-T{quarter + 1}",
                    on(3 * quarter + 2, 25),
                    amounts,
                    f"Consommation d'eau T{quarter + 1} {year}",
                )
            )
    if lines := by_account.get("614"):
        for quarter, amounts in enumerate(_spread(lines, Decimal("1"), [1, 1, 1, 1])):
            planned.append(
                Planned(
                    "lift",
                    f"ADS-{year}-{code}-T{quarter + 1}",
                    on(3 * quarter, 3),
                    amounts,
                    f"Maintenance des ascenseurs T{quarter + 1} {year}",
                )
            )
    if lines := by_account.get("615"):
        planned.append(
            Planned(
                "plumbing",
                f"PD-{year}-{code}-031",
                on(2, 14),
                _share(lines, Decimal("0.40")),
                "Remplacement de la colonne d'eau froide",
                vat=False,
            )
        )
        planned.append(
            Planned(
                "pest",
                f"HS-{year}-{code}-02",
                on(1, 17),
                _share(lines, Decimal("0.10")),
                "Dératisation des caves (passage de février)",
            )
        )
        planned.append(
            Planned(
                "pest",
                f"HS-{year}-{code}-08",
                on(7, 19),
                _share(lines, Decimal("0.10")),
                "Dératisation des caves (passage d'août)",
            )
        )
        planned.append(
            Planned(
                "plumbing",
                f"PD-{year}-{code}-077",
                on(8, 22),
                _share(lines, Decimal("0.30")),
                "Recherche de fuite et reprise d'étanchéité",
                vat=False,
            )
        )
    return sorted(planned, key=lambda plan: (plan.issue_date, plan.number))


def _amounts_ht(total: Decimal, vat: bool) -> tuple[Decimal | None, Decimal | None]:
    if not vat:
        return None, None
    net = (total / (1 + VAT)).quantize(Decimal("0.01"))
    return net, total - net


def _invoice_pdf(
    condominium: Condominium,
    plan: Planned,
    supplier: Supplier,
    *,
    kind: str,
    net: Decimal | None,
    vat: Decimal | None,
) -> bytes:
    """The supplier's invoice as the council sees it in its space (art. 21): a one-page PDF."""
    what = "Avoir" if kind == InvoiceKind.CREDIT_NOTE else "Facture"
    identity = f"SIRET {supplier.siret}" + (f" — TVA {supplier.vat_number}" if supplier.vat_number else "")
    address = f"{supplier.building_number} {supplier.street}, {supplier.postal_code} {supplier.town}".strip(" ,")
    lines = tuple(f"{line.label or plan.label} : {format_amount(amount)} TTC" for line, amount in plan.lines if amount)
    totals = (
        f"Total HT {format_amount(net)} — TVA {format_amount(vat)} — Total TTC {format_amount(plan.total)}"
        if net is not None and vat is not None
        else f"Total {format_amount(plan.total)} (TVA non applicable)"
    )
    return render_demo_pdf(
        condominium=condominium,
        title=f"{what} n° {plan.number} — {supplier.legal_name}",
        paragraphs=(
            f"{supplier.legal_name}, {address}. {identity}.",
            f"Date : {plan.issue_date:%d/%m/%Y}. Objet : {plan.label}.",
            *lines,
            totals,
        ),
    )


def _enter(
    condominium: Condominium,
    plan: Planned,
    supplier: Supplier,
    *,
    manager: User,
    operation: WorksOperation | None = None,
    kind: str = InvoiceKind.INVOICE,
    preceding: Invoice | None = None,
    approve: bool = True,
) -> Invoice:
    net, vat = _amounts_ht(plan.total, plan.vat)
    lines = [
        expenses.LineInput(
            account=line.account if operation is None else "671",
            amount=amount,
            key=line.key if operation is None else None,
            operation=operation,
            label=line.label or plan.label,
            budget_line=line if operation is None else None,
        )
        for line, amount in plan.lines
        if amount
    ]
    invoice = expenses.enter_invoice(
        condominium=condominium,
        pdf=_invoice_pdf(condominium, plan, supplier, kind=kind, net=net, vat=vat),
        filename=f"{plan.number}.pdf",
        data=expenses.InvoiceInput(
            supplier=supplier,
            number=plan.number,
            issue_date=plan.issue_date,
            received_on=plan.issue_date + datetime.timedelta(days=2),
            total_ttc=plan.total,
            lines=lines,
            kind=kind,
            label=plan.label,
            total_ht=net,
            total_vat=vat,
            preceding_invoice=preceding,
        ),
    )
    if approve and invoice.status == InvoiceStatus.VALIDATED:
        invoice = expenses.approve_invoice(invoice=invoice, actor=manager, comment="Conforme au contrat et au budget.")
    return invoice


def _works(
    condominium: Condominium, year: FiscalYear, supplier: Supplier, manager: User, today: datetime.date
) -> list[Invoice]:
    """The façade contractor's progress invoices: n° 1 approved (paid in a batch), n° 2 awaiting approval."""
    operation = WorksOperation.objects.filter(condominium=condominium, code=f"RAV{year.label}").first()
    if operation is None:
        return []
    voted = sum((line.amount for line in operation.lines.all()), Decimal("0.00"))
    amount = (voted * WORKS_SITUATION).quantize(Decimal("0.01"))
    entered = []
    for number, issued, approve in (
        (1, add_months(year.start_date, 4), True),
        (2, min(add_months(year.start_date, 10), today - datetime.timedelta(days=10)), False),
    ):
        if issued > today or (number == 2 and issued <= add_months(year.start_date, 4)):
            continue
        line = BudgetLine(account="671", label=f"Ravalement, situation n° {number}", amount=amount)
        plan = Planned(
            "works",
            f"TDR-{year.label}-{condominium.code}-S{number}",
            issued,
            ((line, amount),),
            f"Ravalement : situation de travaux n° {number}",
        )
        entered.append(_enter(condominium, plan, supplier, manager=manager, operation=operation, approve=approve))
    return entered


# --- Paying: batches, direct debits, the bank statements ---------------------------------------------


def _bank_balance(condominium: Condominium, on: datetime.date) -> Decimal:
    totals = Line.objects.filter(condominium=condominium, account__number="512", date__lte=on).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    return cents(totals["debit"]) - cents(totals["credit"])


def _pay(condominium: Condominium, year: FiscalYear, energy: Supplier | None, *, today: datetime.date) -> int:
    """A batch on the 12th of each month (or the next business day), sent and debited the same day;
    the energy direct debits on their due date; each month's debits on a CAMT.053 imported."""
    direct_debits = list(
        Invoice.objects.filter(
            condominium=condominium, payment_means=PaymentMeans.DIRECT_DEBIT, kind=InvoiceKind.INVOICE
        ).order_by("due_date", "pk")
    )
    batches = 0
    previous = year.start_date - datetime.timedelta(days=1)
    for month in range(12):
        day = next_target_business_day(add_months(year.start_date, month).replace(day=12))
        # Stop three weeks before today: the demo's last CFONB statements (`statements.py`) start there.
        if day >= today - datetime.timedelta(days=21) or day > year.end_date:
            break
        movements: list[SampleMovement] = []
        try:
            batch = build_batch(
                condominium=condominium,
                execution_date=day,
                due_by=day + datetime.timedelta(days=10),
                today=day - datetime.timedelta(days=2),
            )
        except NothingToPayError:
            batch = None
        if batch is not None:
            mark_sent(batch=batch)
            batches += 1
            movements.append(
                SampleMovement(
                    -batch.ctrl_sum,
                    day,
                    label=f"REMISE VIREMENTS SEPA {batch.message_id}",
                    remittance=batch.message_id,
                    reference=f"{condominium.code}{day:%Y%m%d}01",
                )
            )
        for invoice in direct_debits:
            if previous < invoice.due_date <= day and energy is not None:
                movements.append(
                    SampleMovement(
                        -invoice.total_ttc,
                        invoice.due_date,
                        label=f"PRLV SEPA {energy.legal_name}",
                        name=energy.legal_name,
                        remittance=f"FACTURE {invoice.number}",
                        reference=f"{condominium.code}{invoice.due_date:%Y%m%d}02",
                        bank_code="PMNT/RDDT/ESDD",
                    )
                )
        if movements:
            movements.sort(key=lambda movement: movement.day)
            content = camt053_document(
                iban=condominium.iban,
                statement_id=f"DEMO-{condominium.code}-{day:%Y%m}",
                opening_balance=_bank_balance(condominium, previous),
                opening_date=previous,
                closing_date=day,
                movements=movements,
                sequence=month + 1,
            )
            import_statement(
                condominium=condominium, content=content, filename=f"camt053-{condominium.code}-{day:%Y-%m}.xml"
            )
            previous = day
    return batches


# --- The year -----------------------------------------------------------------------------------------


def seed_expenses(condominium: Condominium, year: FiscalYear, *, today: datetime.date) -> int:
    """Suppliers, contracts, the year's invoices up to `today` and their payment; entries posted."""
    budget = Budget.objects.filter(condominium=condominium, start_date=year.start_date).first()
    manager = _manager(condominium.firm)
    if (
        budget is None
        or manager is None
        or today < year.start_date
        or not condominium.iban.startswith("FR")
        or not condominium.allocation_keys.filter(kind=KeyKind.GENERAL).exists()
    ):
        return 0
    before = Entry.objects.filter(condominium=condominium).count()
    suppliers = firm_suppliers(condominium.firm, manager=manager, verified_on=add_months(year.start_date, -3))
    expenses.save_settings(condominium=condominium, approval_threshold=APPROVAL_THRESHOLD, council_visa_required=False)
    planned = plan_invoices(condominium, budget)
    yearly: dict[str, Decimal] = {}
    for plan in planned:
        yearly[plan.role] = yearly.get(plan.role, Decimal("0.00")) + plan.total
    _contracts(condominium, suppliers, year, yearly)
    entered: dict[str, Invoice] = {}
    for plan in planned:
        if plan.issue_date > today or plan.role not in suppliers:
            continue
        entered[plan.number] = _enter(condominium, plan, suppliers[plan.role], manager=manager)
    _credit_note(condominium, year, suppliers, entered, manager=manager, today=today)
    if "works" in suppliers:
        _works(condominium, year, suppliers["works"], manager, today)
    _pay(condominium, year, suppliers.get("energy"), today=today)
    return Entry.objects.filter(condominium=condominium).count() - before


def _credit_note(
    condominium: Condominium,
    year: FiscalYear,
    suppliers: dict[str, Supplier],
    entered: dict[str, Invoice],
    *,
    manager: User,
    today: datetime.date,
) -> None:
    """Net'Éclat credits a week of cleaning not done in June (lettered against the June invoice)."""
    june = entered.get(f"NE-{year.start_date.year}-{condominium.code}-06")
    if june is None or "cleaning" not in suppliers:
        return
    issued = add_months(year.start_date, 6).replace(day=10)
    if issued > today:
        return
    lines = tuple(
        (line.budget_line, (line.amount * Decimal("0.25")).quantize(Decimal("0.01")))
        for line in june.lines.select_related("budget_line", "budget_line__key").order_by("pk")
        if line.budget_line is not None
    )
    plan = Planned(
        "cleaning",
        f"AV-{year.start_date.year}-{condominium.code}-01",
        issued,
        lines,
        "Avoir : semaine 24 non assurée (congés du personnel)",
    )
    _enter(condominium, plan, suppliers["cleaning"], manager=manager, kind=InvoiceKind.CREDIT_NOTE, preceding=june)
