"""Writes of a sale file. Call inside `firm_scope(firm)`. Each function is one transaction with
its audit record, keyword-only, and raises `SaleError` (French sentence, nothing written).

    open_sale                    the notary's request: seller, lots, notary, planned date
    send_pre_sale_information    the pre-sale information (CCH L721-2), frozen when sent
    issue_statement              the état daté (décret 1967 art. 5) and its fee (≤ 380 € TTC)
    record_mutation              the notified mutation: ownerships ended and started, the buyer
    close_sale                   the file closed once the seller owes nothing (or the sale abandoned)

The buyer's extranet access is given by the back office after `record_mutation`
(`tantieme.backoffice.access.give_access`), in the same transaction. See docs/sales.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tantieme.audit.services import record
from tantieme.condominiums.models import Condominium, CoOwner, Lot, Ownership
from tantieme.condominiums.services import next_reference, transfer_lot
from tantieme.core.money import CENT, ZERO, format_amount
from tantieme.ledger.enums import FiscalYearState, LineNature
from tantieme.ledger.exceptions import LedgerError
from tantieme.ledger.models import FiscalYear
from tantieme.ledger.queries import balance
from tantieme.ledger.services import LineDraft, post_entry
from tantieme.sales.enums import SaleStatus
from tantieme.sales.exceptions import SaleError
from tantieme.sales.figures import SaleFigures, sale_figures, to_json
from tantieme.sales.models import FEE_CAP, Sale

ONE_DAY = datetime.timedelta(days=1)
# The fee is owed by the seller to the syndicate, which owes it to the syndic (see docs/sales.md).
FEE_DEBIT_ACCOUNT = "450"
FEE_CREDIT_ACCOUNT = "401"


@dataclass(frozen=True)
class BuyerData:
    """A buyer who is not yet a co-owner of the condominium."""

    last_name: str
    address_line1: str
    postal_code: str
    city: str
    civility: str = ""
    first_name: str = ""
    address_line2: str = ""
    email: str = ""
    phone: str = ""


def _lots_text(lots: Sequence[Lot]) -> str:
    return ", ".join(str(lot.number) for lot in sorted(lots, key=lambda lot: lot.number))


def _locked(sale: Sale) -> Sale:
    """The sale row, locked: two clicks on the same action do it once."""
    return Sale.objects.select_for_update().select_related("condominium__firm", "seller").get(pk=sale.pk)


def _check_status(sale: Sale, *allowed: SaleStatus) -> None:
    if sale.status not in allowed:
        raise SaleError(
            _("Action impossible : le dossier en est à l'étape « %(status)s ».") % {"status": sale.get_status_display()}
        )


def _in_open_year(condominium: Condominium, day: datetime.date) -> None:
    year = FiscalYear.objects.filter(condominium=condominium, start_date__lte=day, end_date__gte=day).first()
    if year is not None and year.state != FiscalYearState.OPEN:
        raise SaleError(
            _("Le %(date)s tombe dans l'exercice clôturé %(year)s : les propriétaires n'y changent plus.")
            % {"date": f"{day:%d/%m/%Y}", "year": year}
        )


def _owned_by(seller: CoOwner, lots: Sequence[Lot], day: datetime.date) -> None:
    """Every lot is the seller's on `day` (and still theirs: no later owner recorded)."""
    current = {
        ownership.lot_id: ownership
        for ownership in Ownership.objects.filter(lot__in=lots, start_date__lte=day).exclude(end_date__lt=day)
    }
    refused = [
        lot.number
        for lot in lots
        if lot.pk not in current or current[lot.pk].co_owner_id != seller.pk or current[lot.pk].end_date is not None
    ]
    if refused:
        raise SaleError(
            _("Le ou les lots %(lots)s n'appartiennent pas à %(seller)s au %(date)s.")
            % {
                "lots": ", ".join(str(number) for number in sorted(refused)),
                "seller": seller.display_name,
                "date": f"{day:%d/%m/%Y}",
            }
        )


