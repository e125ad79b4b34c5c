"""Reads that cross relations. Every function here runs inside a firm scope."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet, Sum

from tantieme.condominiums.models import Condominium, CoOwner, LotShare, Ownership, SyndicContact


def co_owner_accounts_for_user(user_id: int) -> QuerySet[CoOwner]:
    """The co-owner accounts a portal user may see: theirs, in the firm in scope."""
    return CoOwner.objects.filter(users__id=user_id).select_related("condominium__firm").order_by("reference")


def get_co_owner_for_user(user_id: int, co_owner_id: int) -> CoOwner:
    """One of the user's accounts; another's is DoesNotExist (a 404 for views)."""
    return co_owner_accounts_for_user(user_id).get(pk=co_owner_id)


def current_ownerships(co_owner: CoOwner, day: datetime.date) -> QuerySet[Ownership]:
    """The lots a co-owner holds on `day`, with their building and their tantièmes per key."""
    return (
        Ownership.objects.filter(co_owner=co_owner, start_date__lte=day)
        .exclude(end_date__lt=day)
        .select_related("lot__building")
        .prefetch_related(
            Prefetch("lot__shares", queryset=LotShare.objects.select_related("key").order_by("key__code"))
        )
        .order_by("lot__number")
    )


def contacts_for(condominium: Condominium) -> QuerySet[SyndicContact]:
    """The condominium's own contacts, then the firm-wide ones."""
    return SyndicContact.objects.filter(condominium__in=[condominium.pk]) | SyndicContact.objects.filter(
        condominium__isnull=True
    )


def email_languages(co_owners: Iterable[CoOwner]) -> dict[int, str]:
    """The language to write to each co-owner in (co-owner id -> "fr"/"en"), in one query.

    The language chosen in « Mes informations » by the portal user who has the co-owner's e-mail,
    else by the co-owner's first portal user; French when nobody chose (the legal default)."""
    emails = {co_owner.pk: co_owner.email.strip().lower() for co_owner in co_owners}
    if not emails:
        return {}
    first: dict[int, str] = {}
    same_email: dict[int, str] = {}
    rows = (
        CoOwner.users.through.objects.filter(coowner_id__in=emails)
        .order_by("user_id")
        .values_list("coowner_id", "user__email", "user__language")
    )
    for co_owner_id, user_email, language in rows:
        first.setdefault(co_owner_id, language)
        if user_email.strip().lower() == emails[co_owner_id]:
            same_email.setdefault(co_owner_id, language)
    return {pk: same_email.get(pk) or first.get(pk) or "fr" for pk in emails}


def key_share_sums(condominium: Condominium) -> dict[int, int]:
    """Σ tantièmes of each key of the condominium, in one query: {key id: sum} (keys with shares only)."""
    return dict(
        LotShare.objects.filter(key__condominium=condominium)
        .values("key_id")
        .annotate(total=Sum("shares"))
        .order_by("key_id")
        .values_list("key_id", "total")
    )


def current_owners(lot_ids: Iterable[int] | Condominium, day: datetime.date) -> dict[int, list[CoOwner]]:
    """Who owns each lot (of these ids, or of a whole condominium) on `day`, in one query:
    {lot id: [co-owners]} (lots without an owner are absent)."""
    owners: dict[int, list[CoOwner]] = {}
    lots = Q(lot__condominium=lot_ids) if isinstance(lot_ids, Condominium) else Q(lot_id__in=list(lot_ids))
    ownerships = (
        Ownership.objects.filter(lots, start_date__lte=day)
        .exclude(end_date__lt=day)
        .select_related("co_owner")
        .order_by("lot_id", "start_date")
    )
    for ownership in ownerships:
        owners.setdefault(ownership.lot_id, []).append(ownership.co_owner)
    return owners


def shares_of(lot_ids: Iterable[int] | Condominium, key_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """The tantièmes {(lot id, key id): shares} of these lots (or of a whole condominium's) in these keys,
    in one query (a condominium rather than 20,000 ids: SQLite bounds the parameters of a query)."""
    lots = Q(lot__condominium=lot_ids) if isinstance(lot_ids, Condominium) else Q(lot_id__in=list(lot_ids))
    return {
        (lot_id, key_id): shares
        for lot_id, key_id, shares in LotShare.objects.filter(lots, key_id__in=list(key_ids)).values_list(
            "lot_id", "key_id", "shares"
        )
    }
