"""Read a Factur-X PDF (embedded CII XML, EN 16931) into the fields of an invoice (spec §7.3–7.5).

`facturx.get_xml_from_pdf` finds the embedded XML and `facturx.parse_ubl_cii_xml` reads it into a
dict keyed by business terms (BT-1 number, BT-2 date, BG-4 seller…); XSD checked locally, no
schematron (it needs a Saxon server). Nothing here touches the database: the caller matches the
seller to a supplier and the user confirms every field.

TTC per line (§3.3): net × (1 + rate), rounded by largest remainder so that the lines add up to
BT-112 exactly; document-level allowances and charges are thereby spread pro rata.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from facturx import get_xml_from_pdf, parse_ubl_cii_xml

from tantieme.core.money import CENT, allocate

logger = logging.getLogger(__name__)

# UNTDID 1001 codes of credit notes (the list factur-x documents as its CREDIT_NOTE_TYPE_CODES).
CREDIT_NOTE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "502", "503", "532"})
MAX_XML_BYTES = 5_000_000


@dataclass(frozen=True)
class PrefillLine:
    label: str
    net_amount: Decimal | None
    vat_rate: Decimal | None
    amount: Decimal  # TTC
    accounting_reference: str = ""  # BT-133, « 611 CG » when the supplier agreed to send it


@dataclass(frozen=True)
class Prefill:
    """What a Factur-X invoice says, ready to prefill the entry form."""

    xml: str
    number: str = ""
    type_code: str = "380"
    issue_date: datetime.date | None = None
    due_date: datetime.date | None = None
    service_date: datetime.date | None = None
    seller_name: str = ""
    seller_siren: str = ""
    seller_siret: str = ""
    seller_vat: str = ""
    buyer_siren: str = ""
    buyer_reference: str = ""
    payee_iban: str = ""
    remittance: str = ""
    payment_means_code: str = ""
    preceding_number: str = ""
    total_ht: Decimal | None = None
    total_vat: Decimal | None = None
    total_ttc: Decimal | None = None
    lines: list[PrefillLine] = field(default_factory=list)

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in CREDIT_NOTE_CODES


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def extract_xml(pdf: bytes) -> bytes | None:
    """The CII/UBL XML embedded in a PDF, or None for a plain PDF (or one that is not valid)."""
    try:
        _name, xml = get_xml_from_pdf(pdf, check_xsd=True)
    except Exception:
        logger.info("Factur-X: unreadable PDF", exc_info=True)
        return None
    if not xml or len(xml) > MAX_XML_BYTES:
        return None
    return bytes(xml)


def _seller_ids(seller: dict[str, Any]) -> tuple[str, str]:
    """(SIREN, SIRET) from the seller's legal identifier (scheme 0002 SIREN, 0009 SIRET) and ids."""
    siren = siret = ""
    candidates = [(seller.get("legal_identifier"), seller.get("legal_identifier_schemeid"))]
    for key in ("identifiers", "identifier"):
        extra = seller.get(key)
        if isinstance(extra, list):
            candidates += [(item.get("id"), item.get("schemeid")) for item in extra if isinstance(item, dict)]
    for value, scheme in candidates:
        digits = "".join(str(value or "").split())
        if not digits.isdigit():
            continue
        if len(digits) == 14 and scheme in (None, "", "0009"):
            siret = siret or digits
        elif len(digits) == 9 and scheme in (None, "", "0002"):
            siren = siren or digits
    if siret and not siren:
        siren = siret[:9]
    return siren, siret


def _lines(data: dict[str, Any], total_ttc: Decimal | None) -> list[PrefillLine]:
    raw = [line for line in data.get("BG-25") or [] if isinstance(line, dict)]
    parsed = []
    for line in raw:
        net = _decimal(line.get("BT-131"))
        rate = _decimal(line.get("BT-152"))
        label = str(line.get("BT-153") or line.get("BT-154") or "")[:200]
        parsed.append((label, net, rate, str(line.get("BT-133") or "")[:40]))
    if not parsed or any(net is None for _label, net, _rate, _ref in parsed):
        return []
    exact = [net * (1 + (rate or Decimal(0)) / 100) for _label, net, rate, _ref in parsed if net is not None]
    if total_ttc is None:
        amounts = [value.quantize(CENT) for value in exact]
    elif sum(exact) == 0 or any(value <= 0 for value in exact):
        return []  # negative lines (discounts): allocation typed by hand
    else:
        amounts = allocate(total_ttc, exact)
    return [
        PrefillLine(label=label, net_amount=net, vat_rate=rate, amount=amount, accounting_reference=reference)
        for (label, net, rate, reference), amount in zip(parsed, amounts, strict=True)
    ]


def read_facturx(pdf: bytes) -> Prefill | None:
    """The invoice a Factur-X PDF carries, or None when it carries none (a plain PDF)."""
    xml = extract_xml(pdf)
    if xml is None:
        return None
    try:
        data = parse_ubl_cii_xml(xml, check_xsd=True, date_as="string")
    except Exception:
        logger.info("Factur-X: unreadable XML", exc_info=True)
        return None
    if not isinstance(data, dict):
        return None
    seller = data.get("BG-4") or {}
    buyer = data.get("BG-7") or {}
    siren, siret = _seller_ids(seller if isinstance(seller, dict) else {})
    buyer_siren, _buyer_siret = _seller_ids(buyer if isinstance(buyer, dict) else {})
    total_ttc = _decimal(data.get("BT-112"))
    preceding = data.get("BG-3")
    preceding_number = ""
    if isinstance(preceding, list) and preceding and isinstance(preceding[0], dict):
        preceding_number = str(preceding[0].get("BT-25") or "")
    elif isinstance(preceding, dict):
        preceding_number = str(preceding.get("BT-25") or "")
    iban = data.get("BT-84") or ""
    if isinstance(iban, list):
        iban = iban[0] if iban else ""
    type_code = str(data.get("BT-3") or "380")
    if total_ttc is not None and total_ttc < 0:
        total_ttc = -total_ttc
    return Prefill(
        xml=xml.decode("utf-8", errors="replace"),
        number=str(data.get("BT-1") or "")[:40],
        type_code=type_code,
        issue_date=_date(data.get("BT-2")),
        due_date=_date(data.get("BT-9")),
        service_date=_date(data.get("BT-72")),
        seller_name=str(seller.get("name") or "") if isinstance(seller, dict) else "",
        seller_siren=siren,
        seller_siret=siret,
        seller_vat="".join(str(seller.get("vat_identifier") or "").split()).upper() if isinstance(seller, dict) else "",
        buyer_siren=buyer_siren,
        buyer_reference=str(data.get("BT-10") or ""),
        payee_iban="".join(str(iban).split()).upper(),
        remittance=str(data.get("BT-83") or "")[:140],
        payment_means_code=str(data.get("BT-81") or ""),
        preceding_number=preceding_number[:40],
        total_ht=_decimal(data.get("BT-109")),
        total_vat=_decimal(data.get("BT-110")),
        total_ttc=total_ttc,
        lines=_lines(data, total_ttc),
    )
