"""Writes of the banking app: import a statement, and resolve its lines.

    import_statement     a file (CAMT.053, CFONB 120, OFX) for a condominium: refused whole, or
                         imported exactly once per bank entry, matched and posted
    confirm_suggestion   one click on a suggestion of the review queue (posts Dr 512 / Cr 450)
    assign_line          a credit to review or in suspense given to a co-owner (512 or 472 → 450)
    send_to_suspense     a credit to review that nobody can identify (Dr 512 / Cr 472)
    return_to_payer      a credit in suspense sent back: pain.001 file, cleared by a later statement
    post_debit           a debit of the queue posted to the account the accountant chose

Call them inside `firm_scope(firm)`. Crash safety (REL-04): the file is checked whole first
(nothing written if it is refused), then its movements are written in chunks, each in one
transaction with its postings; a run killed in the middle leaves whole chunks only, and the next
run of the same file resumes the same import, skipping the keys already there.

The same bank day in two formats (issue 15, item 2): each line also carries a format-independent
fingerprint of its movement (`MovementFingerprints`); a file that repeats movements of a day
already imported from another format is refused whole (`_refuse_other_format_overlap`).
"""

from __future__ import annotations

import datetime
import hashlib
import pickle
import secrets
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from tantieme.audit.services import record
from tantieme.banking import debits, matching
from tantieme.banking.enums import ImportState, LineKind, LineStatus, MatchRule, ReturnState, StatementFormat
from tantieme.banking.exceptions import BankingError, ImportRefusedError
from tantieme.banking.matching import CoOwnerCard, Decision, Directory
from tantieme.banking.models import ChequeDeposit, MatchSuggestion, ReturnTransfer, StatementImport, StatementLine
from tantieme.banking.parsers import ParsedEntry, StatementParseError, StatementReader, open_statement
from tantieme.banking.parsers.base import CENT, KeyAssigner, normalise
from tantieme.banking.posting import Receipt, post_receipts_bulk
from tantieme.banking.sepa import CreditTransfer, credit_transfer_document, sepa_text
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.bulk import can_reserve_ids, insert_rows, reserve_ids
from tantieme.core.money import format_amount
from tantieme.ledger import chart
from tantieme.ledger.enums import FiscalYearState, JournalKind
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.models import Account, FiscalYear, Journal
from tantieme.ledger.services import EntryDraft, LineDraft, post_co_owner_payment, post_entries_bulk, post_entry

CHUNK_SIZE = 1000
MISC_JOURNAL = "OD"
FINGERPRINT_PARTY_LENGTH = 24  # letters and digits of the counterparty's name kept in the fingerprint
OVERLAP_DAYS_SHOWN = 5
OVERLAP_MOVEMENTS_SHOWN = 8


@dataclass
class ImportResult:
    statement_import: StatementImport
    already_imported: bool = False
    imported: int = 0
    skipped: int = 0
    matched: int = 0
    to_review: int = 0
    suspense: int = 0
    ignored: int = 0
    pending: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"imported={self.imported} matched={self.matched} to_review={self.to_review} "
            f"suspended={self.suspense} ignored={self.ignored} skipped={self.skipped} not_booked={self.pending}"
        )


@dataclass
class _Survey:
    """What the first pass learned: the file is readable, on the right account, with open dates."""

    format: str
    total: int
    pending: int
    statements: list[dict[str, Any]]
    opening_balance: Decimal | None
    opening_date: datetime.date | None
    closing_balance: Decimal | None
    closing_date: datetime.date | None
    days: frozenset[datetime.date] = frozenset()  # the booking days of the file's movements


class MovementFingerprints:
    """The fingerprint of each movement of a file, the same whatever its format (CAMT, CFONB, OFX).

    The bank's references differ between its formats (AcctSvcrRef, numéro d'écriture, FITID), and
    so do the texts (CFONB cuts at 70 characters, upper-case ASCII, its 04 label is not CAMT's
    AddtlNtryInf, an end-to-end id may be missing). What every format carries alike: the account,
    the booking date, the signed amount and the counterparty's name (CAMT Dbtr/Cdtr Nm, CFONB 05
    NPY/NBE, OFX NAME), normalised (accents, case, punctuation dropped) and cut to its first
    letters and digits. The rank among identical tuples of the file (occurrence, in file order)
    keeps two genuine identical movements of a day apart, and gives the same ranks when the day
    is read again from another file.
    """

    def __init__(self, iban: str) -> None:
        self.iban = iban
        self._seen: dict[str, int] = {}

    def of(self, entry: ParsedEntry) -> str:
        party = normalise(entry.counterparty_name).replace(" ", "")[:FINGERPRINT_PARTY_LENGTH]
        base = f"{self.iban}|{entry.booking_date.isoformat()}|{entry.amount.quantize(CENT)}|{party}"
        occurrence = self._seen.get(base, 0)
        self._seen[base] = occurrence + 1
        return hashlib.sha256(f"{base}|{occurrence}".encode()).hexdigest()[:32]


def _bank_journal(condominium: Condominium) -> Journal:
    journal = (
        Journal.objects.filter(condominium=condominium, kind=JournalKind.BANK, bank_account__number=chart.BANK)
        .select_related("bank_account")
        .order_by("code")
        .first()
    )
    if journal is None:
        raise ImportRefusedError(
            f"La copropriété {condominium.code} n'a pas de journal de banque lié au compte {chart.BANK} : "
            "créez d'abord son plan comptable."
        )
    return journal


def _file_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _reader(content: bytes) -> StatementReader:
    try:
        return open_statement(content)
    except StatementParseError as error:
        raise ImportRefusedError(error.message, location=error.location) from None


