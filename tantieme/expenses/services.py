"""Writes of the expenses app. Keyword-only, one transaction each, an audit record each.

Call them inside `firm_scope(firm)`. Every refusal raises an `ExpenseError` (French message)
before anything is written, or inside the transaction so that nothing stays.

    create_supplier / update_supplier      the firm's directory (codes FRN00002…), identities checked
    add_bank_account / verify_bank_account / revoke_bank_account   IBANs: pending until another user verifies
    supplier_account                       the supplier's 401 sub-account in a condominium's books
    save_settings                          a condominium's approval threshold, council visa, visibility
    create_contract / update_contract      contracts; publication on the extranet (`publishing`)
    create_invoice                         a draft invoice or credit note with its allocation lines
    validate_invoice                       posted in AC (Dr 6xx [key|operation] / Cr 401·supplier), TTC
    approve_invoice / reject_invoice       the manager's « bon à payer » above the threshold
    give_council_visa                      a council member's visa (portal)
    block_payment / unblock_payment        payment_block (dispute, retention…)
    cancel_invoice                         a draft only
    record_accrual / reverse_accruals      408 charges à payer at year end and their reversal
    refresh_payment_status                 partly_paid / paid from the lettering of the 401 line
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tantieme.audit.services import record
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner
from tantieme.core.money import CENT, format_amount
from tantieme.documents.exceptions import DocumentError
from tantieme.documents.validators import check_file_type, sanitize_filename
from tantieme.expenses import identity
from tantieme.expenses.enums import (
    ApprovalStep,
    BankAccountStatus,
    ContractKind,
    ContractStatus,
    InvoiceKind,
    InvoiceStatus,
    PaymentBlock,
    PaymentMeans,
    SupplierCategory,
    SupplierKind,
    VatRegime,
)
from tantieme.expenses.exceptions import (
    AllocationError,
    DuplicateInvoiceError,
    ExpenseError,
    IdentityError,
    InvoiceStateError,
)
from tantieme.expenses.models import (
    ZERO,
    Accrual,
    Contract,
    ExpenseSettings,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    Supplier,
    SupplierAccount,
    SupplierBankAccount,
    SupplierContact,
)
from tantieme.funds.enums import OperationState
from tantieme.funds.models import BudgetLine, WorksOperation
from tantieme.ledger import services as ledger
from tantieme.ledger.enums import FiscalYearState
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.models import Account, FiscalYear, Line
from tantieme.tenancy.models import Firm

SYNDIC_CODE = "FRN00001"
MAX_PDF_BYTES = 20 * 1024 * 1024


# --- Suppliers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierData:
    """What a supplier form or an import gives; identities are checked by `_clean_identity`."""

    legal_name: str
    trade_name: str = ""
    kind: str = SupplierKind.COMPANY
    category: str = SupplierCategory.OTHER
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    vat_regime: str = VatRegime.NORMAL
    street: str = ""
    building_number: str = ""
    postal_code: str = ""
    town: str = ""
    country: str = "FR"
    email: str = ""
    phone: str = ""
    payment_terms_days: int = 30
    payment_means: str = PaymentMeans.TRANSFER
    linked_to_syndic: bool = False
    is_syndic: bool = False
    notes: str = ""


def _clean_identity(data: SupplierData) -> dict[str, Any]:
    legal_name = " ".join(data.legal_name.split())
    if not legal_name:
        raise ExpenseError(_("Indiquez la raison sociale du fournisseur."))
    if data.kind not in SupplierKind.values:
        raise ExpenseError(_("Forme du fournisseur inconnue."))
    if data.category not in SupplierCategory.values:
        raise ExpenseError(_("Catégorie de fournisseur inconnue."))
    if data.vat_regime not in VatRegime.values:
        raise ExpenseError(_("Régime de TVA inconnu."))
    if data.payment_means not in PaymentMeans.values:
        raise ExpenseError(_("Moyen de paiement inconnu."))
    siren = identity.clean_siren(data.siren)
    siret = identity.clean_siret(data.siret, siren=siren)
    if siret and not siren:
        siren = siret[:9]
    vat_number = identity.clean_vat_number(data.vat_number)
    country = (data.country or "FR").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ExpenseError(_("Le pays est un code ISO à deux lettres (FR, BE…)."))
    return {
        "legal_name": legal_name[:140],
        "trade_name": " ".join(data.trade_name.split())[:140],
        "kind": data.kind,
        "category": data.category,
        "siren": siren,
        "siret": siret,
        "vat_number": vat_number,
        "vat_regime": data.vat_regime,
        "street": data.street.strip()[:140],
        "building_number": data.building_number.strip()[:16],
        "postal_code": data.postal_code.strip()[:16],
        "town": data.town.strip()[:35],
        "country": country,
        "email": data.email.strip(),
        "phone": data.phone.strip()[:30],
        "payment_terms_days": int(data.payment_terms_days),
        "payment_means": data.payment_means,
        "linked_to_syndic": bool(data.linked_to_syndic),
        "is_syndic": bool(data.is_syndic),
        "notes": data.notes.strip(),
    }


def _check_unique_identity(firm: Firm, fields: dict[str, Any], *, exclude: int | None = None) -> None:
    """A supplier is entered once per firm: another with the same SIRET (or SIREN without SIRET) is refused."""
    others = Supplier.objects.filter(firm=firm)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if fields["siret"]:
        other = others.filter(siret=fields["siret"]).first()
    elif fields["siren"]:
        other = others.filter(siren=fields["siren"], siret="").first()
    else:
        other = None
    if other is not None:
        raise ExpenseError(
            _("Ce fournisseur existe déjà : %(supplier)s (même SIREN/SIRET).") % {"supplier": str(other)}
        )


def next_supplier_code(firm: Firm) -> str:
    """FRN00002, FRN00003…: one more than the highest code of the firm (FRN00001 is the syndic)."""
    codes = Supplier.objects.filter(firm=firm, code__startswith="FRN").values_list("code", flat=True)
    highest = max((int(code[3:]) for code in codes if code[3:].isdigit()), default=1)
    return f"FRN{max(highest, 1) + 1:05d}"


@transaction.atomic
def create_supplier(*, firm: Firm, data: SupplierData, actor: Any = None) -> Supplier:
    """A new supplier of the firm's directory, with the next code; identities checked (spec §2.2)."""
    fields = _clean_identity(data)
    # One code at a time per firm: the second creation waits for the first's code.
    list(Firm.objects.select_for_update().filter(pk=firm.pk).values_list("pk", flat=True))
    _check_unique_identity(firm, fields)
    if fields["is_syndic"]:
        if Supplier.objects.filter(firm=firm, code=SYNDIC_CODE).exists():
            raise ExpenseError(_("Le syndic est déjà au répertoire (FRN00001)."))
        code = SYNDIC_CODE
    else:
        code = next_supplier_code(firm)
    supplier = Supplier.objects.create(firm=firm, code=code, created_by=actor, **fields)
    record(action="expenses.supplier.created", firm=firm, actor=actor, target=supplier, data={"code": code})
    return supplier


