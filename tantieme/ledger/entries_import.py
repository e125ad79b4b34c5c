"""Journal entries taken into a condominium's books from a FEC or a CSV file (`import_entries`).

Two formats, recognised from the first line:

- a FEC (LPF art. A47 A-1, 18 columns, "|" or tab, ISO-8859-15 or UTF-8, dates AAAAMMJJ, decimal
  comma), as `fec.render_fec` writes it and as another syndic's software exports it when the
  condominium changes syndic. Lines are grouped into entries by (JournalCode, EcritureNum);
- a CSV `journal;date;piece;compte;compte_aux;libelle;debit;credit;cle`: consecutive lines with the
  same (journal, date, piece) form one entry; `compte_aux` names the co-owner of a 450x/459 line,
  `cle` the allocation key or the works operation a class 6/7 (or 102/105) line is distributed on.

Every entry goes through `services.post_entries_bulk` (the ledger is the only writer), in one
transaction: all or nothing, every problem reported with its line number. Re-importing a file
posts nothing: an entry already in the books (same journal, date, voucher and lines) is skipped,
and one whose journal, date and voucher are in the books with other lines is refused. The voucher
keeps the source identity: the PieceRef (or piece), else `IMP:<EcritureNum>` (FEC) or
`IMP:<fingerprint>` (CSV). See docs/import-entries.md.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import transaction

from tantieme.audit.services import record
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner
from tantieme.core.money import AmountError, format_amount, parse_amount
from tantieme.core.references import InvalidReferenceError, parse_reference
from tantieme.ledger import chart, services
from tantieme.ledger.enums import JournalKind, LineNature
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.fec import COLUMNS as FEC_COLUMNS
from tantieme.ledger.models import ZERO, Account, Entry, FiscalYear, Journal, Line, cents
from tantieme.ledger.services import EntryDraft, LineDraft

CSV_COLUMNS = ("journal", "date", "piece", "compte", "compte_aux", "libelle", "debit", "credit", "cle")
CSV_REQUIRED = ("journal", "date", "compte", "debit", "credit")
FEC_REQUIRED = ("JournalCode", "EcritureNum", "EcritureDate", "CompteNum", "Debit", "Credit")
# Journal codes of other software mapped to ours (a single bank journal is usually "BQ").
JOURNAL_ALIASES = {"BQ": "BQ1"}
IMPORTED_VOUCHER_PREFIX = "IMP:"
VOUCHER_LENGTH = 40  # Entry.voucher
LABEL_LENGTH = 200  # Entry.label, Line.label
# Accounts whose lines may name an allocation key or a works operation (`cle`).
TAGGABLE_PREFIXES = ("6", "7", "102", "105")
# The nature of a co-owner line, from its sub-account (spec §9); AN lines are openings, RE régularisations.
_NATURE_BY_ACCOUNT = (
    (chart.WORKS, LineNature.WORKS),
    (chart.ADVANCES, LineNature.ADVANCE),
    (chart.WORKS_FUND, LineNature.WORKS_FUND),
)
_NATURE_BY_JOURNAL_KIND = {
    JournalKind.OPENING: LineNature.OPENING,
    JournalKind.DISTRIBUTION: LineNature.REGULARISATION,
}
_DATE_FORMATS = ("%Y%m%d", "%d/%m/%Y", "%Y-%m-%d")
MAX_LISTED_LINES = 5


class EntriesImportError(LedgerError):
    """The file is refused: nothing was written. `problems` lists every reason, with its line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    """What an import did (or, with `dry_run`, would do)."""

    filename: str
    format: str = ""  # "FEC" or "CSV"
    encoding: str = ""
    separator: str = ""
    dry_run: bool = False
    entries_in_file: int = 0
    imported: list[str] = field(default_factory=list)  # entry codes given in the books
    already_there: int = 0
    accounts_created: list[str] = field(default_factory=list)
    zero_lines: int = 0  # lines with neither debit nor credit, skipped

    def summary(self) -> str:
        verb = "à importer" if self.dry_run else "importées"
        text = f"{len(self.imported)} écritures {verb}, {self.already_there} déjà présentes"
        if self.accounts_created:
            created = "à créer" if self.dry_run else "créés"
            text += f" ; comptes {created} : {', '.join(self.accounts_created)}"
        if self.zero_lines:
            text += f" ; {self.zero_lines} ligne(s) à zéro ignorée(s)"
        if self.dry_run:
            text += " (simulation : rien n'a été enregistré)"
        return text + "."


