"""Rebound settings: one module, every deploy-specific value read from the environment.

A `.env` file beside manage.py is read when present (`make run` creates one for local work).
In production set the variables in the process environment instead; nothing secret has a default.
"""

import hashlib
import ipaddress
import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(os.environ.get("REBOUND_ENV_FILE", BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set whenever DEBUG is off.")
    SECRET_KEY = "insecure-development-only-key"  # noqa: S105 - only reachable with DEBUG on

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Links in e-mails. Unset, it follows the address `make run HOST=… PORT=…` serves on (the Makefile
# hands REBOUND_HOST and REBOUND_PORT to the web server, the worker and beat alike).
RUN_HOST = env.str("REBOUND_HOST", default="127.0.0.1")
RUN_PORT = env.int("REBOUND_PORT", default=8000)
SITE_URL = env.str("SITE_URL", default=f"http://{RUN_HOST}:{RUN_PORT}")

INSTALLED_APPS = [
    "clinic",
    "intake",
    "rehab",
    "notifications",
    "reports",
    "api",
    "clinic.apps.ReboundAdminConfig",  # Django's admin, behind the same second-factor check
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from our own static files
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clinic.middleware.NoStoreMiddleware",  # after WhiteNoise: static files stay cacheable
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinic.middleware.IdleSessionMiddleware",
    "clinic.middleware.UserTimezoneMiddleware",
    "clinic.middleware.OfflinePagesMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: it turns a lockout into its page
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.navigation",
                "clinic.context_processors.session_timeout",
                "rehab.context_processors.nav_counts",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the Celery workers that tests start must open the test database. One
    # per test run (process id), so test runs side by side never share one.
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
    # `make run` writes from the web server, a worker and beat at once. Write-ahead logging lets
    # readers go on during a write; IMMEDIATE takes the write lock when a transaction begins, so
    # a writer waits its turn (up to the timeout, in seconds) instead of failing with "database is
    # locked" when a read inside its transaction tries to become a write.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_TIMEOUT", default=20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")

# Background jobs: clinic/celery.py holds the Celery app and the one periodic schedule. Redis is
# the broker in CI and production. `make run` passes CELERY_BROKER_URL=filesystem:// when Redis
# does not answer: a folder queue under var/, so a machine with only Python runs a real worker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_FOLDER = Path(
    env.str("CELERY_BROKER_FOLDER", default=str(BASE_DIR / "var" / "celery-broker"))
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    (CELERY_BROKER_FOLDER / "queue").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
    }
else:
    # Longer than any retry countdown (10 minutes at most): Redis never hands a task waiting
    # for its retry to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}

# The cache holds counters that every web process must share (the password-reset rate limit):
# Redis, except for `make run` without Redis (a folder broker), whose one web process can keep
# them in its own memory. Tests count in local memory (conftest.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}

# Every task goes to one queue (no routes), which the worker consumes by default. Its name is this
# instance's, so two checkouts or deploys sharing one Redis never take each other's jobs:
# REBOUND_INSTANCE names the instance and defaults to a short hash of the checkout's folder (set
# it explicitly where the folder changes with each release).
REBOUND_INSTANCE = env.str(
    "REBOUND_INSTANCE", default=hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]
)
CELERY_TASK_DEFAULT_QUEUE = env.str(
    "CELERY_TASK_DEFAULT_QUEUE", default=f"rebound-{REBOUND_INSTANCE}"
)
CACHES["default"]["KEY_PREFIX"] = REBOUND_INSTANCE  # nor each other's counters in the cache
CELERY_TASK_IGNORE_RESULT = True  # no result backend: outcomes are kept in the ledger
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with acks_late, a worker holds one message at a time
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Reminders (notifications/): how long a sender's claim on a ledger row lasts, how long a row
# queued for sending waits before it is queued again, and how long settled rows are kept.
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=5 * 60)
NOTIFICATIONS_REQUEUE_AFTER_SECONDS = env.int(
    "NOTIFICATIONS_REQUEUE_AFTER_SECONDS", default=15 * 60
)
NOTIFICATIONS_KEEP_DAYS = env.int("NOTIFICATIONS_KEEP_DAYS", default=90)

# Text messages (notifications/sms.py): printed by the console backend unless Twilio is set up,
# e.g. SMS_BACKEND=notifications.sms.TwilioBackend with the three TWILIO_ variables.
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.sms.ConsoleBackend")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM = env.str("TWILIO_FROM", default="")  # a number, or a Messaging Service SID (MG...)

# Export files (reports/): written by the export task, downloaded only through an access-checked
# view as attachments, and deleted when they expire (reports.tasks.export_files_clean_up). Never
# under static/ or any other folder a web server publishes.
EXPORT_ROOT = Path(env.str("EXPORT_ROOT", default=str(BASE_DIR / "var" / "exports")))
EXPORT_FILE_HOURS = env.int("EXPORT_FILE_HOURS", default=24)
# Uploaded files (clinic logos, re-encoded by clinic.logos): under MEDIA_ROOT, served only
# through access-checked views (no MEDIA_URL is published), never from static/.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# A running export renews this lease as it writes; a run whose lease ran out lost its worker and
# is started again (reports.services.export_jobs_recover).
EXPORT_LEASE_SECONDS = env.int("EXPORT_LEASE_SECONDS", default=5 * 60)

AUTH_USER_MODEL = "clinic.User"
# Axes first: it refuses a locked-out e-mail and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password-reset and invitation links stay valid this long (seconds).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Password-reset requests (clinic/rate_limits.py): at most (requests, in seconds) per e-mail
# address and per client address. Past either, the answer is the same but no e-mail is sent.
PASSWORD_RESET_LIMIT_PER_EMAIL = (3, 15 * 60)
PASSWORD_RESET_LIMIT_PER_CLIENT = (20, 60 * 60)
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)

