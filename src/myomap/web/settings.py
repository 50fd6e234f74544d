"""The one settings module. Everything that differs between machines comes from the
environment (see docs/architecture.md for the list):

- MYOMAP_DATA_DIR   where the embedded database and the secret key live
                    (default: the user data folder, e.g. ~/.local/share/myomap)
- DATABASE_URL      e.g. postgres://user@host:5432/myomap; unset = embedded SQLite
- MYOMAP_SECRET_KEY (or MYOMAP_SECRET_KEY_FILE); unset = the key kept in the data folder
- MYOMAP_DEBUG, MYOMAP_ALLOWED_HOSTS, MYOMAP_SECURE_COOKIES, MYOMAP_TIME_ZONE
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

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
    "myomap.audit",
    "myomap.api",
    "ninja",  # serves /api/docs (Swagger UI) from its own static files, not a CDN
    "myomap.web",
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
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return {"default": dict(dj_database_url.parse(url, conn_max_age=60))}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "myomap.sqlite3",
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE takes the write
                # lock up front so concurrent requests queue instead of failing.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
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
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SECURE_COOKIES = env.get_bool("MYOMAP_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
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
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("MYOMAP_TIME_ZONE", "UTC")
USE_I18N = True
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
