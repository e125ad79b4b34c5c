"""Import supplier invoices into a condominium's books: Factur-X PDFs or a CSV file (`import_invoices`).

All or nothing across the files given; a file already imported into the condominium (same
SHA-256) is skipped with a message, so re-running the same command is a no-op.

CSV (UTF-8, with or without BOM; `;` or `,`), one row per allocation line, header first:

    supplier_siret;number;kind;issue_date;due_date;received_on;booking_date;total_ttc;label;account;key;operation;amount;line_label[;preceding_number]

Rows sharing (supplier_siret, number, kind) are one invoice; their header columns must agree.
Required: supplier_siret, number, issue_date, total_ttc, account, amount, and key (60–66) or
operation (67x). `kind` is `facture` (default) or `avoir`; dates `JJ/MM/AAAA` or `AAAA-MM-JJ`;
amounts `1 210,77` or `1210.77`, positive (a credit note too). `preceding_number` (optional) names
the invoice a credit note corrects (already recorded, or earlier in the same import).

Factur-X PDF: header and lines from the embedded CII XML; the supplier is found by SIRET, SIREN
then VAT number. Each line's allocation comes from its buyer accounting reference (BT-133,
« 611 CG » or « 671 OP-2026-01 ») or, lacking one, from the supplier's defaults in the
condominium (default account and key); otherwise the file is refused.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tantieme.condominiums.models import AllocationKey, Condominium
from tantieme.core.money import AmountError, parse_amount
from tantieme.expenses import services
from tantieme.expenses.enums import InvoiceKind
from tantieme.expenses.exceptions import ExpenseError
from tantieme.expenses.facturx_reader import Prefill, read_facturx
from tantieme.expenses.models import Invoice, InvoiceImport, Supplier, SupplierAccount
from tantieme.expenses.queries import match_supplier
from tantieme.funds.models import WorksOperation

CSV_COLUMNS = (
    "supplier_siret",
    "number",
    "kind",
    "issue_date",
    "due_date",
    "received_on",
    "booking_date",
    "total_ttc",
    "label",
    "account",
    "key",
    "operation",
    "amount",
    "line_label",
    "preceding_number",
)
REQUIRED_COLUMNS = ("supplier_siret", "number", "issue_date", "total_ttc", "account", "amount")
HEADER_COLUMNS = (
    "kind",
    "issue_date",
    "due_date",
    "received_on",
    "booking_date",
    "total_ttc",
    "label",
    "preceding_number",
)
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000


class InvoiceImportError(ExpenseError):
    """A file that cannot be imported; `problems` lists every reason (French)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass
class ImportReport:
    imported: list[Invoice] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def _parse_date(value: str, what: str) -> datetime.date:
    text = value.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 — a calendar date
        except ValueError:
            continue
    raise ValueError(_("%(what)s « %(value)s » n'est pas une date (JJ/MM/AAAA).") % {"what": what, "value": value})


def _optional_date(value: str, what: str) -> datetime.date | None:
    return _parse_date(value, what) if value.strip() else None


def _kind(value: str) -> str:
    text = value.strip().lower()
    if text in ("", "facture", "invoice"):
        return InvoiceKind.INVOICE
    if text in ("avoir", "credit_note"):
        return InvoiceKind.CREDIT_NOTE
    raise ValueError(_("Type « %(value)s » inconnu : facture ou avoir.") % {"value": value})


class _Lookups:
    """The condominium's keys, operations and the firm's suppliers, read once per import."""

    def __init__(self, condominium: Condominium) -> None:
        self.condominium = condominium
        self.keys = {key.code.upper(): key for key in AllocationKey.objects.filter(condominium=condominium)}
        self.operations = {op.code.upper(): op for op in WorksOperation.objects.filter(condominium=condominium)}
        self.by_siret = {s.siret: s for s in Supplier.objects.filter(firm_id=condominium.firm_id).exclude(siret="")}
        self.defaults = {
            account.supplier_id: account
            for account in SupplierAccount.objects.filter(condominium=condominium).select_related("default_key")
        }

    def preceding(self, supplier: Supplier, number: str) -> Invoice | None:
        """The invoice a credit note corrects; unknown: the credit note is recorded without the link."""
        if not number.strip():
            return None
        return (
            Invoice.objects.filter(
                condominium=self.condominium, supplier=supplier, kind=InvoiceKind.INVOICE, number=number.strip()
            )
            .exclude(status="cancelled")
            .first()
        )

    def allocation(
        self, account: str, target: str, operation: str = ""
    ) -> tuple[AllocationKey | None, WorksOperation | None]:
        if account.startswith("67"):
            code = (operation or target).strip().upper()
            found = self.operations.get(code)
            if found is None:
                raise ValueError(_("Opération de travaux « %(code)s » inconnue.") % {"code": code})
            return None, found
        code = target.strip().upper()
        key = self.keys.get(code)
        if key is None:
            raise ValueError(_("Clé de répartition « %(code)s » inconnue.") % {"code": code})
        return key, None


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252")


