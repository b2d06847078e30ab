"""Settings shared by every environment. Each value comes from an environment variable
(documented in docs/configuration.md) or is a fixed product decision."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from kansrijk.conf.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/kansrijk
BASE_DIR = Path(env_str("KANSRIJK_BASE_DIR", str(Path.cwd())))

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The parent pages explain a refused form in the page's language (others: Django's page).
CSRF_FAILURE_VIEW = "kansrijk.parents.views.csrf_failure"

INSTALLED_APPS = [
    "kansrijk.core.admin_site.KansrijkAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's form widget templates, for FORM_RENDERER (which finds templates through TEMPLATES).
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "kansrijk.core",
    "kansrijk.places",
    "kansrijk.accounts",
    "kansrijk.audit",
    "kansrijk.directory",
    "kansrijk.situations",
    "kansrijk.coalitions",
    "kansrijk.assessments",
    "kansrijk.pathways",
    "kansrijk.interventions",
    "kansrijk.signalling",
    "kansrijk.referrals",
    "kansrijk.monitoring",
    "kansrijk.parents",
    "kansrijk.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kansrijk.core.middleware.RequestIdMiddleware",
    # Writes refused attempts after any rollback (and outside every transaction).
    "kansrijk.audit.middleware.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kansrijk.accounts.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Errors under /api/ and /fhir/ as problem details / OperationOutcome, never HTML pages;
    # the API-Version header.
    "kansrijk.api.middleware.ApiResponseMiddleware",
    "kansrijk.core.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kansrijk.accounts.middleware.OTPMiddleware",
    "kansrijk.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # AxesMiddleware should be the last middleware.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kansrijk.urls"
WSGI_APPLICATION = "kansrijk.wsgi.application"

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
                "kansrijk.core.context_processors.kansrijk",
            ],
        },
    },
]
# Forms render through the project's templates: ``{{ form }}`` and ``field.as_field_group`` give the
# NL Design System markup of templates/includes/ (kansrijk.core.renderers).
FORM_RENDERER = "kansrijk.core.renderers.FormRenderer"

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default; DATABASE_URL (e.g. postgres://user@host:5432/name) switches.
SQLITE_PATH = Path(env_str("KANSRIJK_SQLITE_PATH", str(BASE_DIR / "kansrijk.sqlite3")))
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with bulk writes batched under PostgreSQL's 65,535 parameters a
    # statement, which server-side binding (below) makes a hard limit (core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "kansrijk.core.postgresql"
    # PostgreSQL's JIT compiler costs seconds on the directory's search queries and gains
    # nothing on our short OLTP queries. random_page_cost 1.1 (the default 4 models spinning
    # disks): on SSDs with the working set in memory an index probe is nearly as cheap as a
    # sequential read, and with 4 the planner scans all 50,000 services to filter a postcode
    # search's 1,500 candidates (150 ms instead of 15 ms).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = "-c jit=off -c random_page_cost=1.1"
    # Prepared statements: psycopg prepares a query on a connection the
    # DATABASE_PREPARE_THRESHOLD-th time it runs there, and PostgreSQL parses and plans it once
    # instead of at every run (needs the parameters bound on the server, not written into the
    # SQL by the client). The referral page's queries cost PostgreSQL 4.5 ms of CPU per view
    # without them, 1.2 ms with them (bench/README.md, "Mixed national traffic"). 0 turns them
    # off, for a pooler in transaction mode without prepared-statement support (docs/operations.md).
    prepare_threshold = env_int("DATABASE_PREPARE_THRESHOLD", 5)
    if prepare_threshold > 0:
        options["server_side_binding"] = True
        options["prepare_threshold"] = prepare_threshold
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
CACHES = {
    "default": (
        {"BACKEND": "kansrijk.core.cache.RedisCache", "LOCATION": env_str("REDIS_URL")}
        if env_str("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, refusing demo accounts on a real installation.
    "kansrijk.accounts.backends.AccountBackend",
    "kansrijk.accounts.backends.RolePermissionBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:start"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after 30 minutes without activity (NEN 7510).
# Sessions live in the database. With a shared cache (Redis) they are read through it: a
# signed-in request then asks Redis for its session instead of PostgreSQL (every write and
# every log-out goes to both). Never with the in-process cache: one worker's copy would keep a
# session alive that another worker ended.
if env_str("REDIS_URL"):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
# The idle timeout slides with activity: kansrijk.accounts.middleware.SlidingSessionMiddleware
# moves the expiry at most once a minute (not a session write on every request).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: 10 failed log-ins for one user from one IP address lock that pair for an hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kansrijk.accounts.views.locked_out"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Kansrijk")
# The admin never shows an authenticator key, its QR code or recovery codes once they exist.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", False)

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kansrijk <noreply@kansrijk.localhost>")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSON parser with limits on body size and nesting depth (kansrijk.api.parsers).
    "DEFAULT_PARSER_CLASSES": ["kansrijk.api.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "kansrijk.api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The Kansrijk API's OpenAPI document (openapi.yaml); kansrijk.api.schema also makes the HSDA
# one (openapi-hsds.yaml). Contact: who answers questions about this installation's API.
SPECTACULAR_SETTINGS = {
    "DEFAULT_GENERATOR_CLASS": "kansrijk.api.schema.KansrijkSchemaGenerator",
    "TITLE": "Kansrijk API",
    "DESCRIPTION": (
        "Reference data, situations, interventions (menukaart), pathways, signalling and "
        "closed-loop referrals of Kansrijke Start. Conventions (errors, versions, limits, "
        "caching) are described in docs/api.md; the social map is a separate HSDA API at "
        "/api/hsds/."
    ),
    "VERSION": "1.0.0",
    "SERVERS": [{"url": "/api/v1", "description": "This installation"}],
    "CONTACT": {
        "name": env_str("API_CONTACT_NAME", "Kansrijk"),
        "url": env_str("API_CONTACT_URL", "https://kansrijk.nl"),
        "email": env_str("API_CONTACT_EMAIL", "api@kansrijk.nl"),
    },
    "LICENSE": {"name": "EUPL-1.2", "url": "https://eupl.eu/1.2/en/"},
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kansrijk.api.schema.complete_responses",
    ],
}

# --- Product settings -----------------------------------------------------------------------
ADMIN_URL_PATH = env_str("ADMIN_URL_PATH", "beheer/")
# Shows the "demo environment" banner on every page (set by `kansrijk demo`); under production
# settings demo accounts log in only when it is on.
KANSRIJK_DEMO_MODE = env_bool("KANSRIJK_DEMO_MODE", False)
# Set by conf/production.py: a real installation.
KANSRIJK_PRODUCTION = False
# Social-map searches near a postcode are ranked from an index in each worker's memory
# (kansrijk.directory.search.index; ~80 MB and ~2 s of CPU to read at 50,000 services).
# Off: every search is ranked by one SQL query instead (docs/operations.md).
KANSRIJK_SEARCH_INDEX = env_bool("KANSRIJK_SEARCH_INDEX", True)
# Querysets run as SQL compiled once (kansrijk.core.compiled) are compiled by the ORM as well on
# every call and compared: on in the tests (conf/test.py), off elsewhere (it costs the time saved).
KANSRIJK_COMPILED_CHECK = False
# Access-log records are kept this many days: at least 5 years (NEN 7513; audit.retention).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 5 * 365 + 1)
# The reason for keeping the log shorter than 5 years; without it a shorter setting is refused.
AUDIT_RETENTION_OVERRIDE = env_str("AUDIT_RETENTION_OVERRIDE")
REFERRAL_RETENTION_DAYS = env_int("REFERRAL_RETENTION_DAYS", 365)  # after closing; docs/privacy.md
# Self-assessment rounds (docs/assessments.md): results only from this many respondents on, and
# while a round is open they move in steps of at least this many new respondents; with
# ASSESSMENT_RESULTS_WHILE_OPEN off, results only once a round has closed.
ASSESSMENT_MIN_RESPONDENTS = env_int("ASSESSMENT_MIN_RESPONDENTS", 3)
ASSESSMENT_RESULTS_WHILE_OPEN = env_bool("ASSESSMENT_RESULTS_WHILE_OPEN", True)
# The names and e-mail addresses of people invited by a personal link are erased this many days
# after their round closed (kansrijk purge-invitees; kansrijk.assessments.retention).
ASSESSMENT_INVITEE_RETENTION_DAYS = env_int("ASSESSMENT_INVITEE_RETENTION_DAYS", 30)
# The broad conversation's answers are kept in the visitor's browser this long (signalling.answers).
SIGNALLING_ANSWERS_MINUTES = env_int("SIGNALLING_ANSWERS_MINUTES", 30)
# The public self-referral form (kansrijk.parents.protection): django-ratelimit rates per
# client address and per network (IPv4 /24, IPv6 /48), for every POST and for requests sent.
SELF_REFERRAL_POST_RATES = {
    "address": env_str("SELF_REFERRAL_POST_RATE_ADDRESS", "20/h"),
    "network": env_str("SELF_REFERRAL_POST_RATE_NETWORK", "100/h"),
}
SELF_REFERRAL_SENT_RATES = {
    "address": env_str("SELF_REFERRAL_SENT_RATE_ADDRESS", "3/d"),
    "network": env_str("SELF_REFERRAL_SENT_RATE_NETWORK", "20/d"),
}
RATELIMIT_IPV6_MASK = 64
# Limits of the file imports (import-hsds, import-pathways): kansrijk.core.import_limits.
IMPORT_MAX_FILE_MB = env_int("IMPORT_MAX_FILE_MB", 200)
IMPORT_MAX_XLSX_UNPACKED_MB = env_int("IMPORT_MAX_XLSX_UNPACKED_MB", 50)
IMPORT_MAX_FIELD_CHARS = env_int("IMPORT_MAX_FIELD_CHARS", 20_000)
IMPORT_MAX_JSON_DEPTH = env_int("IMPORT_MAX_JSON_DEPTH", 64)
# The anonymous demand signal (municipality, phase, factor, month counted when a professional
# grades a broad conversation): off unless the installation turns it on; docs/privacy.md.
KANSRIJK_DEMAND_SIGNAL = env_bool("KANSRIJK_DEMAND_SIGNAL", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "WARNING"}},
}
