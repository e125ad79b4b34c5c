"""What every statement parser produces, and the one error it raises.

A parser reads a file as a stream: `entries()` yields the booked movements one by one, and fills
`statements` (account, balances, dates) as it meets them. When the generator is exhausted every
statement of the file has been read and checked (opening balance + movements = closing balance).
Parsers raise `StatementParseError` and nothing else, whatever the bytes they are given.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")  # fits MoneyField(max_digits=14)


class StatementParseError(Exception):
    """The file is not a statement we can read: `location` says where (line or element), `message` why."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location} : {message}" if location else message)
        self.location = location
        self.message = message


@dataclass
class ParsedStatement:
    """One account statement of the file (a CAMT `Stmt`, a CFONB 01…07 block, an OFX STMTRS)."""

    index: int
    statement_id: str = ""
    iban: str = ""
    currency: str = "EUR"
    opening_balance: Decimal | None = None
    opening_date: datetime.date | None = None
    closing_balance: Decimal | None = None
    closing_date: datetime.date | None = None
    sequence: str = ""
    booked_count: int = 0
    booked_total: Decimal = ZERO  # signed sum of the booked movements
    pending_count: int = 0
    balance_checked: bool = False

    def as_dict(self) -> dict[str, str | int | bool | None]:
        return {
            "id": self.statement_id,
            "iban": self.iban,
            "currency": self.currency,
            "opening_balance": None if self.opening_balance is None else str(self.opening_balance),
            "opening_date": self.opening_date.isoformat() if self.opening_date else None,
            "closing_balance": None if self.closing_balance is None else str(self.closing_balance),
            "closing_date": self.closing_date.isoformat() if self.closing_date else None,
            "sequence": self.sequence,
            "booked": self.booked_count,
            "pending": self.pending_count,
            "balance_checked": self.balance_checked,
        }


@dataclass
class ParsedEntry:
    """A booked movement: `amount` is signed (positive = money in). Texts are as the bank wrote them."""

    statement_index: int
    position: int  # 1-based rank in the file, for messages
    amount: Decimal
    booking_date: datetime.date
    value_date: datetime.date | None = None
    bank_reference: str = ""  # AcctSvcrRef, CFONB numéro d'écriture, OFX FITID
    label: str = ""  # AddtlNtryInf, CFONB 04 libellé, OFX NAME
    remittance: str = ""  # Ustrd joined, CFONB LCC + LC2, OFX MEMO
    structured_reference: str = ""  # Strd/CdtrRefInf/Ref, CFONB LCS
    end_to_end_id: str = ""
    counterparty_name: str = ""  # payer for a credit, beneficiary for a debit
    counterparty_iban: str = ""
    counterparty_bic: str = ""
    bank_code: str = ""  # PMNT/RCDT/ESCT, CFONB interbank code, OFX TRNTYPE
    additional_info: str = ""
    return_reason: str = ""
    reversal: bool = False
    raw: dict[str, str] = field(default_factory=dict)
    key: str = ""  # filled by `assign_keys`

    @property
    def is_credit(self) -> bool:
        return self.amount > 0

    def texts(self) -> list[str]:
        """Where a co-owner reference may be, in the order the matching reads them (spec §6.1)."""
        end_to_end = "" if self.end_to_end_id.upper() == "NOTPROVIDED" else self.end_to_end_id
        return [
            text
            for text in (
                self.structured_reference,
                self.remittance,
                end_to_end,
                self.additional_info,
                self.label,
            )
            if text
        ]


_NORM_DROP = re.compile(r"[^A-Z0-9]+")


def normalise(text: str) -> str:
    """NFKD, accents dropped, upper case, anything but letters and digits to one space."""
    text = text or ""
    if text.isascii():  # most bank texts: nothing to decompose (and the per-character loop is the cost)
        return _NORM_DROP.sub(" ", text.upper()).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).upper()
    return _NORM_DROP.sub(" ", plain).strip()


class KeyAssigner:
    """The unique key of each entry (spec §6.5): the bank's reference, else a hash and its rank in the day.

    Two genuine identical transfers on the same day keep two keys (occurrence 0 and 1), and the
    same day read again from another file gives the same keys.
    """

    def __init__(self, iban: str) -> None:
        self.iban = iban
        self._seen: dict[str, int] = {}
        self._references: dict[str, int] = {}

    def key_of(self, entry: ParsedEntry) -> str:
        if entry.bank_reference:
            base = f"R:{entry.bank_reference}"
            # A bank reference repeated inside one file (split batches): keep them apart.
            count = self._references.get(base, 0)
            self._references[base] = count + 1
            key = base if count == 0 else f"{base}#{count}"
        else:
            fields = "|".join(
                (
                    self.iban,
                    entry.booking_date.isoformat(),
                    entry.value_date.isoformat() if entry.value_date else "",
                    str(entry.amount),
                    normalise(" ".join((entry.remittance, entry.structured_reference, entry.label))),
                    normalise(entry.counterparty_name),
                    entry.end_to_end_id,
                )
            )
            digest = hashlib.sha256(fields.encode()).hexdigest()[:40]
            occurrence = self._seen.get(digest, 0)
            self._seen[digest] = occurrence + 1
            key = f"H:{digest}:{occurrence}"
        if len(key) > 120:
            key = "R:" + hashlib.sha256(key.encode()).hexdigest()
        entry.key = key
        return key


def is_ascii_digits(text: str) -> bool:
    """ "0123" yes; "¹2" or "١٢" no (str.isdigit accepts those, int() does not always)."""
    return text.isascii() and text.isdigit()


def check_amount(value: Decimal, location: str) -> Decimal:
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        raise StatementParseError(location, f"montant hors limites ({value}).")
    return value


def check_balances(statement: ParsedStatement, location: str) -> None:
    """Opening balance + booked movements = closing balance, to the cent."""
    if statement.opening_balance is None or statement.closing_balance is None:
        return
    expected = statement.opening_balance + statement.booked_total
    if expected != statement.closing_balance:
        raise StatementParseError(
            location,
            f"solde incohérent : solde initial {statement.opening_balance} + mouvements {statement.booked_total} "
            f"= {expected}, le relevé annonce {statement.closing_balance} (fichier tronqué ou modifié ?).",
        )
    statement.balance_checked = True


class StatementReader:
    """Base of the parsers: `entries()` streams the booked movements, `statements` describes the file."""

    format_name = ""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.statements: list[ParsedStatement] = []

    def entries(self) -> Iterator[ParsedEntry]:  # pragma: no cover - abstract
        raise NotImplementedError
