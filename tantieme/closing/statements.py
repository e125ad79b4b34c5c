"""The individual distribution statement of each co-owner (« why am I paying this »): per lot and
key, the tantièmes, the lot's share of each charge account, the provisions called and the
régularisation, to the cent with the closing's `DistributionLine` rows. Rendered by
`renderers.render_individual_statement_pdf`, published after the approval (`publishing`).
Call inside `firm_scope(firm)`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from tantieme.closing.annexes import Header, annex_header
from tantieme.closing.models import Closing, DistributionLine
from tantieme.condominiums.models import Condominium, CoOwner, Lot, LotShare
from tantieme.core.money import allocate
from tantieme.ledger.models import ZERO, Account, FiscalYear

# --- Individual distribution statement --------------------------------------------------------------


@dataclass(frozen=True)
class ChargeShare:
    """One charge account of a key: the key's amount, and the lot's share of it."""

    account: str
    label: str
    key_amount: Decimal
    share: Decimal


@dataclass(frozen=True)
class StatementLine:
    """One lot in one key: tantièmes / total, charges and the lot's share, provisions, régularisation."""

    lot_number: int
    lot_label: str
    key_code: str
    key_label: str
    shares: int
    key_total: int
    key_charges: Decimal  # the key's total charges
    key_income: Decimal  # income assigned to the key (deducted from the charges)
    charges: tuple[ChargeShare, ...]  # per account; their shares add up to share + income_share
    income_share: Decimal
    share: Decimal  # the lot's share of the key's net charges (DistributionLine.share)
    called: Decimal
    regularisation: Decimal

    @property
    def tantiemes(self) -> str:
        return f"{self.shares} / {self.key_total}"


@dataclass(frozen=True)
class IndividualStatement:
    header: Header
    reference: str  # A6060001 (file names)
    reference_display: str  # A 606 0001
    name: str
    address: str
    owners_on: datetime.date
    lines: tuple[StatementLine, ...]

    @property
    def total_share(self) -> Decimal:
        return sum((line.share for line in self.lines), ZERO)

    @property
    def total_called(self) -> Decimal:
        return sum((line.called for line in self.lines), ZERO)

    @property
    def total_regularisation(self) -> Decimal:
        return sum((line.regularisation for line in self.lines), ZERO)

    @property
    def verdict(self) -> str:
        amount = self.total_regularisation
        if amount > 0:
            return _("Complément de charges à payer")
        if amount < 0:
            return _("Trop-perçu en votre faveur")
        return _("Ni complément ni trop-perçu")


@dataclass(frozen=True)
class _StatementContext:
    header: Header
    keys: dict[int, tuple[str, str, Decimal, Decimal]]  # code, label, charges, income
    accounts: dict[int, tuple[tuple[str, Decimal], ...]]  # key -> (account, amount), by account
    labels: dict[str, str]
    income_shares: dict[tuple[int, int], Decimal]  # (key, lot) -> the lot's share of the key's income
    lots: dict[int, tuple[int, str]]


def _statement_context(closing: Closing) -> _StatementContext:
    year = FiscalYear.objects.get(pk=closing.fiscal_year_id)
    condominium = Condominium.objects.select_related("firm").get(pk=year.condominium_id)
    keys: dict[int, tuple[str, str, Decimal, Decimal]] = {}
    accounts: dict[int, tuple[tuple[str, Decimal], ...]] = {}
    for item in closing.key_totals:
        key_id = int(item["key_id"])
        keys[key_id] = (str(item["code"]), str(item["label"]), Decimal(item["charges"]), Decimal(item["income"]))
        by_account = {number: Decimal(amount) for number, amount in dict(item.get("charges_by_account", {})).items()}
        accounts[key_id] = tuple(sorted(by_account.items()))
    income_shares: dict[tuple[int, int], Decimal] = {}
    with_income = [key_id for key_id, (_code, _label, _charges, income) in keys.items() if income]
    if with_income:
        members: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for key_id, lot_id, shares in (
            LotShare.objects.filter(key_id__in=with_income)
            .order_by("key_id", "lot__number")
            .values_list("key_id", "lot_id", "shares")
        ):
            members[key_id].append((lot_id, shares))
        for key_id, lot_shares in members.items():
            weights = [shares for _lot, shares in lot_shares]
            if any(weights):
                for (lot_id, _shares), part in zip(lot_shares, allocate(keys[key_id][3], weights), strict=True):
                    income_shares[(key_id, lot_id)] = part
    lots = {
        lot.pk: (lot.number, f"Lot {lot.number} – {lot.get_kind_display()}")
        for lot in Lot.objects.filter(condominium_id=condominium.pk)
    }
    return _StatementContext(
        header=annex_header(condominium.firm, condominium, year, None, closing),
        keys=keys,
        accounts=accounts,
        labels=dict(Account.objects.filter(condominium=condominium).values_list("number", "label")),
        income_shares=income_shares,
        lots=lots,
    )


def _charge_shares(context: _StatementContext, key_id: int, gross: Decimal) -> tuple[ChargeShare, ...]:
    """The lot's gross share spread over the key's accounts by their amounts (largest remainder)."""
    items = context.accounts.get(key_id, ())
    weights = [amount for _number, amount in items]
    if not items or any(weight < 0 for weight in weights) or not sum(weights, ZERO):
        return ()
    parts = allocate(gross, weights)
    return tuple(
        ChargeShare(account=number, label=context.labels.get(number, number), key_amount=amount, share=part)
        for (number, amount), part in zip(items, parts, strict=True)
    )


def _statement(
    context: _StatementContext, closing: Closing, co_owner: CoOwner, lines: Iterable[DistributionLine]
) -> IndividualStatement:
    rows: list[StatementLine] = []
    for line in lines:
        code, label, charges, income = context.keys.get(line.key_id, ("?", "", ZERO, ZERO))
        income_share = context.income_shares.get((line.key_id, line.lot_id), ZERO)
        number, lot_label = context.lots.get(line.lot_id, (0, ""))
        rows.append(
            StatementLine(
                lot_number=number,
                lot_label=lot_label,
                key_code=code,
                key_label=label,
                shares=line.shares,
                key_total=line.key_total,
                key_charges=charges,
                key_income=income,
                charges=_charge_shares(context, line.key_id, line.share + income_share),
                income_share=income_share,
                share=line.share,
                called=line.called,
                regularisation=line.regularisation,
            )
        )
    rows.sort(key=lambda row: (row.lot_number, row.key_code))
    return IndividualStatement(
        header=context.header,
        reference=co_owner.reference,
        reference_display=co_owner.reference_display,
        name=co_owner.display_name,
        address=co_owner.postal_address,
        owners_on=closing.owners_on,
        lines=tuple(rows),
    )


def individual_statement(closing: Closing, co_owner: CoOwner) -> IndividualStatement:
    """The co-owner's distribution statement (« why am I paying this »). Call inside a firm scope."""
    context = _statement_context(closing)
    lines = DistributionLine.objects.filter(closing=closing, co_owner=co_owner)
    return _statement(context, closing, co_owner, lines)


def individual_statements(closing: Closing) -> list[IndividualStatement]:
    """Every co-owner's statement of the closing, by reference (a few queries for all of them)."""
    context = _statement_context(closing)
    per_owner: dict[int, list[DistributionLine]] = defaultdict(list)
    for line in DistributionLine.objects.filter(closing=closing).order_by("co_owner_id", "pk"):
        per_owner[line.co_owner_id].append(line)
    owners = CoOwner.objects.filter(pk__in=list(per_owner)).order_by("reference")
    return [_statement(context, closing, owner, per_owner[owner.pk]) for owner in owners]