def _survey(condominium: Condominium, content: bytes, spool: IO[bytes]) -> _Survey:
    """Read the whole file once, writing nothing: refuse it with the line or element at fault.

    The movements read are pickled to `spool` (a temporary file): the writing pass reads them
    back instead of parsing the file a second time.
    """
    reader = _reader(content)
    years = list(FiscalYear.objects.filter(condominium=condominium).order_by("start_date"))
    checked_days: dict[datetime.date, bool] = {}
    total = 0
    try:
        for entry in reader.entries():
            total += 1
            pickle.dump(entry, spool, protocol=pickle.HIGHEST_PROTOCOL)
            day = entry.booking_date
            is_open = checked_days.get(day)
            if is_open is None:
                is_open = any(y.contains(day) and y.state == FiscalYearState.OPEN for y in years)
                checked_days[day] = is_open
            if not is_open:
                raise ImportRefusedError(
                    f"le mouvement du {day:%d/%m/%Y} ({entry.amount}) ne tombe dans aucun exercice ouvert de la "
                    f"copropriété {condominium.code}.",
                    location=f"mouvement {entry.position}",
                )
    except StatementParseError as error:
        raise ImportRefusedError(error.message, location=error.location) from None
    iban = condominium.iban.replace(" ", "").upper()
    for statement in reader.statements:
        if statement.iban != iban:
            raise ImportRefusedError(
                f"le relevé porte sur le compte {statement.iban or '(inconnu)'}, pas sur celui de la copropriété "
                f"{condominium.code} ({iban}).",
                location=f"relevé {statement.index + 1}",
            )
        if statement.currency != "EUR":
            raise ImportRefusedError(f"compte en {statement.currency}, seul l'euro est géré.")
    first, last = reader.statements[0], reader.statements[-1]
    return _Survey(
        format=reader.format_name,
        total=total,
        pending=sum(statement.pending_count for statement in reader.statements),
        statements=[statement.as_dict() for statement in reader.statements],
        opening_balance=first.opening_balance,
        opening_date=first.opening_date,
        closing_balance=last.closing_balance,
        closing_date=last.closing_date,
        days=frozenset(checked_days),
    )


def _continuity_warnings(condominium: Condominium, survey: _Survey, iban: str, current: int | None) -> list[str]:
    """Compare with the statement imported before: a gap, an overlap or a balance that differs."""
    if survey.opening_date is None:
        return []
    previous = (
        StatementImport.objects.filter(
            condominium=condominium, account_iban=iban, state=ImportState.DONE, closing_date__isnull=False
        )
        .exclude(pk=current or 0)
        .filter(closing_date__lte=survey.closing_date or survey.opening_date)
        .order_by("-closing_date", "-id")
        .first()
    )
    if previous is None or previous.closing_date is None:
        return []
    warnings = []
    if survey.opening_date > previous.closing_date:
        warnings.append(
            f"Relevés manquants : le précédent s'arrête le {previous.closing_date:%d/%m/%Y}, "
            f"celui-ci commence le {survey.opening_date:%d/%m/%Y}."
        )
    elif survey.opening_date < previous.closing_date:
        warnings.append(
            f"Ce relevé chevauche le précédent (jusqu'au {previous.closing_date:%d/%m/%Y}) : "
            "les mouvements déjà importés sont ignorés."
        )
    elif survey.opening_balance is not None and previous.closing_balance != survey.opening_balance:
        warnings.append(
            f"Solde initial {format_amount(survey.opening_balance)} différent du solde final du relevé précédent "
            f"({format_amount(previous.closing_balance or Decimal('0'))})."
        )
    return warnings


def _format_label(value: str) -> str:
    try:
        return str(StatementFormat(value).label)
    except ValueError:
        return value


def _movement_text(entry: ParsedEntry) -> str:
    who = entry.counterparty_name or entry.label or entry.remittance
    return f"{entry.booking_date:%d/%m/%Y} {format_amount(entry.amount)} {who}".strip()


def _listed(items: list[str]) -> str:
    shown = " ; ".join(items[:OVERLAP_MOVEMENTS_SHOWN])
    more = len(items) - OVERLAP_MOVEMENTS_SHOWN
    return f"{shown} ; et {more} autre(s)" if more > 0 else shown


