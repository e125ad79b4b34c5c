"""Writes to the books. This module is the only one that creates ledger rows.

Every function is keyword-only, runs in one transaction (`transaction.atomic`) and leaves an
audit record. Call them inside `firm_scope(firm)`: accounts, journals and co-owners of another
firm are simply not found.

    create_chart         accounts and journals of a new condominium (idempotent)
    add_account          a subdivision (5121 second bank, 5128 card receipts…)
    add_journal          another journal (BQ2 for a second bank account…)
    open_fiscal_year     12 months (the first 6 to 18), contiguous with the previous one
    set_up_books         chart, journals and first fiscal year of a new condominium
    close_fiscal_year    freezes a year and seals its lines with a chained sha256
    post_entry           one balanced entry, numbered without gaps in its journal and year
    post_entries_bulk    many entries (call batches): numbers allocated in one locked step
    reverse_entry        the contre-passation of an entry, pointing to it
    post_co_owner_payment  a payment split and lettered by Code civil art. 1342-10
    attach_to_entry      a voucher file (PDF, JPEG, PNG) kept with an entry
    letter_lines         matches credits and debits of one account: a co-owner sub-account, or a
                         general account such as 401 or 472 (AA, AB…)
    letter_line          matches one co-owner line against the oldest open items (art. 1342-10)
    letter_open_items    matches every open credit of a co-owner against its oldest debits
    unletter             removes a lettering code
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from tantieme.audit.services import record
from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner
from tantieme.core.bulk import COPY_THRESHOLD, can_reserve_ids, insert_rows, reserve_ids
from tantieme.core.files import ImageTooLarge, UnreadableImage, without_metadata
from tantieme.core.money import CENT, allocate
from tantieme.documents.exceptions import UploadRefused
from tantieme.documents.validators import check_upload, filename_for, sanitize_filename
from tantieme.ledger import chart
from tantieme.ledger.enums import FiscalYearState, JournalKind, LineNature
from tantieme.ledger.exceptions import (
    AttachmentRefusedError,
    ClosedFiscalYearError,
    InvalidLineError,
    LedgerError,
    LetteringError,
    UnbalancedEntryError,
    UnknownAccountError,
)
from tantieme.ledger.models import (
    ZERO,
    Account,
    AccountLetteringCounter,
    Entry,
    EntryAttachment,
    FiscalYear,
    Journal,
    JournalSequence,
    Lettering,
    LetteringCounter,
    Line,
    Match,
    cents,
)

BULK_BATCH_SIZE = 5000
SEAL_CHUNK = 2000  # entries whose lines are read at once when sealing a year


# --- Drafts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineDraft:
    """One leg to post: `account` is a number of the chart ("4501"); debit or credit, not both."""

    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    co_owner: CoOwner | None = None
    nature: LineNature = LineNature.CURRENT
    label: str = ""
    key_id: int | None = None  # the allocation key it is distributed on at closing (601 on « CG »)
    operation_id: int | None = None  # or the works operation (art. 14-2) it belongs to


@dataclass(frozen=True)
class EntryDraft:
    """An entry to post. `date` is the EcritureDate, `validation_date` the ValidDate (default today)."""

    journal: str
    date: datetime.date
    label: str
    lines: Sequence[LineDraft]
    voucher: str = ""
    voucher_date: datetime.date | None = None
    validation_date: datetime.date | None = None
    reverses: Entry | None = field(default=None, compare=False)
    reason: str = ""  # why it was posted by hand (OD, contre-passation); stored on the entry


@dataclass(frozen=True)
class PaymentShare:
    """Part of a payment credited to one sub-account and nature, and the debit lines it settles."""

    account: str
    nature: LineNature
    amount: Decimal
    settles: tuple[tuple[int, Decimal], ...] = ()  # (debit line id, amount)


# --- Chart, journals, fiscal years --------------------------------------------------------------


@transaction.atomic
def create_chart(*, condominium: Condominium, actor: Any = None) -> int:
    """Create the standard accounts and journals of `condominium` that are missing; returns how many."""
    existing = set(Account.objects.filter(condominium=condominium).values_list("number", flat=True))
    accounts = [
        Account(
            condominium=condominium,
            number=number,
            label=label,
            is_co_owner_account=chart.is_co_owner_account(number),
        )
        for number, label in chart.STANDARD_CHART
        if number not in existing
    ]
    Account.objects.bulk_create(accounts)
    by_number = {account.number: account for account in Account.objects.filter(condominium=condominium)}
    existing_journals = set(Journal.objects.filter(condominium=condominium).values_list("code", flat=True))
    created = len(accounts)
    for code, label, kind, bank in chart.STANDARD_JOURNALS:
        if code not in existing_journals:
            _create_journal(condominium, code=code, label=label, kind=kind, bank_account=by_number.get(bank))
            created += 1
    if created:
        record(
            action="ledger.chart.created",
            firm=condominium.firm,
            actor=actor,
            target=condominium,
            data={"created": created},
        )
    return created


@transaction.atomic
def add_account(
    *,
    condominium: Condominium,
    number: str,
    label: str,
    actor: Any = None,
    auxiliary_code: str = "",
    auxiliary_label: str = "",
) -> Account:
    """A subdivision of an account of the chart (arrêté art. 8): 5121 under 512, 4728 under 472.

    `auxiliary_code`/`auxiliary_label` make it a third party's auxiliary account of its collective
    (a supplier's FRN00003 under 401), exported as such in the FEC."""
    number = number.strip()
    if not number.isdigit() or not 3 <= len(number) <= 10 or number[0] not in "1234567":
        raise UnknownAccountError(f"« {number} » n'est pas un numéro de compte des classes 1 à 7.")
    numbers = set(Account.objects.filter(condominium=condominium).values_list("number", flat=True))
    if number in numbers:
        raise LedgerError(f"Le compte {number} existe déjà.")
    if not any(number.startswith(parent) for parent in numbers) and not any(
        number.startswith(standard) for standard, _label in chart.STANDARD_CHART
    ):
        raise UnknownAccountError(
            f"Le compte {number} ne subdivise aucun compte du plan comptable : "
            "on ne crée pas de compte parallèle (arrêté du 14 mars 2005, art. 8)."
        )
    if auxiliary_code and len(number) <= 3:
        raise LedgerError(f"Un compte auxiliaire subdivise un compte collectif : {number} n'en est pas un.")
    account = Account.objects.create(
        condominium=condominium,
        number=number,
        label=label,
        is_co_owner_account=chart.is_co_owner_account(number),
        auxiliary_code=auxiliary_code[:17],
        auxiliary_label=auxiliary_label[:120],
    )
    record(action="ledger.account.created", firm=condominium.firm, actor=actor, target=account, data={"number": number})
    return account


def _create_journal(
    condominium: Condominium, *, code: str, label: str, kind: str, bank_account: Account | None
) -> Journal:
    journal = Journal.objects.create(
        condominium=condominium, code=code, label=label, kind=kind, bank_account=bank_account
    )
    open_years = FiscalYear.objects.filter(condominium=condominium, state=FiscalYearState.OPEN)
    JournalSequence.objects.bulk_create(JournalSequence(journal=journal, fiscal_year=year) for year in open_years)
    return journal


@transaction.atomic
def add_journal(
    *,
    condominium: Condominium,
    code: str,
    label: str,
    kind: JournalKind,
    bank_account: Account | None = None,
    actor: Any = None,
) -> Journal:
    """Another journal, e.g. BQ2 for a second bank account (5121)."""
    code = code.strip().upper()
    if not (2 <= len(code) <= 6 and code[0].isalpha() and code.isalnum() and code.isascii()):
        raise LedgerError(f"Code de journal « {code} » invalide (2 à 6 lettres ou chiffres).")
    if kind == JournalKind.BANK and (bank_account is None or not bank_account.number.startswith("51")):
        raise LedgerError("Un journal de banque est lié à un compte de banque (512, 5121…).")
    if Journal.objects.filter(condominium=condominium, code=code).exists():
        raise LedgerError(f"Le journal {code} existe déjà.")
    journal = _create_journal(condominium, code=code, label=label, kind=kind, bank_account=bank_account)
    record(action="ledger.journal.created", firm=condominium.firm, actor=actor, target=journal, data={"code": code})
    return journal


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, 1) if day.day == 1 else datetime.date(year, month, min(day.day, 28))


