"""Statement files written from simple movements: for the demo, the tests and the benchmarks.

`camt053_document` and `cfonb120_document` write what a bank would send for a list of
`SampleMovement` (amount signed, positive = money in), with consistent balances. They use
string templates (fast enough for 100,000 entries) and escape every text.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from tantieme.banking.parsers.cfonb120 import encode_amount


@dataclass(frozen=True)
class SampleMovement:
    amount: Decimal
    day: datetime.date
    remittance: str = ""
    name: str = ""
    iban: str = ""
    end_to_end_id: str = "NOTPROVIDED"
    structured_reference: str = ""
    reference: str = ""  # the bank's AcctSvcrRef / numéro d'écriture
    label: str = ""
    bank_code: str = ""  # PMNT/RCDT/ESCT by default


def _entry_xml(movement: SampleMovement) -> str:
    credit = movement.amount > 0
    code = movement.bank_code or ("PMNT/RCDT/ESCT" if credit else "PMNT/ICDT/ESCT")
    domain, family, sub = ([*code.split("/"), "", "", ""])[:3]
    party = "Dbtr" if credit else "Cdtr"
    indicator = "CRDT" if credit else "DBIT"
    day = movement.day.isoformat()
    parts = [
        f'<Ntry><Amt Ccy="EUR">{abs(movement.amount):.2f}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>',
        f"<Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>",
    ]
    if movement.reference:
        parts.append(f"<AcctSvcrRef>{escape(movement.reference)}</AcctSvcrRef>")
    parts.append(
        f"<BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>"
    )
    if movement.label:
        parts.append(f"<AddtlNtryInf>{escape(movement.label)}</AddtlNtryInf>")
    parts.append(f"<NtryDtls><TxDtls><Refs><EndToEndId>{escape(movement.end_to_end_id)}</EndToEndId></Refs>")
    related = ""
    if movement.name:
        related += f"<{party}><Nm>{escape(movement.name)}</Nm></{party}>"
    if movement.iban:
        related += f"<{party}Acct><Id><IBAN>{movement.iban}</IBAN></Id></{party}Acct>"
    if related:
        parts.append(f"<RltdPties>{related}</RltdPties>")
    if movement.structured_reference:
        parts.append(
            "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
            f"<Ref>{escape(movement.structured_reference)}</Ref></CdtrRefInf></Strd></RmtInf>"
        )
    elif movement.remittance:
        parts.append(f"<RmtInf><Ustrd>{escape(movement.remittance[:140])}</Ustrd></RmtInf>")
    parts.append("</TxDtls></NtryDtls></Ntry>\n")
    return "".join(parts)


def camt053_chunks(
    *,
    iban: str,
    statement_id: str,
    opening_balance: Decimal,
    opening_date: datetime.date,
    closing_date: datetime.date,
    movements: Iterable[SampleMovement],
    count: int,
    net: Decimal,
    sequence: int = 1,
) -> Iterator[str]:
    """The document in pieces (to write a large file without holding it): `count` and `net` announced."""
    closing = opening_balance + net
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{escape(statement_id)}</MsgId><CreDtTm>{closing_date.isoformat()}T06:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{escape(statement_id)}</Id><ElctrncSeqNb>{sequence}</ElctrncSeqNb>"
        f"<CreDtTm>{closing_date.isoformat()}T06:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
        f'<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{abs(opening_balance):.2f}</Amt>'
        f"<CdtDbtInd>{'CRDT' if opening_balance >= 0 else 'DBIT'}</CdtDbtInd>"
        f"<Dt><Dt>{opening_date.isoformat()}</Dt></Dt></Bal>\n"
        f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{abs(closing):.2f}</Amt>'
        f"<CdtDbtInd>{'CRDT' if closing >= 0 else 'DBIT'}</CdtDbtInd>"
        f"<Dt><Dt>{closing_date.isoformat()}</Dt></Dt></Bal>\n"
        f"<TxsSummry><TtlNtries><NbOfNtries>{count}</NbOfNtries></TtlNtries></TxsSummry>\n"
    )
    for movement in movements:
        yield _entry_xml(movement)
    yield "</Stmt></BkToCstmrStmt></Document>\n"


def camt053_document(
    *,
    iban: str,
    statement_id: str,
    opening_balance: Decimal,
    opening_date: datetime.date,
    closing_date: datetime.date,
    movements: list[SampleMovement],
    sequence: int = 1,
) -> bytes:
    net = sum((movement.amount for movement in movements), Decimal("0.00"))
    return "".join(
        camt053_chunks(
            iban=iban,
            statement_id=statement_id,
            opening_balance=opening_balance,
            opening_date=opening_date,
            closing_date=closing_date,
            movements=movements,
            count=len(movements),
            net=net,
            sequence=sequence,
        )
    ).encode()


def _ascii(text: str, length: int) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char) and 32 <= ord(char) < 127)
    return plain.upper()[:length].ljust(length)


def cfonb120_document(
    *,
    iban: str,
    opening_balance: Decimal,
    opening_date: datetime.date,
    closing_date: datetime.date,
    movements: list[SampleMovement],
    line_breaks: bool = True,
) -> bytes:
    """A CFONB 120 statement of a French account (`iban` FRkk + bank + branch + account + key)."""
    bank, branch, account = iban[4:9], iban[9:14], iban[14:25]

    def head(code: str, day: datetime.date, interbank: str = "  ") -> str:
        return f"{code}{bank}    {branch}EUR2 {account}{interbank}{day:%d%m%y}"

    records = [head("01", opening_date) + " " * 50 + encode_amount(opening_balance) + " " * 16]
    for number, movement in enumerate(movements, start=1):
        interbank = "05" if movement.amount > 0 else "06"
        label = movement.label or f"VIR SEPA {movement.name}"
        entry_number = (movement.reference or f"{number:07d}")[-7:].rjust(7)
        records.append(
            head("04", movement.day, interbank)
            + f"  {movement.day:%d%m%y}"
            + _ascii(label, 31)
            + "  "
            + entry_number
            + "  "
            + encode_amount(movement.amount)
            + " " * 16
        )

        def complement(
            qualifier: str, text: str, *, interbank: str = interbank, day: datetime.date = movement.day
        ) -> str:
            return head("05", day, interbank) + "     " + qualifier + _ascii(text, 70) + "  "

        if movement.name:
            records.append(complement("NPY" if movement.amount > 0 else "NBE", movement.name))
        if movement.structured_reference:
            records.append(complement("LCS", movement.structured_reference))
        if movement.remittance:
            records.append(complement("LCC", movement.remittance[:70]))
            if len(movement.remittance) > 70:
                records.append(complement("LC2", movement.remittance[70:140]))
        if movement.end_to_end_id:
            records.append(complement("RCN", movement.end_to_end_id))
    closing = opening_balance + sum((movement.amount for movement in movements), Decimal("0.00"))
    records.append(head("07", closing_date) + " " * 50 + encode_amount(closing) + " " * 16)
    separator = "\r\n" if line_breaks else ""
    return (separator.join(records) + separator).encode("ascii")
