"""Condominiums (syndicats de copropriétaires), their lots, tantièmes and co-owners."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tantieme.condominiums.enums import ContactRole, KeyKind, LotKind, PersonKind
from tantieme.condominiums.validators import validate_bic, validate_iban, validate_reference
from tantieme.core.references import creditor_reference, format_creditor_reference, format_reference
from tantieme.tenancy.models import Firm
from tantieme.tenancy.scoping import FirmScopedManager

code_validator = RegexValidator(r"^\d{3}$", _("Le code de la copropriété compte trois chiffres (par exemple 606)."))
registry_validator = RegexValidator(
    r"^[A-Z]{2}\d{7}$", _("Le numéro d'immatriculation compte deux lettres et sept chiffres (AB1234567).")
)
letter_validator = RegexValidator(r"^[A-Z]$", _("Une lettre majuscule."))


class Condominium(models.Model):
    """A syndicat de copropriétaires: a legal entity with its own books and bank account."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="condominiums")
    code = models.CharField(_("code"), max_length=3, validators=[code_validator])
    name = models.CharField(_("nom"), max_length=150)
    address_line1 = models.CharField(_("adresse"), max_length=200)
    address_line2 = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10)
    city = models.CharField(_("ville"), max_length=100)
    registry_number = models.CharField(
        _("numéro d'immatriculation"),
        max_length=9,
        blank=True,
        validators=[registry_validator],
        help_text=_("Registre national d'immatriculation des copropriétés"),
    )
    construction_year = models.PositiveSmallIntegerField(
        _("année de construction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1000), MaxValueValidator(2100)],
        help_text=_("Année d'achèvement de l'immeuble (fiche synthétique, diagnostics)."),
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("début de l'exercice (mois)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    reference_letter = models.CharField(
        _("lettre des références"),
        max_length=1,
        default="A",
        validators=[letter_validator],
        help_text=_("Première lettre des références copropriétaires (A dans A 606 0001)."),
    )
    bank_name = models.CharField(_("banque"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, validators=[validate_bic])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FirmScopedManager["Condominium"]()
    all_firms = models.Manager["Condominium"]()

    class Meta:
        verbose_name = _("copropriété")
        verbose_name_plural = _("copropriétés")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["firm", "code"], name="condominium_code_unique_in_firm")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def postal_address(self) -> str:
        lines = [self.address_line1, self.address_line2, f"{self.postal_code} {self.city}"]
        return "\n".join(line for line in lines if line)

    @property
    def iban_display(self) -> str:
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))

    def fiscal_year_start(self, day: datetime.date) -> datetime.date:
        """First day of the fiscal year containing `day`."""
        year = day.year if day.month >= self.fiscal_year_start_month else day.year - 1
        return datetime.date(year, self.fiscal_year_start_month, 1)


class Building(models.Model):
    condominium = models.ForeignKey(Condominium, on_delete=models.CASCADE, related_name="buildings")
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("nom"), max_length=100)

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["Building"]()
    all_firms = models.Manager["Building"]()

    class Meta:
        verbose_name = _("bâtiment")
        verbose_name_plural = _("bâtiments")
        ordering = ["condominium", "code"]
        constraints = [models.UniqueConstraint(fields=["condominium", "code"], name="building_code_unique")]

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    condominium = models.ForeignKey(Condominium, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveIntegerField(_("numéro de lot"))
    kind = models.CharField(_("nature"), max_length=20, choices=LotKind.choices)
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="lots", verbose_name=_("bâtiment")
    )
    staircase = models.CharField(_("escalier"), max_length=20, blank=True)
    floor = models.SmallIntegerField(
        _("étage"), null=True, blank=True, help_text=_("0 : rez-de-chaussée ; -1 : sous-sol")
    )
    description = models.CharField(_("désignation"), max_length=200, blank=True)

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["Lot"]()
    all_firms = models.Manager["Lot"]()

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["condominium", "number"]
        constraints = [models.UniqueConstraint(fields=["condominium", "number"], name="lot_number_unique")]

    def __str__(self) -> str:
        return f"Lot {self.number} ({self.get_kind_display()})"

    @property
    def floor_label(self) -> str:
        if self.floor is None:
            return ""
        if self.floor == 0:
            return str(_("Rez-de-chaussée"))
        if self.floor < 0:
            return str(_("Sous-sol %(level)s") % {"level": -self.floor})
        if self.floor == 1:
            return str(_("1er étage"))
        return str(_("%(floor)se étage") % {"floor": self.floor})


