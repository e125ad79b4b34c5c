"""Template filters: every amount, reference and date shown goes through these."""

from __future__ import annotations

from decimal import Decimal

from django import template

from tantieme.core.money import format_amount
from tantieme.core.references import format_creditor_reference, format_reference

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str:
    """{{ amount|money }} -> "1 210,77 €"."""
    if value is None or value == "":
        return ""
    return format_amount(Decimal(value))


@register.filter
def abs_money(value: Decimal | int | None) -> str:
    if value is None or value == "":
        return ""
    return format_amount(abs(Decimal(value)))


@register.filter
def reference(value: str) -> str:
    """{{ "A6060001"|reference }} -> "A 606 0001"."""
    return format_reference(value or "")


@register.filter
def creditor_reference(value: str) -> str:
    return format_creditor_reference(value or "")
