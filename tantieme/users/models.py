"""Users: co-owners, the syndic's staff and platform operators, each inside one firm."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from tantieme.tenancy.models import Firm
from tantieme.users.enums import UserKind

_LOGIN_SEPARATORS = re.compile(r"[\s\u00a0\-./_]+")


def normalize_login(text: str) -> str:
    """E-mail logins in lower case; reference-like identifiers in upper case without separators."""
    text = (text or "").strip()
    if "@" in text:
        return text.lower()
    return _LOGIN_SEPARATORS.sub("", text).upper()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        # Natural keys are only meaningful for operators, whose login is installation-wide;
        # everyone else is looked up within a firm (users.backends.FirmBackend).
        return self.get(firm__isnull=True, login=normalize_login(username or ""))

    def create_user(self, login: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(login=normalize_login(login), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, login: str, password: str | None = None, **extra: Any) -> User:
        extra.update(firm=None, kind=UserKind.OPERATOR, is_staff=True, is_superuser=True)
        return self.create_user(login, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    firm = models.ForeignKey(
        Firm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Vide pour les opérateurs de la plateforme."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=UserKind.choices, default=UserKind.CO_OWNER)
    login = models.CharField(
        _("identifiant"),
        max_length=150,
        help_text=_("Référence copropriétaire sans espaces (A6060001) ou adresse e-mail pour l'équipe."),
    )
    email = models.EmailField(_("adresse e-mail"), blank=True)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    language = models.CharField(
        _("langue"), max_length=5, default="fr", choices=[("fr", "Français"), ("en", "English")]
    )
    is_active = models.BooleanField(_("actif"), default=True)
    # Access to the Django admin, which only the operator host serves.
    is_staff = models.BooleanField(_("accès à l'administration de la plateforme"), default=False)
    must_change_password = models.BooleanField(_("doit changer son mot de passe"), default=False)
    temporary_password_expires_at = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # Raised to end every session of the account without touching its password (see
    # _get_session_auth_hash); 0 for an account whose sessions were never ended that way.
    session_generation = models.PositiveIntegerField(default=0, editable=False)
    date_joined = models.DateTimeField(_("créé le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "login"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "login"], condition=models.Q(firm__isnull=False), name="user_login_unique_in_firm"
            ),
            models.UniqueConstraint(
                fields=["login"], condition=models.Q(firm__isnull=True), name="operator_login_unique"
            ),
            models.UniqueConstraint(
                "firm", Lower("email"), condition=~models.Q(email=""), name="user_email_unique_in_firm"
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.login

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's HMAC of the password, with the session generation mixed in once it is raised.

        A session stores this hash at sign-in and is refused when it no longer matches: changing
        the password or raising the generation ends every session. Generation 0 gives Django's own
        hash, so the sessions open before this field existed stay valid."""
        if not self.session_generation:
            django_hash: str = super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
            return django_hash
        return salted_hmac(
            "tantieme.users.User.session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.login

    @property
    def is_co_owner(self) -> bool:
        return self.kind == UserKind.CO_OWNER

    @property
    def is_firm_staff(self) -> bool:
        return self.kind == UserKind.STAFF


class TokenPurpose(models.TextChoices):
    ACTIVATION = "activation", _("Activation du compte")
    PASSWORD_RESET = "password_reset", _("Réinitialisation du mot de passe")
    EMAIL_CONFIRMATION = "email_confirmation", _("Confirmation d'adresse e-mail")


class AccessToken(models.Model):
    """A single-use link (activation, reset, e-mail confirmation). Only the SHA-256 of the token is kept."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="access_tokens")
    purpose = models.CharField(max_length=30, choices=TokenPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    new_email = models.EmailField(blank=True, help_text=_("Adresse à confirmer (confirmation d'e-mail)."))
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lien d'accès")
        verbose_name_plural = _("liens d'accès")
        indexes = [models.Index(fields=["user", "purpose"], name="access_token_user_purpose")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} — {self.user_id}"

    def is_usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and now < self.expires_at


class Throttle(models.Model):
    """A throttling counter shared by every web process (AUTH-05): one row per (scope, hashed key).

    `key` is the SHA-256 of the firm and the identifier or address, so what people type in the
    identifier field (sometimes a password) is never stored.
    """

    scope = models.CharField(max_length=30)
    key = models.CharField(max_length=64)
    window_started_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    consecutive_failures = models.PositiveIntegerField(default=0)
    blocked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("limitation de tentatives")
        verbose_name_plural = _("limitations de tentatives")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="throttle_scope_key_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}"


class PortfolioCondominium(models.Model):
    """Limits a staff member to some condominiums; a staff member without any row sees them all."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="portfolio")
    # By name: users sits below condominiums in the layers and never imports it.
    condominium = models.ForeignKey("condominiums.Condominium", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("copropriété du portefeuille")
        verbose_name_plural = _("portefeuille de copropriétés")
        constraints = [
            models.UniqueConstraint(fields=["user", "condominium"], name="portfolio_condominium_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.condominium_id}"