@transaction.atomic
def open_fiscal_year(
    *,
    condominium: Condominium,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    actor: Any = None,
    one_year_ahead: bool = False,
) -> FiscalYear:
    """Open the next fiscal year: 12 months by default; the first lasts 6 to 18 months.

    A later year starts the day after the previous one ends; it may be shorter than 12 months
    (the AG changed the closing date) but never longer. With `one_year_ahead` (the command and the
    back office), years N and N+1 may be open together, but N+2 waits until N is closed; rebuilding
    a past history (the demo) opens years ahead and closes them in order, so it does not ask.
    """
    # One opening at a time per condominium: the second waits, then sees the year the first opened.
    list(Condominium.objects.select_for_update().filter(pk=condominium.pk).values_list("pk", flat=True))
    previous = FiscalYear.objects.filter(condominium=condominium).order_by("-start_date").first()
    if previous is not None:
        expected = previous.end_date + datetime.timedelta(days=1)
        if start_date is not None and start_date != expected:
            raise LedgerError(f"L'exercice suivant commence le {expected:%d/%m/%Y}, lendemain de la clôture.")
        start_date = expected
        if one_year_ahead:
            oldest_open = (
                FiscalYear.objects.filter(
                    condominium=condominium, state=FiscalYearState.OPEN, start_date__lt=previous.start_date
                )
                .order_by("start_date")
                .first()
            )
            if oldest_open is not None:
                raise LedgerError(
                    f"Clôturez d'abord l'exercice {oldest_open} : deux exercices au plus sont ouverts en même "
                    f"temps (l'exercice {oldest_open.label} et le suivant)."
                )
    elif start_date is None:
        raise LedgerError("Indiquez le début du premier exercice.")
    if end_date is None:
        end_date = _add_months(start_date, 12) - datetime.timedelta(days=1)
    if end_date <= start_date:
        raise LedgerError("La clôture doit suivre le début de l'exercice.")
    if previous is None:
        shortest = _add_months(start_date, 6) - datetime.timedelta(days=1)
        longest = _add_months(start_date, 18) - datetime.timedelta(days=1)
        if not shortest <= end_date <= longest:
            raise LedgerError(
                f"Le premier exercice dure de 6 à 18 mois : commencé le {start_date:%d/%m/%Y}, il se clôture "
                f"entre le {shortest:%d/%m/%Y} et le {longest:%d/%m/%Y}. Au plus 18 mois (décret n° 2005-240) ; "
                "au moins 6, pour qu'il porte un budget et des appels : des mois de moins se rattachent à "
                "l'exercice suivant."
            )
    elif end_date >= _add_months(start_date, 12):
        raise LedgerError("Un exercice dure au plus 12 mois (le premier, 18 mois).")
    year = FiscalYear.objects.create(condominium=condominium, start_date=start_date, end_date=end_date)
    JournalSequence.objects.bulk_create(
        JournalSequence(journal=journal, fiscal_year=year)
        for journal in Journal.objects.filter(condominium=condominium)
    )
    record(
        action="ledger.fiscal_year.opened",
        firm=condominium.firm,
        actor=actor,
        target=year,
        data={"start": start_date.isoformat(), "end": end_date.isoformat()},
    )
    return year


