"""SEPA credit transfer initiation (pain.001.001.03) of one payment: the return of an unidentified credit.

Used to send back an unidentified credit to its payer: one payment, one transaction, from the
condominium's account. The file is written, checked and validated against the ISO XSD by the one
pain.001 writer, `tantieme.formats.pain001`; texts are transliterated to the SEPA Latin set and
cut here to their maximum length beforehand (they are built by the application, not typed).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from tantieme.formats.pain001 import (
    PAIN_001_001_03,
    CreditTransferMessage,
    Party,
    PaymentInstruction,
    Transfer,
    build_credit_transfer,
    transliterate,
)

NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{PAIN_001_001_03}"


def sepa_text(text: str, length: int) -> str:
    """Latin letters, digits and / - ? : ( ) . , ' + and space only, at most `length` characters."""
    return transliterate(text)[:length].strip()


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


def credit_transfer_document(transfer: CreditTransfer) -> str:
    """The pain.001.001.03 XML of one credit transfer (UTF-8 text with its declaration).

    Raises `tantieme.formats.pain001.Pain001Error` when a value cannot be sent (an invalid IBAN)."""
    message = CreditTransferMessage(
        message_id=sepa_text(transfer.message_id, 35),
        created_at=transfer.created_at,
        debtor=Party(name=sepa_text(transfer.debtor_name, 70), iban=transfer.debtor_iban, bic=transfer.debtor_bic),
        instructions=(
            PaymentInstruction(
                payment_info_id=sepa_text(transfer.message_id, 35),
                execution_date=transfer.requested_date,
                batch_booking=False,
                transfers=(
                    Transfer(
                        end_to_end_id=sepa_text(transfer.end_to_end_id, 35),
                        amount=transfer.amount.quantize(Decimal("0.01")),
                        creditor=Party(
                            name=sepa_text(transfer.creditor_name, 70),
                            iban=transfer.creditor_iban,
                            bic=transfer.creditor_bic,
                        ),
                        remittance=sepa_text(transfer.remittance, 140),
                    ),
                ),
            ),
        ),
        version=PAIN_001_001_03,
    )
    # A return is due at once, whatever the day: the bank executes it on its next business day.
    return build_credit_transfer(message, business_days=False).decode()
