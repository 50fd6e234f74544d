"""The one settings module. Everything that differs between machines comes from the
environment (see docs/architecture.md for the list):

- MYOMAP_DATA_DIR   where the embedded database and the secret key live
                    (default: the user data folder, e.g. ~/.local/share/myomap)
- DATABASE_URL      e.g. postgres://user@host:5432/myomap; unset = embedded SQLite
- MYOMAP_SECRET_KEY (or MYOMAP_SECRET_KEY_FILE); unset = the key kept in the data folder
- MYOMAP_REDIS_URL  the background jobs' queue in Redis (docs/jobs.md); unset = the
                    database's own (a file in the data folder, or PostgreSQL's tables)
- MYOMAP_DEBUG, MYOMAP_ALLOWED_HOSTS, MYOMAP_SECURE_COOKIES, MYOMAP_TIME_ZONE
- MYOMAP_HSTS_SECONDS, MYOMAP_HSTS_INCLUDE_SUBDOMAINS, MYOMAP_SSL_REDIRECT: behind HTTPS
                    (docs/deployment.md)
- MYOMAP_BACKUP_DIR, MYOMAP_BACKUP_AT, MYOMAP_BACKUP_KEEP, MYOMAP_BACKUP_PASSPHRASE: the
                    nightly backup (docs/backup.md)
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from myomap.core.bodymap.svg import STYLESHEET
from myomap.web import env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.default_data_dir()
SECRET_KEY_FILE = DATA_DIR / "secret_key"


def _secret_key() -> str:
    """The configured key, else the data folder's key (written by `myomap serve` and the
    WSGI entry point on first run), else a per-process key (tests, one-off commands)."""
    configured = env.get_secret("MYOMAP_SECRET_KEY")
    if configured:
        return configured
    if SECRET_KEY_FILE.is_file():
        return SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
    return secrets.token_urlsafe(50)


def _sha256(source: str) -> str:
    """A Content-Security-Policy hash source for an inline block with this text."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


SECRET_KEY = _secret_key()
DEBUG = env.get_bool("MYOMAP_DEBUG", False)
ALLOWED_HOSTS = env.get_list("MYOMAP_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("MYOMAP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "myomap.accounts",
    "myomap.bodymap",
    "myomap.reference",
    "myomap.clients",
    "myomap.visits",
    "myomap.outcomes",
    "myomap.program",
    "myomap.jobs",
    "myomap.appointments",
    "myomap.aftercare",
    "myomap.messaging",
    "myomap.audit",
    "myomap.erasure",
    "myomap.clinicdata",  # its nightly backup job; the Data page's templates are web's
    "myomap.api",
    "ninja",  # serves /api/docs (Swagger UI) from its own static files, not a CDN
    "csp",  # the Content-Security-Policy header; its checks catch an outdated setting
    "django_otp",  # two-factor sign-in (web/two_factor): an app's codes, recovery codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "myomap.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside the two-factor gate, so its answers (a redirect to the code page) are
    # no-store too.
    "myomap.web.middleware.NoStoreForSignedInMiddleware",
    # A form's address opened as a page: a page saying so, not the browser's bare 405.
    "myomap.web.middleware.MethodNotAllowedPage",
    # request.user.is_verified(): this session passed two-factor sign-in; then the gate
    # asks for the code (or sends to set-up) before any other page.
    "django_otp.middleware.OTPMiddleware",
    "myomap.web.two_factor.gate.TwoFactorGate",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A request for another clinic's record is answered 404 and audited for that clinic.
    "myomap.audit.middleware.RefusedAccessAudit",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "myomap.web.urls"
WSGI_APPLICATION = "myomap.web.wsgi.application"

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
            ],
            # `{% url %}` and `|date` with the same output, several times faster on lists.
            "builtins": ["myomap.web.templatetags.fast"],
        },
    },
]

# Django's form renderer with the plain widgets (inputs, text areas, selects) in Python.
FORM_RENDERER = "myomap.web.form_renderer.FastWidgets"

# Connections are kept between requests (one per server thread), so a request does not
# pay for opening one; a health check before reuse replaces a connection that broke (a
# database restarted) instead of failing the request with it.
CONNECTION_SECONDS = 600


