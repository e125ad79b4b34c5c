"""SEPA credit transfer initiation (pain.001.001.03), written with the standard library.

Used to send back an unidentified credit to its payer: one payment, one transaction, from the
condominium's account. The element order follows the pain.001.001.03 XSD; characters outside
the SEPA Latin set are transliterated (accents dropped) and texts cut to their maximum length.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


def sepa_text(text: str, length: int) -> str:
    """Latin letters, digits and / - ? : ( ) . , ' + and space only, at most `length` characters."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_SEPA.sub(" ", plain).split())[:length]


@dataclass(frozen=True)
class CreditTransfer:
    debtor_name: str
    debtor_iban: str
    debtor_bic: str
    creditor_name: str
    creditor_iban: str
    creditor_bic: str
    amount: Decimal
    end_to_end_id: str
    remittance: str
    message_id: str
    requested_date: datetime.date
    created_at: datetime.datetime


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def credit_transfer_document(transfer: CreditTransfer) -> str:
    """The pain.001.001.03 XML of one credit transfer (UTF-8 text with its declaration)."""
    amount = f"{transfer.amount.quantize(Decimal('0.01'))}"
    root = ET.Element("Document", {"xmlns": NAMESPACE})
    initiation = _sub(root, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", sepa_text(transfer.message_id, 35))
    _sub(header, "CreDtTm", transfer.created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    _sub(header, "NbOfTxs", "1")
    _sub(header, "CtrlSum", amount)
    _sub(_sub(header, "InitgPty"), "Nm", sepa_text(transfer.debtor_name, 70))
    payment = _sub(initiation, "PmtInf")
    _sub(payment, "PmtInfId", sepa_text(transfer.message_id, 35))
    _sub(payment, "PmtMtd", "TRF")
    _sub(payment, "BtchBookg", "false")
    _sub(payment, "NbOfTxs", "1")
    _sub(payment, "CtrlSum", amount)
    _sub(_sub(_sub(payment, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
    _sub(payment, "ReqdExctnDt", transfer.requested_date.isoformat())
    _sub(_sub(payment, "Dbtr"), "Nm", sepa_text(transfer.debtor_name, 70))
    _sub(_sub(_sub(payment, "DbtrAcct"), "Id"), "IBAN", transfer.debtor_iban)
    _sub(_sub(_sub(payment, "DbtrAgt"), "FinInstnId"), "BIC", transfer.debtor_bic)
    _sub(payment, "ChrgBr", "SLEV")
    transaction = _sub(payment, "CdtTrfTxInf")
    _sub(_sub(transaction, "PmtId"), "EndToEndId", sepa_text(transfer.end_to_end_id, 35))
    _sub(_sub(transaction, "Amt"), "InstdAmt", amount, Ccy="EUR")
    if transfer.creditor_bic:
        _sub(_sub(_sub(transaction, "CdtrAgt"), "FinInstnId"), "BIC", transfer.creditor_bic)
    _sub(_sub(transaction, "Cdtr"), "Nm", sepa_text(transfer.creditor_name, 70))
    _sub(_sub(_sub(transaction, "CdtrAcct"), "Id"), "IBAN", transfer.creditor_iban)
    _sub(_sub(transaction, "RmtInf"), "Ustrd", sepa_text(transfer.remittance, 140))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
