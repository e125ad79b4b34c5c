"""The small chart of « Mon compte »: the balance at the end of each of the last 24 months and the
calls of the current fiscal year per key, drawn as server-side SVG (no script) with a table as its
text alternative.

    chart = account_chart(account, today, year_start, year_end)    # one query (a UNION ALL)

The two series come from two tables (ledger lines, call lines) but one round trip: the page's
budget is ten queries. Call inside a firm scope.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, CharField, DateField, F, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext

from tantieme.condominiums.models import CoOwner
from tantieme.core.money import ZERO
from tantieme.funds.models import CallLine
from tantieme.ledger.models import MONEY_OUTPUT, Line
from tantieme.portal.owed import balance_text

MONTHS = 24
WIDTH, HEIGHT = 600, 200  # the SVG's coordinate system; it scales to the width of its box
_PAD_LEFT, _PAD_RIGHT, _PAD_TOP, _PAD_BOTTOM = 8, 8, 12, 24
_MONEY = MONEY_OUTPUT


@dataclass(frozen=True)
class MonthPoint:
    month: datetime.date  # the first day of the month
    balance: Decimal  # at the end of the month (today for the current one)
    text: str  # « 1 210,77 € » or « 450,00 € créditeur »
    x: float
    y: float


@dataclass(frozen=True)
class KeyBar:
    label: str
    amount: Decimal
    width: float  # percent of the largest key


@dataclass(frozen=True)
class AccountChart:
    points: tuple[MonthPoint, ...]
    keys: tuple[KeyBar, ...]
    zero_y: float
    year_start: datetime.date
    year_end: datetime.date

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)

    @property
    def has_history(self) -> bool:
        return any(point.balance for point in self.points)

    @property
    def highest(self) -> Decimal:
        return max((point.balance for point in self.points), default=ZERO)

    @property
    def lowest(self) -> Decimal:
        return min((point.balance for point in self.points), default=ZERO)

    @property
    def range_text(self) -> tuple[str, str]:
        """The lowest and highest balances as the portal writes balances (« 450,00 € créditeur »)."""
        return balance_text(self.lowest), balance_text(self.highest)


def _first_of_month(day: datetime.date, back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def account_chart(
    account: CoOwner, today: datetime.date, year_start: datetime.date, year_end: datetime.date
) -> AccountChart:
    window = _first_of_month(today, MONTHS - 1)
    before = window - datetime.timedelta(days=1)  # everything earlier: one opening bucket
    months = (
        Line.objects.filter(co_owner=account, date__lte=today)
        .annotate(
            bucket=Case(When(date__lt=window, then=Value(before)), default=TruncMonth("date"), output_field=DateField())
        )
        .values("bucket")
        .annotate(
            kind=Value("m", output_field=CharField()),
            label=Value("", output_field=CharField()),
            total=Sum(F("debit") - F("credit"), output_field=_MONEY),
        )
        .values_list("kind", "bucket", "label", "total")
    )
    keys = (
        CallLine.objects.filter(notice__co_owner=account, call__due_date__gte=year_start, call__due_date__lte=year_end)
        .annotate(
            kind=Value("k", output_field=CharField()),
            bucket=Value(None, output_field=DateField()),
            label=Case(
                When(Q(is_works_fund=True), then=Value(gettext("Fonds de travaux"))),
                default=F("key__label"),
                output_field=CharField(),
            ),
        )
        .values("kind", "bucket", "label")
        .annotate(total=Sum("amount", output_field=_MONEY))
        .values_list("kind", "bucket", "label", "total")
    )
    movements: dict[datetime.date, Decimal] = {}
    per_key: dict[str, Decimal] = {}
    for kind, bucket, label, total in months.order_by().union(keys.order_by(), all=True):
        amount = Decimal(total or 0).quantize(Decimal("0.01"))
        if kind == "m":
            # A date on SQLite, a timestamp from PostgreSQL's DATE_TRUNC through the UNION.
            if isinstance(bucket, datetime.datetime):
                day = bucket.date()
            elif isinstance(bucket, datetime.date):
                day = bucket
            else:
                day = datetime.date.fromisoformat(str(bucket)[:10])
            movements[day] = movements.get(day, ZERO) + amount
        else:
            per_key[label] = per_key.get(label, ZERO) + amount
    running = movements.get(before, ZERO)
    series: list[tuple[datetime.date, Decimal]] = []
    for back in range(MONTHS - 1, -1, -1):
        month = _first_of_month(today, back)
        running += movements.get(month, ZERO)
        series.append((month, running))
    return AccountChart(
        points=_points(series),
        keys=_bars(per_key),
        zero_y=_scale(series)(ZERO),
        year_start=year_start,
        year_end=year_end,
    )


def _scale(series: list[tuple[datetime.date, Decimal]]) -> Callable[[Decimal], float]:
    values = [value for _month, value in series] + [ZERO]
    high, low = max(values), min(values)
    span = (high - low) or Decimal(1)
    inner = HEIGHT - _PAD_TOP - _PAD_BOTTOM

    def y(value: Decimal) -> float:
        return float(_PAD_TOP + (high - value) / span * inner)

    return y


def _points(series: list[tuple[datetime.date, Decimal]]) -> tuple[MonthPoint, ...]:
    y = _scale(series)
    step = (WIDTH - _PAD_LEFT - _PAD_RIGHT) / max(len(series) - 1, 1)
    return tuple(
        MonthPoint(month=month, balance=value, text=balance_text(value), x=_PAD_LEFT + index * step, y=y(value))
        for index, (month, value) in enumerate(series)
    )


def _bars(per_key: dict[str, Decimal]) -> tuple[KeyBar, ...]:
    largest = max(per_key.values(), default=ZERO)
    return tuple(
        KeyBar(label=label, amount=amount, width=float(amount / largest * 100) if largest else 0.0)
        for label, amount in sorted(per_key.items(), key=lambda item: -item[1])
    )