# The REST API (api/, docs/api.md): personal tokens or the session; the person's own rights
# through clinic.access; API_RATE_LIMIT (requests, seconds) per token, counted in the cache.
API_RATE_LIMIT = (env.int("API_RATE_LIMIT", default=600), 60)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.gate.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # with CSRF on writes
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.gate.ClinicAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["api.gate.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rebound API",
    "DESCRIPTION": "Patients, intakes and scores, rehab plans, daily logs and alerts of one "
    "clinic, with the rights of the token's owner. How to get a token: docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"AcknowledgementReasonEnum": "rehab.models.AcknowledgementReason"},
}

# Sign-in throttling (django-axes): an e-mail address is locked from one client address after
# too many failures. Each clinic sets its own numbers (Clinic.lockout_failures, .lockout_minutes);
# clinic/lockouts.py resolves them for the e-mail being tried, with the defaults for unknown ones.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "clinic.lockouts.failure_limit"
AXES_COOLOFF_TIME = "clinic.lockouts.cool_off"
# Each attempt keeps its own expiry, so one clinic's short lock never clears another's long one.
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field; it holds the e-mail address
AXES_USERNAME_CALLABLE = "clinic.lockouts.attempted_email"
AXES_CLIENT_IP_CALLABLE = "clinic.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "clinic.lockouts.lockout_response"
AXES_RESET_ON_SUCCESS = True  # a successful sign-in clears that address's earlier failures
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit log (auth.login)
AXES_VERBOSE = False

# The client address of a request (clinic/client_address.py), for lockouts, the audit trail and
# rate limits. Behind reverse proxies, TRUSTED_PROXY_COUNT says how many of them append to
# X-Forwarded-For (1 for one nginx or a platform's router); 0, the default, ignores forwarded
# headers and uses the connection's address. TRUSTED_PROXIES, if set, lists the addresses or
# networks of the proxy nearest the app: forwarded headers from any other connection are ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_error}") from _error

# Two-step verification (django-otp): TOTP apps plus one-time backup codes. Clinics require it of
# their admins and therapists unless they turn it off; new clinics start with this default.
STAFF_2FA_DEFAULT = env.bool("STAFF_2FA_DEFAULT", default=not DEBUG)
OTP_TOTP_ISSUER = "Rebound"
OTP_TOTP_THROTTLE_FACTOR = 1  # wrong codes wait 1, 2, 4, 8… seconds before the next try
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # secrets never shown in the Django admin

# Sessions. Staff and care-team sessions end after SESSION_IDLE_TIMEOUT seconds without a request
# (clinic/middleware.py), with a warning SESSION_IDLE_WARNING seconds before. Patients may keep a
# session on their own phone for SESSION_REMEMBER_AGE; every other session ends when the browser
# closes, and none outlives SESSION_COOKIE_AGE on the server.
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_IDLE_WARNING = 60
SESSION_REMEMBER_AGE = 14 * 24 * 60 * 60
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"  # stored times are UTC; each person's own zone is activated per request
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves hashed, compressed files collected by `collectstatic`; local work and tests
# serve straight from static/ so that no build step is needed.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# An e-mail provider's HTTP API through django-anymail instead of SMTP, e.g.
# EMAIL_BACKEND=anymail.backends.postmark.EmailBackend with ANYMAIL_POSTMARK_SERVER_TOKEN=...
# (every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"]).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_CONFIG["EMAIL_BACKEND"])
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # seconds; far inside a send's lease
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Rebound <no-reply@rebound.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Transport and cookie security: strict unless DEBUG is on (local http://127.0.0.1).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # scripts read the token from the page (data-csrf-token)
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp): scripts, styles and fonts only from our own static files,
# never inline. Images may also be data: URIs, for Bootstrap's SVG icons (select arrows, close
# buttons) and the two-step QR code. The Django admin needs no exemption: Django 5.2's admin
# templates have no inline scripts or styles (clinic/tests/test_security_headers.py checks it).
# The service worker and the app manifest come from our own origin too (docs/architecture.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features Rebound never uses are switched off for every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # A 403 or 404 is an expected answer: one line, not a traceback (which only a 500 gets).
    "filters": {"client_errors_in_one_line": {"()": "clinic.request_log.ClientErrorsInOneLine"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Axes logs every sign-in at INFO; failures and lockouts (WARNING) are the ones to keep.
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["client_errors_in_one_line"]},
    },
}