# --- Reading the file ---------------------------------------------------------------------------


@dataclass
class _SourceLine:
    number: int  # line of the file (the header is line 1)
    journal: str  # the code as written in the file
    date: datetime.date
    account: str
    account_label: str
    auxiliary: str
    label: str
    debit: Decimal
    credit: Decimal
    voucher: str = ""
    voucher_date: datetime.date | None = None
    validation_date: datetime.date | None = None
    tag: str = ""


@dataclass
class _SourceEntry:
    journal: str  # as written in the file
    source_number: str  # FEC EcritureNum; "" for CSV
    voucher: str
    lines: list[_SourceLine] = field(default_factory=list)

    @property
    def first(self) -> int:
        return self.lines[0].number

    @property
    def name(self) -> str:
        """How a message names the entry: « écriture OD-17 (lignes 12 à 15) »."""
        numbers = f"ligne {self.first}" if len(self.lines) == 1 else f"lignes {self.first} à {self.lines[-1].number}"
        if self.source_number:
            number = self.source_number
            if not number.upper().startswith(self.journal.upper()):
                number = f"{self.journal}-{number}"
            return f"écriture {number} ({numbers})"
        piece = f", pièce {self.voucher}" if self.voucher else ""
        return f"écriture {self.journal} du {self.lines[0].date:%d/%m/%Y}{piece} ({numbers})"


class _Problems:
    """Problems sorted by the line they are about, so the list reads like the file."""

    def __init__(self) -> None:
        self._items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self._items.append((line, message))

    def __bool__(self) -> bool:
        return bool(self._items)

    def messages(self) -> list[str]:
        return [message for _line, message in sorted(self._items, key=lambda item: item[0])]


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding found: UTF-8 (with or without BOM), else ISO-8859-15.

    Windows-1252 is taken when the bytes use its 0x80–0x9F characters (’ € …), which ISO-8859-15
    reads as control characters."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace"), "utf-8"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if any(0x80 <= byte <= 0x9F for byte in content):
        try:
            return content.decode("cp1252"), "windows-1252"
        except UnicodeDecodeError:
            pass
    return content.decode("iso-8859-15"), "iso-8859-15"


def _parse_date(text: str) -> datetime.date:
    text = text.strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(f"date « {text} » illisible (attendu AAAAMMJJ, JJ/MM/AAAA ou AAAA-MM-JJ)")


def _optional_date(text: str) -> datetime.date | None:
    return _parse_date(text) if text.strip() else None


def _amounts(debit_text: str, credit_text: str) -> tuple[Decimal, Decimal]:
    """Debit and credit, one of them zero: a negative amount goes to the other side."""
    debit = parse_amount(debit_text) if debit_text.strip() else ZERO
    credit = parse_amount(credit_text) if credit_text.strip() else ZERO
    if debit and credit:
        raise AmountError(f"un débit ({debit_text.strip()}) et un crédit ({credit_text.strip()}) sur la même ligne.")
    signed = debit - credit
    return (signed, ZERO) if signed > 0 else (ZERO, -signed)


def _header_index(cells: Sequence[str], names: Iterable[str]) -> dict[str, int]:
    wanted = {name.lower(): name for name in names}
    index: dict[str, int] = {}
    for position, cell in enumerate(cells):
        name = wanted.get(cell.strip().lower())
        if name is not None and name not in index:
            index[name] = position
    return index


