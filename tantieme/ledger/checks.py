"""Every invariant of the books, checked from the rows (used by `check_ledger` and the tests).

`check_books(condominium)` returns readable problems, an empty list when the books are sound:
balanced entries of two lines or more, one-sided positive lines, numbering without gap or
duplicate in each journal and year, lines that repeat their entry's date and condominium,
entries inside their fiscal year, co-owner lines only and always on 450x/459, sub-ledger equal
to the control accounts, closed years unchanged (their seal recomputed), lettering within the
amounts of lines of one account — one co-owner's sub-account, or a general account (401, 472…)
with no co-owner — and codes unique per co-owner or per general account. Call inside a firm scope.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Q, Sum

from tantieme.condominiums.models import Condominium
from tantieme.ledger.enums import FiscalYearState
from tantieme.ledger.models import ZERO, Entry, FiscalYear, JournalSequence, Lettering, Line, Match, cents
from tantieme.ledger.queries import co_owner_balances, control_account_balance
from tantieme.ledger.services import previous_closed_seal, year_seal


def check_books(condominium: Condominium) -> list[str]:
    problems: list[str] = []
    lines = Line.objects.filter(condominium=condominium)
    entries = Entry.objects.filter(condominium=condominium)

    # Balanced entries.
    per_entry = (
        lines.values("entry_id", "entry__code")
        .annotate(debit=Sum("debit"), credit=Sum("credit"), count=Count("id"))
        .order_by("entry_id")
    )
    problems += [
        f"Écriture {row['entry__code']} déséquilibrée : {row['count']} ligne(s), "
        f"débits {cents(row['debit'])}, crédits {cents(row['credit'])}."
        for row in per_entry.iterator(chunk_size=5000)
        if row["count"] < 2 or cents(row["debit"]) != cents(row["credit"])
    ]
    problems += [
        f"Écriture {code} sans ligne." for code in entries.filter(lines__isnull=True).values_list("code", flat=True)
    ]

    # One-sided, positive lines.
    bad_lines = lines.exclude((Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)))
    problems += [
        f"Ligne {pk} de {code} : débit {debit} et crédit {credit} (une ligne porte un seul montant, positif)."
        for pk, code, debit, credit in bad_lines.values_list("pk", "entry__code", "debit", "credit")
    ]

    # Numbering without gap or duplicate, per journal and year; the counters agree.
    numbering = (
        entries.values("journal__code", "fiscal_year_id", "journal_id")
        .annotate(count=Count("id"), distinct=Count("number", distinct=True), low=Min("number"), high=Max("number"))
        .order_by("journal__code", "fiscal_year_id")
    )
    highest: dict[tuple[int, int], int] = {}
    for row in numbering:
        highest[(row["journal_id"], row["fiscal_year_id"])] = row["high"]
        if row["count"] != row["distinct"] or row["low"] != 1 or row["high"] != row["count"]:
            problems.append(
                f"Journal {row['journal__code']} (exercice {row['fiscal_year_id']}) : numérotation de "
                f"{row['low']} à {row['high']} pour {row['count']} écritures ({row['distinct']} numéros distincts)."
            )
    for sequence in JournalSequence.objects.filter(journal__condominium=condominium).select_related("journal"):
        expected = highest.get((sequence.journal_id, sequence.fiscal_year_id), 0)
        if sequence.last_number != expected:
            problems.append(
                f"Journal {sequence.journal.code} : compteur à {sequence.last_number}, dernière écriture n° {expected}."
            )
    for code, number, journal, year_label in entries.values_list(
        "code", "number", "journal__code", "fiscal_year__end_date__year"
    ):
        if code != f"{journal}{year_label}-{number:04d}":
            problems.append(f"Écriture {code} : numéro attendu {journal}{year_label}-{number:04d}.")

    # Lines repeat their entry's date and condominium; entries fall in their year.
    drifted = lines.exclude(date=F("entry__date")) | lines.exclude(firm_id=F("entry__firm_id"))
    problems += [
        f"Ligne {pk} de {code} : date ou cabinet différents de l'écriture."
        for pk, code in drifted.values_list("pk", "entry__code")
    ]
    foreign = Line.objects.filter(entry__condominium=condominium).exclude(condominium=condominium)
    problems += [f"Ligne {pk} : copropriété différente de son écriture." for pk in foreign.values_list("pk", flat=True)]
    outside = entries.filter(Q(date__lt=F("fiscal_year__start_date")) | Q(date__gt=F("fiscal_year__end_date")))
    problems += [f"Écriture {code} datée hors de son exercice." for code in outside.values_list("code", flat=True)]

    # Co-owner lines: always and only on 450x/459, for a co-owner of this condominium.
    problems += [
        f"Ligne {pk} de {code} au compte {number} sans copropriétaire."
        for pk, code, number in lines.filter(account__is_co_owner_account=True, co_owner__isnull=True).values_list(
            "pk", "entry__code", "account__number"
        )
    ]
    problems += [
        f"Ligne {pk} de {code} : copropriétaire sur le compte {number}, qui n'est pas un compte copropriétaire."
        for pk, code, number in lines.filter(account__is_co_owner_account=False, co_owner__isnull=False).values_list(
            "pk", "entry__code", "account__number"
        )
    ]
    problems += [
        f"Ligne {pk} de {code} : copropriétaire d'une autre copropriété."
        for pk, code in lines.filter(co_owner__isnull=False)
        .exclude(co_owner__condominium=condominium)
        .values_list("pk", "entry__code")
    ]
    sub_ledger = sum(co_owner_balances(condominium).values(), ZERO)
    control = control_account_balance(condominium)
    if sub_ledger != control:
        problems.append(f"Comptes copropriétaires : {sub_ledger} au total, comptes 450/459 : {control}.")

    # Closed years: nothing posted after the closing, lines unchanged since (seal).
    for year in FiscalYear.objects.filter(condominium=condominium, state=FiscalYearState.CLOSED).order_by("start_date"):
        late = entries.filter(fiscal_year=year, posted_at__gt=year.closed_at)
        problems += [
            f"Écriture {code} enregistrée après la clôture de l'exercice {year}."
            for code in late.values_list("code", flat=True)
        ]
        if year_seal(year, previous_closed_seal(year)) != year.seal:
            problems.append(f"Exercice clôturé {year} : les lignes ne correspondent plus à l'empreinte de clôture.")

    problems += _lettering_problems(condominium)
    return problems


def _lettering_problems(condominium: Condominium) -> list[str]:
    problems: list[str] = []
    letterings = Lettering.objects.filter(condominium=condominium)
    problems += [
        f"Lettrage {code} au compte {number} : "
        + (
            "compte copropriétaire sans copropriétaire."
            if co_owner_account
            else "compte général avec un copropriétaire."
        )
        for code, number, co_owner_account in letterings.filter(
            Q(co_owner__isnull=True, account__is_co_owner_account=True)
            | Q(co_owner__isnull=False, account__is_co_owner_account=False)
        ).values_list("code", "account__number", "account__is_co_owner_account")
    ]
    problems += [
        f"Lettrage {row['code']} donné {row['count']} fois au compte {row['account__number']}."
        for row in letterings.filter(co_owner__isnull=True)
        .values("account_id", "account__number", "code")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
        .order_by("account__number", "code")
    ]
    problems += [
        f"Lettrage {row['code']} donné {row['count']} fois au copropriétaire {row['co_owner__reference']}."
        for row in letterings.filter(co_owner__isnull=False)
        .values("co_owner_id", "co_owner__reference", "code")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
        .order_by("co_owner__reference", "code")
    ]
    matches = Match.objects.filter(lettering__condominium=condominium).values_list(
        "lettering__code",
        "lettering__co_owner_id",
        "lettering__account_id",
        "debit_line_id",
        "debit_line__debit",
        "debit_line__co_owner_id",
        "debit_line__account_id",
        "credit_line_id",
        "credit_line__credit",
        "credit_line__co_owner_id",
        "credit_line__account_id",
        "amount",
    )
    used: dict[int, Decimal] = defaultdict(lambda: ZERO)
    size: dict[int, Decimal] = {}
    for (
        code,
        co_owner,
        account,
        d_id,
        d_amount,
        d_owner,
        d_account,
        c_id,
        c_amount,
        c_owner,
        c_account,
        amount,
    ) in matches:
        if not (co_owner == d_owner == c_owner and account == d_account == c_account):
            problems.append(f"Lettrage {code} : lignes d'un autre copropriétaire ou d'un autre compte.")
        if d_amount <= 0 or c_amount <= 0:
            problems.append(f"Lettrage {code} : un débit doit être rapproché d'un crédit.")
        used[d_id] += amount
        used[c_id] += amount
        size[d_id], size[c_id] = d_amount, c_amount
    problems += [
        f"Ligne {pk} lettrée pour {used[pk]}, au-delà de son montant {size[pk]}." for pk in used if used[pk] > size[pk]
    ]
    return problems