@transaction.atomic
def update_supplier(*, supplier: Supplier, data: SupplierData, actor: Any = None) -> Supplier:
    """Change a supplier's identity or address. Bank details are not here: they have their own flow."""
    fields = _clean_identity(data)
    _check_unique_identity(supplier.firm, fields, exclude=supplier.pk)
    if fields["is_syndic"] != supplier.is_syndic:
        raise ExpenseError(_("On ne change pas un fournisseur en syndic (ni l'inverse)."))
    before = {name: getattr(supplier, name) for name in fields}
    for name, value in fields.items():
        setattr(supplier, name, value)
    supplier.save()
    changed = sorted(name for name in fields if before[name] != fields[name])
    record(
        action="expenses.supplier.updated", firm=supplier.firm, actor=actor, target=supplier, data={"changed": changed}
    )
    return supplier


@transaction.atomic
def add_contact(
    *, supplier: Supplier, name: str, role: str = "", email: str = "", phone: str = "", actor: Any = None
) -> SupplierContact:
    name = " ".join(name.split())
    if not name:
        raise ExpenseError(_("Indiquez le nom du contact."))
    contact = SupplierContact.objects.create(
        supplier=supplier, name=name[:140], role=role.strip()[:80], email=email.strip(), phone=phone.strip()[:30]
    )
    record(action="expenses.supplier.contact_added", firm=supplier.firm, actor=actor, target=supplier)
    return contact


@transaction.atomic
def add_bank_account(
    *, supplier: Supplier, iban: str, bic: str = "", holder_name: str = "", actor: Any = None
) -> SupplierBankAccount:
    """A new IBAN, pending verification (spec §2.3): it pays nothing until another user verifies it."""
    clean_iban = identity.clean_iban(iban)
    clean_bic = identity.clean_bic(bic)
    holder = " ".join((holder_name or supplier.legal_name).split())[:70]
    if SupplierBankAccount.objects.filter(
        supplier=supplier, iban=clean_iban, status__in=[BankAccountStatus.PENDING, BankAccountStatus.VERIFIED]
    ).exists():
        raise ExpenseError(_("Cet IBAN est déjà enregistré pour ce fournisseur."))
    account = SupplierBankAccount.objects.create(
        supplier=supplier, iban=clean_iban, bic=clean_bic, holder_name=holder, created_by=actor
    )
    record(
        action="expenses.bank_account.added",
        firm=supplier.firm,
        actor=actor,
        target=account,
        data={"supplier": supplier.code, "iban_end": clean_iban[-4:]},
    )
    return account


@transaction.atomic
def verify_bank_account(*, bank_account: SupplierBankAccount, evidence: str, actor: Any) -> SupplierBankAccount:
    """Record the out-of-band confirmation (call-back, signed RIB). The verifier is not the creator;
    the previously verified IBAN of the supplier is revoked (history kept)."""
    account = SupplierBankAccount.objects.select_for_update().get(pk=bank_account.pk)
    if account.status != BankAccountStatus.PENDING:
        raise ExpenseError(_("Seul un IBAN en attente de vérification peut être vérifié."))
    if actor is None or account.created_by_id == getattr(actor, "pk", None):
        raise ExpenseError(
            _("Un IBAN est vérifié par une autre personne que celle qui l'a saisi (contrôle anti-fraude).")
        )
    evidence = evidence.strip()
    if not evidence:
        raise ExpenseError(
            _("Décrivez la vérification : rappel à un numéro déjà connu, RIB signé sur papier à en-tête…")
        )
    now = timezone.now()
    for previous in SupplierBankAccount.objects.select_for_update().filter(
        supplier_id=account.supplier_id, status=BankAccountStatus.VERIFIED
    ):
        previous.status = BankAccountStatus.REVOKED
        previous.revoked_at = now
        previous.revoked_by = actor
        previous.save(update_fields=["status", "revoked_at", "revoked_by"])
    account.status = BankAccountStatus.VERIFIED
    account.verified_at = now
    account.verified_by = actor
    account.evidence = evidence
    account.save(update_fields=["status", "verified_at", "verified_by", "evidence"])
    record(
        action="expenses.bank_account.verified",
        firm=account.supplier.firm,
        actor=actor,
        target=account,
        data={"iban_end": account.iban[-4:]},
    )
    return account


@transaction.atomic
def revoke_bank_account(*, bank_account: SupplierBankAccount, actor: Any = None) -> SupplierBankAccount:
    account = SupplierBankAccount.objects.select_for_update().get(pk=bank_account.pk)
    if account.status == BankAccountStatus.REVOKED:
        raise ExpenseError(_("Cet IBAN est déjà révoqué."))
    account.status = BankAccountStatus.REVOKED
    account.revoked_at = timezone.now()
    account.revoked_by = actor
    account.save(update_fields=["status", "revoked_at", "revoked_by"])
    record(action="expenses.bank_account.revoked", firm=account.supplier.firm, actor=actor, target=account)
    return account


def verified_iban(supplier: Supplier) -> SupplierBankAccount | None:
    return SupplierBankAccount.objects.filter(supplier=supplier, status=BankAccountStatus.VERIFIED).first()


# --- A supplier in a condominium's books --------------------------------------------------------


def auxiliary_number(collective: str, supplier: Supplier) -> str:
    """401 + the code's five digits: « 40100003 » for FRN00003 (a subdivision, arrêté art. 8)."""
    return f"{collective}{supplier.code[3:]}"


def _auxiliary_account(condominium: Condominium, supplier: Supplier, collective: str, actor: Any) -> Account:
    number = auxiliary_number(collective, supplier)
    account = Account.objects.filter(condominium=condominium, number=number).first()
    if account is None:
        account = ledger.add_account(
            condominium=condominium,
            number=number,
            label=supplier.legal_name[:120],
            actor=actor,
            # The FEC writes it CompteNum=401, CompAuxNum=FRN00003, CompAuxLib=<legal name> (spec §2.1).
            auxiliary_code=supplier.code,
            auxiliary_label=supplier.legal_name,
        )
    return account