def _read_fec(text: str, problems: _Problems) -> tuple[list[_SourceEntry], str, int]:
    """FEC records grouped by (JournalCode, EcritureNum), in the order of their first line."""
    records = text.splitlines()
    header = records[0]
    separator = "\t" if "\t" in header else "|"
    columns = header.split(separator)
    index = _header_index(columns, FEC_COLUMNS)
    missing = [name for name in FEC_REQUIRED if name not in index]
    if missing:
        problems.add(1, f"ligne 1 : colonnes {', '.join(missing)} absentes de l'en-tête du FEC.")
        return [], separator, 0
    entries: dict[tuple[str, str], _SourceEntry] = {}
    zero_lines = 0
    for number, record_text in enumerate(records[1:], start=2):
        if not record_text.strip():
            continue
        cells = record_text.split(separator)
        while len(cells) > len(columns) and not cells[-1].strip():
            cells.pop()  # a trailing separator
        if len(cells) != len(columns):
            problems.add(number, f"ligne {number} : {len(cells)} champs au lieu de {len(columns)}.")
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[index[name]].strip() if name in index else ""

        try:
            debit, credit = _amounts(cell("Debit"), cell("Credit"))
            line = _SourceLine(
                number=number,
                journal=cell("JournalCode"),
                date=_parse_date(cell("EcritureDate")),
                account=cell("CompteNum"),
                account_label=cell("CompteLib"),
                auxiliary=cell("CompAuxNum"),
                label=cell("EcritureLib"),
                debit=debit,
                credit=credit,
                voucher=cell("PieceRef"),
                voucher_date=_optional_date(cell("PieceDate")),
                validation_date=_optional_date(cell("ValidDate")),
            )
        except ValueError as error:  # AmountError is a ValueError
            problems.add(number, f"ligne {number} : {str(error).rstrip('.')}.")
            continue
        if not line.journal or not cell("EcritureNum"):
            problems.add(number, f"ligne {number} : JournalCode et EcritureNum sont obligatoires.")
            continue
        if not (line.debit or line.credit):
            zero_lines += 1
            continue
        key = (line.journal.upper(), cell("EcritureNum"))
        entry = entries.get(key)
        if entry is None:
            voucher = line.voucher or f"{IMPORTED_VOUCHER_PREFIX}{key[1]}"
            entry = entries[key] = _SourceEntry(journal=line.journal, source_number=key[1], voucher=voucher)
        entry.lines.append(line)
    return list(entries.values()), separator, zero_lines


def _read_csv(text: str, problems: _Problems) -> tuple[list[_SourceEntry], str, int]:
    """CSV rows; consecutive rows with the same (journal, date, piece) form one entry."""
    first = text.splitlines()[0]
    delimiter = "\t" if "\t" in first and ";" not in first else ";"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
    index = _header_index(header, CSV_COLUMNS)
    unknown = [cell.strip() for cell in header if cell.strip() and cell.strip().lower() not in CSV_COLUMNS]
    missing = [name for name in CSV_REQUIRED if name not in index]
    if missing or unknown:
        details = []
        if missing:
            details.append(f"colonnes {', '.join(missing)} absentes")
        if unknown:
            details.append(f"colonnes {', '.join(unknown)} inconnues")
        problems.add(1, f"ligne 1 : {' ; '.join(details)} (en-tête attendu : {';'.join(CSV_COLUMNS)}).")
        return [], delimiter, 0
    entries: list[_SourceEntry] = []
    zero_lines = 0
    previous: tuple[str, datetime.date, str] | None = None
    for cells in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in cells):
            previous = None
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            position = index.get(name)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        try:
            debit, credit = _amounts(cell("debit"), cell("credit"))
            line = _SourceLine(
                number=number,
                journal=cell("journal"),
                date=_parse_date(cell("date")),
                account=cell("compte"),
                account_label="",
                auxiliary=cell("compte_aux"),
                label=cell("libelle"),
                debit=debit,
                credit=credit,
                voucher=cell("piece"),
                tag=cell("cle"),
            )
        except ValueError as error:
            problems.add(number, f"ligne {number} : {str(error).rstrip('.')}.")
            previous = None
            continue
        if not line.journal:
            problems.add(number, f"ligne {number} : le journal est obligatoire.")
            continue
        if not (line.debit or line.credit):
            zero_lines += 1
            continue
        key = (line.journal.upper(), line.date, line.voucher)
        if key != previous:
            entries.append(_SourceEntry(journal=line.journal, source_number="", voucher=line.voucher))
            previous = key
        entries[-1].lines.append(line)
    return entries, delimiter, zero_lines


