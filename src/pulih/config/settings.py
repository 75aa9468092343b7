"""Django settings for Pulih, read from the environment with safe local defaults."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from pulih.config.secrets import load_secrets

SRC_DIR = Path(__file__).resolve().parents[1]
BASE_DIR = Path(os.environ.get("PULIH_HOME", SRC_DIR.parents[1])).resolve()
VAR_DIR = Path(os.environ.get("PULIH_VAR_DIR", BASE_DIR / "var")).resolve()
NODE_MODULES = Path(os.environ.get("PULIH_NODE_MODULES", BASE_DIR / "node_modules")).resolve()

_secrets = load_secrets(VAR_DIR)
SECRET_KEY = _secrets["PULIH_SECRET_KEY"]
PULIH_FIELD_KEY = _secrets["PULIH_FIELD_KEY"]
PULIH_BLIND_INDEX_KEY = _secrets["PULIH_BLIND_INDEX_KEY"]


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("PULIH_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("PULIH_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("PULIH_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "pulih.accounts",
    "pulih.reference",
    "pulih.privacy",
    "pulih.registry",
    "pulih.web",
    "pulih.demo",
    "pulih.intake",
    "pulih.linkage",
    "pulih.programmes",
    "pulih.payments",
]

# Background work (imports) goes through Django's task interface; the database backend needs
# no extra server and runs on SQLite and PostgreSQL. `pulih db_worker` runs the queue
# (`pulih run` starts one beside the web server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pulih.config.urls"
WSGI_APPLICATION = "pulih.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# Database: DATABASE_URL, else embedded SQLite in WAL mode under var/.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'pulih.sqlite3'}"
_db = dj_database_url.parse(
    DATABASE_URL, conn_max_age=int(os.environ.get("PULIH_CONN_MAX_AGE", "60"))
)
# 16 KiB pages (set when the file is created; an existing file keeps its own): a 500,000-row
# import spends most of its time in B-tree inserts, and measured 8% faster than with SQLite's
# 4 KiB default (8 and 32 KiB fell between; bench/intake).
SQLITE_INIT_COMMAND = (
    "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
    "PRAGMA foreign_keys=ON;"
)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue (busy timeout) instead of failing half-way with "database is locked".
        "init_command": SQLITE_INIT_COMMAND,
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    _db["CONN_MAX_AGE"] = 0
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "pulih.accounts.passwords.MixedCharacterValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Login throttling (django-axes): lock a username+address pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("PULIH_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
AXES_VERBOSE = False

# Sessions expire after 8 idle hours and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("PULIH_SESSION_SECONDS", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("PULIH_SECURE_COOKIES", False)  # set true behind HTTPS
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
# Front-end assets come from npm (package-lock.json) and are served by whitenoise: no CDN.
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("PULIH_MEDIA_ROOT", VAR_DIR / "media"))

# Uploads: photos are checked one by one (see registry.forms); the request cap sits above them.
PULIH_MAX_PHOTO_BYTES = int(os.environ.get("PULIH_MAX_PHOTO_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PULIH_LOG_LEVEL", "WARNING")},
}
PULIH_SERVE_MEDIA = _env_bool("PULIH_SERVE_MEDIA", True)

# Intake (proposer lists): where uploaded files, staged rows and reports live (personal data:
# never under MEDIA_ROOT, never served directly), and the limits on what is accepted.
# Round snapshots for what-if, decree annexes and bank transfer files.
PULIH_PROGRAMMES_DIR = Path(os.environ.get("PULIH_PROGRAMMES_DIR", VAR_DIR / "programmes"))
# Decree annexes of longer lists are written by a worker (a 500,000-line PDF takes minutes).
PULIH_ANNEX_INLINE_ROWS = int(os.environ.get("PULIH_ANNEX_INLINE_ROWS", "5000"))
# Rounds up to this many applications are evaluated while the officer waits; larger ones by a worker.
PULIH_ELIGIBILITY_INLINE_APPLICATIONS = int(
    os.environ.get("PULIH_ELIGIBILITY_INLINE_APPLICATIONS", "5000")
)
PULIH_APPEAL_EVIDENCE_MAX_BYTES = int(
    os.environ.get("PULIH_APPEAL_EVIDENCE_MAX_BYTES", str(5 * 1024 * 1024))
)
PULIH_INTAKE_DIR = Path(os.environ.get("PULIH_INTAKE_DIR", VAR_DIR / "intake"))
PULIH_INTAKE_MAX_BYTES = int(os.environ.get("PULIH_INTAKE_MAX_BYTES", str(200 * 1024 * 1024)))
PULIH_INTAKE_MAX_ROWS = int(os.environ.get("PULIH_INTAKE_MAX_ROWS", "1000000"))
# From this many rows an import uses a second process (checks, encryption beside the writes).
PULIH_INTAKE_PARALLEL_MIN_ROWS = int(os.environ.get("PULIH_INTAKE_PARALLEL_MIN_ROWS", "100000"))
# From this many refused rows the rejection report is written by a helper beside the merge.
PULIH_INTAKE_REPORT_HELPER_MIN_ROWS = int(
    os.environ.get("PULIH_INTAKE_REPORT_HELPER_MIN_ROWS", "5000")
)
