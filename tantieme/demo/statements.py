"""A few past bank statements for a demo condominium, imported through the real pipeline.

`seed_statements(condominium, today=...)` writes two CFONB 120 statements of the condominium's
account (the same files a bank sends) and imports them with `banking.services.import_statement`:
  - a transfer quoting a co-owner reference (matched and posted at once),
  - a transfer quoting an RF creditor reference (matched at once),
  - a transfer with a typo in the reference, "O" for "0" (waits in the review queue),
  - a transfer with no reference (suspense, 472),
  - the card remittance of the card payments in transit (5128, as a whole),
  - the bank's fees (debit queue, 662 suggested).
The late payer A 606 0001 is never credited, so they still owe exactly 1 210,77 €. Call it after
`seed_ledger_history` (it needs the books); seeding twice changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Sum

from tantieme.banking.models import StatementImport
from tantieme.banking.samples import SampleMovement, cfonb120_document
from tantieme.banking.services import import_statement
from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.references import format_reference
from tantieme.demo.history import LATE_PAYER
from tantieme.ledger.enums import FiscalYearState
from tantieme.ledger.models import FiscalYear, Line, cents
from tantieme.tenancy.scoping import firm_scope

DEFAULT_CARD_REMITTANCE = Decimal("120.00")


def _bank_balance(condominium: Condominium, on: datetime.date) -> Decimal:
    totals = Line.objects.filter(condominium=condominium, account__number="512", date__lte=on).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    return cents(totals["debit"]) - cents(totals["credit"])


def _typo(reference: str) -> str:
    """ "A6060002" -> "A 6O6 0002": the zero of the condominium code typed as the letter O."""
    spaced = format_reference(reference)
    return spaced[:2] + spaced[2:5].replace("0", "O", 1) + spaced[5:]


def seed_statements(condominium: Condominium, *, today: datetime.date) -> int:
    """Import the demo statements of `condominium`; returns the number of lines imported (0 if done)."""
    with firm_scope(condominium.firm):
        # Its own files only: the supplier debits of `demo.expenses` come on earlier statements.
        if StatementImport.objects.filter(condominium=condominium, filename__startswith="releve-").exists():
            return 0
        year = FiscalYear.objects.filter(
            condominium=condominium, state=FiscalYearState.OPEN, start_date__lte=today, end_date__gte=today
        ).first()
        if year is None or not condominium.iban.startswith("FR"):
            return 0
        payers = list(
            CoOwner.objects.filter(condominium=condominium).exclude(reference=LATE_PAYER).order_by("reference")
        )
        if not payers:
            return 0
        first_day = max(today - datetime.timedelta(days=20), year.start_date)
        second_day = max(today - datetime.timedelta(days=6), year.start_date)
        referenced, structured, mistyped = payers[0], payers[min(1, len(payers) - 1)], payers[min(2, len(payers) - 1)]
        in_transit = cents(
            Line.objects.filter(condominium=condominium, account__number="5128").aggregate(total=Sum("debit"))["total"]
        ) - cents(
            Line.objects.filter(condominium=condominium, account__number="5128").aggregate(total=Sum("credit"))["total"]
        )
        card = in_transit if in_transit > 0 else DEFAULT_CARD_REMITTANCE
        statements = [
            (
                first_day,
                [
                    SampleMovement(
                        Decimal("450.00"),
                        first_day,
                        name=f"{referenced.last_name} {referenced.first_name}".strip(),
                        remittance=f"CHARGES REF {referenced.reference_display} {referenced.last_name}",
                        end_to_end_id="NOTPROVIDED",
                    ),
                    SampleMovement(
                        Decimal("380.00"),
                        first_day,
                        name=f"{mistyped.last_name} {mistyped.first_name}".strip(),
                        remittance=f"APPEL DE FONDS {_typo(mistyped.reference)}",
                        end_to_end_id="NOTPROVIDED",
                    ),
                    SampleMovement(card, first_day, label="REMISE CB TELECOLLECTE", name="", end_to_end_id=""),
                ],
            ),
            (
                second_day,
                [
                    SampleMovement(
                        Decimal("612.40"),
                        second_day,
                        name=f"{structured.last_name} {structured.first_name}".strip(),
                        structured_reference=structured.creditor_reference,
                        end_to_end_id=f"{structured.reference}-VIR",
                    ),
                    SampleMovement(
                        Decimal("250.00"),
                        second_day,
                        name="M OU MME INCONNU PIERRE",
                        remittance="VIREMENT CHARGES",
                        end_to_end_id="NOTPROVIDED",
                    ),
                    SampleMovement(
                        Decimal("-18.60"), second_day, label="FRAIS TENUE DE COMPTE", name="", end_to_end_id=""
                    ),
                ],
            ),
        ]
        imported = 0
        previous_close = first_day - datetime.timedelta(days=1)
        for number, (day, movements) in enumerate(statements, start=1):
            opening = _bank_balance(condominium, previous_close)
            content = cfonb120_document(
                iban=condominium.iban,
                opening_balance=opening,
                opening_date=previous_close,
                closing_date=day,
                movements=movements,
            )
            result = import_statement(
                condominium=condominium, content=content, filename=f"releve-{condominium.code}-{number}.cfonb"
            )
            imported += result.imported
            previous_close = day
        return imported