def read_file(content: bytes, report: ImportReport) -> list[_SourceEntry]:
    """The entries of the file, or EntriesImportError listing every line that cannot be read."""
    text, report.encoding = decode(content)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise EntriesImportError(["Le fichier est vide."])
    header = text.splitlines()[0]
    problems = _Problems()
    if "journalcode" in header.lower():
        report.format = "FEC"
        entries, separator, report.zero_lines = _read_fec(text, problems)
    elif "journal" in header.lower() and "compte" in header.lower():
        report.format = "CSV"
        entries, separator, report.zero_lines = _read_csv(text, problems)
    else:
        message = (
            "ligne 1 : format non reconnu : la première ligne est l'en-tête d'un FEC (JournalCode|JournalLib|…) "
            f"ou du CSV des écritures ({';'.join(CSV_COLUMNS)})."
        )
        raise EntriesImportError([message])
    report.separator = {"\t": "tabulation", "|": "|", ";": ";"}[separator]
    if problems:
        raise EntriesImportError(problems.messages())
    if not entries:
        raise EntriesImportError(["Le fichier ne contient aucune écriture."])
    return entries


# --- Checking against the books -----------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    source: _SourceEntry
    draft: EntryDraft
    identity: tuple[str, datetime.date, str]  # (journal, date, voucher)
    fingerprint: str


@dataclass
class _Context:
    """The condominium's books as read once for the whole file."""

    condominium: Condominium
    tagged: bool  # whether the file names keys and operations (CSV `cle`)
    accounts: dict[str, Account]
    journals: dict[str, Journal]
    years: list[FiscalYear]
    co_owners: dict[str, CoOwner]
    keys: dict[str, int]
    operations: dict[str, int]
    new_accounts: dict[str, str] = field(default_factory=dict)  # number -> label

    @classmethod
    def of(cls, condominium: Condominium, *, tagged: bool) -> _Context:
        operation_model = apps.get_model("funds", "WorksOperation")  # funds depends on the ledger, not the reverse
        return cls(
            condominium=condominium,
            tagged=tagged,
            accounts={account.number: account for account in Account.objects.filter(condominium=condominium)},
            journals={journal.code: journal for journal in Journal.objects.filter(condominium=condominium)},
            years=list(FiscalYear.objects.filter(condominium=condominium).order_by("start_date")),
            co_owners={owner.reference: owner for owner in CoOwner.objects.filter(condominium=condominium)},
            keys=dict(AllocationKey.objects.filter(condominium=condominium).values_list("code", "pk")),
            operations=dict(operation_model._default_manager.filter(condominium=condominium).values_list("code", "pk")),
        )

    def journal_code(self, code: str) -> str:
        code = code.strip().upper()
        return code if code in self.journals else JOURNAL_ALIASES.get(code, code)


def _check_journals(entries: list[_SourceEntry], context: _Context, problems: _Problems) -> None:
    unknown: dict[str, list[int]] = defaultdict(list)
    for entry in entries:
        if context.journal_code(entry.journal) not in context.journals:
            unknown[entry.journal.upper()] += [line.number for line in entry.lines]
    if not unknown:
        return
    found = ", ".join(sorted({entry.journal.upper() for entry in entries}))
    ours = ", ".join(sorted(context.journals)) or "aucun"
    for code, numbers in unknown.items():
        numbers.sort()
        listed = ", ".join(str(number) for number in numbers[:MAX_LISTED_LINES])
        more = "…" if len(numbers) > MAX_LISTED_LINES else ""
        problems.add(
            numbers[0],
            f"journal {code} inconnu (lignes {listed}{more}) : journaux du fichier {found} ; journaux de la "
            f"copropriété {context.condominium.code} : {ours} (BQ est lu BQ1). Créez le journal ou corrigez le code.",
        )


def _account(line: _SourceLine, context: _Context, problems: _Problems) -> str | None:
    """The account number of the line; a subdivision of the chart is noted for creation."""
    number = line.account.replace(" ", "")
    if number in context.accounts or number in context.new_accounts:
        return number
    parents = [existing for existing in context.accounts if number.startswith(existing)]
    parents += [standard for standard, _label in chart.STANDARD_CHART if number.startswith(standard)]
    if not (number.isdigit() and 3 <= len(number) <= 10 and number[0] in "1234567" and parents):
        problems.add(
            line.number,
            f"ligne {line.number} : compte {line.account or '(vide)'} inconnu : il n'est pas au plan comptable de la "
            "copropriété et n'en subdivise aucun compte (arrêté du 14 mars 2005).",
        )
        return None
    parent = max(parents, key=len)
    label = line.account_label or (
        context.accounts[parent].label if parent in context.accounts else dict(chart.STANDARD_CHART)[parent]
    )
    context.new_accounts[number] = label[:120]
    return number


