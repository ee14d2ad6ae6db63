"""Kehu settings. Only this module reads os.environ; every value has a safe default."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, str(default).lower())
    if raw not in {"true", "false"}:
        raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")
    return raw == "true"


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def private_dir(path: Path) -> Path:
    """Create a folder only Kehu's user may enter (0700); an existing one keeps its mode."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # whatever the umask
    return path


DATA_DIR: Path = Path(os.environ.get("KEHU_DATA_DIR", REPO_DIR / "data")).resolve()
DEBUG = env_bool("KEHU_DEBUG", False)
_secret = os.environ.get("KEHU_SECRET_KEY", "")
if not _secret:
    # Embedded mode: a random key kept in the data folder, never a key in the source.
    _key_file = DATA_DIR / "secret_key"
    if _key_file.exists():
        _secret = _key_file.read_text().strip()
    else:
        import secrets

        private_dir(DATA_DIR)
        _secret = secrets.token_urlsafe(50)
        # 0600 from the start: never readable by others, not even for a moment.
        _fd = os.open(_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(_fd, "w") as _key_handle:
            _key_handle.write(_secret)
SECRET_KEY = _secret
ALLOWED_HOSTS = env_list("KEHU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("KEHU_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "kehu.portal",  # before django_tasks_db: its `db_worker` (stale jobs, shutdown) wins
    "django_tasks",
    "django_tasks_db",
    "kehu.core",
    "kehu.audit",
    "kehu.accounts",
    "kehu.review",
    "kehu.contacts",
    "kehu.customers",
    "kehu.tags",
    "kehu.interactions",
    "kehu.opportunities",
    "kehu.sandbox",
    "kehu.intake",
    "kehu.intake.capture",
    "kehu.search",
    "kehu.reports",
    "kehu.dedupe",
    "kehu.value",
    "kehu.collab",
    "kehu.workflow",
    "kehu.segments",
    "kehu.help",
    "kehu.training",
    "kehu.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kehu.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kehu.core.middleware.ControlFreeRequestMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kehu.core.replica.ReplicaMiddleware",  # reports and exports on the replica, if any
    "kehu.accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kehu.core.middleware.RequestContextMiddleware",
    "kehu.training.middleware.TrainingWorkspaceMiddleware",
]

ROOT_URLCONF = "kehu.urls"
WSGI_APPLICATION = "kehu.wsgi.application"

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
                "django.template.context_processors.i18n",
                "kehu.core.context_processors.company",
            ],
        },
    },
]
FORM_RENDERER = "kehu.core.form_renderer.FastWidgetRenderer"  # same bytes, fewer templates

# --- Database: SQLite (WAL, IMMEDIATE transactions) unless KEHU_DATABASE_URL names PostgreSQL.
DATABASE_URL = os.environ.get("KEHU_DATABASE_URL", "")
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("KEHU_DB_CONN_MAX_AGE", 60))
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        _db.setdefault("OPTIONS", {})
else:
    private_dir(DATA_DIR)
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "kehu.sqlite3"),
        "OPTIONS": {},
    }
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"].update(
        {
            "timeout": env_int("KEHU_SQLITE_TIMEOUT", 20),
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
            ),
        }
    )
    _db["TEST"] = {"NAME": os.environ.get("KEHU_TEST_SQLITE_NAME") or None}
