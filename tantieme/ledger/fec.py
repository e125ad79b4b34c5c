"""FEC — Fichier des écritures comptables (LPF art. A47 A-1), 18 columns, for one fiscal year.

Opening entries come first: the balances carried forward from the previous years are computed
(journal AN, number AN<year>-0000, one line per account and co-owner), then any opening entry
stored in the year (reprise from a previous syndic), then every entry by validation date.
Dates AAAAMMJJ, amounts with a decimal comma and no thousands separator, one separator per file
("|" or tab), ISO-8859-15 by default. A line is "lettrée" (EcritureLet/DateLet) once lettering
has settled all of it; the code and date are those of the lettering that settled it last.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from tantieme.condominiums.models import Condominium
from tantieme.core.money import format_amount, format_plain
from tantieme.ledger.chart import STANDARD_CHART
from tantieme.ledger.enums import JournalKind
from tantieme.ledger.models import MONEY_OUTPUT, ZERO, Account, FiscalYear, Journal, Line, Match, cents

COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
SEPARATORS = {"pipe": "|", "tab": "\t"}
ENCODINGS = ("iso-8859-15", "utf-8")
# Typography that ISO-8859-15 lacks, written the nearest way.
_ASCII_FALLBACK = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u202f": " ", "\u00a0": " "}
)
_MONEY = MONEY_OUTPUT


def fec_description_filename(fec_name: str) -> str:
    """The description that goes with a FEC: `<id>FEC<date>-descriptif.txt`."""
    return fec_name.removesuffix(".txt") + "-descriptif.txt"


def fec_filename(condominium: Condominium, fiscal_year: FiscalYear) -> str:
    """`<id>FEC<closing date>.txt`: the id is the registry number (no SIREN is kept for a syndicate)."""
    identifier = condominium.registry_number or f"{condominium.firm.siren}{condominium.code}"
    return f"{identifier}FEC{fiscal_year.end_date:%Y%m%d}.txt"


def _date(day: datetime.date | None) -> str:
    return f"{day:%Y%m%d}" if day else ""


@dataclass(frozen=True)
class _Lettered:
    code: str
    date: datetime.date


def _lettering_of(line_ids: list[int], amounts: dict[int, Decimal]) -> dict[int, _Lettered]:
    matched: dict[int, Decimal] = defaultdict(lambda: ZERO)
    last: dict[int, _Lettered] = {}
    rows = (
        Match.objects.filter(Q(debit_line_id__in=line_ids) | Q(credit_line_id__in=line_ids))
        .order_by("lettering__date", "lettering_id")
        .values_list("debit_line_id", "credit_line_id", "lettering__code", "lettering__date", "amount")
    )
    wanted = set(line_ids)
    for debit_id, credit_id, code, day, amount in rows.iterator(chunk_size=5000):
        for line_id in (debit_id, credit_id):
            if line_id in wanted:
                matched[line_id] += amount
                last[line_id] = _Lettered(code=code, date=day)
    return {line_id: lettered for line_id, lettered in last.items() if matched[line_id] == amounts[line_id]}


@dataclass(frozen=True)
class _FecAccount:
    """CompteNum, CompteLib and, for a third party's sub-account, CompAuxNum and CompAuxLib."""

    number: str
    label: str
    auxiliary_code: str = ""
    auxiliary_label: str = ""


def _fec_accounts(condominium: Condominium) -> dict[int, _FecAccount]:
    """Each account as the FEC writes it: a supplier's 40100003 becomes 401 + FRN00003 (spec §2.1),
    under the label of the collective account (the chart's when the condominium lacks it)."""
    accounts = list(Account.objects.filter(condominium=condominium))
    labels = dict(STANDARD_CHART) | {account.number: account.label for account in accounts}
    return {
        account.pk: (
            _FecAccount(
                account.collective,
                labels.get(account.collective, account.label),
                account.auxiliary_code,
                account.auxiliary_label or account.label,
            )
            if account.auxiliary_code
            else _FecAccount(account.number, account.label)
        )
        for account in accounts
    }


def _auxiliary(
    account: _FecAccount, reference: str | None, last_name: str | None, first_name: str | None
) -> tuple[str, str]:
    """CompAuxNum and CompAuxLib: the co-owner on 450x/459 lines, the third party of a sub-account."""
    if reference:
        return reference, " ".join(part for part in (last_name, first_name) if part)
    return account.auxiliary_code, account.auxiliary_label


