"""Password policy: CNIL délibération n° 2022-100, case 1 (AUTH-01).

A password is accepted when it meets one of three rules:
(a) 12 characters or more with upper case, lower case, digits and special characters;
(b) 14 characters or more with upper case, lower case and digits;
(c) a passphrase of 7 words or more.
The other validators refuse common passwords and their simple variants, passwords close to the
user's attributes, and words of the user's context (firm, condominiums, buildings).

Deviation recorded on purpose: OWASP ASVS 4.0.3 2.1.9 / 5.0 6.2.5 forbid composition rules; the
French regulator's recommendation prevails for this product.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIN_LENGTH_WITH_SPECIALS = 12
MIN_LENGTH_WITHOUT_SPECIALS = 14
MIN_PASSPHRASE_WORDS = 7
MIN_PASSPHRASE_LENGTH = 20
MAX_LENGTH = 128

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# Words of the trade that make a password guessable for anyone who knows it is a syndic's extranet.
TRADE_WORDS = ("copro", "syndic", "tantieme", "extranet", "residence")
# French passwords missing from Django's (English) list of common passwords.
FRENCH_COMMON = frozenset(
    {
        "motdepasse",
        "azerty",
        "azertyuiop",
        "bonjour",
        "soleil",
        "bienvenue",
        "doudou",
        "chouchou",
        "loulou",
        "marseille",
        "paris",
        "coucou",
        "nicolas",
        "julien",
        "camille",
        "copropriete",
        "coproprietaire",
        "password",
        "motdepass",
        "secret",
        "admin",
    }
)


def _has_upper(text: str) -> bool:
    return any(ch.isupper() for ch in text)


def _has_lower(text: str) -> bool:
    return any(ch.islower() for ch in text)


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _has_special(text: str) -> bool:
    # Any character that is neither a letter nor a digit, the space included (as the ANSSI counts it).
    return any(not ch.isalnum() for ch in text)


def passphrase_words(password: str) -> list[str]:
    """The words of a passphrase: runs of two letters or more, whatever separates them."""
    return _WORD.findall(password)


def fold(text: str) -> str:
    """Lower case, accents removed, letters and digits only: "Résidence Les Tilleuls" -> "residencelestilleuls"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch)).lower()


def cnil_missing(password: str) -> list[str]:
    """What the password lacks for each CNIL case-1 rule; an empty list when it meets one of them."""
    length = len(password)
    upper, lower, digit, special = (
        _has_upper(password),
        _has_lower(password),
        _has_digit(password),
        _has_special(password),
    )
    words = passphrase_words(password)
    if length >= MIN_LENGTH_WITH_SPECIALS and upper and lower and digit and special:
        return []
    if length >= MIN_LENGTH_WITHOUT_SPECIALS and upper and lower and digit:
        return []
    if len(words) >= MIN_PASSPHRASE_WORDS and length >= MIN_PASSPHRASE_LENGTH:
        return []

    def lacking(*, need_special: bool, min_length: int) -> str:
        parts: list[str] = []
        if length < min_length:
            parts.append(
                ngettext(
                    "il manque %(count)d caractère",
                    "il manque %(count)d caractères",
                    min_length - length,
                )
                % {"count": min_length - length}
            )
        if not upper:
            parts.append(_("une majuscule"))
        if not lower:
            parts.append(_("une minuscule"))
        if not digit:
            parts.append(_("un chiffre"))
        if need_special and not special:
            parts.append(_("un caractère spécial (par exemple ! ? - _ * # @)"))
        return ", ".join(parts)

    rule_a = _("12 caractères avec majuscules, minuscules, chiffres et caractères spéciaux : %(missing)s") % {
        "missing": lacking(need_special=True, min_length=MIN_LENGTH_WITH_SPECIALS)
    }
    rule_b = _("14 caractères avec majuscules, minuscules et chiffres : %(missing)s") % {
        "missing": lacking(need_special=False, min_length=MIN_LENGTH_WITHOUT_SPECIALS)
    }
    rule_c = ngettext(
        "une phrase de passe de 7 mots : elle n'en compte que %(count)d",
        "une phrase de passe de 7 mots : elle n'en compte que %(count)d",
        len(words),
    ) % {"count": len(words)}
    if len(words) >= MIN_PASSPHRASE_WORDS:
        rule_c = _("une phrase de passe de 7 mots : elle compte moins de 20 caractères")
    return [rule_a, rule_b, rule_c]


class CnilStrengthValidator:
    """Meets one of the three CNIL case-1 rules; otherwise says what each rule still needs."""

    def validate(self, password: str, user: Any = None) -> None:
        missing = cnil_missing(password)
        if missing:
            raise ValidationError(
                _(
                    "Ce mot de passe est trop faible (%(length)d caractères). Il doit respecter l'une de ces "
                    "règles — %(rules)s."
                )
                % {"length": len(password), "rules": " ; ou ".join(missing)},
                code="password_too_weak",
            )

    def get_help_text(self) -> str:
        return _(
            "Au moins 12 caractères avec majuscules, minuscules, chiffres et caractères spéciaux ; ou au moins "
            "14 caractères avec majuscules, minuscules et chiffres ; ou une phrase de passe de 7 mots. "
            "Jusqu'à 128 caractères, le copier-coller est permis."
        )


class MaximumLengthValidator:
    """128 characters accepted (ASVS asks for 64 at least), never truncated."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > MAX_LENGTH:
            raise ValidationError(
                _("Ce mot de passe dépasse 128 caractères (%(length)d).") % {"length": len(password)},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return ""


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(fold(word) for word in CommonPasswordValidator().passwords) | FRENCH_COMMON


class CommonDerivativeValidator:
    """Refuses a common password dressed up with capitals, digits or signs ("Motdepasse123!")."""

    def validate(self, password: str, user: Any = None) -> None:
        letters = "".join(ch for ch in fold(password) if not ch.isdigit())
        if len(letters) >= 4 and letters in _common_passwords():
            raise ValidationError(
                _("Ce mot de passe est une variante d'un mot de passe courant ; choisissez-en un autre."),
                code="password_common_derivative",
            )

    def get_help_text(self) -> str:
        return _("Pas de mot de passe courant, même avec des chiffres ou des signes ajoutés.")


def context_words(user: Any) -> set[str]:
    """The firm's name, its condominiums' and buildings' names: words anyone could guess."""
    words: set[str] = set(TRADE_WORDS)
    firm = getattr(user, "firm", None) if user is not None else None
    if firm is None or getattr(firm, "pk", None) is None:
        return words
    names: list[str] = [firm.name, firm.slug, firm.legal_name]
    from tantieme.tenancy.scoping import firm_scope

    # Reached through the Firm's reverse relations: users never imports condominiums (layers).
    with firm_scope(firm):
        names.extend(firm.condominiums.values_list("name", flat=True))
        names.extend(name for name in firm.condominiums.values_list("buildings__name", flat=True) if name)
    for name in names:
        for word in _WORD.findall(name):
            folded = fold(word)
            if len(folded) >= 4:
                words.add(folded)
    return words


class ContextWordsValidator:
    """Refuses the firm's, condominiums' and buildings' names and the trade's words."""

    def validate(self, password: str, user: Any = None) -> None:
        folded = fold(password)
        found = sorted(word for word in context_words(user) if word in folded)
        if found:
            raise ValidationError(
                _("Ce mot de passe contient un nom lié à votre copropriété ou à votre syndic (%(words)s).")
                % {"words": ", ".join(f"« {word} »" for word in found)},
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return _("Pas le nom du syndic, de la copropriété ou de la résidence.")
