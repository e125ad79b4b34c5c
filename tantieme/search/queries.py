"""The back office's search: one text, read as everything it could be (issue 13, item 5).

A text is tried as each kind of thing its shape allows, and every kind is one query:

- a **co-owner reference** in any spacing or case (`a6060001`, `A-606-0001`, `606 0001`): the
  compact form is looked for inside `CoOwner.reference` (stored canonical, `A6060001`);
- a **name**: every word found in the last or the first name (`martin jean`);
- an **e-mail** (`@` in the text): inside the co-owner's contact address;
- an **IBAN**: the payer IBAN of bank lines matched to a co-owner (the only place co-owners'
  IBANs are kept today), and the condominium's own IBAN;
- a **lot number** (digits): the current owners of lot N in each condominium;
- a **condominium**: its name or town (every word), or its three-digit code;
- an **amount** (`1210,77`, `1 210,77 €`, `1210.77`): bank lines of that amount, credit or debit.

Every query is limited to `condominium_ids` (the staff member's portfolio) and runs in the firm's
scope (firm-scoped managers): another firm's or an out-of-portfolio row is never found.

On PostgreSQL, migrations `search.0001` and `0003` build trigram (pg_trgm) GIN indexes on the
names, condominium names and towns upper-cased without accents (`search_fold`, over `unaccent`:
« helene » finds « Hélène »), on the upper-cased e-mails (`icontains`: `UPPER(col) LIKE …`) and on
the references, so that each is an index scan at 100,000 co-owners; and a B-tree index on bank
lines' amounts. SQLite has none of them: the same queries scan, with `icontains` (a development
database is small).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db import connection
from django.db.models import Func, Q, QuerySet, TextField

from tantieme.banking.enums import LineStatus
from tantieme.banking.models import StatementLine
from tantieme.condominiums.models import Condominium, CoOwner, Ownership
from tantieme.core.money import AmountError, parse_amount

LIMIT = 50  # rows shown per kind; one more is read to know that there are more
MAX_LENGTH = 100  # longer texts are cut: nobody types more, and LIKE patterns stay small

_SEPARATORS = re.compile(r"[\s\u00a0\u202f\-./_]+")
# A reference or a piece of one: an optional letter, then digits and letters (A606, 6060001, G149X369).
_REFERENCE_LIKE = re.compile(r"^[A-Z]?\d[A-Z0-9]{2,7}$")
_IBAN_LIKE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
_DIGITS = re.compile(r"^\d{1,6}$")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)  # words with at least a leading letter
_LOT = re.compile(r"^lot\s*n?[°o]?\s*(\d{1,6})$", re.IGNORECASE)
_AMOUNT_CHARS = re.compile(r"^[+-]?[\d\s\u00a0\u202f.,']+\s*(€|eur|euros?)?$", re.IGNORECASE)
# Cents or a currency sign: an amount and nothing else (« 1210.77 » is no reference).
_ONLY_AMOUNT = re.compile(r"([.,]\d{1,2}\s*(€|eur|euros?)?$)|€|eur", re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    """What a text may be: each field set means « try this kind »."""

    text: str
    reference: str = ""  # compact, upper case
    words: tuple[str, ...] = ()
    email: str = ""
    iban: str = ""
    lot_number: int | None = None
    condominium_code: str = ""
    amount: Decimal | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.reference or self.words or self.email or self.iban or self.lot_number is not None or self.amount
        )


def read_query(text: str) -> Reading:
    """The kinds of thing `text` may be, from its shape alone (no query)."""
    text = (text or "").strip()[:MAX_LENGTH]
    if not text:
        return Reading(text="")
    lot = _LOT.match(text)
    if lot:  # « lot 12 »: only a lot number
        return Reading(text=text, lot_number=int(lot.group(1)))
    compact = _SEPARATORS.sub("", text).upper()
    if "@" in text:
        return Reading(text=text, email=text.lower())
    if _IBAN_LIKE.match(compact):
        return Reading(text=text, iban=compact)
    amount: Decimal | None = None
    if _AMOUNT_CHARS.match(text):
        try:
            amount = abs(parse_amount(text))
        except AmountError:
            amount = None
        if amount is not None and amount == 0:
            amount = None
    if amount is not None and _ONLY_AMOUNT.search(text):
        return Reading(text=text, amount=amount)
    digits = bool(_DIGITS.match(compact))
    words = tuple(word for word in _WORD.findall(text) if not any(char.isdigit() for char in word))
    return Reading(
        text=text,
        reference=compact if _REFERENCE_LIKE.match(compact) else "",
        # A reference-like text (« A606 ») is not a name: its single letter would match everyone.
        words=() if _REFERENCE_LIKE.match(compact) else words,
        lot_number=int(compact) if digits else None,
        condominium_code=compact if digits and len(compact) == 3 else "",
        amount=amount,
    )


@dataclass(frozen=True)
class CoOwnerHit:
    co_owner: CoOwner
    reason: str  # « référence », « nom », « e-mail », « IBAN », « lot 12 »


@dataclass
class SearchResults:
    reading: Reading
    co_owners: list[CoOwnerHit] = field(default_factory=list)
    condominiums: list[Condominium] = field(default_factory=list)
    bank_lines: list[StatementLine] = field(default_factory=list)
    truncated: set[str] = field(default_factory=set)  # kinds with more than LIMIT rows

    @property
    def count(self) -> int:
        return len(self.co_owners) + len(self.condominiums) + len(self.bank_lines)

    def single(self) -> CoOwner | Condominium | None:
        """The one co-owner or condominium found, when it is the only result (its file opens directly)."""
        if self.count != 1 or self.truncated:
            return None
        if self.co_owners:
            return self.co_owners[0].co_owner
        if self.condominiums:
            return self.condominiums[0]
        return None


def _limited(results: SearchResults, kind: str, rows: list[Any]) -> list[Any]:
    if len(rows) > LIMIT:
        results.truncated.add(kind)
    return rows[:LIMIT]


class Folded(Func):
    """Text upper-cased without its accents, `search_fold(col)` (migration 0003, PostgreSQL): what
    the trigram indexes hold, so that « helene » finds « Hélène » and « LEFÈVRE » « Lefevre »."""

    function = "search_fold"
    output_field = TextField()


def fold(text: str) -> str:
    """The Python side of `search_fold`: « Hélène Œuvray » -> « HELENE OEUVRAY » (as unaccent)."""
    for letter, letters in (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"), ("ß", "ss")):
        text = text.replace(letter, letters)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).upper()


def _folds() -> bool:
    # SQLite has no unaccent: there, icontains (case-insensitive for ASCII letters only).
    return connection.vendor == "postgresql"


def _words_q(words: tuple[str, ...], *fields: str) -> Q:
    """Every word in one of `fields` (AND of ORs); on PostgreSQL the `folded_<field>` aliases."""
    if _folds():
        return reduce(
            and_, (reduce(or_, (Q(**{f"folded_{name}__contains": fold(word)}) for name in fields)) for word in words)
        )
    return reduce(and_, (reduce(or_, (Q(**{f"{name}__icontains": word}) for name in fields)) for word in words))


def _with_folds(queryset: QuerySet[Any], *fields: str) -> QuerySet[Any]:
    return queryset.alias(**{f"folded_{name}": Folded(name) for name in fields}) if _folds() else queryset


def _co_owner_reason(co_owner: CoOwner, reading: Reading) -> str:
    if reading.reference and reading.reference in co_owner.reference:
        return "référence"
    if reading.email:
        return "e-mail"
    return "nom"


def _co_owners_by_text(reading: Reading, condominium_ids: list[int]) -> QuerySet[CoOwner] | None:
    clauses = []
    if reading.reference:
        clauses.append(Q(reference__contains=reading.reference))
    if reading.words:
        clauses.append(_words_q(reading.words, "last_name", "first_name"))
    if reading.email:
        clauses.append(Q(email__icontains=reading.email))
    if not clauses:
        return None
    return (
        _with_folds(CoOwner.objects.all(), "last_name", "first_name")
        .filter(reduce(or_, clauses), condominium_id__in=condominium_ids)
        .select_related("condominium")
        .order_by("last_name", "first_name", "reference")
    )


def _current_owners_of_lot(number: int, condominium_ids: list[int], today: datetime.date) -> QuerySet[Ownership]:
    return (
        Ownership.objects.filter(lot__number=number, lot__condominium_id__in=condominium_ids, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("co_owner__condominium", "lot")
        .order_by("lot__condominium__code", "co_owner__reference")
    )


def _co_owners_by_iban(iban: str, condominium_ids: list[int]) -> QuerySet[CoOwner]:
    # Their transfers' IBAN: bank lines matched to them (index banking_line_payer_iban).
    payers = StatementLine.objects.filter(
        condominium_id__in=condominium_ids, counterparty_iban=iban, status=LineStatus.MATCHED, co_owner__isnull=False
    ).values("co_owner_id")
    return CoOwner.objects.filter(pk__in=payers).select_related("condominium").order_by("last_name", "reference")


def _condominiums(reading: Reading, condominium_ids: list[int]) -> QuerySet[Condominium] | None:
    clauses = []
    if reading.words:
        clauses.append(_words_q(reading.words, "name", "city"))
    if reading.condominium_code:
        clauses.append(Q(code=reading.condominium_code))
    if reading.iban:
        clauses.append(Q(iban=reading.iban))
    if not clauses:
        return None
    return (
        _with_folds(Condominium.objects.all(), "name", "city")
        .filter(reduce(or_, clauses), pk__in=condominium_ids)
        .order_by("code")
    )


def search(text: str, *, condominium_ids: list[int], today: datetime.date) -> SearchResults:
    """Everything `text` may designate in these condominiums (firm in scope). At most four queries."""
    reading = read_query(text)
    results = SearchResults(reading=reading)
    if reading.empty or not condominium_ids:
        return results
    hits: dict[int, CoOwnerHit] = {}
    by_text = _co_owners_by_text(reading, condominium_ids)
    if by_text is not None:
        for co_owner in by_text[: LIMIT + 1]:
            hits[co_owner.pk] = CoOwnerHit(co_owner, _co_owner_reason(co_owner, reading))
    if reading.iban:
        for co_owner in _co_owners_by_iban(reading.iban, condominium_ids)[: LIMIT + 1]:
            hits.setdefault(co_owner.pk, CoOwnerHit(co_owner, "IBAN"))
    if reading.lot_number is not None:
        for ownership in _current_owners_of_lot(reading.lot_number, condominium_ids, today)[: LIMIT + 1]:
            hits.setdefault(ownership.co_owner_id, CoOwnerHit(ownership.co_owner, f"lot {ownership.lot.number}"))
    results.co_owners = _limited(results, "co_owners", list(hits.values()))
    condominiums = _condominiums(reading, condominium_ids)
    if condominiums is not None:
        results.condominiums = _limited(results, "condominiums", list(condominiums[: LIMIT + 1]))
    if reading.amount is not None:
        lines = (
            StatementLine.objects.filter(
                condominium_id__in=condominium_ids, amount__in=[reading.amount, -reading.amount]
            )
            .select_related("condominium", "co_owner")
            .order_by("-booking_date", "-pk")
        )
        results.bank_lines = _limited(results, "bank_lines", list(lines[: LIMIT + 1]))
    return results
