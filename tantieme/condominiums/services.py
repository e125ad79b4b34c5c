"""Writes on condominiums, lots, keys and co-owners. Call inside a firm scope."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from tantieme.condominiums.models import AllocationKey, Condominium, CoOwner, Lot, Ownership
from tantieme.condominiums.validators import key_sum_problem
from tantieme.core.references import InvalidReferenceError, condominium_code_of, parse_reference


def next_reference(condominium: Condominium) -> str:
    """The next free reference "<letter><code><NNNN>" in the condominium, e.g. "A6060024".

    Numbers follow the highest numeric suffix in use; imported references with letters in the
    suffix ("G149X369") are skipped over, never reused.
    """
    prefix = f"{condominium.reference_letter}{condominium.code}"
    used = CoOwner.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
    highest = max((int(ref[4:]) for ref in used if ref[4:].isdigit()), default=0)
    if highest >= 9999:
        raise ValidationError(_("Plus aucune référence libre pour le préfixe %(prefix)s.") % {"prefix": prefix})
    return f"{prefix}{highest + 1:04d}"


def check_reference_for(condominium: Condominium, text: str) -> str:
    """Canonical form of `text`, which must name this condominium's code."""
    try:
        reference = parse_reference(text)
    except InvalidReferenceError as error:
        raise ValidationError(str(error), code="invalid_reference") from None
    if condominium_code_of(reference) != condominium.code:
        raise ValidationError(
            _("La référence %(reference)s ne porte pas le code de la copropriété %(code)s.")
            % {"reference": text, "code": condominium.code},
            code="reference_condominium_mismatch",
        )
    return reference


def key_share_problems(keys: Iterable[AllocationKey]) -> list[str]:
    """One message per key whose lots' tantièmes do not add up to its total."""
    problems = []
    for key in keys:
        problem = key_sum_problem(key.code, key.shares.aggregate(total=Sum("shares"))["total"] or 0, key.total)
        if problem:
            problems.append(problem)
    return problems


def validate_key_shares(condominium: Condominium) -> None:
    problems = key_share_problems(condominium.allocation_keys.all())
    if problems:
        raise ValidationError(problems)


def owner_on(lot: Lot, day: datetime.date) -> CoOwner | None:
    """Who owns `lot` on `day` (the one who pays what falls due that day)."""
    ownership = (
        Ownership.objects.filter(lot=lot, start_date__lte=day)
        .exclude(end_date__lt=day)
        .select_related("co_owner")
        .first()
    )
    return ownership.co_owner if ownership else None


@transaction.atomic
def transfer_lot(*, lot: Lot, buyer: CoOwner, sale_date: datetime.date) -> Ownership:
    """Record a sale: the seller's ownership ends the day before, the buyer's starts on `sale_date`."""
    if buyer.condominium_id != lot.condominium_id:
        raise ValidationError(_("L'acquéreur n'est pas copropriétaire de cette copropriété."))
    current = (
        Ownership.objects.select_for_update().filter(lot=lot, end_date__isnull=True).order_by("-start_date").first()
    )
    if current is not None:
        if current.start_date >= sale_date:
            raise ValidationError(_("La vente doit être postérieure au début de la propriété en cours."))
        current.end_date = sale_date - datetime.timedelta(days=1)
        current.save(update_fields=["end_date"])
    ownership = Ownership(co_owner=buyer, lot=lot, start_date=sale_date)
    ownership.full_clean()
    ownership.save()
    return ownership