def _rows(text: str) -> tuple[list[dict[str, str]], list[str]]:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return [], [_("Colonnes manquantes : %(columns)s.") % {"columns": ", ".join(missing)}]
    unknown = [name for name in header if name and name not in CSV_COLUMNS]
    if unknown:
        return [], [_("Colonnes inconnues : %(columns)s.") % {"columns": ", ".join(unknown)}]
    rows = []
    for index, raw in enumerate(reader):
        if index >= MAX_ROWS:
            return [], [_("Plus de %(max)s lignes : découpez le fichier.") % {"max": MAX_ROWS}]
        rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None})
    return rows, []


def parse_csv(content: bytes, lookups: _Lookups) -> tuple[list[tuple[services.InvoiceInput, int, str]], list[str]]:
    """The invoices of a CSV file (with the line number of their first row) and the problems of the
    others; a file that cannot be read at all raises InvoiceImportError."""
    rows, problems = _rows(_decode(content))
    if problems:
        raise InvoiceImportError(problems)
    grouped: dict[tuple[str, str, str], list[tuple[int, dict[str, str]]]] = {}
    for line_number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        try:
            kind = _kind(row.get("kind", ""))
        except ValueError as error:
            problems.append(_("Ligne %(n)s : %(error)s") % {"n": line_number, "error": error})
            continue
        siret = "".join(row.get("supplier_siret", "").split())
        grouped.setdefault((siret, row.get("number", ""), kind), []).append((line_number, row))
    invoices = []
    for (siret, number, kind), group in grouped.items():
        first_line, first = group[0]
        try:
            supplier = lookups.by_siret.get(siret)
            if supplier is None:
                raise ValueError(_("aucun fournisseur de SIRET « %(siret)s » au répertoire.") % {"siret": siret})
            for _line_number, row in group[1:]:
                for column in HEADER_COLUMNS:
                    if row.get(column, "") != first.get(column, ""):
                        raise ValueError(
                            _("la colonne %(column)s diffère d'une ligne à l'autre de la facture %(number)s.")
                            % {"column": column, "number": number}
                        )
            lines = []
            for line_number, row in group:
                account = row.get("account", "")
                try:
                    key, operation = lookups.allocation(account, row.get("key", ""), row.get("operation", ""))
                    amount = parse_amount(row.get("amount", ""))
                except (ValueError, AmountError) as error:
                    raise ValueError(_("ligne %(n)s : %(error)s") % {"n": line_number, "error": error}) from None
                lines.append(
                    services.LineInput(
                        account=account, amount=amount, key=key, operation=operation, label=row.get("line_label", "")
                    )
                )
            invoices.append(
                (
                    services.InvoiceInput(
                        supplier=supplier,
                        number=number,
                        kind=kind,
                        issue_date=_parse_date(first.get("issue_date", ""), _("Date de facture")),
                        due_date=_optional_date(first.get("due_date", ""), _("Échéance")),
                        received_on=_optional_date(first.get("received_on", ""), _("Date de réception")),
                        booking_date=_optional_date(first.get("booking_date", ""), _("Date de comptabilisation")),
                        total_ttc=parse_amount(first.get("total_ttc", "")),
                        label=first.get("label", ""),
                        lines=lines,
                    ),
                    first_line,
                    first.get("preceding_number", ""),
                )
            )
        except (ValueError, AmountError) as error:
            problems.append(
                _("Facture %(number)s (ligne %(n)s) : %(error)s") % {"number": number, "n": first_line, "error": error}
            )
    return invoices, problems


