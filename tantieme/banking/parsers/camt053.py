"""CAMT.053 (ISO 20022 `BkToCstmrStmt`), versions 001.02 and later, read as a stream.

The version comes from the namespace. Safety (XXE, billion laughs, network): the file must be in
an ASCII-compatible encoding expat reads natively (UTF-8, US-ASCII, ISO-8859-1) and carry no
document type declaration at all, the rule of defusedxml's `forbid_dtd=True`: without a DTD no
entity can be declared, so none can be expanded or fetched. Files under `DEFUSED_LIMIT` are
parsed by defusedxml itself; larger ones by the C pull parser of the standard library behind the
same refusal (defusedxml's pure-Python parser costs 18 s per 100,000 entries). Either way each
`Ntry` is read and then cleared, so memory stays flat whatever the number of entries. Only
booked entries (`Sts` `BOOK`, or `Sts/Cd` from 001.08) are yielded;
pending and informative ones are counted. A batch entry whose `TxDtls` carry their own amounts
yields one movement per transaction; each keeps, in `raw`, the batch it belongs to (`PmtInfId`,
`BtchMsgId`, `BtchNbOfTxs` and the entry's total `NtryAmt`), by which a supplier payment batch we
sent is recognised (`supplier_payments`).
"""

from __future__ import annotations

import datetime
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as defused_iterparse

from tantieme.banking.parsers.base import (
    ZERO,
    ParsedEntry,
    ParsedStatement,
    StatementParseError,
    StatementReader,
    check_amount,
    check_balances,
    is_ascii_digits,
)

NAMESPACE_RE = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})")
_AMOUNT_RE = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,2})?$")
_DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DECLARED_ENCODING_RE = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
NATIVE_ENCODINGS = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"})
DEFUSED_LIMIT = 2_000_000
FEED_SIZE = 1 << 16
OPENING_CODES = ("OPBD", "PRCD")
CLOSING_CODES = ("CLBD",)