def _is_co_owner_account(number: str, context: _Context) -> bool:
    account = context.accounts.get(number)
    return account.is_co_owner_account if account is not None else chart.is_co_owner_account(number)


def _co_owner(line: _SourceLine, number: str, context: _Context, problems: _Problems) -> tuple[bool, CoOwner | None]:
    """(ok, co-owner): a co-owner account needs a known reference; elsewhere the FEC's auxiliary
    account (a supplier's) is ignored and the CSV's is refused."""
    if not _is_co_owner_account(number, context):
        if line.auxiliary and context.tagged:
            problems.add(
                line.number,
                f"ligne {line.number} : compte_aux ne s'indique que sur les comptes copropriétaires (450x, 459), "
                f"pas sur le {number}.",
            )
            return False, None
        return True, None
    if not line.auxiliary:
        problems.add(
            line.number,
            f"ligne {line.number} : le compte {number} est un compte copropriétaire : indiquez la référence du "
            "copropriétaire (compte auxiliaire).",
        )
        return False, None
    try:
        reference = parse_reference(line.auxiliary)
    except InvalidReferenceError as error:
        problems.add(line.number, f"ligne {line.number} : {error}")
        return False, None
    owner = context.co_owners.get(reference)
    if owner is None:
        problems.add(
            line.number,
            f"ligne {line.number} : pas de copropriétaire {reference} dans la copropriété {context.condominium.code}.",
        )
        return False, None
    return True, owner


def _tag(line: _SourceLine, number: str, context: _Context, problems: _Problems) -> tuple[bool, int | None, int | None]:
    """(ok, key id, operation id) of the line's `cle`."""
    if not line.tag:
        return True, None, None
    if not number.startswith(TAGGABLE_PREFIXES):
        problems.add(
            line.number,
            f"ligne {line.number} : une clé ne s'indique que sur les comptes de charges et de produits (classes 6 et "
            f"7) et sur 102 et 105, pas sur le {number}.",
        )
        return False, None, None
    key_id = context.keys.get(line.tag)
    operation_id = context.operations.get(line.tag)
    if key_id is None and operation_id is None:
        folded = line.tag.casefold()
        key_id = next((pk for code, pk in context.keys.items() if code.casefold() == folded), None)
        operation_id = next((pk for code, pk in context.operations.items() if code.casefold() == folded), None)
    if key_id is not None and operation_id is not None:
        problems.add(
            line.number,
            f"ligne {line.number} : « {line.tag} » est à la fois une clé de répartition et une opération de travaux.",
        )
        return False, None, None
    if key_id is None and operation_id is None:
        problems.add(
            line.number,
            f"ligne {line.number} : clé « {line.tag} » inconnue : ni clé de répartition ni opération de travaux de la "
            f"copropriété {context.condominium.code}.",
        )
        return False, None, None
    return True, key_id, operation_id


def _nature(number: str, journal: Journal, is_co_owner: bool) -> LineNature:
    if not is_co_owner:
        return LineNature.CURRENT
    by_journal = _NATURE_BY_JOURNAL_KIND.get(JournalKind(journal.kind))
    if by_journal is not None:
        return by_journal
    return next((nature for prefix, nature in _NATURE_BY_ACCOUNT if number.startswith(prefix)), LineNature.CURRENT)


def _check_year(entry: _SourceEntry, day: datetime.date, context: _Context, problems: _Problems) -> bool:
    year = next((year for year in context.years if year.contains(day)), None)
    if year is not None and year.is_open:
        return True
    detail = f" (l'exercice {year} est clôturé)" if year is not None else ""
    problems.add(entry.first, f"ligne {entry.first} : le {day:%d/%m/%Y} n'est dans aucun exercice ouvert{detail}.")
    return False


