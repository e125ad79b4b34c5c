"""SEPA credit transfer initiation files (ISO 20022 pain.001), written, checked and validated.

One writer for every credit transfer Tantième sends to a bank: supplier payment batches in
pain.001.001.09 (spec expenses-and-suppliers §6.3) and the return of an unidentified credit in
pain.001.001.03 (`banking.sepa`). Pure functions, no Django: the callers give plain values.

What a file gets, in this order:
1. `check_message` — the rules of the EPC implementation guidelines the XSD cannot express, on
   the values: identifiers (`MsgId`, `PmtInfId`, `EndToEndId`) in the SEPA character set and
   unique, amounts of 0.01 to 999 999 999.99 with at most two decimals, names ≤ 70 and remittance
   ≤ 140 characters *after* transliteration (never cut silently: the tail holds the invoice
   number), IBANs mod-97 valid, BICs of the XSD pattern, a structured creditor address with town
   and country, an execution date that is a TARGET business day and not in the past;
2. serialisation: `NbOfTxs` and `CtrlSum` computed at group and PmtInf level, amounts with two
   decimals, texts transliterated to the EPC basic Latin set (é→e, &→+);
3. `validate_xml` against the official XSD kept in `tantieme/formats/xsd/` (see its README) and
   `check_document` on the bytes written (the XSD accepts a CtrlSum of 15885.001 or NbOfTxs=5 on a
   4-transaction file; `check_document` does not).
`build_credit_transfer` runs the three and raises `Pain001Error` with every problem found.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

PAIN_001_001_09 = "pain.001.001.09"
PAIN_001_001_03 = "pain.001.001.03"
VERSIONS = (PAIN_001_001_09, PAIN_001_001_03)
XSD_DIR = Path(__file__).resolve().parent / "xsd"

CENT = Decimal("0.01")
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
NAME_LENGTH = 70
REMITTANCE_LENGTH = 140
IDENTIFIER_LENGTH = 35

_SEPA_CHARACTERS = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]*$")
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
_BIC = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_TWO_DECIMALS = re.compile(r"^[0-9]+\.[0-9]{2}$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$")
# Characters NFKD does not reduce to basic Latin, mapped as the EPC transliteration table does.
_SPECIAL = str.maketrans(
    {
        "&": "+",
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "’": "'",
        "‘": "'",
        "‚": ",",
        "–": "-",
        "—": "-",
        "‐": "-",
        "_": "-",
        "€": "EUR",
        "°": "o",
        "\u00a0": " ",
        "\u202f": " ",
    }
)


class Pain001Error(ValueError):
    """The file cannot be written (or a written file is not acceptable): every problem, in French."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(" ; ".join(self.problems))


@dataclass(frozen=True)
class PostalAddress:
    """A structured address (required structured or hybrid by the EPC from November 2026)."""

    town: str
    country: str  # ISO 3166-1 alpha-2
    street: str = ""
    building_number: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class Party:
    """A debtor or a creditor: the account holder's name, the account, the bank if known."""

    name: str
    iban: str
    bic: str = ""
    address: PostalAddress | None = None


@dataclass(frozen=True)
class Transfer:
    """One `CdtTrfTxInf`: `remittance` goes to `Ustrd`; an ISO 11649 `creditor_reference` (RF…)
    goes to `Strd/CdtrRefInf` instead (the EPC allows one or the other)."""

    end_to_end_id: str
    amount: Decimal
    creditor: Party
    remittance: str = ""
    creditor_reference: str = ""


@dataclass(frozen=True)
class PaymentInstruction:
    """One `PmtInf`: one debit on the statement for all its transfers when `batch_booking`."""

    payment_info_id: str
    execution_date: datetime.date
    transfers: tuple[Transfer, ...]
    batch_booking: bool = True


@dataclass(frozen=True)
class CreditTransferMessage:
    """One file: one debtor account, one or more `PmtInf` (one per execution date)."""

    message_id: str
    created_at: datetime.datetime  # aware: written with its offset
    debtor: Party
    instructions: tuple[PaymentInstruction, ...]
    initiating_party: str = ""  # defaults to the debtor's name
    version: str = PAIN_001_001_09

    @property
    def transfers(self) -> list[Transfer]:
        return [transfer for instruction in self.instructions for transfer in instruction.transfers]

    @property
    def number_of_transactions(self) -> int:
        return len(self.transfers)

    @property
    def control_sum(self) -> Decimal:
        return sum((transfer.amount for transfer in self.transfers), Decimal("0.00"))


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.items.append(text)