def _refuse_other_format_overlap(condominium: Condominium, survey: _Survey, iban: str, spool: IO[bytes]) -> None:
    """Refuse the file whole if it repeats a bank day already imported from another format.

    The entry keys cannot see it (each format has its own bank references). The unit is the booking
    day of the movements, boundary days included: an end-of-day statement carries the whole bank
    day whatever its format, so a day with movements from another format is a day already there.
    Balance dates alone do not count (a statement opening on the day the previous one closes
    repeats no movement). The message names the days, the files, and the file's movements that
    their fingerprints recognise among those already imported (and those they do not).

    Cost: nothing when the account has no import in another format; else one grouped query on the
    (booking_date, account_iban, condominium, fingerprint) index, and the detail only on refusal.
    """
    if not survey.days:
        return
    other_imports = StatementImport.objects.filter(condominium=condominium, account_iban=iban).exclude(
        format=survey.format
    )
    if not other_imports.exists():
        return
    lines = StatementLine.objects.filter(
        condominium=condominium,
        account_iban=iban,
        booking_date__range=(min(survey.days), max(survey.days)),
        statement_import__in=other_imports,
    )
    per_day: dict[datetime.date, int] = {}
    files: dict[int, None] = {}
    for day, import_id, count in (
        lines.order_by().values_list("booking_date", "statement_import_id").annotate(count=Count("id"))
    ):
        if day in survey.days:
            per_day[day] = per_day.get(day, 0) + count
            files[import_id] = None
    if not per_day:
        return
    days = sorted(per_day)
    shown = set(days[:OVERLAP_DAYS_SHOWN])
    already = Counter(lines.filter(booking_date__in=shown).values_list("fingerprint", flat=True))
    fingerprints = MovementFingerprints(iban)
    recognised: list[str] = []
    unknown: list[str] = []
    spool.seek(0)
    for entry in _spooled(spool, survey.total):
        if entry.booking_date not in shown:
            continue
        fingerprint = fingerprints.of(entry)
        if already[fingerprint] > 0:
            already[fingerprint] -= 1
            recognised.append(_movement_text(entry))
        else:
            unknown.append(_movement_text(entry))
    spool.seek(0)
    day_texts = [
        f"le {day:%d/%m/%Y} ({per_day[day]} mouvement(s) déjà importé(s))" for day in days[:OVERLAP_DAYS_SHOWN]
    ]
    if len(days) > OVERLAP_DAYS_SHOWN:
        day_texts.append(f"et {len(days) - OVERLAP_DAYS_SHOWN} autre(s) jour(s) jusqu'au {days[-1]:%d/%m/%Y}")
    origin = ", ".join(
        f"{_format_label(fmt)} : {filename or sha[:12]}"
        for fmt, filename, sha in StatementImport.objects.filter(pk__in=list(files))
        .order_by("pk")
        .values_list("format", "filename", "file_sha256")
    )
    parts = [
        (
            f"ce relevé ({_format_label(survey.format)}) reprend des jours déjà importés dans un autre format "
            f"({origin}) : {', '.join(day_texts)}."
        )
    ]
    if recognised:
        parts.append(f"Mouvements de ce fichier déjà importés ({len(recognised)} reconnus) : {_listed(recognised)}.")
    if unknown:
        parts.append(
            f"Mouvements de ce fichier ces jours-là sans équivalent reconnu ({len(unknown)}, à vérifier) : "
            f"{_listed(unknown)}."
        )
    parts.append(
        "Rien n'a été importé : importez un seul format par compte, ou un relevé dont les mouvements "
        f"commencent après le {days[-1]:%d/%m/%Y}."
    )
    raise ImportRefusedError(" ".join(parts))


def load_directory(condominium: Condominium) -> Directory:
    """References, names, learned IBANs and returns waiting for their debit, for the matching."""
    cards = {
        pk: CoOwnerCard(pk=pk, reference=reference, name=f"{last_name} {first_name}".strip())
        for pk, reference, last_name, first_name in CoOwner.objects.filter(condominium=condominium).values_list(
            "pk", "reference", "last_name", "first_name"
        )
    }
    directory = Directory(co_owners=cards, by_reference={card.reference: card.pk for card in cards.values()})
    learned = (
        StatementLine.objects.filter(condominium=condominium, status=LineStatus.MATCHED, co_owner__isnull=False)
        .exclude(counterparty_iban="")
        .values_list("counterparty_iban", "co_owner_id")
        .distinct()
    )
    for iban, co_owner_id in learned:
        directory.learn_iban(iban, co_owner_id)
    for pk, end_to_end, iban, amount in ReturnTransfer.objects.filter(
        condominium=condominium, state=ReturnState.ORDERED
    ).values_list("pk", "end_to_end_id", "creditor_iban", "amount"):
        directory.returns_by_end_to_end[end_to_end] = pk
        directory.returns_by_iban_amount[(iban, amount)].append(pk)
    # Slips on the account the statements are of (512); one on a second account is not on them.
    for pk, total, day, slip in ChequeDeposit.objects.filter(
        condominium=condominium, statement_line__isnull=True, journal__bank_account__number=chart.BANK
    ).values_list("pk", "total", "deposit_date", "slip_number"):
        directory.deposits_by_total[total].append((pk, day, slip))
    directory.debit_matchers = debits.matchers_for(condominium)
    return directory


def _chunks(
    entries: Iterator[ParsedEntry], keys: KeyAssigner, fingerprints: MovementFingerprints, size: int
) -> Iterator[tuple[list[ParsedEntry], list[str]]]:
    """The movements by chunks, their keys assigned, with their fingerprints (in the same order)."""
    chunk: list[ParsedEntry] = []
    prints: list[str] = []
    for entry in entries:
        keys.key_of(entry)
        chunk.append(entry)
        prints.append(fingerprints.of(entry))
        if len(chunk) >= size:
            yield chunk, prints
            chunk, prints = [], []
    if chunk:
        yield chunk, prints


def import_statement(
    *,
    condominium: Condominium,
    content: bytes,
    filename: str = "",
    actor: Any = None,
    chunk_size: int = CHUNK_SIZE,
    on_chunk: Callable[[StatementImport], None] | None = None,
) -> ImportResult:
    """Import a statement file into the condominium's account; raises ImportRefusedError (nothing written).

    The same file again is recognised ("déjà importé"); movements already known from another file
    (overlapping statements) are skipped by their unique key; an interrupted import is resumed.
    """
    sha = _file_sha256(content)
    iban = condominium.iban.replace(" ", "").upper()
    existing = StatementImport.objects.filter(condominium=condominium, file_sha256=sha).first()
    if existing is not None and existing.state == ImportState.DONE:
        return ImportResult(statement_import=existing, already_imported=True, skipped=existing.total)
    journal = _bank_journal(condominium)
    numbers = set(Account.objects.filter(condominium=condominium).values_list("number", flat=True))
    missing = {chart.BANK, chart.SUSPENSE_CREDIT, chart.CARD_IN_TRANSIT} - numbers
    if missing:
        raise ImportRefusedError(f"comptes {', '.join(sorted(missing))} absents du plan comptable.")
    with tempfile.TemporaryFile(prefix="tantieme-statement-") as spool:
        survey = _survey(condominium, content, spool)
        _refuse_other_format_overlap(condominium, survey, iban, spool)
        spool.seek(0)
        return _write(
            condominium=condominium,
            survey=survey,
            spool=spool,
            sha=sha,
            iban=iban,
            existing=existing,
            journal=journal.code,
            filename=filename,
            actor=actor,
            chunk_size=chunk_size,
            on_chunk=on_chunk,
        )