def fingerprint(lines: Iterable[tuple[str, str, Decimal, Decimal, int | None, int | None]], *, tagged: bool) -> str:
    """sha256 of an entry's lines (account, co-owner reference, debit, credit[, key, operation]), in any order."""
    rows = sorted(
        "|".join(
            [account, reference, f"{cents(debit)}", f"{cents(credit)}"]
            + ([str(key or ""), str(operation or "")] if tagged else [])
        )
        for account, reference, debit, credit, key, operation in lines
    )
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _prepare(entry: _SourceEntry, context: _Context, problems: _Problems) -> _Prepared | None:
    """The draft of one source entry, or None when a problem was reported."""
    journal = context.journals.get(context.journal_code(entry.journal))
    first = entry.lines[0]
    ok = journal is not None
    dates = sorted({line.date for line in entry.lines})
    if len(dates) > 1:
        listed = ", ".join(f"{day:%d/%m/%Y}" for day in dates)
        problems.add(entry.first, f"{entry.name} : ses lignes portent des dates différentes ({listed}).")
        ok = False
    else:
        ok = _check_year(entry, first.date, context, problems) and ok
    debit = sum((line.debit for line in entry.lines), ZERO)
    credit = sum((line.credit for line in entry.lines), ZERO)
    if debit != credit:
        problems.add(
            entry.first,
            f"{entry.name} déséquilibrée : débits {format_amount(debit)}, crédits {format_amount(credit)}.",
        )
        ok = False
    drafts: list[LineDraft] = []
    for line in entry.lines:
        number = _account(line, context, problems)
        if number is None:
            ok = False
            continue
        owner_ok, owner = _co_owner(line, number, context, problems)
        tag_ok, key_id, operation_id = _tag(line, number, context, problems)
        if not (owner_ok and tag_ok and journal is not None):
            ok = False
            continue
        drafts.append(
            LineDraft(
                account=number,
                debit=line.debit,
                credit=line.credit,
                co_owner=owner,
                nature=_nature(number, journal, owner is not None),
                label=line.label[:LABEL_LENGTH],
                key_id=key_id,
                operation_id=operation_id,
            )
        )
    if not ok or journal is None:
        return None
    digest = fingerprint(
        (
            (
                draft.account,
                draft.co_owner.reference if draft.co_owner else "",
                draft.debit,
                draft.credit,
                draft.key_id,
                draft.operation_id,
            )
            for draft in drafts
        ),
        tagged=context.tagged,
    )
    voucher = entry.voucher or f"{IMPORTED_VOUCHER_PREFIX}{digest[:16]}"
    voucher = voucher[:VOUCHER_LENGTH]
    validation_dates = [line.validation_date for line in entry.lines if line.validation_date]
    voucher_dates = [line.voucher_date for line in entry.lines if line.voucher_date]
    label = next((line.label for line in entry.lines if line.label), "") or f"Écriture reprise {entry.name}"
    draft = EntryDraft(
        journal=journal.code,
        date=first.date,
        label=label[:LABEL_LENGTH],
        lines=drafts,
        voucher=voucher,
        voucher_date=voucher_dates[0] if voucher_dates else None,
        validation_date=max(validation_dates) if validation_dates else first.date,
    )
    return _Prepared(source=entry, draft=draft, identity=(journal.code, first.date, voucher), fingerprint=digest)


# --- Already in the books -----------------------------------------------------------------------