def _databases() -> dict[str, dict[str, object]]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return {
            "default": dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        }
    return {
        "default": {
            # Django's SQLite backend, refreshing the planner's statistics as a
            # connection closes (myomap.records.sqlite).
            "ENGINE": "myomap.records.sqlite",
            "NAME": DATA_DIR / "myomap.sqlite3",
            "CONN_MAX_AGE": CONNECTION_SECONDS,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # Run once per new connection (Django's SQLite backend executes it when it
                # opens one), not per request. WAL lets the server processes read while one
                # writes; busy_timeout makes a writer wait for the lock rather than fail;
                # IMMEDIATE takes the write lock up front so concurrent requests queue
                # instead of failing midway.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; "
                    "PRAGMA analysis_limit=1000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }


DATABASES = _databases()
# Nothing relies on Django's cache: sessions, the sign-in and password-link throttles, the
# idle sign-out and the audit log are in the database, so any server process (or machine)
# answers any request. The cache stays the per-process default, named here so that a use
# that must hold across requests is seen to belong in the database instead.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's own backend, whose per-request load of the person also answers the two-factor
# gate; Django's plain one after it keeps sessions signed in before it existed.
AUTHENTICATION_BACKENDS = [
    "myomap.web.two_factor.backends.SignInBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
OTP_TOTP_ISSUER = "Myomap"  # the name an authenticator app shows beside the codes
# Devices are managed in the app (web/two_factor), and their admin pages are unregistered
# (web/admin.py); should one come back, it never shows a key or a recovery code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SECURE_COOKIES = env.get_bool("MYOMAP_SECURE_COOKIES", False)
# Django's sessions in the database, the row read with one plain statement per request.
SESSION_ENGINE = "myomap.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: our forms and the API docs take the token from the page.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.get_int("MYOMAP_SESSION_SECONDS", 12 * 3600)
# A tablet beside the table is shared: closing the browser signs out.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SAMESITE = "Lax"
# Behind a reverse proxy that sets X-Forwarded-Proto and X-Forwarded-For: only then are
# those headers believed (HTTPS detection, the client address in the audit log).
BEHIND_PROXY = env.get_bool("MYOMAP_BEHIND_HTTPS_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies whose X-Forwarded-For is believed (addresses or networks): the client is the
# rightmost address in that header that is not one of them, never the leftmost, which the
# client itself can write.
TRUSTED_PROXIES = env.get_list("MYOMAP_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
# How many proxies stand in front of `myomap serve` (a CDN before nginx: 2); waitress takes
# the client's address from that many entries from the right of X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.get_int("MYOMAP_TRUSTED_PROXY_COUNT", 1)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Reached over HTTPS (either variable says so): cookies travel only over HTTPS, browsers are
# told to keep to HTTPS (HSTS) and a request that still arrives over HTTP is redirected.
HTTPS = SECURE_COOKIES or BEHIND_PROXY
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SILENCED_SYSTEM_CHECKS: list[str] = []
if HTTPS:
    SECURE_HSTS_SECONDS = env.get_int("MYOMAP_HSTS_SECONDS", 365 * 24 * 3600)
    # Off unless asked: HSTS on every subdomain binds the clinic's other sites too.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.get_bool("MYOMAP_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_SSL_REDIRECT = env.get_bool("MYOMAP_SSL_REDIRECT", BEHIND_PROXY)
    # A health check from the machine itself asks over plain HTTP, past the proxy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Including subdomains and preloading are decisions about the clinic's whole domain
    # (preloading cannot be undone quickly), taken by whoever runs it, not by the app: the
    # deploy check's reminders for them are silenced while they are off.
    if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
        SILENCED_SYSTEM_CHECKS.append("security.W005")
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# The Content-Security-Policy (django-csp): every script and stylesheet comes from our own
# static files (django-ninja's Swagger UI at /api/docs too), no inline script or style
# attribute anywhere. The one inline stylesheet is the body map's own, inside its SVG,
# allowed by its hash.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, _sha256(STYLESHEET)],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("MYOMAP_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
# Static files are served straight from the app folders (no collectstatic step on a fresh
# machine); set MYOMAP_STATIC_ROOT to collect them for a front web server instead.
STATIC_ROOT = os.environ.get("MYOMAP_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MYOMAP_LOG_LEVEL", "WARNING")},
}

# Clinic administration (accounts/actions.py, web/clinic.py). Passwords: Django's rules and
# ours (no "demo1234", not the app's name). A session idle for MYOMAP_IDLE_SECONDS is
# signed out, beside the ceiling of MYOMAP_SESSION_SECONDS; API tokens are not sessions.
AUTH_PASSWORD_VALIDATORS.append({"NAME": "myomap.accounts.validators.HouseRulesValidator"})
IDLE_SECONDS = env.get_int("MYOMAP_IDLE_SECONDS", 30 * 60)
if IDLE_SECONDS < 60:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"MYOMAP_IDLE_SECONDS must be 60 or more, not {IDLE_SECONDS}")
# After the messages middleware, so the sign-in page can say why the session ended.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "myomap.accounts.middleware.IdleTimeoutMiddleware",
)
# E-mail (invitations, reset links): through MYOMAP_EMAIL_HOST when it is set; else the
# embedded default keeps each message as a file in the data folder, which a clinic admin
# reads on the outbox page (/accounts/outbox/).
EMAIL_HOST = os.environ.get("MYOMAP_EMAIL_HOST", "").strip()
DEFAULT_FROM_EMAIL = os.environ.get("MYOMAP_EMAIL_FROM", "").strip() or "myomap@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.get_int("MYOMAP_EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("MYOMAP_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env.get_secret("MYOMAP_EMAIL_PASSWORD") or ""
    EMAIL_USE_TLS = env.get_bool("MYOMAP_EMAIL_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"
# Text messages (myomap.jobs.sms, docs/jobs.md): through the class MYOMAP_SMS_BACKEND
# names (a clinic's provider); the embedded default keeps them in the data folder beside
# the outbox ("folder"); with a mail server and no provider, none are sent ("disabled").
SMS_BACKEND = os.environ.get("MYOMAP_SMS_BACKEND", "").strip() or (
    "disabled" if EMAIL_HOST else "folder"
)
SMS_FILE_PATH = DATA_DIR / "sms"
# Background jobs (myomap.jobs, docs/jobs.md): the queue is a file beside the embedded
# database, PostgreSQL's own tables with DATABASE_URL, or Redis with MYOMAP_REDIS_URL.
JOBS_QUEUE_FILE = DATA_DIR / "jobs.sqlite3"
JOBS_REDIS_URL = os.environ.get("MYOMAP_REDIS_URL", "").strip()
# The queue's name (its keys in Redis, its rows in Huey's tables): one per installation
# sharing a Redis or a database with another.
JOBS_QUEUE_NAME = os.environ.get("MYOMAP_JOBS_QUEUE", "").strip() or "myomap"
# A job running longer than this is presumed abandoned by a worker that died, and retried.
JOBS_LEASE_SECONDS = env.get_int("MYOMAP_JOBS_LEASE_SECONDS", 600)
# Appointment reminders go out the day before at this time on the clinic's clock.
REMINDER_TIME = os.environ.get("MYOMAP_REMINDER_TIME", "").strip() or "17:00"
try:
    __import__("datetime").time.fromisoformat(REMINDER_TIME)
except ValueError:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"MYOMAP_REMINDER_TIME must be a time of day such as 17:00, not {REMINDER_TIME!r}"
    ) from None
# Nightly backups (docs/backup.md): a background job writes one into MYOMAP_BACKUP_DIR
# each night at MYOMAP_BACKUP_AT on the server's clock (TIME_ZONE) and keeps the newest
# MYOMAP_BACKUP_KEEP; encrypted with MYOMAP_BACKUP_PASSPHRASE when it is set. Off without
# a folder.
BACKUP_DIR, BACKUP_AT, BACKUP_KEEP, BACKUP_PASSPHRASE = env.nightly_backup()
# The address a link in an e-mail sent by a background job starts with (no request to take
# it from): the clinic's public address behind its proxy.
PUBLIC_URL = os.environ.get("MYOMAP_PUBLIC_URL", "").strip() or "http://localhost:8000"
