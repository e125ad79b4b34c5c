"""Money: parse, format and allocate amounts in euros, exactly.

Amounts are `Decimal` with two decimal places everywhere (never float). This module is the only
place that turns text into amounts and amounts into text, so "1 210,77 €" is written one way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.utils import translation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# A no-break space groups thousands and separates the currency sign: the amount never wraps,
# and the character exists in every PDF base font (U+202F does not).
NBSP = "\u00a0"

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_CURRENCY = re.compile(r"(€|eur(os?)?)", re.IGNORECASE)
_THOUSANDS_WITH_DOTS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_PLAIN = re.compile(r"^-?\d+(\.\d{1,2})?$")


class AmountError(ValueError):
    """Text that is not an amount in euros with at most two decimals."""


def parse_amount(text: str | int | Decimal) -> Decimal:
    """Read an amount written the French or the English way.

    Accepts "1 210,77", "1210.77", "1 210,77 €", "1.210,77", "1,210.77", "-12,5", "EUR 12".
    Refuses more than two decimals and anything that is not a number.
    """
    if isinstance(text, Decimal):
        return _quantize_exact(text)
    if isinstance(text, int):
        return _quantize_exact(Decimal(text))
    raw = _CURRENCY.sub("", text)
    raw = _SPACES.sub("", raw)
    if raw.startswith("+"):
        raw = raw[1:]
    if not raw:
        raise AmountError(f"« {text} » n'est pas un montant.")
    if "," in raw and "." in raw:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        raw = raw.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in raw:
        if raw.count(",") > 1:
            raise AmountError(f"« {text} » n'est pas un montant.")
        raw = raw.replace(",", ".")
    elif _THOUSANDS_WITH_DOTS.match(raw) and not _PLAIN.match(raw):
        raw = raw.replace(".", "")
    if not _PLAIN.match(raw):
        raise AmountError(f"« {text} » n'est pas un montant (au plus deux décimales).")
    try:
        return Decimal(raw).quantize(CENT)
    except InvalidOperation:
        raise AmountError(f"« {text} » n'est pas un montant.") from None


def _quantize_exact(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise AmountError(f"{value} n'est pas un montant.")
    quantized = value.quantize(CENT)
    if quantized != value:
        raise AmountError(f"{value} a plus de deux décimales.")
    return quantized


def format_amount(value: Decimal | int, *, currency: bool = True, language: str | None = None) -> str:
    """`Decimal("1210.77")` -> "1 210,77 €" in French, "€1,210.77" in English."""
    amount = Decimal(value).quantize(CENT)
    language = (language or translation.get_language() or "fr")[:2]
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups: list[str] = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    if language == "en":
        text = f"{sign}{','.join(groups)}.{cents}"
        return f"{sign}€{text[len(sign) :]}" if currency else text
    text = f"{sign}{NBSP.join(groups)},{cents}"
    return f"{text}{NBSP}€" if currency else text


def format_plain(value: Decimal | int) -> str:
    """Machine-friendly French decimal for CSV files: "1210,77"."""
    return f"{Decimal(value).quantize(CENT):.2f}".replace(".", ",")


def to_cents(value: Decimal) -> int:
    return int(_quantize_exact(value) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def allocate(total: Decimal, weights: Sequence[int | Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `weights` so that the parts add up to it exactly.

    Largest-remainder (Hamilton) method at the cent: each part is first rounded down, then the
    missing cents go one by one to the largest fractional remainders. Ties go to the larger
    weight, then to the earlier position, so the result is deterministic. A zero weight gets
    nothing. A negative total (a refund) is split like its opposite.
    """
    total = _quantize_exact(Decimal(total))
    if any(Decimal(w) < 0 for w in weights):
        raise ValueError("Weights must not be negative.")
    weight_sum = sum((Decimal(w) for w in weights), Decimal(0))
    if not weights or weight_sum == 0:
        if total == 0:
            return [ZERO for _ in weights]
        raise ValueError("Cannot allocate a non-zero total over zero weights.")
    if total < 0:
        return [-part for part in allocate(-total, weights)]

    total_cents = to_cents(total)
    floors: list[int] = []
    remainders: list[Decimal] = []
    for weight in weights:
        exact = Decimal(total_cents) * Decimal(weight) / weight_sum
        floor = int(exact.to_integral_value(rounding=ROUND_DOWN))
        floors.append(floor)
        remainders.append(exact - floor)
    missing = total_cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -Decimal(weights[i]), i))
    for index in order[:missing]:
        floors[index] += 1
    return [from_cents(cents) for cents in floors]
