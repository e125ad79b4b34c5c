"""Opening balances taken over from a previous syndic (reprise des soldes), from a CSV file.

One line per co-owner: reference; date; amount; label (header optional, ";" or "," separated).
A positive amount is owed by the co-owner. Each co-owner gets one entry in journal AN:

    owes 1 210,77 €:      Dr 4501 · co-owner 1 210,77  /  Cr 4728 Reprise des soldes 1 210,77
    in credit 80,00 €:    Dr 4728 80,00                /  Cr 4501 · co-owner 80,00

4728 (a subdivision of 472, compte en attente d'imputation créditeur) holds the counterpart
until the rest of the opening balance sheet (bank, funds, suppliers) is posted against it; see
docs/ledger.md. The import is all or nothing, and idempotent: the voucher REPRISE-<reference>
marks an imported balance; importing the same file again posts nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.core.money import AmountError, format_amount, parse_amount
from tantieme.core.references import InvalidReferenceError, parse_reference
from tantieme.ledger import chart, services
from tantieme.ledger.enums import FiscalYearState, LineNature
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.models import FiscalYear, Line
from tantieme.ledger.services import EntryDraft, LineDraft

VOUCHER_PREFIX = "REPRISE-"


class OpeningImportError(LedgerError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class OpeningImportReport:
    posted: list[str] = field(default_factory=list)  # references
    already_there: list[str] = field(default_factory=list)
    zero: list[str] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)  # entry codes

    def summary(self) -> str:
        return (
            f"{len(self.posted)} solde(s) repris, {len(self.already_there)} déjà repris, "
            f"{len(self.zero)} nul(s) ignoré(s)."
        )


@dataclass(frozen=True)
class _Row:
    number: int
    co_owner: CoOwner
    date: datetime.date
    amount: Decimal
    label: str


def _parse_date(text: str) -> datetime.date:
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(f"date « {text} » illisible (attendu JJ/MM/AAAA)")


def read_rows(content: str, condominium: Condominium) -> list[_Row]:
    """Parse and check every row; raises OpeningImportError listing every bad row."""
    first_line = content.lstrip("\ufeff").splitlines()[0] if content.strip() else ""
    delimiter = ";" if ";" in first_line else ("\t" if "\t" in first_line else ",")
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=delimiter)
    co_owners = {owner.reference: owner for owner in CoOwner.objects.filter(condominium=condominium)}
    rows: list[_Row] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if number == 1 and cells[0].strip().lower() in {"reference", "référence", "ref", "réf"}:
            continue
        if len(cells) < 3:
            problems.append(f"ligne {number} : 3 ou 4 colonnes attendues (référence, date, montant, libellé).")
            continue
        try:
            reference = parse_reference(cells[0])
        except InvalidReferenceError as error:
            problems.append(f"ligne {number} : {error}")
            continue
        owner = co_owners.get(reference)
        if owner is None:
            problems.append(
                f"ligne {number} : pas de copropriétaire {reference} dans la copropriété {condominium.code}."
            )
            continue
        if reference in seen:
            problems.append(f"ligne {number} : {reference} figure déjà ligne {seen[reference]}.")
            continue
        seen[reference] = number
        try:
            day = _parse_date(cells[1])
        except ValueError as error:
            problems.append(f"ligne {number} : {error}.")
            continue
        try:
            amount = parse_amount(cells[2])
        except AmountError as error:
            problems.append(f"ligne {number} : {error}")
            continue
        label = cells[3].strip() if len(cells) > 3 and cells[3].strip() else f"Reprise de solde au {day:%d/%m/%Y}"
        rows.append(_Row(number, owner, day, amount, label[:200]))
    if not rows and not problems:
        problems.append("Le fichier ne contient aucun solde.")
    if problems:
        raise OpeningImportError(problems)
    return rows


@transaction.atomic
def import_opening_balances(*, condominium: Condominium, content: str, actor: Any = None) -> OpeningImportReport:
    """Post the opening balances of `content` (all or nothing). Call inside the firm's scope."""
    rows = read_rows(content, condominium)
    services.create_chart(condominium=condominium, actor=actor)
    if not FiscalYear.objects.filter(condominium=condominium).exists():
        start = condominium.fiscal_year_start(min(row.date for row in rows))
        services.open_fiscal_year(condominium=condominium, start_date=start, actor=actor)
    years = list(FiscalYear.objects.filter(condominium=condominium))
    existing = {
        voucher.removeprefix(VOUCHER_PREFIX): (day, debit - credit)
        for voucher, day, debit, credit in Line.objects.filter(
            condominium=condominium,
            entry__journal__code="AN",
            entry__voucher__startswith=VOUCHER_PREFIX,
            co_owner__isnull=False,
        ).values_list("entry__voucher", "date", "debit", "credit")
    }
    report = OpeningImportReport()
    drafts: list[EntryDraft] = []
    problems: list[str] = []
    for row in rows:
        reference = row.co_owner.reference
        if reference in existing:
            if existing[reference] == (row.date, row.amount):
                report.already_there.append(reference)
            else:
                day, amount = existing[reference]
                problems.append(
                    f"ligne {row.number} : le solde de {reference} a déjà été repris ({format_amount(amount)} au "
                    f"{day:%d/%m/%Y}) ; contre-passez cette reprise avant d'en importer une autre."
                )
            continue
        if row.amount == 0:
            report.zero.append(reference)
            continue
        year = next((year for year in years if year.contains(row.date)), None)
        if year is None or year.state != FiscalYearState.OPEN:
            problems.append(f"ligne {row.number} : aucun exercice ouvert ne contient le {row.date:%d/%m/%Y}.")
            continue
        owed = row.amount > 0
        amount = abs(row.amount)
        drafts.append(
            EntryDraft(
                journal="AN",
                date=row.date,
                label=f"{row.label} – {row.co_owner.reference_display}",
                voucher=f"{VOUCHER_PREFIX}{reference}",
                lines=[
                    LineDraft(
                        account=chart.BUDGET,
                        debit=amount if owed else Decimal("0.00"),
                        credit=Decimal("0.00") if owed else amount,
                        co_owner=row.co_owner,
                        nature=LineNature.OPENING,
                        label=row.label,
                    ),
                    LineDraft(
                        account=chart.OPENING_COUNTERPART,
                        debit=Decimal("0.00") if owed else amount,
                        credit=amount if owed else Decimal("0.00"),
                        label=f"{row.label} – {reference}",
                    ),
                ],
            )
        )
        report.posted.append(reference)
    if problems:
        raise OpeningImportError(problems)
    entries = services.post_entries_bulk(condominium=condominium, drafts=drafts, actor=actor)
    report.entries = [entry.code for entry in entries]
    return report