@transaction.atomic
def open_sale(
    *,
    condominium: Condominium,
    seller: CoOwner,
    lot_numbers: Sequence[int],
    requested_on: datetime.date,
    notary_name: str,
    notary_office: str = "",
    notary_email: str = "",
    notary_address: str = "",
    planned_date: datetime.date | None = None,
    buyer_name: str = "",
    actor: Any = None,
) -> Sale:
    """The notary's request for `lot_numbers` of `seller`, who must own them on `requested_on`."""
    if seller.condominium_id != condominium.pk:
        raise SaleError(_("Le vendeur n'est pas copropriétaire de cette copropriété."))
    numbers = sorted(set(lot_numbers))
    if not numbers:
        raise SaleError(_("Indiquez au moins un lot vendu."))
    if not notary_name.strip():
        raise SaleError(_("Indiquez le notaire qui demande l'état daté."))
    if planned_date is not None and planned_date < requested_on:
        raise SaleError(_("La date prévue de la vente précède la demande du notaire."))
    lots = list(Lot.objects.filter(condominium=condominium, number__in=numbers).order_by("number"))
    missing = sorted(set(numbers) - {lot.number for lot in lots})
    if missing:
        raise SaleError(
            _("Lot(s) %(lots)s inconnu(s) dans la copropriété %(code)s.")
            % {"lots": ", ".join(map(str, missing)), "code": condominium.code}
        )
    _owned_by(seller, lots, requested_on)
    pending = (
        Sale.objects.filter(
            lots__in=lots,
            status__in=[SaleStatus.REQUESTED, SaleStatus.INFORMATION_SENT, SaleStatus.STATEMENT_ISSUED],
        )
        .order_by("pk")
        .first()
    )
    if pending is not None:
        raise SaleError(
            _("Une vente est déjà en cours pour ces lots (dossier n° %(number)s).") % {"number": pending.pk}
        )
    sale = Sale.objects.create(
        firm=condominium.firm,
        condominium=condominium,
        seller=seller,
        requested_on=requested_on,
        notary_name=notary_name.strip(),
        notary_office=notary_office.strip(),
        notary_email=notary_email.strip(),
        notary_address=notary_address.strip(),
        planned_date=planned_date,
        buyer_name=buyer_name.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    sale.lots.set(lots)
    record(
        action="sales.sale.requested",
        firm=condominium.firm,
        actor=actor,
        target=sale,
        data={
            "seller": seller.reference,
            "lots": [lot.number for lot in lots],
            "requested_on": requested_on.isoformat(),
            "notary": sale.notary_name,
        },
    )
    return sale


def _notary(sale: Sale) -> str:
    return " — ".join(part for part in (sale.notary_name, sale.notary_office) if part)


def figures_for(sale: Sale, *, fee: Decimal = ZERO) -> SaleFigures:
    """The figures of the sale at its request date, from the books as they are now."""
    return sale_figures(
        condominium=sale.condominium,
        seller=sale.seller,
        lots=list(sale.lots.all()),
        at=sale.requested_on,
        notary=_notary(sale),
        fee=fee,
        exclude_entry_id=sale.fee_entry_id,
    )


@transaction.atomic
def send_pre_sale_information(*, sale: Sale, actor: Any = None, on: datetime.date | None = None) -> Sale:
    """Freeze and mark sent the pre-sale information (CCH L721-2), figures at the request date."""
    sale = _locked(sale)
    _check_status(sale, SaleStatus.REQUESTED)
    on = on or timezone.localdate()
    figures = figures_for(sale)
    sale.information = to_json(figures)
    sale.information_sent_on = on
    sale.status = SaleStatus.INFORMATION_SENT
    sale.save(update_fields=["information", "information_sent_on", "status"])
    record(
        action="sales.information.sent",
        firm=sale.condominium.firm,
        actor=actor,
        target=sale,
        data={
            "on": on.isoformat(),
            "seller_owes": str(figures.seller_owes),
            "buyer_will_owe": str(figures.buyer_will_owe),
            "works_fund_share": str(figures.works_fund.share),
        },
    )
    return sale


def check_fee(fee: Decimal) -> Decimal:
    """The état daté fee: to the cent, not negative, at most 380 € TTC (décret n° 2020-153)."""
    if not isinstance(fee, Decimal) or not fee.is_finite() or fee.quantize(CENT) != fee:
        raise SaleError(_("Les honoraires s'écrivent en euros et centimes."))
    if fee < 0:
        raise SaleError(_("Les honoraires ne peuvent pas être négatifs."))
    if fee > FEE_CAP:
        raise SaleError(
            _(
                "Les honoraires de l'état daté sont plafonnés à %(cap)s TTC (décret n° 2020-153 du 21 février "
                "2020) : %(fee)s est refusé."
            )
            % {"cap": format_amount(FEE_CAP), "fee": format_amount(fee)}
        )
    return fee.quantize(CENT)


@transaction.atomic
def issue_statement(*, sale: Sale, fee: Decimal, actor: Any = None, on: datetime.date | None = None) -> Sale:
    """The état daté at the request date, frozen, and its fee charged to the seller on `on` (today).

    The fee is posted in OD: Dr 450·seller (nature « frais ») / Cr 401 (the syndic, to whom the
    syndicate pays it). A fee of zero posts nothing. A closed fiscal year on `on` refuses it all.
    """
    sale = _locked(sale)
    _check_status(sale, SaleStatus.REQUESTED, SaleStatus.INFORMATION_SENT)
    fee = check_fee(fee)
    on = on or timezone.localdate()
    if on < sale.requested_on:
        raise SaleError(_("L'état daté ne peut pas précéder la demande du notaire."))
    lots = list(sale.lots.all())
    figures = figures_for(sale, fee=fee)
    entry = None
    if fee:
        label = _("Honoraires état daté lot(s) %(lots)s") % {"lots": _lots_text(lots)}
        try:
            entry = post_entry(
                condominium=sale.condominium,
                journal="OD",
                date=on,
                label=label,
                voucher=f"ED-{sale.pk}",
                lines=[
                    LineDraft(
                        account=FEE_DEBIT_ACCOUNT,
                        debit=fee,
                        co_owner=sale.seller,
                        nature=LineNature.FEES,
                        label=label,
                    ),
                    LineDraft(account=FEE_CREDIT_ACCOUNT, credit=fee, label=f"{label} — {sale.condominium.firm.name}"),
                ],
                reason=_("Honoraires de l'état daté imputables au vendeur (loi du 10 juillet 1965, art. 10-1 b)."),
                actor=actor,
            )
        except LedgerError as error:
            raise SaleError(str(error)) from None
    sale.statement = to_json(figures)
    sale.statement_date = sale.requested_on
    sale.statement_issued_on = on
    sale.fee = fee
    sale.fee_entry = entry
    sale.status = SaleStatus.STATEMENT_ISSUED
    sale.save(update_fields=["statement", "statement_date", "statement_issued_on", "fee", "fee_entry", "status"])
    record(
        action="sales.statement.issued",
        firm=sale.condominium.firm,
        actor=actor,
        target=sale,
        data={
            "on": on.isoformat(),
            "at": sale.requested_on.isoformat(),
            "fee": str(fee),
            "entry": entry.code if entry is not None else "",
            "part_1": str(figures.parts[0].total),
            "part_2": str(figures.parts[1].total),
            "part_3": str(figures.parts[2].total),
        },
    )
    return sale


def _new_buyer(condominium: Condominium, data: BuyerData, actor: Any) -> CoOwner:
    if not data.last_name.strip() or not data.address_line1.strip() or not data.postal_code.strip():
        raise SaleError(_("Indiquez au moins le nom et l'adresse de l'acquéreur."))
    # One new reference at a time in the condominium: two buyers created at once get two numbers.
    list(Condominium.objects.select_for_update().filter(pk=condominium.pk).values_list("pk", flat=True))
    try:
        reference = next_reference(condominium)
    except ValidationError as error:
        raise SaleError(" ".join(error.messages)) from None
    buyer = CoOwner(
        firm=condominium.firm,
        condominium=condominium,
        reference=reference,
        civility=data.civility.strip(),
        last_name=data.last_name.strip(),
        first_name=data.first_name.strip(),
        address_line1=data.address_line1.strip(),
        address_line2=data.address_line2.strip(),
        postal_code=data.postal_code.strip(),
        city=data.city.strip(),
        email=data.email.strip().lower(),
        phone=data.phone.strip(),
    )
    try:
        buyer.full_clean()
    except ValidationError as error:
        raise SaleError(" ".join(error.messages)) from None
    buyer.save()
    record(
        action="condominiums.co_owner.created",
        firm=condominium.firm,
        actor=actor,
        target=buyer,
        data={"reference": reference, "reason": "sale"},
    )
    return buyer


@transaction.atomic
def record_mutation(
    *,
    sale: Sale,
    notification_date: datetime.date,
    buyer: CoOwner | None = None,
    new_buyer: BuyerData | None = None,
    actor: Any = None,
) -> Sale:
    """The mutation notified to the syndic on `notification_date` (décret 1967 art. 6).

    The seller's ownership of each lot ends on that date and the buyer's starts the next day: what
    falls due on the notification day is still the seller's. The buyer is an existing co-owner of
    the condominium or is created with the next reference. The seller's account stays as it is
    (open until settled); the works fund stays with the lots.
    """
    sale = _locked(sale)
    _check_status(sale, SaleStatus.STATEMENT_ISSUED)
    if notification_date < sale.requested_on:
        raise SaleError(
            _("La mutation (notifiée le %(date)s) ne peut pas précéder la demande du notaire du %(request)s.")
            % {"date": f"{notification_date:%d/%m/%Y}", "request": f"{sale.requested_on:%d/%m/%Y}"}
        )
    condominium = sale.condominium
    _in_open_year(condominium, notification_date)
    _in_open_year(condominium, notification_date + ONE_DAY)
    if (buyer is None) == (new_buyer is None):
        raise SaleError(_("Choisissez l'acquéreur parmi les copropriétaires ou saisissez un nouvel acquéreur."))
    if buyer is not None:
        if buyer.condominium_id != condominium.pk:
            raise SaleError(_("L'acquéreur n'est pas copropriétaire de cette copropriété."))
        if buyer.pk == sale.seller_id:
            raise SaleError(_("L'acquéreur ne peut pas être le vendeur."))
    lots = list(sale.lots.select_for_update().order_by("number"))
    _owned_by(sale.seller, lots, notification_date)
    if buyer is None:
        assert new_buyer is not None
        buyer = _new_buyer(condominium, new_buyer, actor)
    starts = notification_date + ONE_DAY
    for lot in lots:
        try:
            transfer_lot(lot=lot, buyer=buyer, sale_date=starts)
        except ValidationError as error:
            raise SaleError(" ".join(error.messages)) from None
    sale.buyer = buyer
    sale.mutation_date = notification_date
    sale.status = SaleStatus.MUTATION_RECORDED
    sale.save(update_fields=["buyer", "mutation_date", "status"])
    record(
        action="sales.mutation.recorded",
        firm=condominium.firm,
        actor=actor,
        target=sale,
        data={
            "notified_on": notification_date.isoformat(),
            "seller": sale.seller.reference,
            "buyer": buyer.reference,
            "lots": [lot.number for lot in lots],
            "seller_balance": str(balance(sale.seller, notification_date)),
        },
    )
    return sale


@transaction.atomic
def close_sale(*, sale: Sale, actor: Any = None, on: datetime.date | None = None) -> Sale:
    """Close the file: after the mutation, once the seller owes nothing any more; before it, the
    sale is abandoned (the seller stays the owner; an état daté fee posted stays due)."""
    sale = _locked(sale)
    _check_status(
        sale,
        SaleStatus.REQUESTED,
        SaleStatus.INFORMATION_SENT,
        SaleStatus.STATEMENT_ISSUED,
        SaleStatus.MUTATION_RECORDED,
    )
    on = on or timezone.localdate()
    owed = balance(sale.seller, on)
    if sale.status == SaleStatus.MUTATION_RECORDED and owed > 0:
        raise SaleError(
            _(
                "Le vendeur doit encore %(amount)s : le dossier reste ouvert jusqu'au règlement "
                "(opposition sur le prix, art. 20 de la loi)."
            )
            % {"amount": format_amount(owed)}
        )
    abandoned = sale.status != SaleStatus.MUTATION_RECORDED
    sale.status = SaleStatus.CLOSED
    sale.closed_on = on
    sale.save(update_fields=["status", "closed_on"])
    record(
        action="sales.sale.closed",
        firm=sale.condominium.firm,
        actor=actor,
        target=sale,
        data={"on": on.isoformat(), "seller_balance": str(owed), "abandoned": abandoned},
    )
    return sale


def opposition_figures(sale: Sale) -> SaleFigures:
    """The seller's debts at the mutation date (only sums then exigible count, décret art. 5-1)."""
    if sale.mutation_date is None:
        raise SaleError(_("La mutation n'est pas encore enregistrée."))
    return sale_figures(
        condominium=sale.condominium,
        seller=sale.seller,
        lots=list(sale.lots.all()),
        at=sale.mutation_date,
        notary=_notary(sale),
    )


def record_opposition(*, sale: Sale, figures: SaleFigures, actor: Any = None) -> None:
    """Audit the opposition letter produced (amount and date)."""
    record(
        action="sales.opposition.produced",
        firm=sale.condominium.firm,
        actor=actor,
        target=sale,
        data={"amount": str(figures.seller_owes), "at": figures.at.isoformat()},
    )
