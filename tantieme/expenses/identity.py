"""Identity checks of suppliers (spec §2.2): SIREN, SIRET, VAT number (python-stdnum), IBAN and BIC (schwifty).

Each `clean_*` returns the compact form or raises `IdentityError` with a French message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

from tantieme.condominiums.validators import normalize_bic, normalize_iban
from tantieme.expenses.exceptions import IdentityError


def clean_siren(value: str) -> str:
    """9 digits with a valid Luhn key; empty stays empty."""
    compact = fr_siren.compact(value or "")
    if not compact:
        return ""
    try:
        return str(fr_siren.validate(compact))
    except stdnum_errors.ValidationError:
        raise IdentityError(
            _("SIREN « %(value)s » invalide : neuf chiffres dont le dernier est une clé de contrôle.")
            % {"value": value}
        ) from None


def clean_siret(value: str, *, siren: str = "") -> str:
    """14 digits, Luhn (La Poste: sum of digits) and, when a SIREN is given, starting with it."""
    compact = fr_siret.compact(value or "")
    if not compact:
        return ""
    try:
        compact = str(fr_siret.validate(compact))
    except stdnum_errors.ValidationError:
        raise IdentityError(
            _("SIRET « %(value)s » invalide : quatorze chiffres dont le dernier est une clé de contrôle.")
            % {"value": value}
        ) from None
    if siren and compact[:9] != siren:
        raise IdentityError(
            _("Le SIRET %(siret)s ne commence pas par le SIREN %(siren)s.") % {"siret": compact, "siren": siren}
        )
    return compact


def clean_vat_number(value: str) -> str:
    """A French number (FR + key + SIREN, key = (SIREN·100 + 12) mod 97) or another EU VAT number."""
    compact = "".join((value or "").split()).upper()
    if not compact:
        return ""
    try:
        if compact.startswith("FR"):
            return "FR" + str(fr_tva.validate(compact))
        return str(eu_vat.validate(compact))
    except stdnum_errors.ValidationError:
        raise IdentityError(
            _("Numéro de TVA intracommunautaire « %(value)s » invalide (clé de contrôle fausse).") % {"value": value}
        ) from None


def vat_siren_mismatch(vat_number: str, siren: str) -> bool:
    """A French VAT number whose SIREN is not the supplier's (a warning, spec §2.2)."""
    return bool(vat_number and siren and vat_number.startswith("FR") and vat_number[-9:] != siren)


def clean_iban(value: str) -> str:
    """ISO 13616 check digits and the national rules (clé RIB for France): `validate_bban=True`."""
    try:
        return normalize_iban(value)
    except ValidationError as error:
        raise IdentityError(" ".join(error.messages)) from None


def clean_bic(value: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return normalize_bic(value.strip())
    except ValidationError as error:
        raise IdentityError(" ".join(error.messages)) from None


def bic_mismatch(iban: str, bic: str) -> bool:
    """The bank registry gives another BIC for the IBAN's bank code (a warning: banks merge)."""
    if not bic:
        return False
    try:
        derived = IBAN(iban).bic
    except SchwiftyException:
        return False
    return derived is not None and str(derived.compact)[:8] != bic[:8]
