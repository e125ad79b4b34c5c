"""A CAMT.053 statement carrying the debit of a pain.001 we sent, in the shape of the spec (§11.7)
and of `../shared/data/statements/camt053_sample.xml`: built from the pain.001 file itself."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal
from xml.sax.saxutils import escape


def _ns(content: bytes) -> str:
    root = ET.fromstring(content)  # noqa: S314 - our own document
    return root.tag.split("}")[0] + "}"


def batch_entry(
    pain001: bytes,
    *,
    booking_date: datetime.date,
    reference: str = "2026101500077001",
    with_batch: bool = True,
    with_details: bool = True,
    only: set[str] | None = None,
) -> tuple[str, Decimal]:
    """The `Ntry` of the bank's debit of the file's first PmtInf, and its amount.

    `with_batch`: `NtryDtls/Btch` (PmtInfId, MsgId, NbOfTxs, TtlAmt); `with_details`: one `TxDtls`
    per transaction (EndToEndId, amount, creditor); `only`: the EndToEndIds the bank executed."""
    ns = _ns(pain001)
    root = ET.fromstring(pain001)  # noqa: S314 - our own document
    message_id = root.findtext(f"{ns}CstmrCdtTrfInitn/{ns}GrpHdr/{ns}MsgId") or ""
    payment = root.find(f"{ns}CstmrCdtTrfInitn/{ns}PmtInf")
    assert payment is not None
    pmt_inf_id = payment.findtext(f"{ns}PmtInfId") or ""
    details = []
    total = Decimal("0.00")
    for transaction in payment.findall(f"{ns}CdtTrfTxInf"):
        e2e = transaction.findtext(f"{ns}PmtId/{ns}EndToEndId") or ""
        if only is not None and e2e not in only:
            continue
        amount = Decimal(transaction.findtext(f"{ns}Amt/{ns}InstdAmt") or "0")
        total += amount
        name = transaction.findtext(f"{ns}Cdtr/{ns}Nm") or ""
        iban = transaction.findtext(f"{ns}CdtrAcct/{ns}Id/{ns}IBAN") or ""
        details.append(
            f"<TxDtls><Refs><EndToEndId>{escape(e2e)}</EndToEndId></Refs>"
            f'<AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>'
            f"<RltdPties><Cdtr><Nm>{escape(name)}</Nm></Cdtr><CdtrAcct><Id><IBAN>{iban}</IBAN></Id></CdtrAcct>"
            "</RltdPties></TxDtls>"
        )
    count = len(details)
    batch = (
        f"<Btch><MsgId>{message_id}</MsgId><PmtInfId>{pmt_inf_id}</PmtInfId><NbOfTxs>{count}</NbOfTxs>"
        f'<TtlAmt Ccy="EUR">{total}</TtlAmt><CdtDbtInd>DBIT</CdtDbtInd></Btch>'
    )
    day = booking_date.isoformat()
    entry = (
        f'<Ntry><NtryRef>1</NtryRef><Amt Ccy="EUR">{total}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{reference}</AcctSvcrRef>"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
        f"<NtryDtls>{batch if with_batch else ''}{''.join(details) if with_details else ''}</NtryDtls>"
        f"<AddtlNtryInf>VIREMENTS SEPA EMIS REMISE {message_id} {count} OPERATIONS</AddtlNtryInf></Ntry>"
    )
    return entry, total


def statement_with(
    entries: list[tuple[str, Decimal]],
    *,
    iban: str,
    day: datetime.date,
    opening: Decimal = Decimal("24310.55"),
    statement_id: str = "STMT-2026-288",
) -> bytes:
    """A one-day camt.053.001.02 statement of debits `entries`, balances consistent."""
    closing = opening - sum((amount for _xml, amount in entries), Decimal("0.00"))
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>{day}T06:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{statement_id}</Id><CreDtTm>{day}T06:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f'<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening}</Amt>'
        f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
        f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing}</Amt>'
        f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
        f"{''.join(xml for xml, _amount in entries)}</Stmt></BkToCstmrStmt></Document>\n"
    )
    return text.encode()