@transaction.atomic
def supplier_account(*, condominium: Condominium, supplier: Supplier, actor: Any = None) -> SupplierAccount:
    """The supplier's auxiliary account 401·code in the condominium's books, created the first time."""
    if supplier.firm_id != condominium.firm_id:
        raise ExpenseError(_("Ce fournisseur n'est pas au répertoire du cabinet."))
    existing = SupplierAccount.objects.filter(condominium=condominium, supplier=supplier).select_related("account")
    found = existing.first()
    if found is not None:
        return found
    account = _auxiliary_account(condominium, supplier, "401", actor)
    try:
        with transaction.atomic():
            return SupplierAccount.objects.create(condominium=condominium, supplier=supplier, account=account)
    except IntegrityError:
        return SupplierAccount.objects.select_related("account").get(condominium=condominium, supplier=supplier)


# --- Settings -----------------------------------------------------------------------------------


def settings_for(condominium: Condominium) -> ExpenseSettings:
    """The condominium's settings, or unsaved defaults."""
    found = ExpenseSettings.objects.filter(condominium=condominium).first()
    return found if found is not None else ExpenseSettings(condominium=condominium)


@transaction.atomic
def save_settings(
    *,
    condominium: Condominium,
    approval_threshold: Decimal,
    council_visa_required: bool = False,
    invoices_visible_to_co_owners: bool = False,
    cutoff_days: int = 20,
    actor: Any = None,
) -> ExpenseSettings:
    if approval_threshold < 0 or approval_threshold.quantize(CENT) != approval_threshold:
        raise ExpenseError(_("Le seuil d'approbation est un montant positif en euros et centimes."))
    if not 0 <= cutoff_days <= 120:
        raise ExpenseError(_("Le délai d'arrêté des comptes est compris entre 0 et 120 jours."))
    settings, _created = ExpenseSettings.objects.update_or_create(
        condominium=condominium,
        defaults={
            "approval_threshold": approval_threshold,
            "council_visa_required": council_visa_required,
            "invoices_visible_to_co_owners": invoices_visible_to_co_owners,
            "cutoff_days": cutoff_days,
        },
    )
    record(
        action="expenses.settings.saved",
        firm=condominium.firm,
        actor=actor,
        target=condominium,
        data={
            "approval_threshold": str(approval_threshold),
            "council_visa_required": council_visa_required,
            "invoices_visible_to_co_owners": invoices_visible_to_co_owners,
            "cutoff_days": cutoff_days,
        },
    )
    return settings


# --- Contracts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractData:
    supplier: Supplier
    kind: str
    title: str
    start_date: datetime.date
    end_date: datetime.date | None = None
    reference: str = ""
    signed_on: datetime.date | None = None
    tacit_renewal: bool = False
    renewal_months: int = 12
    notice_days: int = 90
    yearly_amount: Decimal | None = None
    status: str = ContractStatus.ACTIVE
    publish_extranet: bool = True
    notes: str = ""


def _clean_contract(condominium: Condominium, data: ContractData) -> dict[str, Any]:
    if data.supplier.firm_id != condominium.firm_id:
        raise ExpenseError(_("Ce fournisseur n'est pas au répertoire du cabinet."))
    if data.kind not in ContractKind.values:
        raise ExpenseError(_("Catégorie de contrat inconnue."))
    if data.status not in ContractStatus.values:
        raise ExpenseError(_("État de contrat inconnu."))
    title = " ".join(data.title.split())
    if not title:
        raise ExpenseError(_("Indiquez l'objet du contrat."))
    if data.end_date is not None and data.end_date <= data.start_date:
        raise ExpenseError(_("L'échéance du contrat doit suivre son début."))
    if data.yearly_amount is not None and (
        data.yearly_amount < 0 or data.yearly_amount.quantize(CENT) != data.yearly_amount
    ):
        raise ExpenseError(_("Le montant annuel est un montant positif en euros et centimes."))
    if data.tacit_renewal and data.end_date is None:
        raise ExpenseError(_("Un contrat à reconduction tacite a une échéance."))
    return {
        "supplier": data.supplier,
        "kind": data.kind,
        "title": title[:200],
        "reference": data.reference.strip()[:60],
        "signed_on": data.signed_on,
        "start_date": data.start_date,
        "end_date": data.end_date,
        "tacit_renewal": data.tacit_renewal,
        "renewal_months": data.renewal_months,
        "notice_days": data.notice_days,
        "yearly_amount": data.yearly_amount,
        "status": data.status,
        # Employment contracts are never published (décret 2019-502 excludes them).
        "publish_extranet": data.publish_extranet and data.kind != ContractKind.STAFF,
        "notes": data.notes.strip(),
    }


def _attach_contract_file(contract: Contract, content: bytes, filename: str) -> None:
    safe_name = sanitize_filename(filename)
    file_type = check_file_type(content=content, filename=safe_name)
    if file_type.content_type != "application/pdf":
        raise ExpenseError(_("Le contrat signé doit être un fichier PDF."))
    contract.original_filename = safe_name[:150]
    contract.sha256 = hashlib.sha256(content).hexdigest()
    contract.file.save(safe_name, ContentFile(content), save=False)


@transaction.atomic
def create_contract(
    *,
    condominium: Condominium,
    data: ContractData,
    pdf: bytes | None = None,
    filename: str = "",
    actor: Any = None,
) -> Contract:
    """A contract of the condominium; its extranet publication follows on commit."""
    from tantieme.expenses import publishing

    fields = _clean_contract(condominium, data)
    contract = Contract(condominium=condominium, created_by=actor, **fields)
    if pdf:
        try:
            _attach_contract_file(contract, pdf, filename or "contrat.pdf")
        except DocumentError as error:
            raise ExpenseError(str(error)) from None
    contract.save()
    record(action="expenses.contract.created", firm=condominium.firm, actor=actor, target=contract)
    publishing.publish_contracts(condominium=condominium, actor=actor)
    return contract


@transaction.atomic
def update_contract(
    *, contract: Contract, data: ContractData, pdf: bytes | None = None, filename: str = "", actor: Any = None
) -> Contract:
    from tantieme.expenses import publishing

    contract = Contract.objects.select_for_update().select_related("condominium__firm").get(pk=contract.pk)
    condominium = contract.condominium
    fields = _clean_contract(condominium, data)
    for name, value in fields.items():
        setattr(contract, name, value)
    if pdf:
        try:
            _attach_contract_file(contract, pdf, filename or "contrat.pdf")
        except DocumentError as error:
            raise ExpenseError(str(error)) from None
    contract.save()
    record(action="expenses.contract.updated", firm=condominium.firm, actor=actor, target=contract)
    publishing.publish_contracts(condominium=condominium, actor=actor)
    return contract