def facturx_input(prefill: Prefill, supplier: Supplier, lookups: _Lookups) -> services.InvoiceInput:
    """An invoice from a Factur-X: lines allocated by BT-133 or by the supplier's defaults."""
    if prefill.issue_date is None or prefill.total_ttc is None or not prefill.number:
        raise ValueError(_("la facture électronique n'a pas de numéro, de date ou de total TTC."))
    default = lookups.defaults.get(supplier.pk)
    lines = []
    if not prefill.lines:
        raise ValueError(_("la facture électronique n'a pas de lignes (profil MINIMUM ou BASIC WL) : saisissez-la."))
    for position, line in enumerate(prefill.lines, start=1):
        reference = line.accounting_reference.split() if line.accounting_reference else []
        if len(reference) >= 2:
            account, target = reference[0], reference[1]
        elif default is not None and default.default_account and default.default_key is not None:
            account, target = default.default_account, default.default_key.code
        else:
            raise ValueError(
                _(
                    "ligne %(n)s : ni référence comptable (BT-133, « 611 CG ») ni compte et clé par défaut du "
                    "fournisseur dans cette copropriété."
                )
                % {"n": position}
            )
        key, operation = lookups.allocation(account, target)
        lines.append(
            services.LineInput(
                account=account,
                amount=line.amount,
                key=key,
                operation=operation,
                label=line.label,
                net_amount=line.net_amount,
                vat_rate=line.vat_rate,
            )
        )
    return services.InvoiceInput(
        supplier=supplier,
        number=prefill.number,
        kind=InvoiceKind.CREDIT_NOTE if prefill.is_credit_note else InvoiceKind.INVOICE,
        issue_date=prefill.issue_date,
        due_date=prefill.due_date,
        service_date=prefill.service_date,
        total_ttc=prefill.total_ttc,
        total_ht=prefill.total_ht,
        total_vat=prefill.total_vat,
        payee_iban=prefill.payee_iban,
        remittance=prefill.remittance,
        label=prefill.lines[0].label if len(prefill.lines) == 1 else "",
        lines=lines,
    )


@dataclass(frozen=True)
class ImportFile:
    name: str
    content: bytes


def import_invoices(*, condominium: Condominium, files: Sequence[ImportFile], actor: Any = None) -> ImportReport:
    """Post every invoice of `files` (validated in AC) or nothing; files already imported are skipped."""
    report = ImportReport()
    problems: list[str] = []
    lookups = _Lookups(condominium)
    seen: set[str] = set()
    with transaction.atomic():
        for file in files:
            digest = hashlib.sha256(file.content).hexdigest()
            if digest in seen or InvoiceImport.objects.filter(condominium=condominium, sha256=digest).exists():
                report.skipped_files.append(file.name)
                report.messages.append(
                    _("%(name)s : déjà importé dans cette copropriété, rien n'est ajouté.") % {"name": file.name}
                )
                continue
            seen.add(digest)
            if len(file.content) > MAX_FILE_BYTES:
                problems.append(_("%(name)s : fichier de plus de 20 Mo.") % {"name": file.name})
                continue
            try:
                entered = _import_one(condominium, file, lookups, actor)
            except InvoiceImportError as error:
                problems += [f"{file.name} : {problem}" for problem in error.problems]
                continue
            except ExpenseError as error:
                problems.append(f"{file.name} : {error}")
                continue
            InvoiceImport.objects.create(
                condominium=condominium, sha256=digest, filename=file.name[:255], invoice_count=len(entered)
            )
            report.imported += entered
        if problems:
            # Nothing is imported: the PDFs kept for the invoices entered so far go too.
            for invoice in report.imported:
                if invoice.file:
                    invoice.file.delete(save=False)
            raise InvoiceImportError(problems)
    return report


def _import_one(condominium: Condominium, file: ImportFile, lookups: _Lookups, actor: Any) -> list[Invoice]:
    if file.content[:5] == b"%PDF-":
        prefill = read_facturx(file.content)
        if prefill is None:
            raise ExpenseError(_("PDF sans facture électronique Factur-X : saisissez-la dans le back-office."))
        supplier = match_supplier(firm_id=condominium.firm_id, prefill=prefill)
        if supplier is None:
            raise ExpenseError(
                _("le fournisseur %(name)s (SIRET %(siret)s, SIREN %(siren)s) n'est pas au répertoire.")
                % {
                    "name": prefill.seller_name,
                    "siret": prefill.seller_siret or "—",
                    "siren": prefill.seller_siren or "—",
                }
            )
        try:
            data = facturx_input(prefill, supplier, lookups)
        except ValueError as error:
            raise ExpenseError(str(error)) from None
        with transaction.atomic():
            return [
                services.enter_invoice(
                    condominium=condominium,
                    data=data,
                    pdf=file.content,
                    filename=file.name,
                    einvoice_xml=prefill.xml,
                    actor=actor,
                )
            ]
    # Invoices that parse are posted even when others do not, to report every problem at once;
    # the caller's transaction then rolls everything back.
    invoices, problems = parse_csv(file.content, lookups)
    entered = []
    for data, line_number, preceding_number in invoices:
        try:
            with transaction.atomic():
                # Resolved now: the corrected invoice may come earlier in the same file.
                preceding = lookups.preceding(data.supplier, preceding_number)
                entered.append(
                    services.enter_invoice(
                        condominium=condominium,
                        data=dataclasses.replace(data, preceding_invoice=preceding),
                        actor=actor,
                    )
                )
        except ExpenseError as error:
            problems.append(
                _("Facture %(number)s (ligne %(n)s) : %(error)s")
                % {"number": data.number, "n": line_number, "error": error}
            )
    if problems:
        raise InvoiceImportError(problems)
    return entered