def _spooled(spool: IO[bytes], total: int) -> Iterator[ParsedEntry]:
    for _index in range(total):
        entry: ParsedEntry = pickle.load(spool)  # noqa: S301 - our own temporary file, written just before
        yield entry


def _write(
    *,
    condominium: Condominium,
    survey: _Survey,
    spool: IO[bytes],
    sha: str,
    iban: str,
    existing: StatementImport | None,
    journal: str,
    filename: str,
    actor: Any,
    chunk_size: int,
    on_chunk: Callable[[StatementImport], None] | None,
) -> ImportResult:
    warnings = _continuity_warnings(condominium, survey, iban, existing.pk if existing else None)
    with transaction.atomic():
        statement_import, created = StatementImport.objects.get_or_create(
            condominium=condominium,
            file_sha256=sha,
            defaults={
                "firm": condominium.firm,
                "account_iban": iban,
                "format": survey.format,
                "filename": filename[:200],
                "total": survey.total,
                "pending": survey.pending,
                "statements": survey.statements,
                "opening_balance": survey.opening_balance,
                "opening_date": survey.opening_date,
                "closing_balance": survey.closing_balance,
                "closing_date": survey.closing_date,
                "warnings": warnings,
                "created_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        if not created and statement_import.state == ImportState.DONE:
            return ImportResult(
                statement_import=statement_import, already_imported=True, skipped=statement_import.total
            )
        if not created:  # resuming an import that was interrupted: progress is recounted from the start
            StatementImport.objects.filter(pk=statement_import.pk).update(progress=0)
            record(
                action="banking.statement.import_resumed",
                firm=condominium.firm,
                actor=actor,
                target=statement_import,
                data={"imported_before": statement_import.imported},
            )
        if created:
            record(
                action="banking.statement.import_started",
                firm=condominium.firm,
                actor=actor,
                target=statement_import,
                data={"file": filename[:200], "sha256": sha, "movements": survey.total},
            )
    result = ImportResult(statement_import=statement_import, pending=survey.pending, warnings=warnings)
    directory = load_directory(condominium)
    keys = KeyAssigner(iban)
    fingerprints = MovementFingerprints(iban)
    co_owners: dict[int, CoOwner] = {}  # read once for the whole import, only pk and names are used
    for chunk, prints in _chunks(_spooled(spool, survey.total), keys, fingerprints, chunk_size):
        _import_chunk(
            statement_import=statement_import,
            condominium=condominium,
            journal=journal,
            entries=chunk,
            fingerprints=prints,
            directory=directory,
            result=result,
            actor=actor,
            co_owners=co_owners,
        )
        if on_chunk is not None:
            on_chunk(statement_import)
    with transaction.atomic():
        StatementImport.objects.filter(pk=statement_import.pk).update(
            state=ImportState.DONE, finished_at=timezone.now(), progress=F("total")
        )
        statement_import.refresh_from_db()
        record(
            action="banking.statement.imported",
            firm=condominium.firm,
            actor=actor,
            target=statement_import,
            data={
                "imported": statement_import.imported,
                "skipped": statement_import.skipped,
                "matched": statement_import.matched,
                "to_review": statement_import.to_review,
                "suspense": statement_import.suspense,
            },
        )
    return result


def _entry_label(entry: ParsedEntry, prefix: str) -> str:
    who = entry.counterparty_name or entry.label or entry.remittance
    return f"{prefix} {who}".strip()[:200]


def _import_chunk(  # noqa: PLR0912, PLR0915 - one transaction: lines, postings, suggestions, counts
    *,
    statement_import: StatementImport,
    condominium: Condominium,
    journal: str,
    entries: list[ParsedEntry],
    fingerprints: list[str],
    directory: Directory,
    result: ImportResult,
    actor: Any,
    co_owners: dict[int, CoOwner] | None = None,
) -> None:
    """One transaction: the chunk's new lines, their postings, letterings and suggestions, the counts."""
    with transaction.atomic():
        # Serialises two runs of the same import (and, on PostgreSQL, imports of the same condominium).
        StatementImport.objects.select_for_update().filter(pk=statement_import.pk).first()
        Condominium.objects.select_for_update().filter(pk=condominium.pk).first()
        iban = statement_import.account_iban
        known = _known_keys(condominium, iban, [entry.key for entry in entries])
        fingerprint_of = {id(entry): fingerprint for entry, fingerprint in zip(entries, fingerprints, strict=True)}
        fresh = [entry for entry in entries if entry.key not in known]
        # Lines this very import wrote before a crash are its own, not "already known".
        skipped = sum(1 for owner, _amount in known.values() if owner != statement_import.pk)
        resumed = len(known) - skipped
        corrected = _corrected_movements(entries, known, own_import=statement_import.pk)
        if corrected:
            result.warnings += corrected
            statement_import.warnings = [*statement_import.warnings, *corrected]
            StatementImport.objects.filter(pk=statement_import.pk).update(warnings=statement_import.warnings)
        decisions: list[Decision] = [matching.decide(entry, directory) for entry in fresh]
        needed = {d.co_owner_id for d in decisions if d.is_sure and d.co_owner_id is not None}
        co_owners = {} if co_owners is None else co_owners
        missing = needed - co_owners.keys()
        if missing:
            co_owners.update((co_owner.pk, co_owner) for co_owner in CoOwner.objects.filter(pk__in=missing))
        # Postings: co-owner receipts (lettered), then card remittances, suspense and return clearings.
        receipts: list[Receipt] = []
        receipt_of: dict[int, int] = {}
        drafts: list[EntryDraft] = []
        draft_of: dict[int, int] = {}
        returns = {
            transfer.pk: transfer
            for transfer in ReturnTransfer.objects.filter(
                pk__in=[d.return_id for d in decisions if d.return_id is not None]
            ).select_related("line")
        }
        for index, (entry, decision) in enumerate(zip(fresh, decisions, strict=True)):
            voucher = entry.bank_reference[:40] or entry.key[:40]
            if decision.is_sure and decision.co_owner_id is not None:
                co_owner = co_owners[decision.co_owner_id]
                receipt_of[index] = len(receipts)
                receipts.append(
                    Receipt(
                        co_owner=co_owner,
                        amount=entry.amount,
                        date=entry.booking_date,
                        label=f"Virement {co_owner.reference_display} {entry.counterparty_name}".strip()[:200],
                        voucher=voucher,
                        line_label="Virement reçu",
                    )
                )
                directory.learn_iban(entry.counterparty_iban, co_owner.pk)
            elif decision.kind == LineKind.CARD_REMITTANCE:
                draft_of[index] = len(drafts)
                drafts.append(
                    _two_lines(journal, entry, chart.BANK, chart.CARD_IN_TRANSIT, _entry_label(entry, "Remise carte"))
                )
            elif decision.kind == LineKind.UNIDENTIFIED and not decision.suggestions:
                draft_of[index] = len(drafts)
                drafts.append(
                    _two_lines(journal, entry, chart.BANK, chart.SUSPENSE_CREDIT, _entry_label(entry, "En attente :"))
                )
            elif decision.claim is not None and decision.claim.draft is not None:  # a debit rule's posting
                draft_of[index] = len(drafts)
                drafts.append(decision.claim.draft)
            elif decision.kind == LineKind.RETURN_TRANSFER and decision.return_id in returns:
                draft_of[index] = len(drafts)
                drafts.append(
                    _two_lines(
                        journal, entry, chart.SUSPENSE_CREDIT, chart.BANK, _entry_label(entry, "Renvoi au payeur")
                    )
                )
                directory.returns_by_end_to_end = {
                    key: value for key, value in directory.returns_by_end_to_end.items() if value != decision.return_id
                }
                for candidates in directory.returns_by_iban_amount.values():
                    if decision.return_id in candidates:
                        candidates.remove(decision.return_id)
        receipt_entries = post_receipts_bulk(
            condominium=condominium, journal=journal, debit_account=chart.BANK, receipts=receipts, actor=actor
        )
        other_entries = post_entries_bulk(condominium=condominium, drafts=drafts, actor=actor) if drafts else []
        deposit_entries = dict(
            ChequeDeposit.objects.filter(pk__in=[d.deposit_id for d in decisions if d.deposit_id]).values_list(
                "pk", "entry_id"
            )
        )
        lines: list[dict[str, Any]] = []
        counts = {"matched": 0, "to_review": 0, "suspense": 0, "ignored": 0}
        for index, (entry, decision) in enumerate(zip(fresh, decisions, strict=True)):
            line = _line(statement_import, condominium, entry, decision, fingerprint_of[id(entry)])
            if index in receipt_of:
                line["entry_id"] = receipt_entries[receipt_of[index]].pk
                line["status"] = LineStatus.MATCHED
            elif index in draft_of:
                line["entry_id"] = other_entries[draft_of[index]].pk
                line["status"] = LineStatus.SUSPENSE if decision.kind == LineKind.UNIDENTIFIED else LineStatus.MATCHED
            elif decision.deposit_id is not None:
                line["entry_id"] = deposit_entries[decision.deposit_id]
                line["status"] = LineStatus.MATCHED
            elif decision.claim is not None:  # matched to an entry posted before (a cheque issued)
                line["entry_id"] = decision.claim.entry_id
                line["status"] = LineStatus.MATCHED
            elif decision.kind == LineKind.OTHER_CREDIT:
                line["status"] = LineStatus.IGNORED
            else:
                line["status"] = LineStatus.TO_REVIEW
            counts[
                {
                    LineStatus.MATCHED: "matched",
                    LineStatus.TO_REVIEW: "to_review",
                    LineStatus.SUSPENSE: "suspense",
                    LineStatus.IGNORED: "ignored",
                }[LineStatus(line["status"])]
            ] += 1
            lines.append(line)
        line_ids = _insert_lines(lines)
        for line_id, line, decision in zip(line_ids, lines, decisions, strict=True):
            if decision.claim is not None and decision.claim.settle is not None:
                decision.claim.settle(line_id, line["entry_id"])
        suggestions = [
            MatchSuggestion(
                line_id=line_id,
                co_owner_id=suggestion.co_owner_id,
                rule=suggestion.rule,
                confidence=suggestion.confidence,
                evidence=suggestion.evidence[:300],
            )
            for line_id, line, decision in zip(line_ids, lines, decisions, strict=True)
            if line["status"] == LineStatus.TO_REVIEW
            for suggestion in decision.suggestions
        ]
        MatchSuggestion.objects.bulk_create(suggestions, batch_size=500)
        for line_id, decision in zip(line_ids, decisions, strict=True):
            if decision.deposit_id is not None:
                ChequeDeposit.objects.filter(pk=decision.deposit_id).update(statement_line_id=line_id)
        for line_id, line, decision in zip(line_ids, lines, decisions, strict=True):
            if decision.return_id is not None and decision.return_id in returns and line["entry_id"] is not None:
                transfer = returns[decision.return_id]
                transfer.state = ReturnState.CLEARED
                transfer.cleared_by_id = line_id
                transfer.save(update_fields=["state", "cleared_by"])
                StatementLine.objects.filter(pk=transfer.line_id).update(
                    resolution_entry_id=line["entry_id"], resolved_at=timezone.now()
                )
        StatementImport.objects.filter(pk=statement_import.pk).update(
            progress=F("progress") + len(entries),
            imported=F("imported") + len(fresh),
            skipped=F("skipped") + skipped,
            matched=F("matched") + counts["matched"],
            to_review=F("to_review") + counts["to_review"],
            suspense=F("suspense") + counts["suspense"],
            ignored=F("ignored") + counts["ignored"],
        )
    result.imported += len(fresh)
    result.skipped += skipped + resumed
    result.matched += counts["matched"]
    result.to_review += counts["to_review"]
    result.suspense += counts["suspense"]
    result.ignored += counts["ignored"]


def _corrected_movements(
    entries: list[ParsedEntry], known: dict[str, tuple[int, Decimal]], *, own_import: int
) -> list[str]:
    """Movements already imported from another file under the same bank key but with another amount.

    The bank re-sent a movement it corrected: the one in the books stays (a posted entry is never
    changed), and the import says so instead of skipping it silently."""
    warnings = []
    for entry in entries:
        recorded = known.get(entry.key)
        if recorded is not None and recorded[0] != own_import and recorded[1] != entry.amount:
            warnings.append(
                f"Le mouvement du {entry.booking_date:%d/%m/%Y} ({_movement_text(entry)}) était déjà importé avec "
                f"un autre montant ({format_amount(recorded[1])}) sous la même référence bancaire : il n'a pas été "
                "réimporté. Vérifiez auprès de la banque et, s'il a été corrigé, passez l'écriture de correction."
            )
    return warnings


def _known_keys(condominium: Condominium, iban: str, keys: list[str]) -> dict[str, tuple[int, Decimal]]:
    """The keys among `keys` already recorded for the account, with the import that recorded each and
    its amount (a movement re-sent with another amount is reported, `_corrected_movements`).

    On PostgreSQL, one probe of the unique index per key (LATERAL … LIMIT 1 keeps the planner from
    flattening it). `entry_key IN (…)` lets the planner, when the table's statistics are stale (a
    large import, autovacuum not yet through), scan every line of the account and filter: a cost
    that grows with the account's history, paid per chunk."""
    if connection.vendor != "postgresql":
        rows = StatementLine.objects.filter(condominium=condominium, account_iban=iban, entry_key__in=keys)
        return {
            key: (owner, amount)
            for key, owner, amount in rows.values_list("entry_key", "statement_import_id", "amount")
        }
    table = connection.ops.quote_name(StatementLine._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT line.entry_key, line.statement_import_id, line.amount FROM unnest(%s::text[]) AS wanted(key) "  # noqa: S608
            f"CROSS JOIN LATERAL (SELECT entry_key, statement_import_id, amount FROM {table} "
            "WHERE condominium_id = %s AND account_iban = %s AND entry_key = wanted.key LIMIT 1) AS line",
            [keys, condominium.pk, iban],
        )
        return {key: (owner, amount) for key, owner, amount in cursor.fetchall()}


def _insert_lines(lines: list[dict[str, Any]]) -> list[int]:
    """Insert statement lines (dicts of column values, all with the same keys); their ids, in order.

    Ids reserved beforehand and rows written by COPY / executemany (`core.bulk`): bulk_create
    costs ~100 µs a row in Python, and reading the ids back costs a query per chunk."""
    if not lines:
        return []
    if not can_reserve_ids():
        return [line.pk for line in StatementLine.objects.bulk_create(StatementLine(**line) for line in lines)]
    ids = reserve_ids(StatementLine, len(lines))
    insert_rows(StatementLine, ["id", *lines[0]], [(pk, *line.values()) for pk, line in zip(ids, lines, strict=True)])
    return ids


def _two_lines(journal: str, entry: ParsedEntry, debit: str, credit: str, label: str) -> EntryDraft:
    amount = abs(entry.amount)
    return EntryDraft(
        journal=journal,
        date=entry.booking_date,
        label=label,
        voucher=(entry.bank_reference or entry.key)[:40],
        lines=[
            LineDraft(account=debit, debit=amount, label=label),
            LineDraft(account=credit, credit=amount, label=label),
        ],
    )


def _line(
    statement_import: StatementImport,
    condominium: Condominium,
    entry: ParsedEntry,
    decision: Decision,
    fingerprint: str,
) -> dict[str, Any]:
    """A statement line as the values of its columns (attnames): no model instance, ~30 µs saved a line."""
    raw = dict(entry.raw)
    if entry.bank_reference:
        raw["bank_reference"] = entry.bank_reference
    if entry.additional_info:
        raw["additional_info"] = entry.additional_info[:1000]
    return {
        "firm_id": condominium.firm_id,
        "condominium_id": condominium.pk,
        "statement_import_id": statement_import.pk,
        "account_iban": statement_import.account_iban,
        "entry_key": entry.key,
        "fingerprint": fingerprint,
        "position": entry.position,
        "booking_date": entry.booking_date,
        "value_date": entry.value_date,
        "amount": entry.amount,
        "label": (entry.label or entry.additional_info)[:200],
        "remittance": entry.remittance,
        "structured_reference": entry.structured_reference[:140],
        "end_to_end_id": entry.end_to_end_id[:140],
        "counterparty_name": entry.counterparty_name[:140],
        "counterparty_iban": entry.counterparty_iban[:34],
        "counterparty_bic": entry.counterparty_bic[:11],
        "bank_code": entry.bank_code[:40],
        "return_reason": entry.return_reason[:35],
        "raw": raw,
        "kind": decision.kind if not decision.is_sure else LineKind.CO_OWNER_PAYMENT,
        "status": LineStatus.TO_REVIEW,
        "rule": decision.rule or "",
        "confidence": decision.confidence,
        "evidence": decision.evidence[:300],
        "co_owner_id": decision.co_owner_id if decision.is_sure else None,
        "suggested_account": decision.suggested_account,
        "entry_id": None,
        "resolution_entry_id": None,
        "resolved_at": None,
        "resolved_by_id": None,
    }


# --- Resolving lines ----------------------------------------------------------------------------


def _locked_line(line: StatementLine, *statuses: LineStatus) -> StatementLine:
    locked = StatementLine.objects.select_for_update().select_related("condominium__firm").get(pk=line.pk)
    if locked.status not in statuses:
        raise BankingError(
            f"Cette ligne est « {locked.get_status_display()} » : l'action n'est plus possible (déjà traitée ?)."
        )
    return locked


def _journal_code(condominium: Condominium) -> str:
    return _bank_journal(condominium).code


def _resolve(line: StatementLine, *, status: LineStatus, actor: Any, **fields: Any) -> None:
    line.status = status
    line.resolved_at = timezone.now()
    line.resolved_by = actor if getattr(actor, "pk", None) else None
    for name, value in fields.items():
        setattr(line, name, value)
    line.save()


@transaction.atomic
def confirm_suggestion(*, suggestion: MatchSuggestion, actor: Any = None) -> StatementLine:
    """The accountant confirms a suggestion: the credit is posted to that co-owner (Dr 512 / Cr 450)."""
    line = _locked_line(suggestion.line, LineStatus.TO_REVIEW)
    co_owner = CoOwner.objects.get(pk=suggestion.co_owner_id)
    _pay_from_bank(line, co_owner, actor=actor)
    _resolve(
        line,
        status=LineStatus.MATCHED,
        actor=actor,
        rule=suggestion.rule,
        confidence=suggestion.confidence,
        evidence=f"{suggestion.evidence} Confirmé."[:300],
    )
    record(
        action="banking.line.confirmed",
        firm=line.condominium.firm,
        actor=actor,
        target=line,
        data={"co_owner": co_owner.reference, "rule": suggestion.rule},
    )
    return line


def _pay_from_bank(line: StatementLine, co_owner: CoOwner, *, actor: Any) -> None:
    if line.amount <= 0:
        raise BankingError("Seul un crédit du compte s'impute à un copropriétaire.")
    if co_owner.condominium_id != line.condominium_id:
        raise BankingError(f"{co_owner} n'est pas copropriétaire de cette copropriété.")
    try:
        entry = post_co_owner_payment(
            co_owner=co_owner,
            amount=line.amount,
            date=line.booking_date,
            journal=_journal_code(line.condominium),
            label=f"Virement {co_owner.reference_display} {line.counterparty_name}".strip()[:200],
            voucher=(line.raw.get("bank_reference") or line.entry_key)[:40],
            line_label="Virement reçu",
            actor=actor,
        )
    except LedgerError as error:
        raise BankingError(str(error)) from error
    line.entry = entry
    line.co_owner = co_owner
    line.kind = LineKind.CO_OWNER_PAYMENT


@transaction.atomic
def assign_line(
    *, line: StatementLine, co_owner: CoOwner, actor: Any = None, on: datetime.date | None = None
) -> StatementLine:
    """Give a credit to a co-owner: from the review queue (Dr 512 / Cr 450) or from suspense (Dr 472 / Cr 450)."""
    line = _locked_line(line, LineStatus.TO_REVIEW, LineStatus.SUSPENSE)
    if line.status == LineStatus.TO_REVIEW:
        _pay_from_bank(line, co_owner, actor=actor)
        _resolve(line, status=LineStatus.MATCHED, actor=actor, rule=MatchRule.MANUAL, evidence="Imputé à la main.")
    else:
        if co_owner.condominium_id != line.condominium_id:
            raise BankingError(f"{co_owner} n'est pas copropriétaire de cette copropriété.")
        day = on or timezone.localdate()
        try:
            entry = post_co_owner_payment(
                co_owner=co_owner,
                amount=line.amount,
                date=day,
                journal=MISC_JOURNAL,
                debit_account=chart.SUSPENSE_CREDIT,
                label=f"Virement du {line.booking_date:%d/%m/%Y} imputé à {co_owner.reference_display}",
                voucher=(line.raw.get("bank_reference") or line.entry_key)[:40],
                line_label=f"Virement reçu le {line.booking_date:%d/%m/%Y}",
                actor=actor,
            )
        except LedgerError as error:
            raise BankingError(str(error)) from error
        _resolve(
            line,
            status=LineStatus.MATCHED,
            actor=actor,
            co_owner=co_owner,
            kind=LineKind.CO_OWNER_PAYMENT,
            rule=MatchRule.MANUAL,
            evidence="Sorti du compte d'attente (472) à la main.",
            resolution_entry=entry,
        )
    record(
        action="banking.line.assigned",
        firm=line.condominium.firm,
        actor=actor,
        target=line,
        data={"co_owner": co_owner.reference},
    )
    return line


@transaction.atomic
def send_to_suspense(*, line: StatementLine, actor: Any = None) -> StatementLine:
    """A credit of the review queue that nobody can identify: Dr 512 / Cr 472, waiting for its return."""
    line = _locked_line(line, LineStatus.TO_REVIEW)
    if line.amount <= 0:
        raise BankingError("Seul un crédit va au compte d'attente.")
    label = f"En attente : {line.counterparty_name or line.label}".strip()[:200]
    try:
        entry = post_entry(
            condominium=line.condominium,
            journal=_journal_code(line.condominium),
            date=line.booking_date,
            label=label,
            voucher=(line.raw.get("bank_reference") or line.entry_key)[:40],
            lines=[
                LineDraft(account=chart.BANK, debit=line.amount),
                LineDraft(account=chart.SUSPENSE_CREDIT, credit=line.amount),
            ],
            actor=actor,
        )
    except LedgerError as error:
        raise BankingError(str(error)) from error
    line.entry = entry
    _resolve(line, status=LineStatus.SUSPENSE, actor=actor, kind=LineKind.UNIDENTIFIED)
    record(action="banking.line.suspended", firm=line.condominium.firm, actor=actor, target=line)
    return line


@transaction.atomic
def return_to_payer(
    *,
    line: StatementLine,
    creditor_name: str,
    creditor_iban: str,
    creditor_bic: str = "",
    requested_date: datetime.date | None = None,
    actor: Any = None,
) -> ReturnTransfer:
    """Send an unidentified credit back: a pain.001 credit transfer for the bank; the suspense (472) is
    cleared when the outgoing transfer appears on a later statement."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    line = _locked_line(line, LineStatus.SUSPENSE)
    iban_text = creditor_iban.replace(" ", "").upper()
    try:
        IBAN(iban_text)
    except SchwiftyException:
        raise BankingError(f"IBAN du bénéficiaire « {creditor_iban} » invalide.") from None
    name = sepa_text(creditor_name, 70)
    if not name:
        raise BankingError("Indiquez le nom du bénéficiaire.")
    condominium = line.condominium
    today = timezone.localdate()
    end_to_end = f"RET{line.pk}-{secrets.token_hex(6).upper()}"
    message_id = f"TANT-{condominium.code}-{today:%Y%m%d}-{secrets.token_hex(4).upper()}"
    remittance = f"REMBOURSEMENT VIREMENT NON IDENTIFIE DU {line.booking_date:%d/%m/%Y} {line.end_to_end_id}"
    document = credit_transfer_document(
        CreditTransfer(
            debtor_name=f"SDC {condominium.name}",
            debtor_iban=condominium.iban.replace(" ", "").upper(),
            debtor_bic=condominium.bic,
            creditor_name=name,
            creditor_iban=iban_text,
            creditor_bic=creditor_bic.replace(" ", "").upper(),
            amount=line.amount,
            end_to_end_id=end_to_end,
            remittance=remittance,
            message_id=message_id,
            requested_date=requested_date or today,
            created_at=timezone.localtime(),
        )
    )
    transfer = ReturnTransfer.objects.create(
        firm=condominium.firm,
        condominium=condominium,
        line=line,
        amount=line.amount,
        creditor_name=name,
        creditor_iban=iban_text,
        creditor_bic=creditor_bic.replace(" ", "").upper()[:11],
        end_to_end_id=end_to_end,
        message_id=message_id,
        remittance=sepa_text(remittance, 140),
        requested_date=requested_date or today,
        document=document,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _resolve(line, status=LineStatus.RETURNED, actor=actor)
    record(
        action="banking.line.returned",
        firm=condominium.firm,
        actor=actor,
        target=line,
        data={"end_to_end_id": end_to_end, "amount": str(line.amount)},
    )
    return transfer


@transaction.atomic
def post_debit(*, line: StatementLine, account: str, actor: Any = None) -> StatementLine:
    """A debit of the queue (supplier, fees) posted Dr `account` / Cr 512 on its bank date."""
    line = _locked_line(line, LineStatus.TO_REVIEW)
    if line.amount >= 0:
        raise BankingError("Cette ligne n'est pas un débit.")
    number = account.strip()
    if number.startswith(chart.CO_OWNER_ACCOUNT_PREFIXES):
        raise BankingError("Un débit vers un copropriétaire se saisit au journal, pas depuis le relevé.")
    label = f"{line.counterparty_name or line.label or 'Débit'}"[:200]
    try:
        entry = post_entry(
            condominium=line.condominium,
            journal=_journal_code(line.condominium),
            date=line.booking_date,
            label=label,
            voucher=(line.raw.get("bank_reference") or line.entry_key)[:40],
            lines=[
                LineDraft(account=number, debit=-line.amount),
                LineDraft(account=chart.BANK, credit=-line.amount),
            ],
            actor=actor,
        )
    except LedgerError as error:
        raise BankingError(str(error)) from error
    line.entry = entry
    _resolve(line, status=LineStatus.MATCHED, actor=actor, suggested_account=number, rule=MatchRule.MANUAL)
    record(
        action="banking.line.debit_posted",
        firm=line.condominium.firm,
        actor=actor,
        target=line,
        data={"account": number},
    )
    return line


@transaction.atomic
def ignore_line(*, line: StatementLine, actor: Any = None) -> StatementLine:
    """Leave a line of the queue out of the books (e.g. already posted by hand)."""
    line = _locked_line(line, LineStatus.TO_REVIEW)
    _resolve(line, status=LineStatus.IGNORED, actor=actor)
    record(action="banking.line.ignored", firm=line.condominium.firm, actor=actor, target=line)
    return line
