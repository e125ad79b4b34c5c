"""Validators for condominium data: IBAN and BIC (schwifty), registry number, references."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from tantieme.core.references import InvalidReferenceError, parse_reference


def normalize_iban(value: str) -> str:
    """Compact upper-case IBAN, validated (check digits and national BBAN rules)."""
    try:
        return IBAN(value, validate_bban=True).compact
    except SchwiftyException as error:
        raise ValidationError(
            _("IBAN « %(value)s » invalide : %(reason)s"), params={"value": value, "reason": error}, code="invalid_iban"
        ) from None


def normalize_bic(value: str) -> str:
    try:
        return str(BIC(value).compact)
    except SchwiftyException as error:
        raise ValidationError(
            _("BIC « %(value)s » invalide : %(reason)s"), params={"value": value, "reason": error}, code="invalid_bic"
        ) from None


_SPACES = re.compile(r"\s+")
_REGISTRY = re.compile(r"^[A-Z]{2}\d{7}$")


def normalize_registry_number(value: str) -> str:
    """The registry number (numéro d'immatriculation) without spaces, upper-case: "AB1234567"; empty stays empty.

    The spreadsheet import and the condominium file read it with this one function."""
    compact = _SPACES.sub("", value or "").upper()
    if compact and not _REGISTRY.match(compact):
        raise ValidationError(
            _("Le numéro d'immatriculation compte deux lettres et sept chiffres (AB1234567)."), code="invalid_registry"
        )
    return compact


def key_sum_problem(code: str, shares: int, total: int) -> str | None:
    """What is wrong with a key whose lots' tantièmes add up to `shares` (None when they make `total`)."""
    if shares == total:
        return None
    return _("Clé %(code)s : les tantièmes des lots font %(sum)s au lieu de %(total)s.") % {
        "code": code,
        "sum": shares,
        "total": total,
    }


def validate_iban(value: str) -> None:
    normalize_iban(value)


def validate_bic(value: str) -> None:
    normalize_bic(value)


def validate_reference(value: str) -> None:
    try:
        parse_reference(value)
    except InvalidReferenceError as error:
        raise ValidationError(str(error), code="invalid_reference") from None