@transaction.atomic
def set_up_books(
    *, condominium: Condominium, start_date: datetime.date | None = None, actor: Any = None
) -> FiscalYear | None:
    """The chart, the journals and the first fiscal year of a new condominium, at once (idempotent).

    The first year starts on `start_date`, by default the start of the fiscal year containing
    today (`Condominium.fiscal_year_start`). Returns the year opened, or None when the condominium
    already had one (only missing standard accounts and journals are then added).
    """
    create_chart(condominium=condominium, actor=actor)
    if FiscalYear.objects.filter(condominium=condominium).exists():
        return None
    start = start_date or condominium.fiscal_year_start(timezone.localdate())
    return open_fiscal_year(condominium=condominium, start_date=start, actor=actor)


def year_seal(fiscal_year: FiscalYear, previous_seal: str) -> str:
    """sha256 of every line of the year in posting order, chained to the previous closed year's seal."""
    digest = hashlib.sha256(previous_seal.encode())
    # The year's entries first, then their lines by chunks of entry ids: a plan that does not depend
    # on table statistics. Joining lines to entries on the year let PostgreSQL, without fresh
    # statistics right after a bulk posting, compare every line with every entry (72 s for an
    # approval of 15,000 co-owners instead of 1.5 s, bench/README.md « Closing »).
    entry_ids = list(Entry.objects.filter(fiscal_year=fiscal_year).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(entry_ids), SEAL_CHUNK):
        rows = (
            Line.objects.filter(entry_id__in=entry_ids[start : start + SEAL_CHUNK])
            .order_by("entry_id", "position")
            .values_list(
                "entry__code",
                "entry__date",
                "entry__validation_date",
                "entry__voucher",
                "entry__reverses_id",
                "position",
                "account__number",
                "co_owner__reference",
                "debit",
                "credit",
                "nature",
                "label",
            )
        )
        for row in rows:
            digest.update(("|".join("" if value is None else str(value) for value in row) + "\n").encode())
    return digest.hexdigest()


def previous_closed_seal(fiscal_year: FiscalYear) -> str:
    previous = (
        FiscalYear.objects.filter(condominium_id=fiscal_year.condominium_id, start_date__lt=fiscal_year.start_date)
        .order_by("-start_date")
        .first()
    )
    return previous.seal if previous is not None else ""


@transaction.atomic
def close_fiscal_year(*, fiscal_year: FiscalYear, actor: Any = None, require_distribution: bool = True) -> FiscalYear:
    """Close a year: nothing may be posted in it any more, and its lines are sealed.

    Years close in order. Unless `require_distribution=False`, the charges and income (classes 6
    and 7) of the year must net to zero: a syndicate has no result, everything is distributed.
    """
    year = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    if year.state != FiscalYearState.OPEN:
        raise ClosedFiscalYearError(f"L'exercice {year} est déjà clôturé.")
    # Wait for postings in flight in this year: they hold these rows.
    list(JournalSequence.objects.select_for_update().filter(fiscal_year=year).order_by("pk"))
    earlier_open = FiscalYear.objects.filter(
        condominium_id=year.condominium_id, start_date__lt=year.start_date, state=FiscalYearState.OPEN
    )
    if earlier_open.exists():
        raise LedgerError("Clôturez d'abord les exercices précédents.")
    if require_distribution:
        totals = Line.objects.filter(
            Q(account__number__startswith="6") | Q(account__number__startswith="7"), entry__fiscal_year=year
        ).aggregate(debit=Sum("debit"), credit=Sum("credit"))
        net = cents(totals["debit"]) - cents(totals["credit"])
        if net != 0:
            raise LedgerError(
                f"Les charges et produits de l'exercice ne sont pas répartis (solde des classes 6 et 7 : {net})."
            )
    year.seal = year_seal(year, previous_closed_seal(year))
    year.state = FiscalYearState.CLOSED
    year.closed_at = timezone.now()
    year.save(update_fields=["seal", "state", "closed_at"])
    condominium = Condominium.objects.get(pk=year.condominium_id)
    record(
        action="ledger.fiscal_year.closed", firm=condominium.firm, actor=actor, target=year, data={"seal": year.seal}
    )
    return year


# --- Posting ------------------------------------------------------------------------------------


@dataclass
class _Books:
    """The condominium's accounts, journals and fiscal years, read once per posting."""

    condominium: Condominium
    accounts: dict[str, Account]
    journals: dict[str, Journal]
    years: list[FiscalYear]
    _key_ids: set[int] | None = None
    _operation_ids: set[int] | None = None

    @classmethod
    def of(cls, condominium: Condominium) -> _Books:
        return cls(
            condominium=condominium,
            accounts={account.number: account for account in Account.objects.filter(condominium=condominium)},
            journals={journal.code: journal for journal in Journal.objects.filter(condominium=condominium)},
            years=list(FiscalYear.objects.filter(condominium=condominium).order_by("start_date")),
        )

    def has_key(self, key_id: int) -> bool:
        """Whether the allocation key belongs to the condominium (read once, when a line names one)."""
        if self._key_ids is None:
            self._key_ids = set(AllocationKey.objects.filter(condominium=self.condominium).values_list("pk", flat=True))
        return key_id in self._key_ids

    def has_operation(self, operation_id: int) -> bool:
        """Whether the works operation belongs to the condominium (read once, when a line names one)."""
        if self._operation_ids is None:
            operations = apps.get_model("funds", "WorksOperation")  # funds depends on the ledger, not the reverse
            self._operation_ids = set(
                operations.all_firms.filter(condominium=self.condominium).values_list("pk", flat=True)
            )
        return operation_id in self._operation_ids

    def year_of(self, day: datetime.date) -> FiscalYear:
        for year in self.years:
            if year.contains(day):
                if not year.is_open:
                    raise ClosedFiscalYearError(f"Le {day:%d/%m/%Y} tombe dans l'exercice clôturé {year}.")
                return year
        raise ClosedFiscalYearError(f"Aucun exercice ouvert ne contient le {day:%d/%m/%Y}.")


