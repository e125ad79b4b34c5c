"""Reads of the banking app for the back office. Call inside a firm scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from tantieme.banking.enums import LineStatus
from tantieme.banking.models import MatchSuggestion, StatementImport, StatementLine

AGE_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, 30, "moins de 30 jours"),
    (30, 60, "30 à 60 jours"),
    (60, 90, "60 à 90 jours"),
    (90, None, "plus de 90 jours"),
)


def recent_imports(limit: int = 50) -> QuerySet[StatementImport]:
    return StatementImport.objects.select_related("condominium").order_by("-created_at", "-id")[:limit]


def lines(
    *, status: str | None = None, condominium_id: int | None = None, statement_import_id: int | None = None
) -> QuerySet[StatementLine]:
    queryset = StatementLine.objects.select_related("condominium", "co_owner", "entry").order_by("-booking_date", "-id")
    if status in LineStatus.values:
        queryset = queryset.filter(status=status)
    if condominium_id is not None:
        queryset = queryset.filter(condominium_id=condominium_id)
    if statement_import_id is not None:
        queryset = queryset.filter(statement_import_id=statement_import_id)
    return queryset


def review_queue(condominium_id: int | None = None) -> QuerySet[StatementLine]:
    """Lines to review, with their suggestions (best first) and the co-owners they name."""
    suggestions = MatchSuggestion.objects.select_related("co_owner").order_by("-confidence", "id")
    return lines(status=LineStatus.TO_REVIEW, condominium_id=condominium_id).prefetch_related(
        Prefetch("suggestions", queryset=suggestions)
    )


@dataclass
class SuspenseRow:
    line: StatementLine
    age: int


@dataclass
class AgeBucket:
    label: str
    count: int
    total: Decimal


def suspense_queue(
    *, today: datetime.date, condominium_id: int | None = None
) -> tuple[list[SuspenseRow], list[AgeBucket]]:
    """Credits in suspense (472), oldest first, and their ageing by bucket."""
    rows = [
        SuspenseRow(line=line, age=line.age_in_days(today))
        for line in lines(status=LineStatus.SUSPENSE, condominium_id=condominium_id).order_by("booking_date", "id")
    ]
    buckets = []
    for low, high, label in AGE_BUCKETS:
        inside = [row for row in rows if row.age >= low and (high is None or row.age < high)]
        buckets.append(
            AgeBucket(label=label, count=len(inside), total=sum((row.line.amount for row in inside), Decimal("0.00")))
        )
    return rows, buckets


def returns_in_progress(condominium_id: int | None = None) -> QuerySet[StatementLine]:
    return lines(status=LineStatus.RETURNED, condominium_id=condominium_id).select_related("return_transfer")


def status_counts() -> dict[str, int]:
    from django.db.models import Count

    return dict(StatementLine.objects.values_list("status").annotate(n=Count("id")).order_by())
