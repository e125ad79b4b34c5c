"""Tantième settings: one module, driven by environment variables (see `.env.example`).

Embedded defaults work on a fresh machine (SQLite under `var/`, console e-mail, sandbox bank);
`TANTIEME_ENV=production` refuses to start with anything that is only fit for development.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from tantieme.core.env import env_bool, env_choice, env_int, env_list, env_str

# Lets runtime code subscript generic Django classes (ModelAdmin[Firm]) as the type stubs do.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

TANTIEME_ENV = env_choice("TANTIEME_ENV", "development", ("development", "test", "production"))
IS_PRODUCTION = TANTIEME_ENV == "production"

VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
# The embedded SQLite database and private files live here; SQLite does not create the folder.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEVELOPMENT_SECRET_KEY = "dev-insecure-8c1f0a6e4b7d2c9e5f3a1b0d7e6c4a2f9b8d3e1c5a7f0b2d4e6c8a1f3b5d7e9"  # noqa: S105  (production refuses it)
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", TANTIEME_ENV == "development")

# --- Hosts and tenants -------------------------------------------------------------------------
# Each firm answers on <slug>.<BASE_DOMAIN>; the bare domain and loopback addresses fall back to
# DEFAULT_FIRM; the Django admin lives only on OPERATOR_HOST.
BASE_DOMAIN = env_str("BASE_DOMAIN", "localhost").strip().lower()
OPERATOR_HOST = env_str("OPERATOR_HOST", f"admin.{BASE_DOMAIN}").strip().lower()
DEFAULT_FIRM = env_str("DEFAULT_FIRM", "" if IS_PRODUCTION else "horizon").strip().lower()
SITE_SCHEME = env_choice("SITE_SCHEME", "https" if IS_PRODUCTION else "http", ("http", "https"))
SITE_PORT = env_str("SITE_PORT", "" if IS_PRODUCTION else env_str("PORT", "8000"))
_default_hosts = [f".{BASE_DOMAIN}", BASE_DOMAIN, OPERATOR_HOST]
if not IS_PRODUCTION:
    _default_hosts += ["127.0.0.1", "[::1]", "testserver"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _default_hosts)

# --- Applications ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "tantieme.users.admin_apps.OperatorAdminConfig",  # django.contrib.admin with TOTP and throttling
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "tantieme.core",
    "tantieme.tenancy",
    "tantieme.users",
    "tantieme.audit",
    "tantieme.notifications",
    "tantieme.condominiums",
    "tantieme.documents",
    "tantieme.tickets",
    "tantieme.announcements",
    "tantieme.notes",
    "tantieme.ledger",
    "tantieme.funds",
    "tantieme.payments",
    "tantieme.banking",
    "tantieme.closing",
    "tantieme.search",
    "tantieme.sales",
    "tantieme.expenses",
    "tantieme.supplier_payments",
    "tantieme.sandbox_bank",
    "tantieme.portal",
    "tantieme.backoffice",
    "tantieme.demo",
]

MIDDLEWARE = [
    "tantieme.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tantieme.tenancy.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tantieme.core.middleware.NoStoreForSignedInMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tantieme.users.middleware.SessionFirmMiddleware",
    # Absolute session lifetime, forced password change, staff two-factor gate.
    "tantieme.users.middleware.AccessPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "tantieme.urls"
OPERATOR_URLCONF = "tantieme.urls_operator"
WSGI_APPLICATION = "tantieme.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tantieme.tenancy.context_processors.firm",
            ],
            "builtins": ["tantieme.core.templatetags.tantieme"],
        },
    }
]

# --- Database ----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "") or f"sqlite:///{VAR_DIR / 'tantieme.sqlite3'}"
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["CONN_MAX_AGE"] = 0
    # IMMEDIATE transactions and WAL keep the embedded database usable by the web process and the
    # task worker at once; without them concurrent writers get "database is locked".
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
_database["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "")} if env_str("TEST_DATABASE_NAME", "") else {}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ----------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = ["tantieme.users.backends.FirmBackend"]
LOGIN_URL = "users:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "users:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TANTIEME_ENV == "test":
    # Hashing cost is irrelevant to what tests check and would dominate their run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# CNIL délibération 2022-100, case 1 (AUTH-01); every form that sets a password runs these.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("login", "first_name", "last_name", "email")},
    },
    {"NAME": "tantieme.users.validators.CnilStrengthValidator"},
    {"NAME": "tantieme.users.validators.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "tantieme.users.validators.CommonDerivativeValidator"},
    {"NAME": "tantieme.users.validators.ContextWordsValidator"},
]
# Reset links live one hour (Django's default is three days); activation links and temporary
# passwords follow the post (users.services).
PASSWORD_RESET_TIMEOUT = 60 * 60
ACTIVATION_LINK_LIFETIME_DAYS = 14
TEMPORARY_PASSWORD_LIFETIME_DAYS = 30
EMAIL_CONFIRMATION_LIFETIME_DAYS = 7
# Throttling (AUTH-05), counted in the database so that every web process shares it.
LOGIN_THROTTLE_FREE_FAILURES = 5  # failures per identifier before delays start
LOGIN_THROTTLE_FIRST_DELAY = 60  # seconds, then doubling
LOGIN_THROTTLE_MAX_DELAY = 60 * 60
LOGIN_THROTTLE_DAILY_FAILURES = 25  # per identifier and 24 hours
LOGIN_THROTTLE_IP_FAILURES = env_int("LOGIN_THROTTLE_IP_FAILURES", 30)  # per address and hour
RESET_THROTTLE_ACCOUNT_PER_HOUR = 5
RESET_THROTTLE_IP_PER_HOUR = 20
# Staff sign in with a TOTP code (AUTH-06); the issuer is the name shown in authenticator apps.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Tantième")
SILENCED_SYSTEM_CHECKS = [
    # The login identifier is unique per firm, not installation-wide; FirmBackend authenticates
    # within the firm resolved from the host, which is what auth.W004 asks a custom backend to do.
    "auth.W004",
]

# --- Sessions and cookies ----------------------------------------------------------------------
SESSION_COOKIE_AGE = 30 * 60  # idle timeout: every request pushes the expiry back
# The idle timeout slides: signed-in requests re-save the session (and its cookie expiry) once a
# minute at most (users.middleware._touch) rather than on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_INTERVAL = 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Host-only cookies: no Domain attribute, so a session of one firm is never sent to another.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SECURE_SSL = SITE_SCHEME == "https"
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
if SECURE_SSL:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False
# Reverse proxies (IPs or CIDR networks) whose X-Forwarded-For is believed: the client's address is
# the first one from the right of that header that is not among them (audit.services.client_ip).
# Unset or empty: nginx on the same machine when BEHIND_PROXY, none otherwise (header ignored).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", []) or (["127.0.0.1/32", "::1"] if BEHIND_PROXY else [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES must list IP addresses or networks, not {_proxy!r}.") from None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["tantieme.formats"]

# --- Static and private files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    # Private files (logos, documents) are never served by URL: views read them after a check.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
# Outside production WhiteNoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Largest document the syndic may publish (bytes); request attachments are capped at 10 MB.
DOCUMENTS_MAX_UPLOAD_SIZE = env_int("DOCUMENTS_MAX_UPLOAD_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"Tantième <ne-pas-repondre@{BASE_DOMAIN}>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Outbox bodies carrying a link with a token are blanked once sent (kept in development for the
# /dev/courriels/ page).
OUTBOX_REDACT_SENSITIVE = env_bool("OUTBOX_REDACT_SENSITIVE", not DEBUG)

# --- Tasks -------------------------------------------------------------------------------------
# django-tasks (the backport of Django 6's tasks API). "immediate" runs a task when it is enqueued
# (after the commit that queued it): development and tests. "database" stores it for the worker
# (`manage.py db_worker`, from django-tasks-db): production, so that a request never waits for SMTP.
TASKS_BACKEND = env_choice("TASKS_BACKEND", "database" if IS_PRODUCTION else "immediate", ("immediate", "database"))
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASKS_BACKEND == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# --- Payments ----------------------------------------------------------------------------------
SANDBOX_BANK_ENABLED = env_bool("SANDBOX_BANK_ENABLED", not IS_PRODUCTION)
# The embedded test bank speaks the Lyra form protocol with these (public, test-only) credentials.
SANDBOX_BANK_SHOP_ID = env_str("SANDBOX_BANK_SHOP_ID", "12345678")
SANDBOX_BANK_TEST_KEY = env_str("SANDBOX_BANK_TEST_KEY", "1122334455667788")
SANDBOX_BANK_PRODUCTION_KEY = env_str("SANDBOX_BANK_PRODUCTION_KEY", "7766554433221100")
SANDBOX_BANK_REST_PASSWORD = env_str("SANDBOX_BANK_REST_PASSWORD", "testpassword_SANDBOX")
# Seconds before the test bank retries an undelivered notification (times the attempt number; 4 attempts).
SANDBOX_BANK_RETRY_SECONDS = env_int("SANDBOX_BANK_RETRY_SECONDS", 60)

# --- Logging -----------------------------------------------------------------------------------
LOG_LEVEL = env_choice(
    "LOG_LEVEL", "warning" if TANTIEME_ENV == "test" else "info", ("debug", "info", "warning", "error")
).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # mail.log is the test SMTP server (aiosmtpd): its per-connection chatter is noise.
    "loggers": {"django.db.backends": {"level": "INFO"}, "mail.log": {"level": "WARNING"}},
}

# --- Refusals ----------------------------------------------------------------------------------
if IS_PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("TANTIEME_ENV=production refuses DEBUG=1.")
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("TANTIEME_ENV=production needs its own SECRET_KEY of 50 characters or more.")
    if SANDBOX_BANK_ENABLED:
        raise ImproperlyConfigured("TANTIEME_ENV=production refuses the sandbox bank (SANDBOX_BANK_ENABLED=1).")
    if BASE_DOMAIN in {"localhost", ""}:
        raise ImproperlyConfigured("TANTIEME_ENV=production needs BASE_DOMAIN (e.g. extranet.example.fr).")