# --- Text ---------------------------------------------------------------------------------------


def transliterate(text: str) -> str:
    """The EPC basic Latin form of `text`: accents dropped, « & » as « + », anything else outside
    a–z A–Z 0–9 / - ? : ( ) . , ' + and space turned into a space; spaces collapsed. Never cut."""
    text = (text or "").translate(_SPECIAL)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_SEPA.sub(" ", text).split())


def is_sepa_identifier(value: str) -> bool:
    """An identifier the EPC accepts: 1–35 characters of the set, no leading or trailing « / »,
    no « // », no leading or trailing space."""
    return (
        0 < len(value) <= IDENTIFIER_LENGTH
        and bool(_SEPA_CHARACTERS.match(value))
        and value == value.strip()
        and not value.startswith("/")
        and not value.endswith("/")
        and "//" not in value
    )


def format_amount(value: Decimal) -> str:
    """« 15885.00 »: two decimals, a point, no thousands separator."""
    return format(value.quantize(CENT), "f")


def iban_is_valid(iban: str) -> bool:
    """ISO 13616: shape and mod 97 = 1 (the national checks are the callers', with schwifty)."""
    if not _IBAN.match(iban) or len(iban) > 34:
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


# --- TARGET2 business days ----------------------------------------------------------------------


def _easter(year: int) -> datetime.date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@functools.cache
def target_holidays(year: int) -> frozenset[datetime.date]:
    """TARGET2 closing days besides weekends: 1 Jan, Good Friday, Easter Monday, 1 May, 25–26 Dec."""
    easter = _easter(year)
    return frozenset(
        {
            datetime.date(year, 1, 1),
            easter - datetime.timedelta(days=2),
            easter + datetime.timedelta(days=1),
            datetime.date(year, 5, 1),
            datetime.date(year, 12, 25),
            datetime.date(year, 12, 26),
        }
    )


def is_target_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in target_holidays(day.year)


def next_target_business_day(day: datetime.date) -> datetime.date:
    """`day` itself when it is a TARGET business day, else the next one."""
    while not is_target_business_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_target_business_days(day: datetime.date, count: int) -> datetime.date:
    for _step in range(count):
        day = next_target_business_day(day + datetime.timedelta(days=1))
    return day


# --- Checks on the values -----------------------------------------------------------------------


def _check_identifier(value: str, what: str, problems: _Problems) -> None:
    if not is_sepa_identifier(value):
        problems.add(
            f"{what} « {value[:40]} » invalide : 1 à 35 caractères parmi A–Z a–z 0–9 / - ? : ( ) . , ' + et "
            "l'espace, sans « / » au début ni à la fin ni « // »."
        )


def _check_party(party: Party, what: str, problems: _Problems, *, address_allowed: bool = True) -> None:
    name = transliterate(party.name)
    if not name:
        problems.add(f"{what} : nom absent.")
    elif len(name) > NAME_LENGTH:
        problems.add(f"{what} : nom « {name[:40]}… » de {len(name)} caractères (70 au plus, règle EPC).")
    if not iban_is_valid(party.iban):
        problems.add(f"{what} : IBAN « {party.iban[:40]} » invalide (clé ISO 13616).")
    if party.bic and not _BIC.match(party.bic):
        problems.add(f"{what} : BIC « {party.bic[:20]} » invalide (8 ou 11 caractères).")
    address = party.address
    if address is not None and address_allowed:
        if not transliterate(address.town) or not _COUNTRY.match(address.country):
            problems.add(f"{what} : adresse sans ville ou sans pays (ISO 3166, deux lettres) — adresse structurée.")
        for value, length, label in (
            (address.street, 70, "rue"),
            (address.building_number, 16, "numéro"),
            (address.postcode, 16, "code postal"),
            (address.town, 35, "ville"),
        ):
            if len(transliterate(value)) > length:
                problems.add(f"{what} : {label} de l'adresse trop longue ({length} caractères au plus).")


def _check_amount(amount: Any, what: str, problems: _Problems) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        problems.add(f"{what} : montant {amount!r} qui n'est pas un Decimal.")
        return
    if amount != amount.quantize(CENT):
        problems.add(f"{what} : montant {amount} à plus de deux décimales.")
    elif not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        problems.add(f"{what} : montant {amount} hors de 0,01 à 999 999 999,99 €.")


