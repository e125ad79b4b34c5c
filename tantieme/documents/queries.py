"""Reads: who may read which document. Every function here runs inside a firm scope."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from tantieme.condominiums.models import Condominium, CoOwner
from tantieme.condominiums.queries import co_owner_accounts_for_user
from tantieme.documents.enums import Audience
from tantieme.documents.models import CouncilMembership, Document


def active_council_memberships(*, day: datetime.date) -> QuerySet[CouncilMembership]:
    return CouncilMembership.objects.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))


def council_members(condominium: Condominium, *, day: datetime.date) -> QuerySet[CouncilMembership]:
    return active_council_memberships(day=day).filter(condominium=condominium).select_related("co_owner")


def is_council_member(co_owner: CoOwner, *, day: datetime.date) -> bool:
    return (
        active_council_memberships(day=day).filter(co_owner=co_owner, condominium_id=co_owner.condominium_id).exists()
    )


def council_co_owner_ids(co_owners: Iterable[CoOwner], *, day: datetime.date) -> set[int]:
    """Which of these accounts sit on their condominium's council on `day` (one query)."""
    ids = [co_owner.pk for co_owner in co_owners]
    if not ids:
        return set()
    return set(active_council_memberships(day=day).filter(co_owner_id__in=ids).values_list("co_owner_id", flat=True))


def co_owner_accounts_with_council(user_id: int, *, day: datetime.date) -> list[CoOwner]:
    """The user's co-owner accounts, each with `is_council` (seated on its condominium's council on
    `day`), in one query."""
    seats = active_council_memberships(day=day).filter(
        co_owner_id=OuterRef("pk"), condominium_id=OuterRef("condominium_id")
    )
    return list(co_owner_accounts_for_user(user_id).annotate(is_council=Exists(seats)))


def council_ids(accounts: Iterable[CoOwner]) -> set[int]:
    """The accounts of `co_owner_accounts_with_council` that sit on their council."""
    return {account.pk for account in accounts if getattr(account, "is_council", False)}


def documents_for_co_owners(
    co_owners: Iterable[CoOwner],
    *,
    council_co_owner_ids: Iterable[int] = (),
    category: str | None = None,
    year: int | None = None,
) -> QuerySet[Document]:
    """Published documents these accounts may read: their condominiums' shared documents, their own
    ones, and the council's space of the condominiums where one of them sits on the council."""
    accounts = list(co_owners)
    council = set(council_co_owner_ids)
    condominium_ids = {account.condominium_id for account in accounts}
    council_condominium_ids = {account.condominium_id for account in accounts if account.pk in council}
    visible = (
        Q(audience=Audience.CONDOMINIUM, condominium_id__in=condominium_ids)
        | Q(audience=Audience.CO_OWNER, co_owner_id__in=[account.pk for account in accounts])
        | Q(audience=Audience.COUNCIL, condominium_id__in=council_condominium_ids)
    )
    documents = Document.objects.filter(visible, archived_at__isnull=True)
    if not accounts:
        documents = documents.none()
    if category:
        documents = documents.filter(category=category)
    if year:
        documents = documents.filter(year=year)
    return documents


def documents_for_co_owner(
    co_owner: CoOwner, *, is_council: bool, category: str | None = None, year: int | None = None
) -> QuerySet[Document]:
    """What one co-owner account may read (`is_council`: whether it sits on its condominium's council)."""
    return documents_for_co_owners(
        [co_owner], council_co_owner_ids=[co_owner.pk] if is_council else [], category=category, year=year
    )


def documents_for_condominium(
    condominium: Condominium,
    *,
    category: str | None = None,
    audience: str | None = None,
    year: int | None = None,
    co_owner_id: int | None = None,
    include_archived: bool = False,
) -> QuerySet[Document]:
    """The back office's list: every document of a condominium, newest first."""
    documents = Document.objects.filter(condominium=condominium).select_related("co_owner", "published_by")
    if not include_archived:
        documents = documents.filter(archived_at__isnull=True)
    if category:
        documents = documents.filter(category=category)
    if audience:
        documents = documents.filter(audience=audience)
    if year:
        documents = documents.filter(year=year)
    if co_owner_id:
        documents = documents.filter(co_owner_id=co_owner_id)
    return documents
