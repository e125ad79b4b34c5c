from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.fr import siren


def validate_siren(value: str) -> None:
    if not siren.is_valid(value):
        raise ValidationError(
            _("« %(value)s » n'est pas un numéro SIREN valide (9 chiffres, clé de Luhn)."),
            params={"value": value},
            code="invalid_siren",
        )