else:
    _db["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
DATABASES: dict[str, Any] = {"default": _db}
# A read replica for the analyses and BI tools (docs/REPORTING.md); without it the analyses read
# the default database (kehu.reports.analyses.db.reporting_alias).
REPORTING_DATABASE_URL = os.environ.get("KEHU_REPORTING_DATABASE_URL", "")
if REPORTING_DATABASE_URL:
    DATABASES["reporting"] = dj_database_url.parse(
        REPORTING_DATABASE_URL, conn_max_age=env_int("KEHU_DB_CONN_MAX_AGE", 60)
    )
    DATABASES["reporting"]["TEST"] = {"MIRROR": "default"}
# A streaming replica of the default database (PostgreSQL): the reports' and the customer
# export's reads go there (kehu.core.replica), except for KEHU_REPLICA_STICKY_SECONDS after the
# reader's own last write. In tests it mirrors the test database (the replica of its server).
REPLICA_DATABASE_URL = os.environ.get("KEHU_REPLICA_DATABASE_URL", "")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(
        REPLICA_DATABASE_URL, conn_max_age=env_int("KEHU_DB_CONN_MAX_AGE", 60)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["kehu.core.replica.ReplicaRouter"]
KEHU_REPLICA_STICKY_SECONDS = env_int("KEHU_REPLICA_STICKY_SECONDS", 30)
KEHU_REPLICA_PATHS = env_list(
    "KEHU_REPLICA_PATHS",
    "/reports/,/api/v1/reports/,/api/v1/dashboard,/exports/customers.",
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # the dashboard of the role
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("KEHU_FAST_PASSWORD_HASHER", False):  # test suites only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- i18n: Chinese first, English switchable.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("KEHU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
private_dir(STATIC_ROOT)
# Only the npm files the pages use, copied by `make install` (tools/collect_assets.py); never
# node_modules itself. A missing folder shows as staticfiles.W004 in `kehu check`.
STATICFILES_DIRS = [("vendor", BASE_DIR / "static" / "vendor")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("KEHU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# --- Background work: Django's tasks API (django-tasks backport). KEHU_TASK_BACKEND=db (default:
# the queue is a table of the database, `kehu worker` = `kehu db_worker`) or rq (the queue is in
# Redis at KEHU_REDIS_URL, through django-tasks-rq; `kehu worker` runs an RQ worker). Either way
# several workers can take from one queue (docs/ARCHITECTURE.md).
TASK_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
KEHU_TASK_BACKEND = os.environ.get("KEHU_TASK_BACKEND", "db")
if KEHU_TASK_BACKEND == TASK_BACKENDS["db"]:  # the dotted path older settings named
    KEHU_TASK_BACKEND = "db"
if KEHU_TASK_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"KEHU_TASK_BACKEND must be db or rq, not {KEHU_TASK_BACKEND!r}")
KEHU_REDIS_URL = os.environ.get("KEHU_REDIS_URL", "redis://127.0.0.1:6379/0")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[KEHU_TASK_BACKEND]}}
if KEHU_TASK_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    # A task may run for hours (a million-row import): RQ's default limit is 180 s.
    RQ_QUEUES = {
        "default": {
            "URL": KEHU_REDIS_URL,
            "DEFAULT_TIMEOUT": env_int("KEHU_RQ_JOB_TIMEOUT", 24 * 3600),
        }
    }
# A running job with no sign of life (progress, heartbeat) for this long, from a worker on another
# host, is stale: resumed or marked failed (kehu.core.jobs). On the worker's own host a job whose
# process is gone is stale at once.
KEHU_JOB_STALE_SECONDS = env_int("KEHU_JOB_STALE_SECONDS", 600)
# Task reminders: the worker scans for tasks that fell due this often (0: never; then run
# `kehu reminders_scan` from cron instead).
KEHU_REMINDER_SCAN_SECONDS = env_int("KEHU_REMINDER_SCAN_SECONDS", 60)
# The customer value recomputation for all customers (kehu.value), from the worker; 0: off
# (run `kehu value_recompute` from cron instead).
KEHU_VALUE_RECOMPUTE_SECONDS = env_int("KEHU_VALUE_RECOMPUTE_SECONDS", 86400)
# Tag decay rules (kehu.tags.tasks): nightly at this local hour (-1: never; cron `kehu tags_decay`).
KEHU_TAG_DECAY_HOUR = env_int("KEHU_TAG_DECAY_HOUR", 2)
# Segments' recurring follow-up rules: the worker checks for a new period this often (0: never;
# then run `kehu segments_followup` from cron instead). Each period runs once whatever the rate.
KEHU_SEGMENT_FOLLOWUP_SECONDS = env_int("KEHU_SEGMENT_FOLLOWUP_SECONDS", 3600)

# --- E-mail (reminders): SMTP when KEHU_SMTP_HOST is set, else printed on the console (sandbox).
KEHU_SMTP_HOST = os.environ.get("KEHU_SMTP_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "KEHU_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if KEHU_SMTP_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = KEHU_SMTP_HOST or "localhost"
EMAIL_PORT = env_int("KEHU_SMTP_PORT", 587)
EMAIL_HOST_USER = os.environ.get("KEHU_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KEHU_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KEHU_SMTP_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("KEHU_EMAIL_FROM", "kehu@localhost")
# The address links in e-mails start with.
KEHU_SITE_URL = os.environ.get("KEHU_SITE_URL", "http://127.0.0.1:8000")
# How often a running `kehu db_worker` evaluates the workflow's time rules (kehu.workflow.tasks).
KEHU_WORKFLOW_TICK_SECONDS = env_int("KEHU_WORKFLOW_TICK_SECONDS", 300)

# --- Domain settings.
KEHU_DEFAULT_REGION = os.environ.get("KEHU_DEFAULT_REGION", "CN")
KEHU_LATE_ENTRY_HOURS = env_int("KEHU_LATE_ENTRY_HOURS", 24)
KEHU_PAGE_SIZE = env_int("KEHU_PAGE_SIZE", 25)
# The customer list's search box (and `q` of /api/v1/customers) asks the global search for the
# matching customers: a dotted path to (user, query) -> customer ids (the search app sits above
# customers, so the list reaches it by name).
KEHU_CUSTOMER_SEARCH = "kehu.search.selectors.customer_ids_matching"
KEHU_MAX_PAGE_SIZE = env_int("KEHU_MAX_PAGE_SIZE", 200)
KEHU_EVENT_BATCH_MAX = env_int("KEHU_EVENT_BATCH_MAX", 1000)
# Duplicates: match probability at which the scan proposes a pair, and at which the on-save
# check warns; 0 threads lets DuckDB use every core.
KEHU_DEDUPE_SCAN_THRESHOLD = float(os.environ.get("KEHU_DEDUPE_SCAN_THRESHOLD", "0.9"))
KEHU_DEDUPE_CHECK_THRESHOLD = float(os.environ.get("KEHU_DEDUPE_CHECK_THRESHOLD", "0.9"))
KEHU_DEDUPE_THREADS = env_int("KEHU_DEDUPE_THREADS", 0)
# Data quality (freshness rules, dashboard): every window is a setting.
KEHU_INCOMPLETE_BUSINESS_DAYS = env_int("KEHU_INCOMPLETE_BUSINESS_DAYS", 3)  # 待补全 -> 信息待完善
KEHU_STALE_DAYS = env_int("KEHU_STALE_DAYS", 180)  # no interaction -> 待验证
# Propensity (kehu.value.propensity): the horizon of the churn / repurchase labels, and the least
# history it trains on (else it is off, and says why); retrained every
# KEHU_PROPENSITY_TRAIN_SECONDS while `kehu db_worker` runs (0: only `kehu propensity_train`).
KEHU_PROPENSITY_HORIZON_DAYS = env_int("KEHU_PROPENSITY_HORIZON_DAYS", 180)
KEHU_PROPENSITY_MIN_CUSTOMERS = env_int("KEHU_PROPENSITY_MIN_CUSTOMERS", 100)
KEHU_PROPENSITY_MIN_MONTHS = env_int("KEHU_PROPENSITY_MIN_MONTHS", 18)
KEHU_PROPENSITY_MIN_POSITIVES = env_int("KEHU_PROPENSITY_MIN_POSITIVES", 20)
KEHU_PROPENSITY_SNAPSHOTS = env_int("KEHU_PROPENSITY_SNAPSHOTS", 4)
KEHU_PROPENSITY_MAX_ROWS = env_int("KEHU_PROPENSITY_MAX_ROWS", 400_000)
KEHU_PROPENSITY_TRAIN_SECONDS = env_int("KEHU_PROPENSITY_TRAIN_SECONDS", 7 * 24 * 3600)
# Freshness by value (kehu.value.freshness): verification cadences and behaviour triggers run
# every KEHU_FRESHNESS_SECONDS while `kehu db_worker` runs (0: only `kehu freshness_run`).
KEHU_FRESHNESS_SECONDS = env_int("KEHU_FRESHNESS_SECONDS", 24 * 3600)
# The company calendar's defaults until an administrator saves /settings/company/ (kehu.core.company).
KEHU_HOLIDAYS = env_list("KEHU_HOLIDAYS", "")  # ISO dates that are not business days
KEHU_EXTRA_WORKDAYS = env_list("KEHU_EXTRA_WORKDAYS", "")  # weekend dates worked (调休)
KEHU_QUALITY_ENTRY_WINDOW_DAYS = env_int("KEHU_QUALITY_ENTRY_WINDOW_DAYS", 28)
# Dashboards and named reports (issue 18): the worker refreshes the company-wide figures every
# KEHU_DASHBOARD_REFRESH_SECONDS (0: never; pages then compute them when missing) and the weekly
# reports (health, dormancy) every KEHU_WEEKLY_REPORT_SECONDS.
KEHU_DASHBOARD_REFRESH_SECONDS = env_int("KEHU_DASHBOARD_REFRESH_SECONDS", 900)
# The analyses' daily interaction facts (kehu.reports.analyses.facts): refreshed on the worker
# every KEHU_ANALYSIS_FACTS_SECONDS (0: never; the analyses then read live), in full once a day.
KEHU_ANALYSIS_FACTS_SECONDS = env_int("KEHU_ANALYSIS_FACTS_SECONDS", 600)
KEHU_WEEKLY_REPORT_SECONDS = env_int("KEHU_WEEKLY_REPORT_SECONDS", 7 * 24 * 3600)
KEHU_QUALITY_ALERT_PERCENT = env_int("KEHU_QUALITY_ALERT_PERCENT", 15)
KEHU_QUALITY_BASELINE_DAYS = env_int("KEHU_QUALITY_BASELINE_DAYS", 28)
KEHU_QUALITY_BASELINE_MIN_DAYS = env_int("KEHU_QUALITY_BASELINE_MIN_DAYS", 7)
# The shared Chinese customer generator; a copy ships in kehu/sandbox for clones without ../shared.
_shared_generator = REPO_DIR.parent / "shared" / "data" / "gen_cn_customers.py"
KEHU_GENERATOR = Path(
    os.environ.get(
        "KEHU_GENERATOR",
        _shared_generator
        if _shared_generator.exists()
        else BASE_DIR / "sandbox" / "gen_cn_customers.py",
    )
)
KEHU_DEMO_PASSWORD = os.environ.get("KEHU_DEMO_PASSWORD", "kehu-demo-2026")
# Imports: rows per transaction (the resume point), where uploads are kept and for how long.
KEHU_IMPORT_BATCH_SIZE = env_int("KEHU_IMPORT_BATCH_SIZE", 1000)
# SQLite: WAL pages written before a checkpoint while an import runs (the default is 1,000: a
# checkpoint on nearly every batch, copying the same index pages again and again).
KEHU_IMPORT_WAL_CHECKPOINT_PAGES = env_int("KEHU_IMPORT_WAL_CHECKPOINT_PAGES", 25_000)
# An import that created or updated at least this many customers queues a tidy of the search
# index (FTS5 segment merge / VACUUM ANALYZE; ~30 s at a million customers) for the task worker:
# documents written row by row scatter and leave segments, and the search slows until tidied.
KEHU_IMPORT_SEARCH_TIDY_ROWS = env_int("KEHU_IMPORT_SEARCH_TIDY_ROWS", 10_000)
KEHU_IMPORT_DIR = Path(os.environ.get("KEHU_IMPORT_DIR", DATA_DIR / "imports"))
KEHU_IMPORT_RETENTION_DAYS = env_int("KEHU_IMPORT_RETENTION_DAYS", 30)
# The read log (360 pages opened, searches, exports, reveals): kept this many days, then purged
# by `kehu audit_purge_reads` (whole sealed days; the change log is kept). 180 days: 等保 2.0.
KEHU_AUDIT_READ_RETENTION_DAYS = env_int("KEHU_AUDIT_READ_RETENTION_DAYS", 180)
# The export volume rule (review rule export_spike): a user may pull threshold x their usual daily
# rows (list API pages, search results and exports together), the usual being at least this.
KEHU_EXPORT_BASELINE_ROWS = env_int("KEHU_EXPORT_BASELINE_ROWS", 500)
KEHU_IMPORT_BATCH_PAUSE_MS = env_int(
    "KEHU_IMPORT_BATCH_PAUSE_MS", 0
)  # tests: widen the kill window
# Uploads (imports, business cards) and request bodies: what one may hold. A file past a limit
# is refused with a message naming the limit (and the row and column); nothing is parsed in the
# request (kehu/intake/limits.py). Put the same byte limit on the reverse proxy.
KEHU_UPLOAD_MAX_BYTES = env_int("KEHU_UPLOAD_MAX_BYTES", 512 * 1024 * 1024)
KEHU_UPLOAD_MAX_ROWS = env_int("KEHU_UPLOAD_MAX_ROWS", 2_000_000)
KEHU_UPLOAD_MAX_COLUMNS = env_int("KEHU_UPLOAD_MAX_COLUMNS", 200)
KEHU_UPLOAD_MAX_CELL_CHARS = env_int("KEHU_UPLOAD_MAX_CELL_CHARS", 32_767)  # Excel's own limit
# XLSX: all parts expanded, and the shared-strings table that openpyxl keeps in memory.
KEHU_UPLOAD_MAX_EXPANDED_BYTES = env_int("KEHU_UPLOAD_MAX_EXPANDED_BYTES", 4 * 1024**3)
KEHU_UPLOAD_MAX_SHARED_STRINGS_BYTES = env_int(
    "KEHU_UPLOAD_MAX_SHARED_STRINGS_BYTES", 256 * 1024 * 1024
)
KEHU_CARD_MAX_PIXELS = env_int("KEHU_CARD_MAX_PIXELS", 50_000_000)  # a business-card photo
# A request body other than files (JSON, form fields): Django's limits, from the environment.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("KEHU_REQUEST_MAX_BYTES", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("KEHU_REQUEST_MAX_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("KEHU_REQUEST_MAX_FILES", 20)

# Capture: web-form leads per client address per hour, counted in the shared cache below.
KEHU_LEAD_RATE_LIMIT = env_int("KEHU_LEAD_RATE_LIMIT", 5)
KEHU_LEAD_RATE_WINDOW = env_int("KEHU_LEAD_RATE_WINDOW", 3600)

# --- The cache every process shares (the lead rate limit counts in it): Redis when
# KEHU_CACHE_URL names it (redis://127.0.0.1:6379/0), else a table of the database (created by
# kehu/core's migrations), so that several workers behind a proxy count one bucket per client.
_cache_url = os.environ.get("KEHU_CACHE_URL", "")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": "kehu",
        }
    }
elif _cache_url in ("", "db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kehu_cache",
        }
    }
else:
    raise ImproperlyConfigured(
        f"KEHU_CACHE_URL must be redis://host:port/db (or empty for the database), not {_cache_url!r}"
    )

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated,
# e.g. "127.0.0.1,10.0.0.0/8"): the client address is then the last one in the header that is
# not such a proxy (kehu.core.middleware.client_ip). Default: none; the connecting address.
KEHU_TRUSTED_PROXIES = env_list("KEHU_TRUSTED_PROXIES", "")
for _proxy in KEHU_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"KEHU_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network"
        ) from _exc

