"""Keel's settings: everything, read from the environment, with defaults that run.

With nothing set, Keel runs on a SQLite file, runs Celery tasks eagerly in-process and
caches in local memory. `DATABASE_URL` and `REDIS_URL` switch it to PostgreSQL and Redis.
Every variable is listed, with its default, in `.env.example`.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from celery.schedules import crontab

from outsourcing import env as read

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A `.env` file in the project folder is a convenience for development: `make run` writes one
# (DEBUG on, a generated secret key) when there is none. Real environment variables win.
# KEEL_ENV_FILE names another file, or none when set empty: the test suite reads none
# (`outsourcing/settings/test.py`), so a developer's `.env` never changes what it tests.
ENV_FILE = os.environ.get("KEEL_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)

# GENERAL
# ------------------------------------------------------------------------------
# Off unless asked for: a deployment that forgets DEBUG stays safe. `make run` turns it on
# (and writes it into the development `.env`).
DEBUG = read.boolean(env, "DEBUG", default=False)
DEVELOPMENT_SECRET_KEY = "django-insecure-keel-development-only-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY in {"", DEVELOPMENT_SECRET_KEY}:
    raise read.SettingsError(
        "SECRET_KEY: set a long random value; the development default is refused with DEBUG off."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en-gb"
USE_I18N = True
SITE_ID = 1
KEEL_VERSION = "0.1.0"

# DATABASES
# ------------------------------------------------------------------------------
DATABASES = {
    "default": read.database(env, "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = read.integer(env, "CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_celery_beat",
    "core",
    "partners",
    "kpis",
    "sla",
    "calibration",
    "engagements",
    "home",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "partners.middleware.CurrentMembershipMiddleware",
    "partners.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "outsourcing.urls"
WSGI_APPLICATION = "outsourcing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partners.context_processors.membership",
                "partners.context_processors.main_navigation",
            ],
        },
    },
]

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home:home"

# django-allauth: email + password only; Keel is invitation-only, so nobody signs up.
ACCOUNT_ADAPTER = "partners.adapters.KeelAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Invitations prove the address, so no second confirmation round-trip.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Keel] "
ACCOUNT_RATE_LIMITS = {
    # Failed logins: 10 a minute per IP address, 5 in 5 minutes per email address.
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Keel"
MFA_ADAPTER = "partners.adapters.KeelMFAAdapter"

# INVITATIONS
# ------------------------------------------------------------------------------
KEEL_INVITATION_DAYS = read.integer(env, "KEEL_INVITATION_DAYS", default=7)

# KPI IMPORTS
# ------------------------------------------------------------------------------
# A running import that has reported no progress for this long is taken for dead and may be
# retried (its transaction never committed, so nothing of it was written).
KEEL_IMPORT_STALLED_SECONDS = read.integer(env, "KEEL_IMPORT_STALLED_SECONDS", default=300)

# CACHES AND CELERY
# ------------------------------------------------------------------------------
REDIS_URL = read.redis_url(env, "REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker, tasks run in-process (Saleor does the same): nothing to install.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Daily at 03:15 UTC: expired sessions are deleted, so the session table stays small
    # (Django's `clearsessions`, which nothing else runs for a database session store).
    # Nightly at 02:30 UTC: KPI snapshots of the current and previous day, week, month and
    # quarter are recomputed for every partner, so late data (surveys, re-opens, partner
    # corrections) reaches the scorecards even when no import triggered it.
    "recompute-open-kpi-periods": {
        "task": "kpis.tasks.snapshots_recompute_open_periods_task",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 60 * 60 * 3},
    },
    # Nightly at 03:00 UTC, after the snapshots: SLA band statuses, month-end projections,
    # settlements (drafts; approved months get a pending adjustment), remediation plans and
    # exit criteria for the current and previous month of every partner under contract.
    "evaluate-sla-open-months": {
        "task": "sla.tasks.sla_evaluate_open_months_task",
        "schedule": crontab(hour=3, minute=0),
        "options": {"expires": 60 * 60 * 3},
    },
    # Daily at 06:00 UTC: calibration sessions the cadence makes due in the next two weeks
    # are created, and reviewers whose session is due within three days are reminded.
    "schedule-calibration": {
        "task": "calibration.tasks.calibration_schedule_task",
        "schedule": crontab(hour=6, minute=0),
        "options": {"expires": 60 * 60 * 3},
    },
    "clear-expired-sessions": {
        "task": "partners.tasks.sessions_clear_expired_task",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 60 * 60},
    },
}

# EMAIL
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = read.integer(env, "EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = read.boolean(env, "EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Keel <keel@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# STATIC FILES
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "outsourcing.staticfiles.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT: Path | str = BASE_DIR / "media"

# SECURITY
# ------------------------------------------------------------------------------
# Secure by default with DEBUG off. A local, plain-http run of the production stack can
# turn these off explicitly (docker-compose.yml does, and says why).
SECURE_SSL_REDIRECT = read.boolean(env, "SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = read.boolean(env, "SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = read.boolean(env, "CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = read.integer(env, "SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# API
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["partners.api.permissions.HasViewer"],
    "DEFAULT_PAGINATION_CLASS": "core.rest.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["partners.api.throttling.ViewerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "viewer": env.str("API_THROTTLE_RATE", default="1200/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "core.rest.KeelExceptionHandler",
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Keel API",
    "DESCRIPTION": (
        "Governance of outsourced customer support. Authenticate with a session (browser) or "
        "with an API token created by a program manager: `Authorization: Bearer <token>`. "
        "Every error (4xx) has the same shape: `{type, errors: [{code, detail, attr}]}`."
    ),
    "VERSION": KEEL_VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # drf-standardized-errors documents every error response; these name its enums.
    "ENUM_NAME_OVERRIDES": {
        name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
        for name in [
            "ValidationErrorEnum",
            "ClientErrorEnum",
            "ServerErrorEnum",
            *(f"ErrorCode{code}Enum" for code in (401, 403, 404, 405, 406, 415, 429, 500)),
        ]
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
    ],
}

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
