"""OFX 1.x (SGML) and 2.x (XML) statements, as exported by online banking ("format Money").

A last resort: names are truncated and remittance texts merged. Read with regular expressions
(no XML parser, hence no entity to expand): each `<STMTTRN>` block gives a movement, `FITID`
its unique key, `<LEDGERBAL>` the closing balance. OFX has no opening balance: it is derived
(closing − movements), so the balance is not checked.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal

from tantieme.banking.parsers.base import (
    ParsedEntry,
    ParsedStatement,
    StatementParseError,
    StatementReader,
    check_amount,
    is_ascii_digits,
)
from tantieme.banking.parsers.cfonb120 import iban_from_rib

_BLOCK_RE = re.compile(r"<STMTTRN>(.*?)(?:</STMTTRN>|(?=<STMTTRN>)|(?=</BANKTRANLIST>))", re.S | re.I)
_STMT_RE = re.compile(r"<STMTRS>(.*?)(?:</STMTRS>|$)", re.S | re.I)
_AMOUNT_RE = re.compile(r"^[+-]?[0-9]{1,13}([.,][0-9]{1,2})?$")
_DATE_RE = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_like_ofx(content: bytes) -> bool:
    head = content[:2048].upper()
    return b"OFXHEADER" in head or b"<OFX>" in head or b"<?OFX" in head


def _field(block: str, name: str) -> str:
    match = re.search(rf"<{name}>([^<\r\n]*)", block, re.I)
    return match.group(1).strip() if match else ""


def _date(text: str, where: str, *, required: bool = True) -> datetime.date | None:
    if not text:
        if required:
            raise StatementParseError(where, "date absente.")
        return None
    match = _DATE_RE.match(text)
    if match is None:
        raise StatementParseError(where, f"date illisible « {text[:20]} ».")
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise StatementParseError(where, f"date impossible « {text[:20]} ».") from None


def _amount(text: str, where: str) -> Decimal:
    compact = text.replace(" ", "")
    if not _AMOUNT_RE.match(compact):
        raise StatementParseError(where, f"montant illisible « {text[:30]} ».")
    return check_amount(Decimal(compact.replace(",", ".")).quantize(Decimal("0.01")), where)


class OfxReader(StatementReader):
    format_name = "ofx"

    def entries(self) -> Iterator[ParsedEntry]:
        try:
            text = self.content.decode("utf-8")
        except UnicodeDecodeError:
            text = self.content.decode("latin-1")
        if _CONTROL_RE.search(text):
            raise StatementParseError("OFX", "caractère de contrôle dans le fichier.")
        if "<OFX>" not in text.upper():
            raise StatementParseError("OFX", "balise <OFX> absente.")
        blocks = list(_STMT_RE.finditer(text))
        if not blocks:
            raise StatementParseError("OFX", "aucun relevé (<STMTRS>) dans le fichier.")
        position = 0
        for index, block_match in enumerate(blocks):
            block = block_match.group(1)
            where = f"STMTRS {index + 1}"
            if "</STMTRS>" not in block_match.group(0).upper():
                raise StatementParseError(where, "relevé inachevé (</STMTRS> absent) : fichier tronqué.")
            statement = ParsedStatement(index=index)
            statement.currency = _field(block, "CURDEF") or "EUR"
            statement.iban = self._account(block, where)
            statement.statement_id = f"{statement.iban}:{_field(block, 'DTSTART')[:8]}-{_field(block, 'DTEND')[:8]}"
            ledger = re.search(r"<LEDGERBAL>(.*?)(?:</LEDGERBAL>|$)", block, re.S | re.I)
            if ledger is None:
                raise StatementParseError(where, "solde (<LEDGERBAL>) absent.")
            statement.closing_balance = _amount(_field(ledger.group(1), "BALAMT"), where + " / LEDGERBAL")
            statement.closing_date = _date(_field(ledger.group(1), "DTASOF"), where + " / LEDGERBAL", required=False)
            statement.opening_date = _date(_field(block, "DTSTART"), where, required=False)
            self.statements.append(statement)
            for rank, transaction in enumerate(_BLOCK_RE.finditer(block), start=1):
                position += 1
                yield self._entry(transaction.group(1), statement, position, f"{where} / STMTTRN {rank}")
            statement.opening_balance = statement.closing_balance - statement.booked_total

    @staticmethod
    def _account(block: str, where: str) -> str:
        bank, branch, account = _field(block, "BANKID"), _field(block, "BRANCHID"), _field(block, "ACCTID")
        compact = account.replace(" ", "").upper()
        if re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", compact):
            return compact
        if len(compact) == 13 and is_ascii_digits(compact[-2:]):
            compact = compact[:11]  # ACCTID with its RIB key
        bank_ok = is_ascii_digits(bank) and len(bank) == 5 and is_ascii_digits(branch) and len(branch) == 5
        if bank_ok and compact.isascii() and compact.isalnum() and len(compact) == 11:
            return iban_from_rib(bank, branch, compact)
        raise StatementParseError(where, "compte (BANKID, BRANCHID, ACCTID) illisible.")

    @staticmethod
    def _entry(block: str, statement: ParsedStatement, position: int, where: str) -> ParsedEntry:
        amount = _amount(_field(block, "TRNAMT"), where)
        booking = _date(_field(block, "DTPOSTED"), where)
        assert booking is not None
        fitid = _field(block, "FITID")[:80]
        name, memo = _field(block, "NAME")[:140], _field(block, "MEMO")[:1000]
        entry = ParsedEntry(
            statement_index=statement.index,
            position=position,
            amount=amount,
            booking_date=booking,
            value_date=_date(_field(block, "DTUSER"), where, required=False),
            bank_reference=fitid,
            label=name,
            remittance=memo,
            counterparty_name=name,
            bank_code=_field(block, "TRNTYPE")[:20],
        )
        entry.raw = {"block": block.strip()[:2000]}
        statement.booked_count += 1
        statement.booked_total += amount
        return entry