class AllocationKey(models.Model):
    """A clé de répartition: the tantièmes of every lot in it add up to `total`."""

    condominium = models.ForeignKey(Condominium, on_delete=models.CASCADE, related_name="allocation_keys")
    code = models.CharField(_("code"), max_length=10)
    label = models.CharField(_("libellé"), max_length=100)
    total = models.PositiveIntegerField(_("total des tantièmes"), validators=[MinValueValidator(1)])
    kind = models.CharField(_("type"), max_length=10, choices=KeyKind.choices, default=KeyKind.SPECIAL)

    firm_lookup: ClassVar[str] = "condominium__firm"
    objects = FirmScopedManager["AllocationKey"]()
    all_firms = models.Manager["AllocationKey"]()

    class Meta:
        verbose_name = _("clé de répartition")
        verbose_name_plural = _("clés de répartition")
        ordering = ["condominium", "code"]
        constraints = [
            models.UniqueConstraint(fields=["condominium", "code"], name="key_code_unique"),
            # The works fund is spread on the general tantièmes: there is exactly one such key.
            models.UniqueConstraint(
                fields=["condominium"], condition=models.Q(kind=KeyKind.GENERAL), name="one_general_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.total})"


class LotShare(models.Model):
    """The tantièmes of a lot in a key (0 when the lot does not take part)."""

    key = models.ForeignKey(AllocationKey, on_delete=models.CASCADE, related_name="shares")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="shares")
    shares = models.PositiveIntegerField(_("tantièmes"))

    firm_lookup: ClassVar[str] = "key__condominium__firm"
    objects = FirmScopedManager["LotShare"]()
    all_firms = models.Manager["LotShare"]()

    class Meta:
        verbose_name = _("tantièmes d'un lot")
        verbose_name_plural = _("tantièmes des lots")
        constraints = [models.UniqueConstraint(fields=["key", "lot"], name="one_share_per_lot_and_key")]

    def __str__(self) -> str:
        return f"{self.lot}: {self.shares}/{self.key.total}"


class CoOwner(models.Model):
    """A co-owner account in one condominium: joint owners (a couple, an SCI) are one CoOwner."""

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="co_owners")
    condominium = models.ForeignKey(Condominium, on_delete=models.PROTECT, related_name="co_owners")
    reference = models.CharField(_("référence"), max_length=8, validators=[validate_reference])
    person_kind = models.CharField(
        _("personnalité"), max_length=10, choices=PersonKind.choices, default=PersonKind.NATURAL
    )
    civility = models.CharField(_("civilité"), max_length=30, blank=True, help_text=_("M., Mme, M. et Mme…"))
    last_name = models.CharField(_("nom ou raison sociale"), max_length=150)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    address_line1 = models.CharField(_("adresse"), max_length=200)
    address_line2 = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10)
    city = models.CharField(_("ville"), max_length=100)
    country = models.CharField(_("pays"), max_length=2, default="FR")
    email = models.EmailField(_("adresse e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    e_notification_consent = models.BooleanField(_("accepte les notifications électroniques"), default=False)
    e_notification_consent_at = models.DateTimeField(_("date du consentement"), null=True, blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_owner_accounts", verbose_name=_("accès extranet")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FirmScopedManager["CoOwner"]()
    all_firms = models.Manager["CoOwner"]()

    class Meta:
        verbose_name = _("copropriétaire")
        verbose_name_plural = _("copropriétaires")
        ordering = ["reference"]
        constraints = [models.UniqueConstraint(fields=["firm", "reference"], name="co_owner_reference_unique_in_firm")]

    def __str__(self) -> str:
        return f"{self.reference_display} {self.display_name}"

    @property
    def display_name(self) -> str:
        """As on the letters: "M. et Mme TEST"."""
        return " ".join(part for part in (self.civility, self.last_name, self.first_name) if part)

    @property
    def payer_label(self) -> str:
        """What to write on a transfer: "TEST Jean A 606 0001"."""
        return " ".join(part for part in (self.last_name.upper(), self.first_name, self.reference_display) if part)

    @property
    def reference_display(self) -> str:
        return format_reference(self.reference)

    @property
    def creditor_reference(self) -> str:
        return creditor_reference(self.reference)

    @property
    def creditor_reference_display(self) -> str:
        return format_creditor_reference(self.creditor_reference)

    @property
    def postal_address(self) -> str:
        lines = [self.address_line1, self.address_line2, f"{self.postal_code} {self.city}"]
        if self.country != "FR":
            lines.append(self.country)
        return "\n".join(line for line in lines if line)


class Ownership(models.Model):
    """Who owns a lot, from when to when: a sale ends one ownership and starts another."""

    co_owner = models.ForeignKey(CoOwner, on_delete=models.PROTECT, related_name="ownerships")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="ownerships")
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)

    firm_lookup: ClassVar[str] = "co_owner__firm"
    objects = FirmScopedManager["Ownership"]()
    all_firms = models.Manager["Ownership"]()

    class Meta:
        verbose_name = _("propriété")
        verbose_name_plural = _("propriétés")
        ordering = ["lot", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="ownership_ends_after_start",
            ),
            models.UniqueConstraint(fields=["lot", "start_date"], name="one_ownership_start_per_lot_and_day"),
        ]

    def __str__(self) -> str:
        return f"{self.co_owner} — {self.lot}"

    def covers(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class SyndicContact(models.Model):
    """A person shown under "Contacts syndic" (for every condominium when `condominium` is empty)."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="contacts")
    condominium = models.ForeignKey(
        Condominium, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(_("nom"), max_length=150)
    role = models.CharField(_("rôle"), max_length=20, choices=ContactRole.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    opening_hours = models.CharField(_("horaires"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    objects = FirmScopedManager["SyndicContact"]()
    all_firms = models.Manager["SyndicContact"]()

    class Meta:
        verbose_name = _("contact syndic")
        verbose_name_plural = _("contacts syndic")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"