def _check_reference(reference: str, what: str, problems: _Problems) -> None:
    from stdnum import iso11649
    from stdnum.exceptions import ValidationError

    try:
        iso11649.validate(reference)
    except ValidationError:
        problems.add(f"{what} : référence structurée « {reference[:40]} » invalide (ISO 11649, RF…).")


def check_message(  # noqa: PLR0912 - one EPC rule after the other
    message: CreditTransferMessage,
    *,
    today: datetime.date | None = None,
    business_days: bool = True,
) -> list[str]:
    """Every reason `message` must not be sent (EPC rules on the values); empty when it may."""
    problems = _Problems()
    if message.version not in VERSIONS:
        problems.add(f"Version {message.version} non prise en charge ({', '.join(VERSIONS)}).")
    _check_identifier(message.message_id, "MsgId", problems)
    if message.created_at.tzinfo is None:
        problems.add("CreDtTm : date et heure sans fuseau horaire.")
    initiating = transliterate(message.initiating_party or message.debtor.name)
    if len(initiating) > NAME_LENGTH:
        problems.add(f"Nom de l'émetteur de {len(initiating)} caractères (70 au plus).")
    _check_party(message.debtor, "Donneur d'ordre", problems, address_allowed=False)
    if not message.instructions:
        problems.add("Aucun lot de paiement (PmtInf).")
    payment_ids: set[str] = set()
    end_to_end_ids: set[str] = set()
    for instruction in message.instructions:
        _check_identifier(instruction.payment_info_id, "PmtInfId", problems)
        if instruction.payment_info_id in payment_ids:
            problems.add(f"PmtInfId {instruction.payment_info_id} en double dans le fichier.")
        payment_ids.add(instruction.payment_info_id)
        day = instruction.execution_date
        if today is not None and day < today:
            problems.add(f"Date d'exécution {day:%d/%m/%Y} passée (aujourd'hui {today:%d/%m/%Y}).")
        if business_days and not is_target_business_day(day):
            problems.add(
                f"Date d'exécution {day:%d/%m/%Y} : pas un jour ouvré TARGET (week-end ou jour férié) ; "
                f"prochain jour ouvré : {next_target_business_day(day):%d/%m/%Y}."
            )
        if not instruction.transfers:
            problems.add(f"Lot {instruction.payment_info_id} sans virement.")
        for transfer in instruction.transfers:
            where = f"Virement {transfer.end_to_end_id[:35]}"
            _check_identifier(transfer.end_to_end_id, "EndToEndId", problems)
            if transfer.end_to_end_id in end_to_end_ids:
                problems.add(f"EndToEndId {transfer.end_to_end_id} en double dans le fichier.")
            end_to_end_ids.add(transfer.end_to_end_id)
            _check_amount(transfer.amount, where, problems)
            _check_party(transfer.creditor, f"{where}, bénéficiaire", problems)
            remittance = transliterate(transfer.remittance)
            if len(remittance) > REMITTANCE_LENGTH:
                problems.add(
                    f"{where} : motif de {len(remittance)} caractères (140 au plus, règle EPC) — "
                    "il n'est jamais coupé : raccourcissez-le."
                )
            if transfer.creditor_reference:
                _check_reference(transfer.creditor_reference, where, problems)
    return problems.items


# --- Writing ------------------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _agent(parent: ET.Element, tag: str, bic: str, version: str) -> None:
    institution = _sub(_sub(parent, tag), "FinInstnId")
    if bic:
        _sub(institution, "BICFI" if version == PAIN_001_001_09 else "BIC", bic)
    else:
        # An empty FinInstnId is XSD-valid but banks may reject it (spec §6.3).
        _sub(_sub(institution, "Othr"), "Id", "NOTPROVIDED")


def _address(parent: ET.Element, address: PostalAddress) -> None:
    element = _sub(parent, "PstlAdr")
    for tag, value in (
        ("StrtNm", address.street),
        ("BldgNb", address.building_number),
        ("PstCd", address.postcode),
        ("TwnNm", address.town),
    ):
        text = transliterate(value)
        if text:
            _sub(element, tag, text)
    _sub(element, "Ctry", address.country)


def _party(parent: ET.Element, tag: str, party: Party, *, with_address: bool) -> None:
    element = _sub(parent, tag)
    _sub(element, "Nm", transliterate(party.name))
    if with_address and party.address is not None:
        _address(element, party.address)


def _account(parent: ET.Element, tag: str, iban: str) -> None:
    _sub(_sub(_sub(parent, tag), "Id"), "IBAN", iban)


