"""The syndic firms (tenants) and their staff memberships."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tantieme.tenancy.enums import RequestAlerts, StaffRole
from tantieme.tenancy.scoping import FirmScopedManager
from tantieme.tenancy.validators import validate_siren

slug_validator = RegexValidator(
    r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$",
    _("De 3 à 32 caractères : lettres minuscules, chiffres et tirets, commençant par une lettre."),
)


class Firm(models.Model):
    """A syndic firm: one installation serves many, each on its own subdomain."""

    slug = models.CharField(_("sous-domaine"), max_length=32, unique=True, validators=[slug_validator])
    name = models.CharField(_("nom"), max_length=120)
    legal_name = models.CharField(_("raison sociale"), max_length=200)
    address_line1 = models.CharField(_("adresse"), max_length=200)
    address_line2 = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10)
    city = models.CharField(_("ville"), max_length=100)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("e-mail de contact"))
    logo = models.FileField(_("logo"), upload_to="firms/logos/", blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, validators=[validate_siren])
    professional_card = models.CharField(
        _("carte professionnelle"), max_length=40, help_text=_("Numéro de la carte « Gestion immobilière »")
    )
    financial_guarantor = models.CharField(
        _("garant financier"), max_length=200, help_text=_("Nom et adresse de l'organisme de garantie financière")
    )
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cabinet")
        verbose_name_plural = _("cabinets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def host(self) -> str:
        return f"{self.slug}.{settings.BASE_DOMAIN}"

    @property
    def base_url(self) -> str:
        """The firm's own extranet address, used in e-mails and letters (never the request's Host)."""
        port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
        return f"{settings.SITE_SCHEME}://{self.host}{port}"

    @property
    def postal_address(self) -> str:
        lines = [self.address_line1, self.address_line2, f"{self.postal_code} {self.city}"]
        return "\n".join(line for line in lines if line)


class StaffMembership(models.Model):
    """A staff member's role in their firm."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_membership")
    role = models.CharField(_("rôle"), max_length=20, choices=StaffRole.choices)
    job_title = models.CharField(_("fonction"), max_length=100, blank=True)
    request_alerts = models.CharField(
        _("e-mails des demandes"), max_length=10, choices=RequestAlerts.choices, default=RequestAlerts.IMMEDIATE
    )
    request_digest_sent_at = models.DateTimeField(_("dernier récapitulatif des demandes"), null=True, blank=True)

    objects = FirmScopedManager["StaffMembership"]()
    all_firms = models.Manager["StaffMembership"]()

    class Meta:
        verbose_name = _("membre du cabinet")
        verbose_name_plural = _("membres du cabinet")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
