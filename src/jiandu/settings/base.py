"""Settings for Jiandu, configured from the environment (12-factor).

JIANDU_ENV           production | development; the `jiandu` command defaults to development (the
                     embedded defaults `make run` uses), the WSGI entry point to production
JIANDU_DATABASE_URL  database URL (default: SQLite file under var/)
JIANDU_SECRET_KEY    required in production
JIANDU_ALLOWED_HOSTS comma-separated host names
JIANDU_DEBUG         overrides the environment's default (on in development, off in production)
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent  # src/jiandu
PROJECT_DIR = Path(os.environ.get("JIANDU_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("JIANDU_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("JIANDU_ENV", "production").strip().lower() or "production"
if ENVIRONMENT not in {"production", "development"}:
    raise ImproperlyConfigured(f"JIANDU_ENV must be production or development, not {ENVIRONMENT!r}.")
DEBUG = env_bool("JIANDU_DEBUG", ENVIRONMENT == "development")

SECRET_KEY = os.environ.get("JIANDU_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "JIANDU_SECRET_KEY must be set in production (or set JIANDU_ENV=development for a trial run)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
# Keys the secret was before a rotation: signatures and digests made with them still verify
# (Django's own SECRET_KEY_FALLBACKS; complaint tracking secrets honour them too).
SECRET_KEY_FALLBACKS = env_list("JIANDU_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("JIANDU_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "jiandu.core",
    "jiandu.ledger",
    "jiandu.rules",
    "jiandu.orgs",
    "jiandu.deadlines",
    "jiandu.documents",
    "jiandu.procedures",
    "jiandu.complaints",
    "jiandu.filings",
    "jiandu.demo",
    "jiandu.web",
    "jiandu.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jiandu.core.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiandu.urls"
WSGI_APPLICATION = "jiandu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jiandu.procedures.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("JIANDU_DATABASE_URL", f"sqlite:///{VAR_DIR / 'jiandu.sqlite3'}"),
        conn_max_age=int(os.environ.get("JIANDU_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: WAL lets readers work while one writer commits; IMMEDIATE makes
    # every write transaction take the write lock up front, so two writers queue instead of
    # failing half-way (the ledger's chain depends on writers being serialised).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.Person"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lockout after repeated failed sign-ins (django-axes keeps its counters in the database,
# so every app server sees the same count).
AXES_FAILURE_LIMIT = int(os.environ.get("JIANDU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("JIANDU_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password"]

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("JIANDU_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("JIANDU_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("JIANDU_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("JIANDU_BEHIND_TLS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("JIANDU_CSRF_TRUSTED_ORIGINS")

REDIS_URL = os.environ.get("JIANDU_REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "jiandu_cache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "jiandu.api.authentication.TokenAuthentication",
    ],
    # Staff only by default: the hotline's service account is let into its own endpoints alone.
    "DEFAULT_PERMISSION_CLASSES": ["jiandu.procedures.api.permissions.IsStaff"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "jiandu.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "jiandu.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jiandu API",
    "DESCRIPTION": "行政执法监督平台 API (administrative law-enforcement supervision)",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI and ReDoc assets are served by this server, not fetched from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents 400/401/403/404 in the API's error format.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "jiandu.api.errors.document_errors",
    ],
}

# The ledger signs its checkpoints with this Ed25519 key (base64 of the 32-byte seed).
# In development a key is generated once under var/; in production it must be set.
JIANDU_LEDGER_SIGNING_KEY = os.environ.get("JIANDU_LEDGER_SIGNING_KEY", "")
JIANDU_LEDGER_KEY_FILE = Path(os.environ.get("JIANDU_LEDGER_KEY_FILE", VAR_DIR / "ledger-signing.key"))

# Personal data is encrypted at rest with these Fernet keys, newest first (see jiandu.core.crypto).
JIANDU_DATA_KEYS = env_list("JIANDU_DATA_KEYS")
JIANDU_DATA_KEY_FILE = Path(os.environ.get("JIANDU_DATA_KEY_FILE", VAR_DIR / "data-encryption.key"))

# Reminders go out this many working days before a due date (an office setting, not a legal period).
JIANDU_REMINDER_WORKDAYS = int(os.environ.get("JIANDU_REMINDER_WORKDAYS", "2"))

# Upload and text limits for complaints (protection against abuse, not legal rules).
JIANDU_MAX_UPLOAD_BYTES = int(os.environ.get("JIANDU_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
# `jiandu sweep_files` leaves files younger than this alone: they may belong to a step still running.
JIANDU_ORPHAN_FILE_GRACE_HOURS = int(os.environ.get("JIANDU_ORPHAN_FILE_GRACE_HOURS", "24"))
# Bounds of typed text by kind (jiandu.core.text): a name or title, a reason or finding, a complaint.
JIANDU_TEXT_LIMITS = {
    "line": int(os.environ.get("JIANDU_MAX_LINE_CHARS", "200")),
    "short": int(os.environ.get("JIANDU_MAX_TEXT_CHARS", "2000")),
    "long": int(os.environ.get("JIANDU_MAX_COMPLAINT_CHARS", "5000")),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = JIANDU_MAX_UPLOAD_BYTES + 1024 * 1024
# An Excel export of a matter list holds at most this many rows (the sheet says when it was cut).
JIANDU_MAX_EXPORT_ROWS = int(os.environ.get("JIANDU_MAX_EXPORT_ROWS", "10000"))

EMAIL_BACKEND = os.environ.get("JIANDU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("JIANDU_FROM_EMAIL", "jiandu@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JIANDU_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