def _instruction(parent: ET.Element, message: CreditTransferMessage, instruction: PaymentInstruction) -> None:
    version = message.version
    payment = _sub(parent, "PmtInf")
    _sub(payment, "PmtInfId", instruction.payment_info_id)
    _sub(payment, "PmtMtd", "TRF")
    _sub(payment, "BtchBookg", "true" if instruction.batch_booking else "false")
    _sub(payment, "NbOfTxs", str(len(instruction.transfers)))
    _sub(payment, "CtrlSum", format_amount(sum((t.amount for t in instruction.transfers), Decimal("0.00"))))
    _sub(_sub(_sub(payment, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
    if version == PAIN_001_001_09:
        _sub(_sub(payment, "ReqdExctnDt"), "Dt", instruction.execution_date.isoformat())
    else:
        _sub(payment, "ReqdExctnDt", instruction.execution_date.isoformat())
    _party(payment, "Dbtr", message.debtor, with_address=False)
    _account(payment, "DbtrAcct", message.debtor.iban)
    _agent(payment, "DbtrAgt", message.debtor.bic, version)
    _sub(payment, "ChrgBr", "SLEV")
    for transfer in instruction.transfers:
        transaction = _sub(payment, "CdtTrfTxInf")
        _sub(_sub(transaction, "PmtId"), "EndToEndId", transfer.end_to_end_id)
        _sub(_sub(transaction, "Amt"), "InstdAmt", format_amount(transfer.amount), Ccy="EUR")
        if transfer.creditor.bic:  # IBAN-only: the whole CdtrAgt is left out
            _agent(transaction, "CdtrAgt", transfer.creditor.bic, version)
        _party(transaction, "Cdtr", transfer.creditor, with_address=True)
        _account(transaction, "CdtrAcct", transfer.creditor.iban)
        if transfer.creditor_reference:
            reference = _sub(_sub(_sub(transaction, "RmtInf"), "Strd"), "CdtrRefInf")
            kind = _sub(reference, "Tp")
            _sub(_sub(kind, "CdOrPrtry"), "Cd", "SCOR")
            _sub(kind, "Issr", "ISO")
            _sub(reference, "Ref", transfer.creditor_reference.replace(" ", "").upper())
        elif transfer.remittance.strip():
            _sub(_sub(transaction, "RmtInf"), "Ustrd", transliterate(transfer.remittance))


def serialise(message: CreditTransferMessage) -> bytes:
    """The XML of `message` (UTF-8, with its declaration), element order of the XSD. No checks."""
    root = ET.Element("Document", {"xmlns": f"urn:iso:std:iso:20022:tech:xsd:{message.version}"})
    initiation = _sub(root, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", message.message_id)
    _sub(header, "CreDtTm", message.created_at.replace(microsecond=0).isoformat())
    _sub(header, "NbOfTxs", str(message.number_of_transactions))
    _sub(header, "CtrlSum", format_amount(message.control_sum))
    _sub(_sub(header, "InitgPty"), "Nm", transliterate(message.initiating_party or message.debtor.name))
    for instruction in message.instructions:
        _instruction(initiation, message, instruction)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


# --- Checks on a document -----------------------------------------------------------------------


@functools.cache
def _schema(version: str) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(XSD_DIR / f"{version}.xsd"))


def version_of(content: bytes) -> str | None:
    match = re.search(rb"urn:iso:std:iso:20022:tech:xsd:(pain\.001\.001\.\d{2})", content[:2048])
    return match.group(1).decode() if match else None


def validate_xml(content: bytes, version: str | None = None) -> list[str]:
    """The XSD errors of `content` against the official schema of its version (empty: valid)."""
    version = version or version_of(content)
    if version not in VERSIONS:
        return [f"Document qui n'est pas un pain.001 pris en charge ({', '.join(VERSIONS)})."]
    from defusedxml.ElementTree import fromstring

    try:
        tree = fromstring(content, forbid_dtd=True)
    except Exception as error:  # noqa: BLE001 - any parse failure is a refusal, with its reason
        return [f"XML illisible : {error}"]
    errors = [
        f"XSD {version} : {error.reason or error.message} ({error.path})"
        for error in _schema(version).iter_errors(tree)
    ]
    return errors[:20]


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal((text or "").strip())
    except InvalidOperation:
        return None


def check_document(content: bytes) -> list[str]:  # noqa: PLR0912 - one rule after the other
    """The EPC rules the XSD does not check, read on a written pain.001 (ours or anyone's)."""
    from defusedxml.ElementTree import fromstring

    version = version_of(content)
    if version is None:
        return ["Document qui n'est pas un pain.001."]
    ns = "{urn:iso:std:iso:20022:tech:xsd:" + version + "}"
    try:
        root = fromstring(content, forbid_dtd=True)
    except Exception as error:  # noqa: BLE001 - any parse failure is a refusal, with its reason
        return [f"XML illisible : {error}"]
    problems: list[str] = []
    initiation = root.find(f"{ns}CstmrCdtTrfInitn")
    if initiation is None:
        return ["CstmrCdtTrfInitn absent."]
    header = initiation.find(f"{ns}GrpHdr")
    msg_id = "" if header is None else (header.findtext(f"{ns}MsgId") or "")
    if not is_sepa_identifier(msg_id):
        problems.append(f"MsgId « {msg_id[:40]} » hors du jeu de caractères SEPA ou de plus de 35 caractères.")
    all_amounts: list[Decimal] = []
    for payment in initiation.findall(f"{ns}PmtInf"):
        pmt_id = payment.findtext(f"{ns}PmtInfId") or ""
        if not is_sepa_identifier(pmt_id):
            problems.append(f"PmtInfId « {pmt_id[:40]} » invalide.")
        amounts: list[Decimal] = []
        for transaction in payment.findall(f"{ns}CdtTrfTxInf"):
            e2e = transaction.findtext(f"{ns}PmtId/{ns}EndToEndId") or ""
            if not is_sepa_identifier(e2e):
                problems.append(f"EndToEndId « {e2e[:40]} » invalide.")
            raw = transaction.findtext(f"{ns}Amt/{ns}InstdAmt")
            amount = _decimal(raw)
            if not _TWO_DECIMALS.match(raw or ""):
                problems.append(f"{e2e} : montant « {raw} » sans exactement deux décimales.")
            if amount is not None:
                if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
                    problems.append(f"{e2e} : montant {raw} hors de 0.01 à 999999999.99.")
                amounts.append(amount)
            name = transaction.findtext(f"{ns}Cdtr/{ns}Nm") or ""
            if not name or len(name) > NAME_LENGTH or not _SEPA_CHARACTERS.match(name):
                problems.append(f"{e2e} : nom du bénéficiaire absent, de plus de 70 caractères ou hors jeu SEPA.")
            ustrd = transaction.findall(f"{ns}RmtInf/{ns}Ustrd")
            if len(ustrd) > 1:
                problems.append(f"{e2e} : plusieurs motifs (Ustrd), un seul admis.")
            for text in ustrd:
                if len(text.text or "") > REMITTANCE_LENGTH or not _SEPA_CHARACTERS.match(text.text or ""):
                    problems.append(f"{e2e} : motif de plus de 140 caractères ou hors jeu SEPA.")
            iban = transaction.findtext(f"{ns}CdtrAcct/{ns}Id/{ns}IBAN") or ""
            if not iban_is_valid(iban):
                problems.append(f"{e2e} : IBAN du bénéficiaire invalide.")
        _check_totals(payment, ns, amounts, f"PmtInf {pmt_id}", problems)
        all_amounts += amounts
    if header is not None:
        _check_totals(header, ns, all_amounts, "GrpHdr", problems)
    return problems


def _check_totals(element: ET.Element, ns: str, amounts: list[Decimal], where: str, problems: list[str]) -> None:
    count = element.findtext(f"{ns}NbOfTxs")
    if count != str(len(amounts)):
        problems.append(f"{where} : NbOfTxs {count} pour {len(amounts)} virements.")
    raw = element.findtext(f"{ns}CtrlSum")
    total = _decimal(raw)
    expected = sum(amounts, Decimal("0.00"))
    if raw is None:
        problems.append(f"{where} : CtrlSum absent (toujours envoyé).")
    elif total is None or total != expected or total != total.quantize(CENT):
        problems.append(f"{where} : CtrlSum {raw} au lieu de {format_amount(expected)}.")


def build_credit_transfer(
    message: CreditTransferMessage,
    *,
    today: datetime.date | None = None,
    business_days: bool = True,
) -> bytes:
    """The checked, XSD-validated file of `message`; `Pain001Error` (nothing returned) otherwise."""
    problems = check_message(message, today=today, business_days=business_days)
    if problems:
        raise Pain001Error(problems)
    content = serialise(message)
    problems = validate_xml(content, message.version) + check_document(content)
    if problems:
        raise Pain001Error(problems)
    return content