NINJA_PAGINATION_PER_PAGE = KEHU_PAGE_SIZE

# One line per record with the request id; personal values masked (kehu.core.logs).
# KEHU_LOG_FORMAT=json (the default under `kehu serve`) writes JSON lines.
KEHU_LOG_FORMAT = os.environ.get("KEHU_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "kehu.core.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "kehu.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": "json" if KEHU_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("KEHU_LOG_LEVEL", "WARNING")},
}

__all__ = ["_"]

# --- Access: two-factor sign-in, lock-out after failed logins, production hardening.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "axes"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "kehu.accounts.two_factor.RequireTwoFactorMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Managers, administrators and data stewards sign in with a TOTP code (kehu.accounts.two_factor).
KEHU_REQUIRE_2FA = env_bool("KEHU_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Kehu"
# django-axes: lock a username out, for this long, after KEHU_LOGIN_FAILURE_LIMIT failures from
# one address or KEHU_LOGIN_USER_FAILURE_LIMIT from any addresses (kehu.accounts.lockout).
KEHU_LOGIN_FAILURE_LIMIT = env_int("KEHU_LOGIN_FAILURE_LIMIT", 5)
KEHU_LOGIN_USER_FAILURE_LIMIT = env_int("KEHU_LOGIN_USER_FAILURE_LIMIT", 20)
AXES_FAILURE_LIMIT = "kehu.accounts.lockout.login_failure_limit"
AXES_COOLOFF_TIME = env_int("KEHU_LOGIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["username"]]
AXES_RESET_ON_SUCCESS = True
# The lockout counts per client address by the same rule as the audit log and the lead limit
# (the connecting address, or X-Forwarded-For past KEHU_TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "kehu.core.middleware.client_ip"
AXES_ENABLED = env_bool("KEHU_LOGIN_LOCKOUT", True)
# Production (KEHU_PRODUCTION=true, behind HTTPS): passes `kehu check --deploy`.
KEHU_PRODUCTION: bool = env_bool("KEHU_PRODUCTION", False)
# `kehu backup` on the worker: every this many seconds (production: daily; the sandbox: off),
# keeping the newest KEHU_BACKUP_KEEP archives in DATA_DIR/backups.
KEHU_BACKUP_EVERY_SECONDS = env_int("KEHU_BACKUP_EVERY_SECONDS", 86400 if KEHU_PRODUCTION else 0)
KEHU_BACKUP_KEEP = env_int("KEHU_BACKUP_KEEP", 7)
if KEHU_PRODUCTION:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("KEHU_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("KEHU_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    if env_bool("KEHU_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Privacy, connected applications, audit anchoring, training (issues 19 and 20): their
# settings are in kehu/settings_privacy.py (this module's 500-line limit).
INSTALLED_APPS += ["oauth2_provider", "kehu.accounts.oauth"]
from kehu.settings_privacy import *  # noqa: E402, F403