def fec_rows(fiscal_year: FiscalYear) -> Iterator[tuple[str, ...]]:
    """The 18 fields of every line of the year, opening entries first (call inside a firm scope)."""
    condominium = Condominium.objects.select_related("firm").get(pk=fiscal_year.condominium_id)
    accounts = _fec_accounts(condominium)
    opening_journal = Journal.objects.filter(condominium=condominium, kind=JournalKind.OPENING).first()
    yield from _carried_forward(condominium, fiscal_year, accounts, opening_journal)

    lines = list(
        Line.objects.filter(entry__fiscal_year=fiscal_year)
        .annotate(
            opening_first=Case(
                When(entry__journal__kind=JournalKind.OPENING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("opening_first", "entry__validation_date", "entry__date", "entry_id", "position")
        .values_list(
            "pk",
            "entry__journal__code",
            "entry__journal__label",
            "entry__code",
            "entry__date",
            "account_id",
            "co_owner__reference",
            "co_owner__last_name",
            "co_owner__first_name",
            "entry__voucher",
            "entry__voucher_date",
            "label",
            "debit",
            "credit",
            "entry__validation_date",
        )
    )
    lettered = _lettering_of([row[0] for row in lines], {row[0]: row[12] + row[13] for row in lines})
    for (
        pk,
        journal_code,
        journal_label,
        entry_code,
        entry_date,
        account_id,
        reference,
        last_name,
        first_name,
        voucher,
        voucher_date,
        label,
        debit,
        credit,
        validation_date,
    ) in lines:
        account = accounts[account_id]
        letter = lettered.get(pk)
        auxiliary_code, auxiliary_label = _auxiliary(account, reference, last_name, first_name)
        yield (
            journal_code,
            journal_label,
            entry_code,
            _date(entry_date),
            account.number,
            account.label,
            auxiliary_code,
            auxiliary_label,
            voucher,
            _date(voucher_date),
            label,
            format_plain(debit),
            format_plain(credit),
            letter.code if letter else "",
            _date(letter.date) if letter else "",
            _date(validation_date),
            "",
            "",
        )


def _carried_forward(
    condominium: Condominium, fiscal_year: FiscalYear, accounts: dict[int, _FecAccount], journal: Journal | None
) -> Iterator[tuple[str, ...]]:
    """À-nouveaux: balances before the year of the balance-sheet accounts (classes 1, 4 and 5), per
    account and co-owner, computed from the lines (never stored twice). Classes 6 and 7 never carry
    forward: each year's are distributed to the co-owners at its closing."""
    rows = (
        Line.objects.filter(condominium=condominium, date__lt=fiscal_year.start_date)
        .filter(
            Q(account__number__startswith="1") | Q(account__number__startswith="4") | Q(account__number__startswith="5")
        )
        .values("account_id", "co_owner__reference", "co_owner__last_name", "co_owner__first_name")
        .annotate(total=Sum(F("debit") - F("credit"), output_field=_MONEY))
        .order_by("account_id", "co_owner__reference")
    )
    code = journal.code if journal else "AN"
    label = journal.label if journal else "À-nouveaux"
    day = _date(fiscal_year.start_date)
    text = f"Report à nouveau au {fiscal_year.start_date:%d/%m/%Y}"

    def order(row: dict[str, Any]) -> tuple[str, str]:
        account = accounts[row["account_id"]]
        return account.number, row["co_owner__reference"] or account.auxiliary_code

    for row in sorted(rows, key=order):
        total = cents(row["total"])
        if not total:
            continue
        account = accounts[row["account_id"]]
        reference, name = _auxiliary(
            account, row["co_owner__reference"], row["co_owner__last_name"], row["co_owner__first_name"]
        )
        yield (
            code,
            label,
            f"{code}{fiscal_year.label}-0000",
            day,
            account.number,
            account.label,
            reference,
            name,
            "AN",
            day,
            text,
            format_plain(total if total > 0 else ZERO),
            format_plain(-total if total < 0 else ZERO),
            "",
            "",
            day,
            "",
            "",
        )


def _clean(value: str, separator: str) -> str:
    return " ".join(value.replace(separator, " ").split())


def _check_format(separator: str, encoding: str) -> None:
    if separator not in SEPARATORS.values():
        raise ValueError("Le séparateur d'un FEC est la barre verticale ou la tabulation.")
    if encoding not in ENCODINGS:
        raise ValueError(f"Encodage {encoding} non prévu (iso-8859-15 ou utf-8).")


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "iso-8859-15":
        return text.translate(_ASCII_FALLBACK).encode("iso-8859-15", errors="replace")
    return text.encode("utf-8")


def render_fec(
    fiscal_year: FiscalYear,
    *,
    separator: str = "|",
    encoding: str = "iso-8859-15",
    rows: list[tuple[str, ...]] | None = None,
) -> bytes:
    """The FEC file's bytes: header line, then one record per line, CRLF line ends."""
    _check_format(separator, encoding)
    records = [separator.join(COLUMNS)]
    rows = list(fec_rows(fiscal_year)) if rows is None else rows
    records += [separator.join(_clean(field, separator) for field in row) for row in rows]
    return _encode("\r\n".join(records) + "\r\n", encoding)


FIELD_DESCRIPTIONS = (
    "Code du journal (table des journaux ci-dessous)",
    "Libellé du journal",
    "Numéro de l'écriture : <journal><année>-<rang>, continu et sans trou par journal et exercice",
    "Date de comptabilisation de l'écriture (AAAAMMJJ)",
    (
        "Numéro de compte général, plan comptable des copropriétés (décret n° 2005-240) ; 3 caractères au moins ;"
        " les comptes des fournisseurs sous leur collectif 401, 408 ou 409 (le fournisseur en compte auxiliaire)"
    ),
    "Libellé du compte général",
    (
        "Compte auxiliaire : référence du copropriétaire (par exemple A6060001) sur les comptes 450x et 459,"
        " code du fournisseur (par exemple FRN00003) sur les comptes 401, 408 et 409, vide sinon"
    ),
    "Nom du copropriétaire ou raison sociale du fournisseur du compte auxiliaire, vide sinon",
    "Référence de la pièce justificative (appel de fonds, relevé bancaire, paiement par carte…)",
    "Date de la pièce justificative (AAAAMMJJ)",
    "Libellé de la ligne d'écriture",
    "Montant au débit (virgule décimale, sans séparateur de milliers, 0,00 si nul)",
    "Montant au crédit (même format)",
    "Code de lettrage (AA, AB…) quand la ligne est entièrement lettrée, vide sinon",
    "Date du lettrage (AAAAMMJJ), vide sinon",
    "Date de validation de l'écriture (AAAAMMJJ ; paiements par carte : le lendemain du paiement)",
    "Montant en devise : vide, tous les montants sont en euros",
    "Code de la devise : vide (euro)",
)


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ".")) if text else ZERO


def render_fec_description(
    fiscal_year: FiscalYear,
    *,
    filename: str,
    rows: list[tuple[str, ...]],
    separator: str = "|",
    encoding: str = "iso-8859-15",
) -> bytes:
    """The description that accompanies a FEC (A47 A-1 II): fields, codes, character set, separators.

    Written in the FEC's own encoding, with its counts and totals so that the reader can check the
    file they received."""
    _check_format(separator, encoding)
    condominium = fiscal_year.condominium
    firm = condominium.firm
    debit = sum((_amount(row[11]) for row in rows), ZERO)
    credit = sum((_amount(row[12]) for row in rows), ZERO)
    entries = len({(row[0], row[2]) for row in rows})
    used = {row[0]: row[1] for row in rows}
    state = f"clos le {timezone.localtime(fiscal_year.closed_at):%d/%m/%Y}" if fiscal_year.closed_at else "non clos"
    separator_name = "barre verticale « | »" if separator == "|" else "tabulation"
    lines = [
        "Descriptif du fichier des écritures comptables (FEC, article A47 A-1 du livre des procédures fiscales)",
        "",
        f"Fichier : {filename}",
        f"Syndicat des copropriétaires : {condominium.code} {condominium.name}",
        f"Immatriculation au registre national : {condominium.registry_number or 'non renseignée'}",
        f"Syndic : {firm.legal_name or firm.name}, SIREN {firm.siren}",
        f"Exercice : du {fiscal_year.start_date:%d/%m/%Y} au {fiscal_year.end_date:%d/%m/%Y} ({state})",
        f"Produit par Tantième le {timezone.localdate():%d/%m/%Y}",
        f"Contenu : {len(rows)} lignes d'écriture ({entries} écritures), plus la ligne des noms de champs",
        f"Total des débits : {format_amount(debit)} ; total des crédits : {format_amount(credit)}",
        "",
        "Format",
        f"- Jeu de caractères : {'ISO 8859-15' if encoding == 'iso-8859-15' else 'UTF-8'}",
        f"- Séparateur de champs : {separator_name} (aucun champ ne le contient)",
        "- Fin d'enregistrement : CR LF ; première ligne : les noms des 18 champs",
        "- Dates : AAAAMMJJ ; montants : virgule décimale, sans séparateur de milliers, débit et crédit séparés",
        (
            "- Ordre : les à-nouveaux d'abord (journal AN, soldes reportés de l'exercice précédent, calculés,"
            " numéro AN<année>-0000 ; puis les reprises d'un ancien syndic), puis les écritures par date de"
            " validation"
        ),
        "",
        "Champs",
        *(
            f"{index:2d}. {name} : {text}"
            for index, (name, text) in enumerate(zip(COLUMNS, FIELD_DESCRIPTIONS, strict=True), 1)
        ),
        "",
        "Journaux",
        *(f"- {code} : {label}" for code, label in sorted(used.items())),
    ]
    return _encode("\r\n".join(lines) + "\r\n", encoding)