def refuse_unsafe_xml(content: bytes) -> None:
    """No DTD (hence no entity), and an encoding in which that check on the bytes is reliable."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"\x4c\x6f\xa7\x94")) or b"\x00" in content[:4]:
        raise StatementParseError("XML", "encodage non pris en charge (UTF-8 attendu).")
    declared = _DECLARED_ENCODING_RE.match(content.removeprefix(b"\xef\xbb\xbf"))
    if declared is not None and declared.group(1).decode("ascii").lower() not in NATIVE_ENCODINGS:
        raise StatementParseError("XML", f"encodage « {declared.group(1).decode('ascii')[:20]} » non pris en charge.")
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise StatementParseError("XML", "déclaration de type de document (DTD) interdite dans un relevé.")


def _c_iterparse(content: bytes) -> Iterator[tuple[str, ET.Element]]:
    parser = ET.XMLPullParser(events=("end",))
    view = memoryview(content)
    for start in range(0, len(content), FEED_SIZE):
        parser.feed(bytes(view[start : start + FEED_SIZE]))
        yield from parser.read_events()  # type: ignore[misc]
    parser.close()
    yield from parser.read_events()  # type: ignore[misc]


def detect_version(content: bytes) -> int | None:
    """The camt.053 version named by the namespace (2 for 001.02), or None."""
    match = NAMESPACE_RE.search(content[:4096])
    return int(match.group(1)) if match else None


class Camt053Reader(StatementReader):
    format_name = "camt053"

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        version = detect_version(content)
        if version is None:
            raise StatementParseError("Document", "espace de noms camt.053 introuvable.")
        if version < 2:
            raise StatementParseError(
                "Document", f"camt.053.001.{version:02d} n'est pas pris en charge (001.02 et suivantes)."
            )
        self.version = version
        ns = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version:02d}"
        self.ns = ns
        self._q = "{" + ns + "}"
        self._paths: dict[str, tuple[str, ...]] = {}

    def _p(self, path: str) -> tuple[str, ...]:
        """ "NtryDtls/TxDtls" -> ("{ns}NtryDtls", "{ns}TxDtls") (cached): single-tag finds run in C."""
        steps = self._paths.get(path)
        if steps is None:
            steps = tuple(self._q + part for part in path.split("/"))
            self._paths[path] = steps
        return steps

    def _find(self, element: ET.Element, path: str) -> ET.Element | None:
        found: ET.Element | None = element
        for step in self._p(path):
            found = found.find(step)  # type: ignore[union-attr]
            if found is None:
                return None
        return found

    def _findall(self, element: ET.Element, path: str) -> list[ET.Element]:
        *parents, last = self._p(path)
        found: ET.Element | None = element
        for step in parents:
            found = found.find(step)  # type: ignore[union-attr]
            if found is None:
                return []
        assert found is not None
        return [child for child in found if child.tag == last]

    def _text(self, element: ET.Element, path: str) -> str:
        found = self._find(element, path)
        if found is None or found.text is None:
            return ""
        return found.text.strip()

    def _texts(self, element: ET.Element, path: str) -> list[str]:
        return [found.text.strip() for found in self._findall(element, path) if found.text and found.text.strip()]

    # --- values -------------------------------------------------------------------------------

    def _amount(self, element: ET.Element | None, where: str, currency: str) -> Decimal:
        if element is None or element.text is None:
            raise StatementParseError(where, "montant absent.")
        text = element.text.strip()
        if not _AMOUNT_RE.match(text):
            raise StatementParseError(where, f"montant illisible « {text[:40]} ».")
        ccy = element.get("Ccy", "")
        if currency and ccy and ccy != currency:
            raise StatementParseError(where, f"devise {ccy[:5]} différente de celle du compte ({currency}).")
        return check_amount(Decimal(text), where)

    def _date(self, element: ET.Element, path: str, where: str, *, required: bool) -> datetime.date | None:
        text = self._text(element, path + "/Dt") or self._text(element, path + "/DtTm")
        return self._parse_date(text, path, where, required=required)

    def _parse_date(self, text: str, path: str, where: str, *, required: bool) -> datetime.date | None:
        if not text:
            if required:
                raise StatementParseError(where, f"date {path} absente.")
            return None
        match = _DATE_RE.match(text)
        if match is None:
            raise StatementParseError(where, f"date illisible « {text[:30]} ».")
        try:
            return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise StatementParseError(where, f"date impossible « {text[:30]} ».") from None

    def _sign(self, element: ET.Element, where: str) -> int:
        indicator = self._text(element, "CdtDbtInd")
        if indicator == "CRDT":
            return 1
        if indicator == "DBIT":
            return -1
        raise StatementParseError(where, f"CdtDbtInd « {indicator[:10]} » (attendu CRDT ou DBIT).")

    # --- statement parts ----------------------------------------------------------------------

    def _account(self, statement: ParsedStatement, element: ET.Element) -> None:
        statement.iban = self._text(element, "Id/IBAN").replace(" ", "").upper()
        statement.currency = self._text(element, "Ccy") or "EUR"
        if not statement.iban:
            other = self._text(element, "Id/Othr/Id")
            statement.iban = other.replace(" ", "").upper()

    def _balance(self, statement: ParsedStatement, element: ET.Element, where: str) -> None:
        code = self._text(element, "Tp/CdOrPrtry/Cd")
        if code not in OPENING_CODES + CLOSING_CODES:
            return
        amount = self._sign(element, where) * self._amount(self._find(element, "Amt"), where, statement.currency)
        day = self._date(element, "Dt", where, required=False)
        if code in OPENING_CODES:
            if statement.opening_balance is None or code == "OPBD":
                statement.opening_balance, statement.opening_date = amount, day
        else:
            statement.closing_balance, statement.closing_date = amount, day

    def _entries_of(self, statement: ParsedStatement, element: ET.Element, position: int) -> list[ParsedEntry]:
        where = f"Stmt {statement.index + 1} / Ntry {position}"
        sign = self._sign(element, where)
        amount = sign * self._amount(self._find(element, "Amt"), where, statement.currency)
        status = self._text(element, "Sts") or self._text(element, "Sts/Cd")
        if not status:
            raise StatementParseError(where, "statut (Sts) absent.")
        if status != "BOOK":
            statement.pending_count += 1
            return []
        booking = self._date(element, "BookgDt", where, required=True)
        assert booking is not None
        value = self._date(element, "ValDt", where, required=False)
        domain = "/".join(
            part
            for part in (
                self._text(element, "BkTxCd/Domn/Cd"),
                self._text(element, "BkTxCd/Domn/Fmly/Cd"),
                self._text(element, "BkTxCd/Domn/Fmly/SubFmlyCd"),
            )
            if part
        )
        proprietary = self._text(element, "BkTxCd/Prtry/Cd")
        base = ParsedEntry(
            statement_index=statement.index,
            position=position,
            amount=amount,
            booking_date=booking,
            value_date=value,
            bank_reference=self._text(element, "AcctSvcrRef"),
            additional_info=self._text(element, "AddtlNtryInf"),
            bank_code=domain or proprietary,
            reversal=self._text(element, "RvslInd").lower() == "true",
        )
        base.raw = {"NtryRef": self._text(element, "NtryRef"), "BkTxCd": domain, "Prtry": proprietary}
        self._batch(base, element, amount)
        details = self._findall(element, "NtryDtls/TxDtls")
        split: list[tuple[ET.Element, Decimal]] = []
        if len(details) > 1:
            total = ZERO
            for detail in details:
                tx_amount = self._find(detail, "AmtDtls/TxAmt/Amt")
                if tx_amount is None:
                    split = []
                    break
                part = sign * self._amount(tx_amount, where + " / TxDtls", statement.currency)
                split.append((detail, part))
                total += part
            if split and total != amount:
                raise StatementParseError(where, f"les transactions du lot totalisent {total}, l'écriture {amount}.")
        if split:
            entries = []
            for rank, (detail, part) in enumerate(split, start=1):
                entry = ParsedEntry(
                    statement_index=base.statement_index,
                    position=position,
                    amount=part,
                    booking_date=base.booking_date,
                    value_date=base.value_date,
                    additional_info=base.additional_info,
                    bank_code=base.bank_code,
                    reversal=base.reversal,
                )
                self._details(entry, [detail], sign)
                reference = self._text(detail, "Refs/AcctSvcrRef")
                entry.bank_reference = (
                    reference
                    if reference and reference != base.bank_reference
                    else (f"{base.bank_reference}/{rank}" if base.bank_reference else "")
                )
                entry.raw = dict(base.raw, batch=str(rank))
                entries.append(entry)
            return entries
        self._details(base, details, sign)
        if not base.bank_reference and len(details) == 1:
            base.bank_reference = self._text(details[0], "Refs/AcctSvcrRef")
        return [base]

    def _batch(self, entry: ParsedEntry, element: ET.Element, amount: Decimal) -> None:
        """The batch an entry books (`NtryDtls/Btch`, or the `Refs/PmtInfId` of its transactions): what a
        supplier payment file we sent is recognised by (`PmtInfId`, `MsgId`, number, entry total)."""
        payment_info = self._text(element, "NtryDtls/Btch/PmtInfId") or next(
            iter(self._texts_of_details(element, "Refs/PmtInfId")), ""
        )
        message = self._text(element, "NtryDtls/Btch/MsgId") or next(
            iter(self._texts_of_details(element, "Refs/MsgId")), ""
        )
        if payment_info:
            entry.raw["PmtInfId"] = payment_info[:35]
        if message:
            entry.raw["BtchMsgId"] = message[:35]
        count = self._text(element, "NtryDtls/Btch/NbOfTxs")
        if count and is_ascii_digits(count):
            entry.raw["BtchNbOfTxs"] = count[:15]
        if payment_info or message or count:
            entry.raw["NtryAmt"] = str(amount)

    def _texts_of_details(self, element: ET.Element, path: str) -> list[str]:
        return [text for detail in self._findall(element, "NtryDtls/TxDtls") for text in self._texts(detail, path)]

    def _details(self, entry: ParsedEntry, details: list[ET.Element], sign: int) -> None:
        remittance: list[str] = []
        structured: list[str] = []
        end_to_end: list[str] = []
        names: list[str] = []
        ibans: list[str] = []
        bics: list[str] = []
        extra: list[str] = []
        reasons: list[str] = []
        party = "Dbtr" if sign > 0 else "Cdtr"
        for detail in details:
            remittance += self._texts(detail, "RmtInf/Ustrd")
            structured += self._texts(detail, "RmtInf/Strd/CdtrRefInf/Ref")
            end_to_end += self._texts(detail, "Refs/EndToEndId")
            name = self._text(detail, f"RltdPties/{party}/Nm") or self._text(detail, f"RltdPties/{party}/Pty/Nm")
            if not name:
                name = self._text(detail, f"RltdPties/Ultmt{party}/Nm")
            if name:
                names.append(name)
            iban = self._text(detail, f"RltdPties/{party}Acct/Id/IBAN")
            if iban:
                ibans.append(iban.replace(" ", "").upper())
            bic = self._text(detail, f"RltdAgts/{party}Agt/FinInstnId/BIC") or self._text(
                detail, f"RltdAgts/{party}Agt/FinInstnId/BICFI"
            )
            if bic:
                bics.append(bic)
            extra += self._texts(detail, "AddtlTxInf")
            reason = self._text(detail, "RtrInf/Rsn/Cd")
            if reason:
                reasons.append(reason)
        entry.remittance = " ".join(remittance)[:1000]
        entry.structured_reference = " ".join(structured)[:140]
        entry.end_to_end_id = " ".join(end_to_end)[:140]
        entry.counterparty_name = " / ".join(names)[:140]
        entry.counterparty_iban = ibans[0][:34] if len(set(ibans)) == 1 else ""
        entry.counterparty_bic = bics[0][:11] if len(set(bics)) == 1 else ""
        entry.additional_info = " ".join(part for part in [entry.additional_info, *extra] if part)[:1000]
        entry.return_reason = ",".join(reasons)[:35]

    def _summary(self, statement: ParsedStatement, element: ET.Element, counted: int) -> None:
        declared = self._text(element, "TtlNtries/NbOfNtries")
        if declared and is_ascii_digits(declared) and int(declared) != counted:
            raise StatementParseError(
                f"Stmt {statement.index + 1} / TxsSummry",
                f"le relevé annonce {int(declared)} écritures, le fichier en contient {counted} (fichier tronqué ?).",
            )

    # --- the stream ---------------------------------------------------------------------------

    def entries(self) -> Iterator[ParsedEntry]:  # noqa: PLR0912, PLR0915 - one branch per statement element
        q = self._q
        tag_ntry, tag_stmt, tag_acct, tag_bal = q + "Ntry", q + "Stmt", q + "Acct", q + "Bal"
        tag_summary, tag_document = q + "TxsSummry", q + "Document"
        statement: ParsedStatement | None = None
        entries_in_statement = 0
        summary: ET.Element | None = None
        position = 0
        root_seen = False
        refuse_unsafe_xml(self.content)
        events: Iterator[tuple[str, ET.Element]]
        if len(self.content) <= DEFUSED_LIMIT:
            events = defused_iterparse(io.BytesIO(self.content), events=("end",), forbid_dtd=True)
        else:
            events = _c_iterparse(self.content)
        try:
            for _event, element in events:
                tag = element.tag
                if tag == tag_ntry:
                    if statement is None:
                        raise StatementParseError("Ntry", "écriture hors d'un relevé (Stmt).")
                    position += 1
                    entries_in_statement += 1
                    for entry in self._entries_of(statement, element, position):
                        statement.booked_count += 1
                        statement.booked_total += entry.amount
                        yield entry
                    element.clear()
                    continue
                if tag == tag_stmt:
                    if statement is None:
                        statement = self._open_statement()
                    self._close_statement(statement, element, summary, entries_in_statement)
                    element.clear()
                    statement, summary, entries_in_statement = None, None, 0
                    continue
                if tag in (tag_acct, tag_bal, tag_summary):
                    if statement is None:
                        statement = self._open_statement()
                    if entries_in_statement:
                        continue  # an Acct or Bal inside an entry's details, not the statement's
                    if tag == tag_acct and not statement.iban:
                        self._account(statement, element)
                    elif tag == tag_bal:
                        self._balance(statement, element, f"Stmt {statement.index + 1} / Bal")
                    elif tag == tag_summary:
                        summary = element
                    continue
                if tag == tag_document:
                    root_seen = True
        except (ET.ParseError, DefusedXmlException) as error:
            position_info = getattr(error, "position", None)
            where = f"ligne {position_info[0]}, colonne {position_info[1]}" if position_info else "XML"
            raise StatementParseError(where, f"XML invalide ou interdit ({type(error).__name__}: {error}).") from None
        except (UnicodeError, LookupError) as error:
            raise StatementParseError("XML", f"encodage illisible ({error}).") from None
        if not root_seen:
            raise StatementParseError("Document", "élément racine Document absent.")
        if statement is not None:
            raise StatementParseError(f"Stmt {statement.index + 1}", "relevé inachevé (fichier tronqué).")
        if not self.statements:
            raise StatementParseError("BkToCstmrStmt", "aucun relevé (Stmt) dans le fichier.")

    def _open_statement(self) -> ParsedStatement:
        statement = ParsedStatement(index=len(self.statements))
        self.statements.append(statement)
        return statement

    def _close_statement(
        self, statement: ParsedStatement, element: ET.Element, summary: ET.Element | None, counted: int
    ) -> None:
        where = f"Stmt {statement.index + 1}"
        statement.statement_id = self._text(element, "Id")[:35]
        statement.sequence = (self._text(element, "ElctrncSeqNb") or self._text(element, "LglSeqNb"))[:20]
        if not statement.iban:
            raise StatementParseError(where + " / Acct", "IBAN du compte absent.")
        if statement.opening_balance is None:
            raise StatementParseError(where + " / Bal", "solde d'ouverture (OPBD) absent.")
        if statement.closing_balance is None:
            raise StatementParseError(where + " / Bal", "solde de clôture (CLBD) absent.")
        if statement.opening_date is None or statement.closing_date is None:
            frm = self._parse_date(self._text(element, "FrToDt/FrDtTm"), "FrDtTm", where, required=False)
            to = self._parse_date(self._text(element, "FrToDt/ToDtTm"), "ToDtTm", where, required=False)
            statement.opening_date = statement.opening_date or frm
            statement.closing_date = statement.closing_date or to
        if summary is not None:
            self._summary(statement, summary, counted)
        check_balances(statement, where)