def _books_fingerprints(
    condominium: Condominium, prepared: list[_Prepared], *, tagged: bool
) -> dict[tuple[str, datetime.date, str], dict[str, list[str]]]:
    """For each (journal, date, voucher) of the file found in the books: fingerprint -> entry codes.

    Reversed entries and reversals are left out: a reversed import may be imported again."""
    identities = {item.identity for item in prepared}
    days = [item.draft.date for item in prepared]
    rows = (
        Line.objects.filter(
            condominium=condominium,
            date__range=(min(days), max(days)),
            entry__journal__code__in={identity[0] for identity in identities},
            entry__reverses__isnull=True,
            entry__reversal__isnull=True,
        )
        .order_by("entry_id", "position")
        .values_list(
            "entry_id",
            "entry__code",
            "entry__journal__code",
            "entry__date",
            "entry__voucher",
            "account__number",
            "co_owner__reference",
            "debit",
            "credit",
            "key_id",
            "operation_id",
        )
    )
    lines: dict[int, list[tuple[str, str, Decimal, Decimal, int | None, int | None]]] = defaultdict(list)
    heads: dict[int, tuple[str, tuple[str, datetime.date, str]]] = {}
    for entry_id, code, journal, day, voucher, account, reference, debit, credit, key, operation in rows:
        identity = (journal, day, voucher)
        if identity not in identities:
            continue
        heads[entry_id] = (code, identity)
        lines[entry_id].append((account, reference or "", debit, credit, key, operation))
    found: dict[tuple[str, datetime.date, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for entry_id, (code, identity) in heads.items():
        found[identity][fingerprint(lines[entry_id], tagged=tagged)].append(code)
    return found


def _split_new(
    condominium: Condominium, prepared: list[_Prepared], problems: _Problems, *, tagged: bool
) -> tuple[list[_Prepared], int]:
    """(entries to post, how many are already in the books); a changed re-import is a problem."""
    found = _books_fingerprints(condominium, prepared, tagged=tagged)
    by_identity: dict[tuple[str, datetime.date, str], list[_Prepared]] = defaultdict(list)
    for item in prepared:
        by_identity[item.identity].append(item)
    new: list[_Prepared] = []
    already = 0
    for identity, items in by_identity.items():
        books = found.get(identity)
        if not books:
            new += items
            continue
        in_books = Counter({digest: len(codes) for digest, codes in books.items()})
        in_file = Counter(item.fingerprint for item in items)
        if in_file == in_books:
            already += len(items)
            continue
        codes = sorted(code for codes in books.values() for code in codes)
        journal, day, voucher = identity
        first = items[0].source
        problems.add(
            first.first,
            f"{first.name} : le journal {journal} contient déjà au {day:%d/%m/%Y} une écriture de pièce « {voucher} » "
            f"({', '.join(codes)}) avec d'autres lignes ou montants. Un fichier déjà importé ne peut pas être "
            "réimporté modifié : contre-passez l'écriture importée, puis importez de nouveau.",
        )
    return new, already


# --- The service --------------------------------------------------------------------------------


class _DryRun(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Rolls back a dry run's savepoint."""


def import_entries(
    *,
    condominium: Condominium,
    content: bytes,
    filename: str,
    actor: Any = None,
    dry_run: bool = False,
) -> ImportReport:
    """Post the entries of a FEC or CSV file into `condominium`'s books: all or nothing.

    Raises EntriesImportError (nothing written) listing every problem with its line number.
    Entries already imported are skipped. With `dry_run`, everything is checked and numbered in a
    savepoint that is rolled back: the report says what would be posted. Call inside the firm scope.
    """
    report = ImportReport(filename=filename, dry_run=dry_run)
    try:
        with transaction.atomic():
            _import(condominium=condominium, content=content, report=report, actor=actor)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _import(*, condominium: Condominium, content: bytes, report: ImportReport, actor: Any) -> None:
    entries = read_file(content, report)
    report.entries_in_file = len(entries)
    # One import at a time per condominium: the second one sees what the first posted.
    condominium = Condominium.objects.select_for_update(of=("self",)).select_related("firm").get(pk=condominium.pk)
    context = _Context.of(condominium, tagged=report.format == "CSV")
    if not context.accounts:
        raise EntriesImportError(
            [f"La copropriété {condominium.code} n'a pas encore de plan comptable ni d'exercice ouvert."]
        )
    problems = _Problems()
    _check_journals(entries, context, problems)
    prepared = [item for entry in entries if (item := _prepare(entry, context, problems)) is not None]
    if problems:
        raise EntriesImportError(problems.messages())
    new, report.already_there = _split_new(condominium, prepared, problems, tagged=context.tagged)
    if problems:
        raise EntriesImportError(problems.messages())
    needed = {line.account for item in new for line in item.draft.lines}
    report.accounts_created = sorted(number for number in context.new_accounts if number in needed)
    try:
        for number in report.accounts_created:
            services.add_account(
                condominium=condominium, number=number, label=context.new_accounts[number], actor=actor
            )
        posted: list[Entry] = services.post_entries_bulk(
            condominium=condominium, drafts=[item.draft for item in new], actor=actor
        )
    except LedgerError as error:
        raise EntriesImportError([f"Rien n'a été importé : {error}"]) from error
    report.imported = [entry.code for entry in posted]
    if posted:
        record(
            action="ledger.entries.imported",
            firm=condominium.firm,
            actor=actor,
            target=condominium,
            data={
                "filename": filename_for_audit(report.filename),
                "sha256": hashlib.sha256(content).hexdigest(),
                "format": report.format,
                "entries": len(posted),
                "already_there": report.already_there,
                "accounts_created": report.accounts_created,
                "first": posted[0].code,
                "last": posted[-1].code,
            },
        )


def filename_for_audit(filename: str) -> str:
    """The file's name without its folders (the audit keeps what was imported, not where it lay)."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