def _check_amount(value: Decimal, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise InvalidLineError(f"Le {what} doit être un Decimal, pas {type(value).__name__}.")
    if not value.is_finite() or value.quantize(CENT) != value:
        raise InvalidLineError(f"Le {what} {value} a plus de deux décimales.")
    if value < 0:
        raise InvalidLineError(f"Le {what} ne peut pas être négatif ({value}).")
    return value.quantize(CENT)


def _check_distribution_tags(line: LineDraft, books: _Books) -> None:
    if line.key_id is not None and not books.has_key(line.key_id):
        raise InvalidLineError(f"La clé de répartition {line.key_id} n'est pas une clé de {books.condominium}.")
    if line.operation_id is not None and not books.has_operation(line.operation_id):
        raise InvalidLineError(f"L'opération de travaux {line.operation_id} n'est pas de {books.condominium}.")


def _validate(draft: EntryDraft, books: _Books) -> tuple[Journal, FiscalYear]:
    journal = books.journals.get(draft.journal)
    if journal is None:
        raise LedgerError(f"Journal {draft.journal} inconnu dans la copropriété {books.condominium.code}.")
    year = books.year_of(draft.date)
    if not draft.label.strip():
        raise LedgerError("Une écriture a un libellé.")
    if len(draft.lines) < 2:
        raise UnbalancedEntryError("Une écriture a au moins deux lignes.")
    total_debit = total_credit = ZERO
    for line in draft.lines:
        account = books.accounts.get(line.account)
        if account is None:
            raise UnknownAccountError(f"Le compte {line.account} n'est pas au plan comptable.")
        debit = _check_amount(line.debit, "débit")
        credit = _check_amount(line.credit, "crédit")
        if (debit == 0) == (credit == 0):
            raise InvalidLineError(
                f"Une ligne porte soit un débit soit un crédit, non nul (compte {line.account}: {debit} / {credit})."
            )
        if account.is_co_owner_account:
            if line.co_owner is None:
                raise InvalidLineError(f"Une ligne au compte {account.number} nomme son copropriétaire.")
            if line.co_owner.condominium_id != books.condominium.pk:
                raise InvalidLineError(f"{line.co_owner} n'est pas copropriétaire de {books.condominium}.")
        elif line.co_owner is not None:
            raise InvalidLineError(f"Le compte {account.number} n'est pas un compte copropriétaire (450x, 459).")
        _check_distribution_tags(line, books)
        total_debit += debit
        total_credit += credit
    if total_debit != total_credit:
        raise UnbalancedEntryError(
            f"Écriture « {draft.label} » déséquilibrée : débits {total_debit}, crédits {total_credit}."
        )
    return journal, year


def _post(condominium: Condominium, drafts: Sequence[EntryDraft]) -> list[Entry]:
    """The one path that writes entries and lines (inside the caller's transaction)."""
    if not drafts:
        return []
    books = _Books.of(condominium)
    today = timezone.localdate()
    checked = [(draft, *_validate(draft, books)) for draft in drafts]

    # Numbering: lock each (journal, year) counter once, in a fixed order (no deadlock), and take
    # as many numbers as entries. A rollback gives the numbers back: no gap, no duplicate.
    wanted: dict[tuple[int, int], int] = defaultdict(int)
    for _draft, journal, year in checked:
        wanted[(journal.pk, year.pk)] += 1
    for journal_id, year_id in sorted(wanted):
        JournalSequence.objects.get_or_create(journal_id=journal_id, fiscal_year_id=year_id)
    sequences = {
        (sequence.journal_id, sequence.fiscal_year_id): sequence
        for sequence in JournalSequence.objects.select_for_update()
        .filter(journal__condominium=condominium, fiscal_year_id__in={key[1] for key in wanted})
        .order_by("pk")
        if (sequence.journal_id, sequence.fiscal_year_id) in wanted
    }
    # Re-read the years under the lock: a year closed meanwhile refuses the posting.
    states = dict(FiscalYear.objects.filter(pk__in={key[1] for key in wanted}).values_list("pk", "state"))
    if any(state != FiscalYearState.OPEN for state in states.values()):
        raise ClosedFiscalYearError("L'exercice a été clôturé pendant l'enregistrement.")
    next_number = {key: sequence.last_number for key, sequence in sequences.items()}

    now = timezone.now()
    entries: list[Entry] = []
    for draft, journal, year in checked:
        key = (journal.pk, year.pk)
        next_number[key] += 1
        number = next_number[key]
        entries.append(
            Entry(  # ids, not instances: the related-object setters cost ~15 µs an entry in bulk
                firm_id=condominium.firm_id,
                condominium_id=condominium.pk,
                journal_id=journal.pk,
                fiscal_year_id=year.pk,
                number=number,
                code=f"{journal.code}{year.label}-{number:04d}",
                date=draft.date,
                validation_date=draft.validation_date or today,
                voucher=draft.voucher,
                voucher_date=draft.voucher_date or draft.date,
                label=draft.label.strip(),
                reverses_id=draft.reverses.pk if draft.reverses is not None else None,
                posted_at=now,
                reason=draft.reason.strip(),
            )
        )
    for key, sequence in sequences.items():
        sequence.last_number = next_number[key]
    JournalSequence.objects.bulk_update(list(sequences.values()), ["last_number"])
    _insert_entries(entries)

    rows = [
        (
            condominium.firm_id,
            condominium.pk,
            entry.pk,
            position,
            entry.date,
            books.accounts[draft_line.account].pk,
            draft_line.co_owner.pk if draft_line.co_owner is not None else None,
            draft_line.debit,
            draft_line.credit,
            str(draft_line.nature),
            (draft_line.label or entry.label)[:200],
            draft_line.key_id,
            draft_line.operation_id,
        )
        for entry, (draft, _journal, _year) in zip(entries, checked, strict=True)
        for position, draft_line in enumerate(draft.lines, start=1)
    ]
    _insert_lines(rows)
    return entries


_LINE_COLUMNS = (
    "firm_id",
    "condominium_id",
    "entry_id",
    "position",
    "date",
    "account_id",
    "co_owner_id",
    "debit",
    "credit",
    "nature",
    "label",
    "key_id",
    "operation_id",
)


_ENTRY_COLUMNS = (
    "id",
    "firm_id",
    "condominium_id",
    "journal_id",
    "fiscal_year_id",
    "number",
    "code",
    "date",
    "validation_date",
    "voucher",
    "voucher_date",
    "label",
    "reverses_id",
    "posted_at",
    "reason",
)


def _insert_entries(entries: list[Entry]) -> None:
    """Insert entries with their ids known beforehand, the ORM's per-row overhead avoided.

    PostgreSQL: a batch takes its ids from the sequence and goes in by COPY (the ORM's multi-row
    INSERT … RETURNING costs more than the lines' COPY); SQLite, writer lock held: one executemany.
    Otherwise (a few entries on PostgreSQL) bulk_create."""
    if not can_reserve_ids() or (connection.vendor == "postgresql" and len(entries) < COPY_THRESHOLD):
        Entry.objects.bulk_create(entries, batch_size=BULK_BATCH_SIZE)
        return
    for entry, pk in zip(entries, reserve_ids(Entry, len(entries)), strict=True):
        entry.pk = pk
    insert_rows(Entry, _ENTRY_COLUMNS, [[getattr(entry, column) for column in _ENTRY_COLUMNS] for entry in entries])
    for entry in entries:
        entry._state.adding = False
        entry._state.db = connection.alias


def _insert_lines(rows: list[tuple[Any, ...]]) -> None:
    """Insert lines (COPY on PostgreSQL for batches, one executemany otherwise: same triggers and
    constraints either way)."""
    insert_rows(Line, _LINE_COLUMNS, rows)


@transaction.atomic
def post_entry(
    *,
    condominium: Condominium,
    journal: str,
    date: datetime.date,
    label: str,
    lines: Sequence[LineDraft],
    voucher: str = "",
    voucher_date: datetime.date | None = None,
    validation_date: datetime.date | None = None,
    reason: str = "",
    actor: Any = None,
) -> Entry:
    """Post one balanced entry. Raises a `LedgerError` (and writes nothing) when a rule is broken.

    `reason` (why an OD was passed by hand) is inserted with the entry: entries never change."""
    draft = EntryDraft(
        journal=journal,
        date=date,
        label=label,
        lines=lines,
        voucher=voucher,
        voucher_date=voucher_date,
        validation_date=validation_date,
        reason=reason,
    )
    (entry,) = _post(condominium, [draft])
    record(action="ledger.entry.posted", firm=condominium.firm, actor=actor, target=entry, data={"code": entry.code})
    return entry


@transaction.atomic
def post_entries_bulk(*, condominium: Condominium, drafts: Sequence[EntryDraft], actor: Any = None) -> list[Entry]:
    """Post many entries at once (a batch of calls for funds): all or nothing, one audit record."""
    entries = _post(condominium, drafts)
    if entries:
        record(
            action="ledger.entries.posted",
            firm=condominium.firm,
            actor=actor,
            target=condominium,
            data={
                "entries": len(entries),
                "lines": sum(len(draft.lines) for draft in drafts),
                "first": entries[0].code,
                "last": entries[-1].code,
            },
        )
    return entries


@transaction.atomic
def reverse_entry(
    *,
    entry: Entry,
    date: datetime.date | None = None,
    label: str | None = None,
    validation_date: datetime.date | None = None,
    reason: str = "",
    actor: Any = None,
) -> Entry:
    """Post the contre-passation of `entry` (same journal, debits and credits swapped).

    The co-owner lines of the original are released from their letterings and lettered with
    their reversal, so that what they had settled is open again. So are its lines on general
    accounts that are lettered (401, 472…: an account with a lettering counter); lines on
    accounts nobody letters (512, 6xx…) are left unlettered.
    """
    original = Entry.objects.select_for_update().select_related("journal", "condominium__firm").get(pk=entry.pk)
    if original.reverses_id is not None:
        raise LedgerError(f"{original.code} est déjà une contre-passation : passez une nouvelle écriture.")
    if Entry.objects.filter(reverses=original).exists():
        raise LedgerError(f"{original.code} a déjà été contre-passée.")
    original_lines = list(original.lines.select_related("account", "co_owner").order_by("position"))
    draft = EntryDraft(
        journal=original.journal.code,
        date=date or original.date,
        label=label or f"Contre-passation de {original.code} : {original.label}"[:200],
        voucher=original.code,
        validation_date=validation_date,
        lines=[
            LineDraft(
                account=line.account.number,
                debit=line.credit,
                credit=line.debit,
                co_owner=line.co_owner,
                nature=LineNature(line.nature),
                label=f"Annulation : {line.label}"[:200],
                key_id=line.key_id,
                operation_id=line.operation_id,
            )
            for line in original_lines
        ],
        reverses=original,
        reason=reason,
    )
    condominium = original.condominium
    (reversal,) = _post(condominium, [draft])
    general_ids = {line.account_id for line in original_lines if line.co_owner_id is None}
    lettered_accounts = (
        set(AccountLetteringCounter.objects.filter(account_id__in=general_ids).values_list("account_id", flat=True))
        if general_ids
        else set()
    )
    lettered_pairs = [
        (line, reversed_line)
        for line, reversed_line in zip(original_lines, reversal.lines.order_by("position"), strict=True)
        if line.co_owner_id is not None or line.account_id in lettered_accounts
    ]
    if lettered_pairs:
        on = reversal.validation_date
        groups: dict[tuple[int | None, int], list[Line]] = defaultdict(list)
        for line, reversed_line in lettered_pairs:
            groups[(line.co_owner_id, line.account_id)] += [line, reversed_line]
        for group in sorted(groups.values(), key=lambda lines: _counter_key(lines[0])):
            _lock_counter(group[0])  # in a fixed order, before any match is touched
        original_ids = [line.pk for line, _reversed in lettered_pairs]
        touched = set(
            Match.objects.filter(debit_line_id__in=original_ids).values_list("lettering_id", flat=True)
        ) | set(Match.objects.filter(credit_line_id__in=original_ids).values_list("lettering_id", flat=True))
        Match.objects.filter(debit_line_id__in=original_ids).delete()
        Match.objects.filter(credit_line_id__in=original_ids).delete()
        Lettering.objects.filter(pk__in=touched, matches__isnull=True).delete()
        for group in groups.values():
            _letter_fifo(group, on=on)
    record(
        action="ledger.entry.reversed",
        firm=condominium.firm,
        actor=actor,
        target=reversal,
        data={"code": reversal.code, "reverses": original.code},
    )
    return reversal


# --- Attachments --------------------------------------------------------------------------------


@transaction.atomic
def attach_to_entry(*, entry: Entry, content: bytes, filename: str, actor: Any = None) -> EntryAttachment:
    """Keep a voucher file (pièce justificative) with an entry, through the default storage.

    The upload rules of the back office (FILE-01): PDF, JPEG or PNG by content, at most
    `DOCUMENTS_MAX_UPLOAD_SIZE`, the name sanitised and given the extension of the real type,
    images re-encoded without their metadata. Raises `AttachmentRefusedError` otherwise. The file
    is written at once (storage is not transactional): a caller whose transaction fails later
    deletes `attachment.file` itself, as the manual entry page does.
    """
    entry = Entry.objects.get(pk=entry.pk)  # in the caller's firm scope, or not found
    name = sanitize_filename(filename or "piece", default="piece")
    try:
        file_type = check_upload(content=content, filename=name)
        content = without_metadata(content, file_type)
    except UploadRefused as error:
        raise AttachmentRefusedError(str(error)) from None
    except ImageTooLarge as error:
        raise AttachmentRefusedError(error.describe(name)) from None
    except UnreadableImage:
        raise AttachmentRefusedError(f"L'image « {name} » est illisible ou endommagée.") from None
    attachment = EntryAttachment(
        firm_id=entry.firm_id,
        entry=entry,
        original_filename=filename_for(name, file_type)[:150],
        content_type=file_type.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor if getattr(actor, "pk", None) is not None else None,
    )
    attachment.file.save(attachment.original_filename, ContentFile(content), save=False)
    try:
        attachment.save()
        record(
            action="ledger.attachment.added",
            firm=entry.firm,
            actor=actor,
            target=entry,
            data={"code": entry.code, "name": attachment.original_filename, "sha256": attachment.sha256},
        )
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


# --- Lettering ----------------------------------------------------------------------------------


def lettering_code(index: int) -> str:
    """0 -> AA, 1 -> AB, …, 675 -> ZZ, 676 -> AAA…"""
    width, start = 2, 0
    while index >= start + 26**width:
        start += 26**width
        width += 1
    offset = index - start
    letters = []
    for _position in range(width):
        offset, rest = divmod(offset, 26)
        letters.append(chr(ord("A") + rest))
    return "".join(reversed(letters))


def _lock_account(co_owner_id: int) -> LetteringCounter:
    """The co-owner's lettering counter, locked until the end of the transaction (one lettering at a time)."""
    LetteringCounter.objects.get_or_create(co_owner_id=co_owner_id)
    return LetteringCounter.objects.select_for_update().get(co_owner_id=co_owner_id)


def _lock_general_account(account_id: int) -> AccountLetteringCounter:
    """The general account's lettering counter, locked until the end of the transaction."""
    AccountLetteringCounter.objects.get_or_create(account_id=account_id)
    return AccountLetteringCounter.objects.select_for_update().get(account_id=account_id)


def _counter_key(line: Line) -> tuple[int, int]:
    """Co-owner counters before account counters, each by id: the order locks are taken in."""
    return (0, line.co_owner_id) if line.co_owner_id is not None else (1, line.account_id)


def _lock_counter(line: Line) -> LetteringCounter | AccountLetteringCounter:
    """The counter of the account `line` is lettered on: its co-owner's, or its general account's."""
    if line.co_owner_id is not None:
        return _lock_account(line.co_owner_id)
    return _lock_general_account(line.account_id)


def open_amounts(lines: Iterable[Line]) -> dict[int, Decimal]:
    """What remains to letter on each line (its amount less what is already matched)."""
    lines = list(lines)
    ids = [line.pk for line in lines]
    matched: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line_id, total in (
        Match.objects.filter(debit_line_id__in=ids).values("debit_line_id").annotate(total=Sum("amount"))
    ).values_list("debit_line_id", "total"):
        matched[line_id] += cents(total)
    for line_id, total in (
        Match.objects.filter(credit_line_id__in=ids).values("credit_line_id").annotate(total=Sum("amount"))
    ).values_list("credit_line_id", "total"):
        matched[line_id] += cents(total)
    return {line.pk: line.debit + line.credit - matched[line.pk] for line in lines}


def _create_lettering(
    pairs: Sequence[tuple[Line, Line, Decimal]],
    *,
    on: datetime.date,
    counter: LetteringCounter | AccountLetteringCounter,
) -> Lettering:
    first = pairs[0][0]
    counter.last_index += 1
    counter.save(update_fields=["last_index"])
    lettering = Lettering.objects.create(
        firm_id=first.firm_id,
        condominium_id=first.condominium_id,
        co_owner_id=first.co_owner_id,
        account_id=first.account_id,
        code=lettering_code(counter.last_index),
        date=on,
    )
    Match.objects.bulk_create(
        Match(lettering=lettering, debit_line=debit, credit_line=credit, amount=amount)
        for debit, credit, amount in pairs
    )
    return lettering


def _sort_key(line: Line) -> tuple[datetime.date, int, int]:
    return (line.date, line.entry_id, line.position)


def _letter_fifo(lines: Sequence[Line], *, on: datetime.date) -> Lettering | None:
    """Match the credits of `lines` against their debits, oldest first; one code. Caller checks the lines.

    The counter is locked before the open amounts are read: a concurrent lettering of the same
    account waits, then sees what this one matched."""
    counter = _lock_counter(lines[0])
    remaining = open_amounts(lines)
    debits = sorted((line for line in lines if line.debit > 0 and remaining[line.pk] > 0), key=_sort_key)
    credit_lines = sorted((line for line in lines if line.credit > 0 and remaining[line.pk] > 0), key=_sort_key)
    pairs: list[tuple[Line, Line, Decimal]] = []
    debit_index = credit_index = 0
    while debit_index < len(debits) and credit_index < len(credit_lines):
        debit, credit = debits[debit_index], credit_lines[credit_index]
        amount = min(remaining[debit.pk], remaining[credit.pk])
        pairs.append((debit, credit, amount))
        remaining[debit.pk] -= amount
        remaining[credit.pk] -= amount
        if remaining[debit.pk] == 0:
            debit_index += 1
        if remaining[credit.pk] == 0:
            credit_index += 1
    if not pairs:
        return None
    return _create_lettering(pairs, on=on, counter=counter)


def _check_letterable(lines: Sequence[Line]) -> None:
    """One account, and on it one co-owner (a co-owner sub-account) or none (a general account)."""
    if not lines:
        raise LetteringError("Rien à lettrer.")
    first = lines[0]
    if any((line.co_owner_id is None) != (first.co_owner_id is None) for line in lines):
        raise LetteringError(
            "On ne lettre pas ensemble une ligne d'un compte copropriétaire et une ligne d'un compte général."
        )
    if any(line.account_id != first.account_id for line in lines):
        raise LetteringError("On lettre les lignes d'un même compte (ou d'un même sous-compte copropriétaire).")
    if any(line.co_owner_id != first.co_owner_id for line in lines):
        raise LetteringError("On lettre les lignes d'un même copropriétaire.")


def _check_co_owner_line(line: Line) -> None:
    if line.co_owner_id is None:
        raise LetteringError(
            "L'imputation automatique (Code civil art. 1342-10) porte sur les comptes des copropriétaires : "
            "lettrez les lignes d'un compte général en les choisissant."
        )


@transaction.atomic
def letter_lines(*, lines: Sequence[Line], on: datetime.date, actor: Any = None) -> Lettering:
    """Match the credits among `lines` with their debits (oldest first) under one new code.

    All lines are on one account: one co-owner's sub-account (4501…; code per co-owner), or one
    general account such as 401, 472 or 5128 (code per account). Partial matches leave the rest
    open. Lines already fully lettered are skipped.
    """
    lines = list(Line.objects.filter(pk__in=[line.pk for line in lines]))
    _check_letterable(lines)
    lettering = _letter_fifo(lines, on=on)
    if lettering is None:
        raise LetteringError("Ces lignes n'ont plus rien à lettrer ensemble (débits et crédits déjà soldés).")
    record(action="ledger.lettering.created", firm=lettering.firm, actor=actor, target=lettering)
    return lettering


def _open_lines(co_owner_id: int, account_id: int, *, side: str) -> list[tuple[Line, Decimal]]:
    lines = list(
        Line.objects.filter(co_owner_id=co_owner_id, account_id=account_id, **{f"{side}__gt": 0}).order_by(
            "date", "entry_id", "position"
        )
    )
    remaining = open_amounts(lines)
    return [(line, remaining[line.pk]) for line in lines if remaining[line.pk] > 0]


@transaction.atomic
def letter_line(
    *, line: Line, on: datetime.date, against: Sequence[Line] | None = None, actor: Any = None
) -> Lettering | None:
    """Letter one line with the open lines of the other side (Code civil art. 1342-10).

    A payment that names what it pays (`against`) settles those first; otherwise the items
    already due (dated on or before the line) go first, oldest first, then the later ones.
    Returns None when nothing is open on the other side.
    """
    line = Line.objects.get(pk=line.pk)
    _check_co_owner_line(line)
    assert line.co_owner_id is not None
    counter = _lock_account(line.co_owner_id)
    (remaining,) = open_amounts([line]).values()
    other_side = "debit" if line.credit > 0 else "credit"
    candidates = _open_lines(line.co_owner_id, line.account_id, side=other_side)
    if against is not None:
        named = {item.pk for item in against}
        candidates.sort(key=lambda pair: pair[0].pk not in named)  # stable: named first, then by date
    else:
        candidates.sort(key=lambda pair: pair[0].date > line.date)  # stable: due first, then not yet due
    pairs: list[tuple[Line, Line, Decimal]] = []
    for other, open_amount in candidates:
        if remaining <= 0:
            break
        amount = min(remaining, open_amount)
        pairs.append((other, line, amount) if line.credit > 0 else (line, other, amount))
        remaining -= amount
    if not pairs:
        return None
    lettering = _create_lettering(pairs, on=on, counter=counter)
    record(action="ledger.lettering.created", firm=lettering.firm, actor=actor, target=lettering)
    return lettering


@transaction.atomic
def letter_open_items(*, co_owner: CoOwner, on: datetime.date, actor: Any = None) -> list[Lettering]:
    """Letter every open credit of the co-owner against the oldest open debits of its sub-account."""
    _lock_account(co_owner.pk)
    letterings: list[Lettering] = []
    account_ids = (
        Line.objects.filter(co_owner=co_owner).values_list("account_id", flat=True).distinct().order_by("account_id")
    )
    for account_id in list(account_ids):
        for credit, _open in _open_lines(co_owner.pk, account_id, side="credit"):
            lettering = letter_line(line=credit, on=on, actor=actor)
            if lettering is None:
                break
            letterings.append(lettering)
    return letterings


@transaction.atomic
def unletter(*, lettering: Lettering, actor: Any = None) -> None:
    """Remove a lettering code: its lines are open again (the entries themselves never change).

    The same for a co-owner's sub-account and for a general account. The code is not given again
    (the counter only moves forward)."""
    locked = Lettering.objects.select_for_update().get(pk=lettering.pk)
    record(
        action="ledger.lettering.removed",
        firm=locked.firm,
        actor=actor,
        target=locked,
        data={"code": locked.code, "co_owner": locked.co_owner_id, "account": locked.account_id},
    )
    locked.delete()


# --- Payments (art. 1342-10) --------------------------------------------------------------------


def plan_payment(*, co_owner: CoOwner, amount: Decimal, on: datetime.date) -> list[PaymentShare]:
    """How a payment that names no call settles the co-owner's open items (Code civil art. 1342-10).

    Items already due on `on` first, oldest first; items falling due later next, oldest first.
    Items of the same date share a shortfall in proportion to their open amounts (largest
    remainder, to the cent). What is left is an advance credited to 4501.
    """
    amount = _check_amount(amount, "montant")
    if amount == 0:
        raise InvalidLineError("Un paiement n'est pas nul.")
    lines = list(
        Line.objects.filter(co_owner=co_owner, debit__gt=0)
        .select_related("account")
        .order_by("date", "entry_id", "position")
    )
    remaining_by_line = open_amounts(lines)
    open_lines = [line for line in lines if remaining_by_line[line.pk] > 0]
    open_lines.sort(key=lambda line: (line.date > on, line.date))
    groups: list[list[Line]] = []
    for line in open_lines:
        if groups and groups[-1][0].date == line.date:
            groups[-1].append(line)
        else:
            groups.append([line])
    settles: dict[tuple[str, str], list[tuple[int, Decimal]]] = defaultdict(list)
    totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    remaining = amount
    for group in groups:
        if remaining == 0:
            break
        open_in_group = [remaining_by_line[line.pk] for line in group]
        group_total = sum(open_in_group, ZERO)
        parts = open_in_group if remaining >= group_total else allocate(remaining, open_in_group)
        for line, part in zip(group, parts, strict=True):
            if part > 0:
                key = (line.account.number, line.nature)
                settles[key].append((line.pk, part))
                totals[key] += part
        remaining -= sum(parts, ZERO)
    if remaining > 0:
        totals[(chart.BUDGET, LineNature.CURRENT)] += remaining
    return [
        PaymentShare(account=number, nature=LineNature(nature), amount=total, settles=tuple(settles[(number, nature)]))
        for (number, nature), total in totals.items()
    ]


@transaction.atomic
def post_co_owner_payment(
    *,
    co_owner: CoOwner,
    amount: Decimal,
    date: datetime.date,
    journal: str,
    label: str,
    debit_account: str | None = None,
    voucher: str = "",
    validation_date: datetime.date | None = None,
    line_label: str | None = None,
    debit_label: str | None = None,
    actor: Any = None,
) -> Entry:
    """Record a co-owner's payment: Dr bank (or 5128 for cards) / Cr 450x, lettered with what it settles.

    The credit is split over the sub-accounts by `plan_payment` (art. 1342-10) and each credit
    line is lettered with the debits it settles, on the validation date.
    """
    _lock_account(co_owner.pk)
    condominium = Condominium.objects.select_related("firm").get(pk=co_owner.condominium_id)
    if debit_account is None:
        journal_row = Journal.objects.select_related("bank_account").get(condominium=condominium, code=journal)
        if journal_row.kind == JournalKind.CARD:
            debit_account = chart.CARD_IN_TRANSIT
        elif journal_row.bank_account is not None:
            debit_account = journal_row.bank_account.number
        else:
            raise LedgerError(f"Le journal {journal} n'a pas de compte de banque : précisez debit_account.")
    shares = plan_payment(co_owner=co_owner, amount=amount, on=date)
    lines = [LineDraft(account=debit_account, debit=amount, label=debit_label or label)]
    lines += [
        LineDraft(
            account=share.account,
            credit=share.amount,
            co_owner=co_owner,
            nature=share.nature,
            label=line_label or label,
        )
        for share in shares
    ]
    entry = post_entry(
        condominium=condominium,
        journal=journal,
        date=date,
        label=label,
        lines=lines,
        voucher=voucher,
        validation_date=validation_date,
        actor=actor,
    )
    on = entry.validation_date
    posted = list(entry.lines.order_by("position"))[1:]
    counter = _lock_account(co_owner.pk)
    debit_lines = {line.pk: line for line in Line.objects.filter(pk__in=[pk for s in shares for pk, _a in s.settles])}
    for share, credit_line in zip(shares, posted, strict=True):
        pairs = [(debit_lines[pk], credit_line, part) for pk, part in share.settles]
        if pairs:
            _create_lettering(pairs, on=on, counter=counter)
    return entry
