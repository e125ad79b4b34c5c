"""CFONB 120 "relevé de compte": records 01 (old balance), 04 (movement), 05 (complement), 07 (new balance).

Lines of 120 characters, with or without line breaks (a stream is cut every 120 characters);
short lines are padded. Amounts are signed-overpunch on 14 characters with the number of
decimals in position 20. `05` complements are kept raw and their usual qualifiers read: NPY/NBE
(payer/beneficiary), LCC + LC2 (remittance), LCS (RF reference), RCN (end-to-end id), LIB, CPY/CBE.
Positions are those of `shared/specs/payments-and-banking.md` §4.2 (1-based there, 0-based here).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal

from tantieme.banking.parsers.base import (
    CENT,
    ParsedEntry,
    ParsedStatement,
    StatementParseError,
    StatementReader,
    check_amount,
    check_balances,
    is_ascii_digits,
)

RECORD_LENGTH = 120
POSITIVE = "{ABCDEFGHI"
NEGATIVE = "}JKLMNOPQR"
_AMOUNT_RE = re.compile(r"^ *[0-9]{0,13}[{}A-R]$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_RIB_LETTERS = {
    **dict.fromkeys("AJ", "1"),
    **dict.fromkeys("BKS", "2"),
    **dict.fromkeys("CLT", "3"),
    **dict.fromkeys("DMU", "4"),
    **dict.fromkeys("ENV", "5"),
    **dict.fromkeys("FOW", "6"),
    **dict.fromkeys("GPX", "7"),
    **dict.fromkeys("HQY", "8"),
    **dict.fromkeys("IRZ", "9"),
}


def decode_amount(text: str, decimals: int, where: str) -> Decimal:
    """ "0000000001234{" with 2 decimals -> Decimal("123.40"); "0000000000920}" -> Decimal("-92.00")."""
    if not _AMOUNT_RE.match(text) or text.strip() == "":
        raise StatementParseError(where, f"montant illisible « {text} ».")
    last = text[-1]
    if last in POSITIVE:
        sign, digit = 1, POSITIVE.index(last)
    elif last in NEGATIVE:
        sign, digit = -1, NEGATIVE.index(last)
    else:
        raise StatementParseError(where, f"signe de montant inconnu « {last} ».")
    digits = text[:-1].strip() + str(digit)
    value = check_amount(sign * Decimal(int(digits)).scaleb(-decimals), where)
    if value.quantize(CENT) != value:
        raise StatementParseError(where, f"montant {value} au-delà du centime.")
    return value.quantize(CENT)


def encode_amount(value: Decimal, decimals: int = 2) -> str:
    """The 14-character signed-overpunch form of `value` (the inverse of `decode_amount`)."""
    quantum = int((abs(value) * (Decimal(10) ** decimals)).to_integral_value())
    digits = f"{quantum:014d}"
    if len(digits) > 14:
        raise ValueError(f"{value} ne tient pas sur 14 caractères.")
    table = NEGATIVE if value < 0 else POSITIVE
    return digits[:13] + table[int(digits[13])]


def _date(text: str, where: str, *, required: bool = True) -> datetime.date | None:
    if not text.strip():
        if required:
            raise StatementParseError(where, "date absente.")
        return None
    if not (len(text) == 6 and is_ascii_digits(text)):
        raise StatementParseError(where, f"date illisible « {text} » (JJMMAA).")
    day, month, year = int(text[0:2]), int(text[2:4]), int(text[4:6])
    try:
        return datetime.date(2000 + year if year < 80 else 1900 + year, month, day)
    except ValueError:
        raise StatementParseError(where, f"date impossible « {text} ».") from None


def rib_key(bank: str, branch: str, account: str) -> int:
    number = "".join(_RIB_LETTERS.get(char, char) for char in account)
    return 97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(number)) % 97)


def iban_from_rib(bank: str, branch: str, account: str) -> str:
    """FR IBAN of a French account (bank 5 digits, branch 5 digits, account 11 alphanumerics)."""
    bban = f"{bank}{branch}{account}{rib_key(bank, branch, account):02d}"
    digits = "".join(str(int(char, 36)) for char in bban + "FR00")
    return f"FR{98 - int(digits) % 97:02d}{bban}"


class _Pending:
    """A 04 record and its 05 complements, until the next record closes it."""

    def __init__(self, entry: ParsedEntry, line: str) -> None:
        self.entry = entry
        self.lines = [line]
        self.complements: dict[str, list[str]] = {}


class Cfonb120Reader(StatementReader):
    format_name = "cfonb120"

    def _records(self) -> Iterator[tuple[int, str]]:
        try:
            text = self.content.decode("ascii")
        except UnicodeDecodeError:
            try:
                text = self.content.decode("utf-8")
            except UnicodeDecodeError:
                text = self.content.decode("latin-1")
        if "\n" in text or "\r" in text:
            lines = _LINE_BREAK_RE.split(text)
        else:
            lines = [text[start : start + RECORD_LENGTH] for start in range(0, len(text), RECORD_LENGTH)]
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if len(line) > RECORD_LENGTH and line[RECORD_LENGTH:].strip():
                raise StatementParseError(f"ligne {number}", f"{len(line)} caractères (120 attendus).")
            record = line[:RECORD_LENGTH]
            if _CONTROL_RE.search(record):
                raise StatementParseError(f"ligne {number}", "caractère de contrôle dans l'enregistrement.")
            yield number, record.ljust(RECORD_LENGTH)

    def entries(self) -> Iterator[ParsedEntry]:  # noqa: PLR0912, PLR0915 - one branch per record type
        statement: ParsedStatement | None = None
        account = ("", "", "")
        decimals = 2
        pending: _Pending | None = None
        position = 0
        last_line = 0
        for number, line in self._records():
            last_line = number
            where = f"ligne {number}"
            code = line[0:2]
            if code == "01":
                if statement is not None:
                    raise StatementParseError(where, "nouveau solde initial (01) avant le solde final (07) du relevé.")
                account, decimals = self._account(line, where)
                statement = ParsedStatement(index=len(self.statements))
                statement.iban = iban_from_rib(*account)
                statement.currency = line[16:19].strip() or "EUR"
                statement.opening_date = _date(line[34:40], where)
                statement.opening_balance = decode_amount(line[90:104], decimals, where)
                self.statements.append(statement)
            elif code == "04":
                if statement is None:
                    raise StatementParseError(where, "mouvement (04) hors d'un relevé (01 absent).")
                self._same_account(line, account, where)
                if pending is not None:
                    yield self._finish(pending, statement)
                position += 1
                pending = _Pending(self._movement(line, statement, position, decimals, where), line)
            elif code == "05":
                if pending is None:
                    raise StatementParseError(where, "complément (05) sans mouvement (04).")
                self._same_account(line, account, where)
                pending.lines.append(line)
                qualifier = line[45:48].strip()
                pending.complements.setdefault(qualifier, []).append(line[48:118])
            elif code == "07":
                if statement is None:
                    raise StatementParseError(where, "solde final (07) sans solde initial (01).")
                self._same_account(line, account, where)
                if pending is not None:
                    yield self._finish(pending, statement)
                    pending = None
                statement.closing_date = _date(line[34:40], where)
                statement.closing_balance = decode_amount(line[90:104], decimals, where)
                statement.statement_id = (
                    f"{''.join(account)}:{statement.opening_date:%Y%m%d}-{statement.closing_date:%Y%m%d}"
                )
                check_balances(statement, where)
                statement = None
            else:
                raise StatementParseError(where, f"enregistrement « {code} » inconnu (01, 04, 05 ou 07 attendu).")
        if statement is not None:
            raise StatementParseError(
                f"ligne {last_line + 1}", "fin de fichier sans solde final (07) : fichier tronqué."
            )
        if not self.statements:
            raise StatementParseError("ligne 1", "aucun relevé CFONB (enregistrement 01) dans le fichier.")

    @staticmethod
    def _account(line: str, where: str) -> tuple[tuple[str, str, str], int]:
        bank, branch, account = line[2:7], line[11:16], line[21:32]
        if not (
            is_ascii_digits(bank)
            and is_ascii_digits(branch)
            and account.isascii()
            and account.isalnum()
            and len(account) == 11
        ):
            raise StatementParseError(where, "code banque, guichet ou numéro de compte illisible.")
        if not is_ascii_digits(line[19]):
            raise StatementParseError(where, f"nombre de décimales « {line[19]} » illisible.")
        return (bank, branch, account.upper()), int(line[19])

    @staticmethod
    def _same_account(line: str, account: tuple[str, str, str], where: str) -> None:
        if (line[2:7], line[11:16], line[21:32].upper()) != account:
            raise StatementParseError(where, "l'enregistrement porte sur un autre compte que le solde initial (01).")

    @staticmethod
    def _movement(line: str, statement: ParsedStatement, position: int, decimals: int, where: str) -> ParsedEntry:
        booking = _date(line[34:40], where)
        assert booking is not None
        number = line[81:88].strip()
        entry = ParsedEntry(
            statement_index=statement.index,
            position=position,
            amount=decode_amount(line[90:104], decimals, where),
            booking_date=booking,
            value_date=_date(line[42:48], where, required=False),
            bank_reference=f"{booking:%Y%m%d}/{number}" if number else "",
            label=line[48:79].strip(),
            bank_code=line[32:34].strip(),
            return_reason=line[40:42].strip(),
        )
        entry.raw = {"internal_code": line[7:11].strip(), "reference": line[104:120].strip()}
        return entry

    @staticmethod
    def _finish(pending: _Pending, statement: ParsedStatement) -> ParsedEntry:
        entry = pending.entry
        complements = pending.complements

        def first(qualifier: str, length: int = 70) -> str:
            values = complements.get(qualifier)
            return values[0][:length].strip() if values else ""

        lcc = complements.get("LCC", [])
        lc2 = complements.get("LC2", [])
        remittance = "".join(part.ljust(70) for part in lcc) + "".join(lc2)
        entry.remittance = " ".join(remittance.split())[:1000]
        entry.structured_reference = first("LCS", 35)
        entry.end_to_end_id = first("RCN", 35)
        extra = [value.strip() for value in complements.get("LIB", [])]
        entry.additional_info = " ".join(value for value in extra if value)[:1000]
        if entry.amount > 0:
            entry.counterparty_name = first("NPY")
            account = first("CPY", 34)
        else:
            entry.counterparty_name = first("NBE")
            account = first("CBE", 34)
        compact = account.replace(" ", "").upper()
        entry.counterparty_iban = compact if re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", compact) else ""
        entry.raw["lines"] = "\n".join(line.rstrip() for line in pending.lines)
        statement.booked_count += 1
        statement.booked_total += entry.amount
        return entry