# --- Invoices -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """One allocation: an amount TTC (positive, also for a credit note) on a charge account and a
    key (60–66) or a works operation (67x)."""

    account: str
    amount: Decimal
    key: AllocationKey | None = None
    operation: WorksOperation | None = None
    label: str = ""
    budget_line: BudgetLine | None = None
    net_amount: Decimal | None = None
    vat_rate: Decimal | None = None
    recoverable_pct: int = 0


@dataclass(frozen=True)
class InvoiceInput:
    supplier: Supplier
    number: str
    issue_date: datetime.date
    total_ttc: Decimal
    lines: Sequence[LineInput]
    kind: str = InvoiceKind.INVOICE
    due_date: datetime.date | None = None
    received_on: datetime.date | None = None
    service_date: datetime.date | None = None
    booking_date: datetime.date | None = None
    label: str = ""
    total_ht: Decimal | None = None
    total_vat: Decimal | None = None
    payment_means: str = ""
    payee_iban: str = ""
    remittance: str = ""
    preceding_invoice: Invoice | None = None
    ag_resolution: str = ""


def _money(value: Decimal, what: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value.quantize(CENT) != value:
        raise AllocationError(_("%(what)s : un montant en euros et centimes.") % {"what": what})
    return value


def check_lines(*, condominium: Condominium, total_ttc: Decimal, lines: Sequence[LineInput]) -> None:  # noqa: PLR0912 — one rule per branch, in the spec's order
    """Spec §3.2 rules 1–2: Σ lines = TTC to the cent; 60–66 with a key, 67x with an open operation."""
    if not lines:
        raise AllocationError(_("Ventilez la facture sur au moins une ligne (compte et clé, ou opération)."))
    total = ZERO
    for position, line in enumerate(lines, start=1):
        amount = _money(line.amount, _("Ligne %(n)s") % {"n": position})
        if amount <= 0:
            raise AllocationError(
                _("Ligne %(n)s : le montant est positif (un avoir se saisit en positif, de type « Avoir »).")
                % {"n": position}
            )
        account = line.account.strip()
        if not account.isdigit() or not account.startswith("6") or len(account) < 3:
            raise AllocationError(
                _("Ligne %(n)s : « %(account)s » n'est pas un compte de charges (classe 6).")
                % {"n": position, "account": account}
            )
        if account.startswith("67"):
            if line.operation is None or line.key is not None:
                raise AllocationError(
                    _(
                        "Ligne %(n)s : le compte %(account)s (travaux, opérations exceptionnelles) se ventile sur une "
                        "opération de travaux, pas sur une clé."
                    )
                    % {"n": position, "account": account}
                )
            if line.operation.condominium_id != condominium.pk:
                raise AllocationError(_("Ligne %(n)s : opération d'une autre copropriété.") % {"n": position})
            if line.operation.state != OperationState.OPEN:
                raise AllocationError(
                    _("Ligne %(n)s : l'opération %(code)s est clôturée.") % {"n": position, "code": line.operation.code}
                )
        else:
            if line.key is None or line.operation is not None:
                raise AllocationError(
                    _("Ligne %(n)s : le compte %(account)s (charges courantes) se ventile sur une clé de répartition.")
                    % {"n": position, "account": account}
                )
            if line.key.condominium_id != condominium.pk:
                raise AllocationError(_("Ligne %(n)s : clé d'une autre copropriété.") % {"n": position})
        if line.budget_line is not None and (
            line.budget_line.budget.condominium_id != condominium.pk
            or line.budget_line.key_id != getattr(line.key, "pk", None)
            or line.budget_line.account != account
        ):
            raise AllocationError(
                _("Ligne %(n)s : la ligne de budget ne correspond pas au compte et à la clé.") % {"n": position}
            )
        if not 0 <= line.recoverable_pct <= 100:
            raise AllocationError(_("Ligne %(n)s : part récupérable entre 0 et 100 %%.") % {"n": position})
        total += amount
    if total != total_ttc:
        raise AllocationError(
            _("La ventilation (%(lines)s) ne fait pas le total TTC de la facture (%(total)s) : écart de %(gap)s.")
            % {
                "lines": format_amount(total),
                "total": format_amount(total_ttc),
                "gap": format_amount(total_ttc - total),
            }
        )


def find_duplicate(
    *,
    condominium: Condominium,
    supplier: Supplier,
    kind: str,
    number: str,
    issue_date: datetime.date,
    total_ttc: Decimal,
    exclude: int | None = None,
) -> Invoice | None:
    """An invoice already recorded: same supplier and number, or same supplier, amount and date."""
    others = Invoice.objects.filter(condominium=condominium, supplier=supplier).exclude(status=InvoiceStatus.CANCELLED)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return (
        others.filter(Q(kind=kind, number__iexact=number) | Q(kind=kind, total_ttc=total_ttc, issue_date=issue_date))
        .order_by("pk")
        .first()
    )


def _duplicate_message(duplicate: Invoice, number: str) -> str:
    if duplicate.number.lower() == number.lower():
        return _(
            "Doublon : la facture n° %(number)s de %(supplier)s est déjà enregistrée (le %(date)s, %(amount)s)."
        ) % {
            "number": duplicate.number,
            "supplier": duplicate.supplier.display_name,
            "date": f"{duplicate.issue_date:%d/%m/%Y}",
            "amount": format_amount(duplicate.total_ttc),
        }
    return _(
        "Doublon probable : %(supplier)s a déjà une facture de %(amount)s datée du %(date)s (n° %(number)s). "
        "Vérifiez qu'il ne s'agit pas de la même."
    ) % {
        "number": duplicate.number,
        "supplier": duplicate.supplier.display_name,
        "date": f"{duplicate.issue_date:%d/%m/%Y}",
        "amount": format_amount(duplicate.total_ttc),
    }


def _open_year(condominium: Condominium, day: datetime.date) -> FiscalYear:
    year = FiscalYear.objects.filter(condominium=condominium, start_date__lte=day, end_date__gte=day).first()
    if year is None:
        raise ExpenseError(
            _("Aucun exercice ne contient le %(date)s : ouvrez-le d'abord.") % {"date": f"{day:%d/%m/%Y}"}
        )
    if year.state != FiscalYearState.OPEN:
        raise ExpenseError(
            _(
                "Le %(date)s tombe dans l'exercice clôturé %(year)s : une facture n'y est plus enregistrée. "
                "Comptabilisez-la dans l'exercice en cours (« exercice antérieur ») avec une date de comptabilisation "
                "de l'exercice ouvert."
            )
            % {"date": f"{day:%d/%m/%Y}", "year": str(year)}
        )
    return year


def default_booking_date(
    condominium: Condominium, *, issue_date: datetime.date, received_on: datetime.date | None
) -> datetime.date:
    """The invoice date, unless it reached us after the cut-off of its year (spec §4.6): then the day
    it was received, in the following year (« exercice antérieur »)."""
    if received_on is None or received_on <= issue_date:
        return issue_date
    year = FiscalYear.objects.filter(
        condominium=condominium, start_date__lte=issue_date, end_date__gte=issue_date
    ).first()
    if year is None:
        return issue_date
    cutoff = year.end_date + datetime.timedelta(days=settings_for(condominium).cutoff_days)
    if received_on > cutoff or year.state != FiscalYearState.OPEN:
        return received_on
    return issue_date


def _attach_pdf(invoice: Invoice, content: bytes, filename: str) -> None:
    if len(content) > MAX_PDF_BYTES:
        raise ExpenseError(_("Le PDF de la facture dépasse 20 Mo."))
    safe_name = sanitize_filename(filename or "facture.pdf")
    try:
        file_type = check_file_type(content=content, filename=safe_name)
    except DocumentError as error:
        raise ExpenseError(str(error)) from None
    if file_type.content_type != "application/pdf":
        raise ExpenseError(_("La facture doit être un fichier PDF."))
    invoice.original_filename = safe_name[:150]
    invoice.size = len(content)
    invoice.sha256 = hashlib.sha256(content).hexdigest()
    invoice.file.save(safe_name, ContentFile(content), save=False)


def _event(
    invoice: Invoice, step: str, *, actor: Any = None, co_owner: CoOwner | None = None, comment: str = ""
) -> None:
    InvoiceEvent.objects.create(
        invoice=invoice, step=step, at=timezone.now(), actor=actor, co_owner=co_owner, comment=comment
    )


@transaction.atomic
def create_invoice(
    *,
    condominium: Condominium,
    data: InvoiceInput,
    pdf: bytes | None = None,
    filename: str = "",
    einvoice_xml: str = "",
    actor: Any = None,
) -> Invoice:
    """A draft invoice (or credit note) with its allocation lines, checked but not posted."""
    invoice, _lines = _create_invoice(
        condominium=condominium, data=data, pdf=pdf, filename=filename, einvoice_xml=einvoice_xml, actor=actor
    )
    return invoice


def _create_invoice(  # noqa: PLR0912 — each refusal is one branch
    *,
    condominium: Condominium,
    data: InvoiceInput,
    pdf: bytes | None,
    filename: str,
    einvoice_xml: str,
    actor: Any,
) -> tuple[Invoice, list[InvoiceLine]]:
    supplier = data.supplier
    if supplier.firm_id != condominium.firm_id:
        raise ExpenseError(_("Ce fournisseur n'est pas au répertoire du cabinet."))
    if not supplier.is_active:
        raise ExpenseError(_("Ce fournisseur est archivé."))
    if data.kind not in InvoiceKind.values:
        raise ExpenseError(_("Type de pièce inconnu."))
    number = " ".join(data.number.split())[:40]
    if not number:
        raise ExpenseError(_("Indiquez le numéro de la facture."))
    total = _money(data.total_ttc, _("Total TTC"))
    if total <= 0:
        raise ExpenseError(_("Le total TTC doit être positif (un avoir se saisit en positif, de type « Avoir »)."))
    check_lines(condominium=condominium, total_ttc=total, lines=data.lines)
    duplicate = find_duplicate(
        condominium=condominium,
        supplier=supplier,
        kind=data.kind,
        number=number,
        issue_date=data.issue_date,
        total_ttc=total,
    )
    if duplicate is not None:
        raise DuplicateInvoiceError(_duplicate_message(duplicate, number))
    if data.preceding_invoice is not None and (
        data.preceding_invoice.condominium_id != condominium.pk or data.preceding_invoice.supplier_id != supplier.pk
    ):
        raise ExpenseError(
            _("La facture d'origine de l'avoir est une facture de ce fournisseur et de cette copropriété.")
        )
    due_date = data.due_date or data.issue_date + datetime.timedelta(days=supplier.payment_terms_days)
    if due_date < data.issue_date:
        raise ExpenseError(_("L'échéance ne précède pas la date de la facture."))
    booking_date = data.booking_date or default_booking_date(
        condominium, issue_date=data.issue_date, received_on=data.received_on
    )
    if booking_date < data.issue_date:
        raise ExpenseError(_("Une facture n'est pas comptabilisée avant sa date."))
    _open_year(condominium, booking_date)
    payee_iban = ""
    if data.payee_iban:
        try:
            payee_iban = identity.clean_iban(data.payee_iban)
        except IdentityError:
            payee_iban = "".join(data.payee_iban.split()).upper()[:34]
    invoice = Invoice(
        firm_id=condominium.firm_id,
        condominium=condominium,
        supplier=supplier,
        kind=data.kind,
        number=number,
        issue_date=data.issue_date,
        due_date=due_date,
        received_on=data.received_on,
        service_date=data.service_date,
        booking_date=booking_date,
        label=" ".join(data.label.split())[:200],
        total_ht=data.total_ht,
        total_vat=data.total_vat,
        total_ttc=total,
        payment_means=data.payment_means or supplier.payment_means,
        payee_iban=payee_iban,
        remittance=data.remittance.strip()[:140],
        preceding_invoice=data.preceding_invoice,
        ag_resolution=data.ag_resolution.strip()[:200],
        einvoice=bool(einvoice_xml),
        einvoice_xml=einvoice_xml,
        created_by=actor,
    )
    if pdf:
        _attach_pdf(invoice, pdf, filename)
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        if invoice.file:
            invoice.file.delete(save=False)
        raise DuplicateInvoiceError(
            _("Doublon : la facture n° %(number)s de ce fournisseur vient d'être enregistrée.") % {"number": number}
        ) from None
    budget_lines = _budget_lines(condominium, booking_date)
    lines = InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            label=" ".join(line.label.split())[:200],
            account=line.account.strip(),
            key=line.key,
            operation=line.operation,
            budget_line=line.budget_line
            or (budget_lines.get((line.key.pk, line.account.strip())) if line.key is not None else None),
            amount=line.amount,
            net_amount=line.net_amount,
            vat_rate=line.vat_rate,
            recoverable_pct=line.recoverable_pct,
        )
        for position, line in enumerate(data.lines, start=1)
    )
    record(
        action="expenses.invoice.created",
        firm=condominium.firm,
        actor=actor,
        target=invoice,
        data={"number": number, "supplier": supplier.code, "total_ttc": str(total), "kind": data.kind},
    )
    return invoice, lines


def _budget_lines(condominium: Condominium, day: datetime.date) -> dict[tuple[int, str], BudgetLine]:
    """{(key id, account): line} of the budget of the year containing `day` (one query): an invoice
    line is tied to the budget line it consumes (budget against actual)."""
    lines = BudgetLine.objects.filter(
        budget__condominium=condominium, budget__start_date__lte=day, budget__end_date__gte=day
    ).order_by("budget__is_provisional", "pk")
    found: dict[tuple[int, str], BudgetLine] = {}
    for line in lines:
        found.setdefault((line.key_id, line.account), line)
    return found


def _needs_approval(invoice: Invoice, settings: ExpenseSettings) -> bool:
    return not invoice.is_credit_note and invoice.total_ttc > settings.approval_threshold


@transaction.atomic
def validate_invoice(*, invoice: Invoice, actor: Any = None) -> Invoice:
    """Post a draft in AC, TTC: Dr 6xx [key] / 67x [operation] per line, Cr 401·supplier (a credit
    note the other way). Above the condominium's threshold it then waits for approval; under it,
    it is approved at once. Refused on a closed year, an unbalanced allocation, a duplicate, a
    supplier linked to the syndic without AG resolution (décret 1967 art. 39)."""
    invoice = Invoice.objects.select_for_update().select_related("supplier", "condominium__firm").get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.DRAFT:
        raise InvoiceStateError(_("Seule une facture en brouillon peut être validée."))
    condominium = invoice.condominium
    supplier = invoice.supplier
    lines = list(invoice.lines.select_related("key", "operation", "budget_line__budget").order_by("position"))
    check_lines(
        condominium=condominium,
        total_ttc=invoice.total_ttc,
        lines=[
            LineInput(
                account=line.account,
                amount=line.amount,
                key=line.key,
                operation=line.operation,
                budget_line=line.budget_line,
                recoverable_pct=line.recoverable_pct,
            )
            for line in lines
        ],
    )
    duplicate = find_duplicate(
        condominium=condominium,
        supplier=supplier,
        kind=invoice.kind,
        number=invoice.number,
        issue_date=invoice.issue_date,
        total_ttc=invoice.total_ttc,
        exclude=invoice.pk,
    )
    if duplicate is not None:
        raise DuplicateInvoiceError(_duplicate_message(duplicate, invoice.number))
    _open_year(condominium, invoice.booking_date or invoice.issue_date)
    return _post_invoice(invoice, lines, actor=actor)


def _check_linked_to_syndic(invoice: Invoice, supplier: Supplier) -> None:
    if supplier.linked_to_syndic and not invoice.ag_resolution:
        raise ExpenseError(
            _(
                "%(supplier)s est lié au syndic : la facture n'est validée qu'avec la référence de la résolution "
                "d'assemblée générale qui a autorisé le contrat (décret du 17 mars 1967, art. 39)."
            )
            % {"supplier": supplier.display_name}
        )


def _post_invoice(invoice: Invoice, lines: Sequence[InvoiceLine], *, actor: Any) -> Invoice:
    """Post a checked draft in AC and set its status (inside the caller's transaction)."""
    condominium = invoice.condominium
    supplier = invoice.supplier
    _check_linked_to_syndic(invoice, supplier)
    booking_date = invoice.booking_date or invoice.issue_date
    account = supplier_account(condominium=condominium, supplier=supplier, actor=actor).account
    credit_note = invoice.is_credit_note
    drafts = [
        ledger.LineDraft(
            account=line.account,
            debit=ZERO if credit_note else line.amount,
            credit=line.amount if credit_note else ZERO,
            label=(line.label or invoice.label or f"{supplier.display_name} {invoice.number}")[:200],
            key_id=line.key_id,
            operation_id=line.operation_id,
        )
        for line in lines
    ]
    what = _("avoir") if credit_note else _("fact.")
    drafts.append(
        ledger.LineDraft(
            account=account.number,
            debit=invoice.total_ttc if credit_note else ZERO,
            credit=ZERO if credit_note else invoice.total_ttc,
            label=f"{supplier.display_name} {what} {invoice.number}"[:200],
        )
    )
    label = f"{supplier.display_name} {what} {invoice.number}"
    if booking_date.year != invoice.issue_date.year and booking_date > invoice.issue_date:
        label += " " + _("(exercice antérieur)")
    try:
        entry = ledger.post_entry(
            condominium=condominium,
            journal="AC",
            date=booking_date,
            label=label[:200],
            lines=drafts,
            voucher=invoice.number[:40],
            voucher_date=invoice.issue_date,
            actor=actor,
        )
    except LedgerError as error:
        raise ExpenseError(str(error)) from None
    settings = settings_for(condominium)
    needs_approval = _needs_approval(invoice, settings)
    invoice.entry = entry
    invoice.internal_number = entry.code
    invoice.booking_date = booking_date
    invoice.validated_at = timezone.now()
    invoice.validated_by = actor
    invoice.status = InvoiceStatus.VALIDATED if needs_approval else InvoiceStatus.APPROVED
    if invoice.payee_iban and not credit_note:
        verified = verified_iban(supplier)
        if verified is None or verified.iban != invoice.payee_iban:
            # Spec §2.3: the invoice never changes the supplier's IBAN; it is held instead.
            invoice.payment_block = PaymentBlock.IBAN_MISMATCH
    if needs_approval and settings.council_visa_required and not invoice.payment_block and not credit_note:
        invoice.payment_block = PaymentBlock.AWAITING_COUNCIL
    invoice.save()
    now = timezone.now()
    steps = [InvoiceEvent(invoice=invoice, step=ApprovalStep.VALIDATED, at=now, actor=actor)]
    if invoice.payment_block:
        steps.append(
            InvoiceEvent(
                invoice=invoice,
                step=ApprovalStep.BLOCKED,
                at=now,
                actor=actor,
                comment=invoice.get_payment_block_display(),
            )
        )
    if not needs_approval:
        steps.append(
            InvoiceEvent(
                invoice=invoice,
                step=ApprovalStep.APPROVED,
                at=now,
                actor=actor,
                comment=_("Sous le seuil d'approbation."),
            )
        )
    InvoiceEvent.objects.bulk_create(steps)
    if credit_note and invoice.preceding_invoice_id is not None:
        _offset_credit_note(invoice, entry, account, actor=actor)
    record(
        action="expenses.invoice.validated",
        firm=condominium.firm,
        actor=actor,
        target=invoice,
        data={"entry": entry.code, "status": invoice.status, "payment_block": invoice.payment_block},
    )
    return invoice


def _offset_credit_note(credit_note: Invoice, entry: Any, account: Account, *, actor: Any) -> None:
    """A credit note for an invoice still open is lettered against it on 401·supplier (spec §3.4):
    what is left to pay on the invoice drops by the credit. An invoice already paid is not
    touched: the credit stays open (a debit balance, offset on the next payment or refunded)."""
    if credit_note.preceding_invoice_id is None:
        return
    preceding = Invoice.objects.filter(pk=credit_note.preceding_invoice_id).first()
    if preceding is None or preceding.entry_id is None:
        return
    invoice_line = Line.objects.filter(entry_id=preceding.entry_id, account=account, credit__gt=0).first()
    credit_line = Line.objects.filter(entry=entry, account=account, debit__gt=0).first()
    if invoice_line is None or credit_line is None:
        return
    if ledger.open_amounts([invoice_line])[invoice_line.pk] <= 0:
        return
    ledger.letter_lines(lines=[invoice_line, credit_line], on=entry.date, actor=actor)
    refresh_payment_status(invoices=[preceding], actor=actor)


def enter_invoice(
    *,
    condominium: Condominium,
    data: InvoiceInput,
    pdf: bytes | None = None,
    filename: str = "",
    einvoice_xml: str = "",
    actor: Any = None,
) -> Invoice:
    """Create and validate at once (the entry form, the import): all or nothing. The checks of
    `create_invoice` are those of `validate_invoice`: they are not run twice."""
    invoice = None
    try:
        with transaction.atomic():
            invoice, lines = _create_invoice(
                condominium=condominium, data=data, pdf=pdf, filename=filename, einvoice_xml=einvoice_xml, actor=actor
            )
            return _post_invoice(invoice, lines, actor=actor)
    except BaseException:
        # The row is rolled back; its PDF, already in storage, must not stay there alone.
        if invoice is not None and invoice.file:
            invoice.file.delete(save=False)
        raise


@transaction.atomic
def approve_invoice(*, invoice: Invoice, actor: Any, comment: str = "") -> Invoice:
    """The manager's « bon à payer » (holder of Can.APPROVE_INVOICES, checked by the view)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.VALIDATED:
        raise InvoiceStateError(_("Seule une facture validée en attente d'approbation peut être approuvée."))
    invoice.status = InvoiceStatus.APPROVED
    invoice.approved_at = timezone.now()
    invoice.approved_by = actor
    invoice.save(update_fields=["status", "approved_at", "approved_by"])
    _event(invoice, ApprovalStep.APPROVED, actor=actor, comment=comment.strip())
    record(action="expenses.invoice.approved", firm=invoice.firm, actor=actor, target=invoice)
    return invoice


@transaction.atomic
def reject_invoice(*, invoice: Invoice, actor: Any, comment: str) -> Invoice:
    """Refuse the payment: the invoice stays booked (a charge) but is blocked as disputed; a credit
    note from the supplier settles it."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.VALIDATED:
        raise InvoiceStateError(_("Seule une facture en attente d'approbation peut être refusée."))
    comment = comment.strip()
    if not comment:
        raise ExpenseError(_("Indiquez le motif du refus."))
    invoice.payment_block = PaymentBlock.DISPUTE
    invoice.save(update_fields=["payment_block"])
    _event(invoice, ApprovalStep.REJECTED, actor=actor, comment=comment)
    record(
        action="expenses.invoice.rejected", firm=invoice.firm, actor=actor, target=invoice, data={"comment": comment}
    )
    return invoice


@transaction.atomic
def give_council_visa(*, invoice: Invoice, co_owner: CoOwner, user: Any, comment: str = "") -> Invoice:
    """A council member's visa (the portal checks the seat). It lifts the « awaiting council » block."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED):
        raise InvoiceStateError(_("Cette facture n'est pas encore validée."))
    if InvoiceEvent.objects.filter(invoice=invoice, step=ApprovalStep.COUNCIL_VISA).exists():
        raise InvoiceStateError(_("Cette facture a déjà reçu le visa du conseil syndical."))
    if invoice.payment_block == PaymentBlock.AWAITING_COUNCIL:
        invoice.payment_block = PaymentBlock.NONE
        invoice.save(update_fields=["payment_block"])
    _event(invoice, ApprovalStep.COUNCIL_VISA, actor=user, co_owner=co_owner, comment=comment.strip()[:1000])
    record(
        action="expenses.invoice.council_visa",
        firm=invoice.firm,
        actor=user,
        target=invoice,
        data={"co_owner": co_owner.reference},
    )
    return invoice


@transaction.atomic
def block_payment(*, invoice: Invoice, reason: str, actor: Any, comment: str = "") -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if reason not in PaymentBlock.values or not reason:
        raise ExpenseError(_("Motif de blocage inconnu."))
    if invoice.status in (InvoiceStatus.PAID, InvoiceStatus.CANCELLED, InvoiceStatus.DRAFT):
        raise InvoiceStateError(_("Cette facture ne peut pas être bloquée."))
    invoice.payment_block = reason
    invoice.save(update_fields=["payment_block"])
    _event(invoice, ApprovalStep.BLOCKED, actor=actor, comment=comment.strip() or invoice.get_payment_block_display())
    record(action="expenses.invoice.blocked", firm=invoice.firm, actor=actor, target=invoice, data={"reason": reason})
    return invoice


@transaction.atomic
def unblock_payment(*, invoice: Invoice, actor: Any, comment: str = "") -> Invoice:
    """Lift a block. An IBAN mismatch is lifted only once the invoice's IBAN is the verified one."""
    invoice = Invoice.objects.select_for_update().select_related("supplier").get(pk=invoice.pk)
    if not invoice.payment_block:
        raise InvoiceStateError(_("Le paiement de cette facture n'est pas bloqué."))
    if invoice.payment_block == PaymentBlock.IBAN_MISMATCH:
        verified = verified_iban(invoice.supplier)
        if verified is None or verified.iban != invoice.payee_iban:
            raise ExpenseError(
                _(
                    "L'IBAN de la facture n'est pas l'IBAN vérifié du fournisseur : faites vérifier le nouvel IBAN "
                    "(par une autre personne) avant de débloquer."
                )
            )
    if invoice.payment_block == PaymentBlock.AWAITING_COUNCIL:
        raise ExpenseError(_("Ce blocage est levé par le visa d'un membre du conseil syndical."))
    previous = invoice.payment_block
    invoice.payment_block = PaymentBlock.NONE
    invoice.save(update_fields=["payment_block"])
    _event(invoice, ApprovalStep.UNBLOCKED, actor=actor, comment=comment.strip())
    record(action="expenses.invoice.unblocked", firm=invoice.firm, actor=actor, target=invoice, data={"was": previous})
    return invoice


@transaction.atomic
def cancel_invoice(*, invoice: Invoice, actor: Any, comment: str = "") -> Invoice:
    """Cancel a draft. A validated invoice is corrected by a credit note, never cancelled."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.DRAFT:
        raise InvoiceStateError(_("Une facture comptabilisée ne s'annule pas : saisissez un avoir."))
    invoice.status = InvoiceStatus.CANCELLED
    invoice.save(update_fields=["status"])
    _event(invoice, ApprovalStep.CANCELLED, actor=actor, comment=comment.strip())
    record(action="expenses.invoice.cancelled", firm=invoice.firm, actor=actor, target=invoice)
    return invoice


def supplier_line(invoice: Invoice) -> Line | None:
    """The invoice's line on 401·supplier (what a payment or a credit note letters)."""
    if invoice.entry_id is None:
        return None
    return Line.objects.filter(entry_id=invoice.entry_id, account__number__startswith="401").order_by("position").last()


@transaction.atomic
def refresh_payment_status(*, invoices: Sequence[Invoice], actor: Any = None) -> list[Invoice]:
    """Set approved / partly_paid / paid from what the lettering of each 401 line settled (to call
    after a payment is posted and lettered)."""
    from tantieme.expenses.queries import amounts_due

    due = amounts_due(invoices)
    changed = []
    for invoice in Invoice.objects.select_for_update().filter(pk__in=[invoice.pk for invoice in invoices]):
        if invoice.status not in (InvoiceStatus.APPROVED, InvoiceStatus.PARTLY_PAID, InvoiceStatus.PAID):
            continue
        remaining = due.get(invoice.pk, invoice.total_ttc)
        status = (
            InvoiceStatus.PAID
            if remaining <= 0
            else InvoiceStatus.APPROVED
            if remaining >= invoice.total_ttc
            else InvoiceStatus.PARTLY_PAID
        )
        if status != invoice.status:
            invoice.status = status
            invoice.save(update_fields=["status"])
            record(
                action="expenses.invoice.payment_status",
                firm=invoice.firm,
                actor=actor,
                target=invoice,
                data={"status": status, "remaining": str(remaining)},
            )
            changed.append(invoice)
    return changed


# --- 408: charges of year N not invoiced by the cut-off ------------------------------------------


@transaction.atomic
def record_accrual(
    *,
    condominium: Condominium,
    supplier: Supplier,
    fiscal_year: FiscalYear,
    account: str,
    amount: Decimal,
    label: str,
    justification: str,
    key: AllocationKey | None = None,
    operation: WorksOperation | None = None,
    actor: Any = None,
) -> Accrual:
    """OD on the last day of N: Dr 6xx [key] / Cr 408·supplier, the known or estimated amount
    (spec §4.6); reversed on the first day of N+1 when that year is open (else by `reverse_accruals`)."""
    check_lines(
        condominium=condominium,
        total_ttc=amount,
        lines=[LineInput(account=account, amount=amount, key=key, operation=operation)],
    )
    justification = " ".join(justification.split())
    if not justification:
        raise ExpenseError(
            _("Une facture non parvenue doit être justifiée (devis signé, contrat, relevé de compteur…).")
        )
    if fiscal_year.condominium_id != condominium.pk:
        raise ExpenseError(_("Exercice d'une autre copropriété."))
    _open_year(condominium, fiscal_year.end_date)
    number = auxiliary_number("408", supplier)
    if not Account.objects.filter(condominium=condominium, number=number).exists():
        _auxiliary_account(condominium, supplier, "408", actor)
    label = " ".join(label.split())[:150] or supplier.display_name
    try:
        entry = ledger.post_entry(
            condominium=condominium,
            journal="OD",
            date=fiscal_year.end_date,
            label=_("Facture non parvenue %(supplier)s : %(label)s")
            % {"supplier": supplier.display_name, "label": label},
            lines=[
                ledger.LineDraft(
                    account=account,
                    debit=amount,
                    label=label,
                    key_id=key.pk if key else None,
                    operation_id=operation.pk if operation else None,
                ),
                ledger.LineDraft(account=number, credit=amount, label=label),
            ],
            voucher=justification[:40],
            reason=_("Charges à payer : %(justification)s") % {"justification": justification},
            actor=actor,
        )
    except LedgerError as error:
        raise ExpenseError(str(error)) from None
    accrual = Accrual.objects.create(
        condominium=condominium,
        supplier=supplier,
        fiscal_year=fiscal_year,
        account=account,
        key=key,
        operation=operation,
        amount=amount,
        label=label,
        justification=justification[:200],
        entry=entry,
        created_by=actor,
    )
    record(
        action="expenses.accrual.recorded",
        firm=condominium.firm,
        actor=actor,
        target=accrual,
        data={"entry": entry.code},
    )
    reverse_accruals(condominium=condominium, actor=actor)
    return accrual


@transaction.atomic
def reverse_accruals(*, condominium: Condominium, actor: Any = None) -> list[Accrual]:
    """Post the 01/01/N+1 reversal of every accrual of N whose next year is open (idempotent)."""
    reversed_ = []
    for accrual in Accrual.objects.filter(condominium=condominium, reversal__isnull=True).select_related(
        "entry", "fiscal_year"
    ):
        start = accrual.fiscal_year.end_date + datetime.timedelta(days=1)
        if not FiscalYear.objects.filter(
            condominium=condominium, start_date=start, state=FiscalYearState.OPEN
        ).exists():
            continue
        reversal = ledger.reverse_entry(
            entry=accrual.entry,
            date=start,
            label=_("Extourne facture non parvenue %(label)s") % {"label": accrual.label},
            reason=_("Extourne au premier jour de l'exercice suivant (charges à payer)."),
            actor=actor,
        )
        accrual.reversal = reversal
        accrual.save(update_fields=["reversal"])
        reversed_.append(accrual)
    return reversed_
