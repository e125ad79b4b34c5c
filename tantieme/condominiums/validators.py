"""Validators for condominium data: IBAN and BIC (schwifty), registry number, references."""

from __future__ import annotations

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


def validate_iban(value: str) -> None:
    normalize_iban(value)


def validate_bic(value: str) -> None:
    normalize_bic(value)


def validate_reference(value: str) -> None:
    try:
        parse_reference(value)
    except InvalidReferenceError as error:
        raise ValidationError(str(error), code="invalid_reference") from None
